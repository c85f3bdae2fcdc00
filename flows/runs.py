"""Bookkeeping of a night: ops.runs rows and the summary a person reads at the end."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from tousu.flows.loading import FileOutcome
from tousu.warehouse import alerts, db


@dataclass
class ChannelSummary:
    source: str
    files_new: int = 0
    files_loaded: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_skipped: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    # The source's load stopped on an error of its own (not one file's): nothing of it tonight.
    source_error: str | None = None

    @classmethod
    def failed(cls, source: str, error: str) -> ChannelSummary:
        return cls(
            source,
            errors=[f"{source}: the source could not be loaded tonight: {error}"],
            source_error=error,
        )

    @classmethod
    def of(cls, source: str, outcomes: list[FileOutcome], seconds: float = 0.0) -> ChannelSummary:
        s = cls(source, files_new=len(outcomes), seconds=seconds)
        for o in outcomes:
            s.files_loaded += o.status == "loaded"
            s.files_skipped += o.status == "skipped_duplicate"
            s.files_failed += o.status in ("failed", "held")
            s.rows_read += o.rows_read
            s.rows_loaded += o.rows_loaded
            s.rows_quarantined += o.rows_quarantined
            s.rows_skipped += o.rows_skipped
            if o.error:
                s.errors.append(f"{o.path}: {o.error}")
        return s

    def line(self) -> str:
        text = (
            f"{self.source:<14} {self.files_new:>6} new files  {self.rows_read:>9,} read  "
            f"{self.rows_loaded:>9,} loaded  {self.rows_quarantined:>7,} quarantined"
        )
        if self.rows_skipped:
            text += f"  {self.rows_skipped:,} skipped by rule (repeats, row filters)"
        if self.files_skipped:
            text += f"  {self.files_skipped} duplicate file(s) skipped"
        if self.files_failed:
            text += f"  {self.files_failed} FAILED"
        if self.source_error:
            text += "  SOURCE FAILED"
        if self.seconds:
            text += f"  {self.seconds:.1f} s"
        return text


@dataclass
class NightSummary:
    run_id: str
    run_date: date
    channels: list[ChannelSummary]
    complaints: int = 0
    pending_links: dict[str, int] = field(default_factory=dict)
    published: str | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # What an operator should know even when the night succeeded (a silent source, ...).
    warnings: list[str] = field(default_factory=list)
    failure: str | None = None  # set when the night could not finish or publish
    # The alerts raised tonight (flows/alerting.py), and the channels that did not take them.
    alerts: list[str] = field(default_factory=list)
    alert_errors: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        """Every file loaded or accounted for, and the night published."""
        return self.status == "succeeded"

    @property
    def status(self) -> str:
        """succeeded | succeeded_with_failures (published; files or a source wait) | failed."""
        if self.failure:
            return "failed"
        if any(c.files_failed or c.source_error for c in self.channels):
            return "succeeded_with_failures"
        return "succeeded"

    @property
    def exit_code(self) -> int:
        """For `tousu nightly` and monitors: 0 succeeded, 3 published with files waiting,
        1 failed (nothing published)."""
        return {"succeeded": 0, "succeeded_with_failures": 3}.get(self.status, 1)

    def waiting(self) -> list[str]:
        """The files (and sources) not loaded tonight, each with why."""
        return [e for c in self.channels for e in c.errors]

    def totals(self) -> ChannelSummary:
        t = ChannelSummary("total")
        for c in self.channels:
            for name in (
                "files_new",
                "files_loaded",
                "files_skipped",
                "files_failed",
                "rows_read",
                "rows_loaded",
                "rows_quarantined",
                "rows_skipped",
                "seconds",
            ):
                setattr(t, name, getattr(t, name) + getattr(c, name))
        return t

    def table(self) -> list[dict]:
        """Rows for the Prefect table artifact: one per channel and a total."""
        return [
            {
                "source": c.source,
                "new files": c.files_new,
                "rows read": c.rows_read,
                "rows loaded": c.rows_loaded,
                "rows quarantined": c.rows_quarantined,
                "identical records skipped": c.rows_skipped,
                "duplicate files skipped": c.files_skipped,
                "files failed": c.files_failed,
            }
            for c in [*self.channels, self.totals()]
        ]

    def text(self) -> str:
        lines = [f"tousu nightly {self.run_date}  run {self.run_id}  {self.status.upper()}"]
        lines += ["  " + c.line() for c in [*self.channels, self.totals()]]
        lines.append(f"  complaints in core.complaints: {self.complaints:,}")
        for what, n in sorted(self.pending_links.items()):
            lines.append(f"  waiting (ops.pending_links): {what}: {n:,}")
        lines += [f"  waiting (not loaded, tried again next night): {e}" for e in self.waiting()]
        lines += [f"  warning: {w}" for w in self.warnings]
        if self.failure:
            lines.append(f"  NIGHT FAILED: {self.failure}")
        lines += [f"  alert: {a}" for a in self.alerts]
        lines += [f"  ALERT NOT DELIVERED: {e}" for e in self.alert_errors]
        if self.published:
            lines.append(f"  readers' copy published: {self.published}")
        elif not self.failure:
            lines.append("  readers' copy NOT published")
        return "\n".join(lines)


def start_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    run_date: date,
    inbox: Path,
    flow_run_id: str | None,
) -> None:
    con.execute(
        "INSERT INTO ops.runs (run_id, run_date, inbox, started_at, status, flow_run_id) "
        "VALUES (?, ?, ?, ?, 'running', ?)",
        [run_id, run_date, str(inbox), datetime.now().astimezone(), flow_run_id],
    )


class NightRefused(ValueError):
    """The night must not run as asked (its date is before the last published night)."""


def abandon_unfinished(con: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    """Mark nights left `running` (killed mid-way) abandoned; only called under the night lock,
    so none of them can still be running. Their committed deliveries stay; their files that did
    not commit are new again tonight."""
    rows = con.execute(
        "UPDATE ops.runs SET status = 'abandoned', finished_at = ?, "
        "note = format('stopped mid-way without finishing (killed?); marked by run {}', ?) "
        "WHERE status = 'running' AND run_id <> ? RETURNING run_id",
        [datetime.now().astimezone(), run_id, run_id],
    ).fetchall()
    return [r[0] for r in rows]


def refuse_earlier_night(con: duckdb.DuckDBPyConnection, run_date: date, rerun: bool) -> None:
    """A night dated before the last published one would rebuild every mart as of that earlier
    date and readers' figures would go backwards: refuse it unless asked to re-run."""
    [(last,)] = con.execute("SELECT max(run_date) FROM ops.published_nights").fetchall()
    if last is not None and run_date < last and not rerun:
        raise NightRefused(
            f"run date {run_date} is before the last published night {last}: the marts would be "
            f"rebuilt as of {run_date} and readers' figures would go back in time. Give "
            f"--rerun to re-run an earlier night on purpose"
        )


def silent_source_rows(
    con: duckdb.DuckDBPyConnection, run_date: date
) -> list[tuple[str, date, int, str]]:
    """Sources that delivered nothing for longer than their usual longest gap (needs three
    nights with deliveries to know what is usual): source, last delivery night, longest gap in
    days, and the sentence that says so."""
    rows = con.execute(
        """
        WITH nights AS (
            SELECT DISTINCT f.source, r.run_date
            FROM ops.file_loads f JOIN ops.runs r USING (run_id) WHERE f.status = 'loaded'),
        gaps AS (
            SELECT source, run_date,
                   run_date - lag(run_date) OVER (PARTITION BY source ORDER BY run_date) AS gap
            FROM nights)
        SELECT source, max(run_date) AS last, max(gap) AS longest, count(*) AS nights
        FROM gaps GROUP BY source
        HAVING count(*) >= 3 AND $night - max(run_date) > greatest(max(gap), 1)
        ORDER BY source""",
        {"night": run_date},
    ).fetchall()
    return [
        (
            source,
            last,
            longest,
            f"{source}: nothing delivered for {(run_date - last).days} days (last files on "
            f"{last}; its longest gap so far was {longest} days): is the export running?",
        )
        for source, last, longest, _ in rows
    ]


def silent_sources(con: duckdb.DuckDBPyConnection, run_date: date) -> list[str]:
    """The sentences of silent_source_rows."""
    return [text for *_, text in silent_source_rows(con, run_date)]


def night_warnings(con: duckdb.DuckDBPyConnection, summary: NightSummary) -> list[str]:
    """What the night's summary, artifact and data-quality page warn of."""
    from tousu.flows.metrics.calendar import calendar_warning
    from tousu.flows.metrics.policy import load_policy

    warnings = []
    if summary.totals().files_new == 0:
        warnings.append("no new file in any source tonight: the figures are last night's")
    policy, _ = load_policy()
    ending = calendar_warning(policy.calendar.country, policy.calendar.years, summary.run_date)
    return warnings + ([ending] if ending else []) + silent_sources(con, summary.run_date)


def finish_run(con: duckdb.DuckDBPyConnection, summary: NightSummary) -> None:
    t = summary.totals()
    note = (
        "; ".join(
            [
                *(["failed: " + summary.failure] if summary.failure else []),
                *(
                    [f"{len(summary.waiting())} file(s) or source(s) wait"]
                    if summary.waiting()
                    else []
                ),
                *summary.warnings,
            ]
        )
        or None
    )
    con.execute(
        "UPDATE ops.runs SET finished_at = ?, status = ?, files_new = ?, files_failed = ?, "
        "rows_read = ?, rows_loaded = ?, rows_quarantined = ?, note = ? WHERE run_id = ?",
        [
            datetime.now().astimezone(),
            summary.status,
            t.files_new,
            t.files_failed,
            t.rows_read,
            t.rows_loaded,
            t.rows_quarantined,
            note,
            summary.run_id,
        ],
    )


def fail_run(warehouse: Path, summary: NightSummary) -> None:
    """Best effort: record a night that could not finish (the disk may be full; if this fails
    too, the next night marks the run abandoned)."""
    with suppress(Exception):
        con = db.connect(warehouse)  # a cursor of the night's connection, if it holds the file
        try:
            finish_run(con, summary)
        finally:
            con.close()


def core_counts(con: duckdb.DuckDBPyConnection) -> tuple[int, dict[str, int]]:
    complaints = con.execute("SELECT count(*) FROM core.complaints").fetchall()[0][0]
    pending = dict(
        con.execute("SELECT waiting_for, count(*) FROM ops.pending_links GROUP BY ALL").fetchall()
    )
    return complaints, pending


def _acknowledgements(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """Acknowledged failures in force (copied from the review app's file), as short text."""
    if not db.tables_exist(con, "plans.dq_acknowledgements"):
        return {}
    rows = con.execute("""
        SELECT source, check_name, acknowledged_by, comment, until_date
        FROM plans.dq_acknowledgements WHERE until_date >= current_date
        QUALIFY row_number() OVER (PARTITION BY source, check_name
                                   ORDER BY acknowledged_at DESC) = 1""").fetchall()
    return {(s, c): f"{by}: {comment} (until {until})" for s, c, by, comment, until in rows}


def waiting_files(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Files that failed or were held and have not loaded since: (source, path, status, error,
    first night)."""
    return con.execute(
        "SELECT source, path, status, error, waiting_since "
        "FROM ops.files_waiting ORDER BY source, path"
    ).fetchall()


def data_quality_markdown(con: duckdb.DuckDBPyConnection, run_id: str) -> str:
    """The night's data quality in a few lines of Markdown (the flow run's artifact)."""
    failing = con.execute(
        """
        SELECT source, check_name, sum(rows_failed)::BIGINT AS rows_failed,
               sum(rows_checked)::BIGINT AS rows_checked
        FROM ops.dq_results WHERE run_id = ? AND NOT success
        GROUP BY 1, 2 ORDER BY 1, 3 DESC""",
        [run_id],
    ).fetchall()
    files = waiting_files(con)
    unresolved = con.execute("""
        SELECT source, count(*) FROM ops.quarantine WHERE resolved_at IS NULL
        GROUP BY 1 ORDER BY 1""").fetchall()
    acks = _acknowledgements(con)
    lines = ["# Data quality of the night", ""]
    [(status, note)] = con.execute(
        "SELECT status, note FROM ops.runs WHERE run_id = ?", [run_id]
    ).fetchall() or [(None, None)]
    if status:
        lines += [f"Night status: **{status}**" + (f" ({note})" if note else ""), ""]
    if failing:
        lines += [
            "| source | check | rows failed | rows checked | acknowledged |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {s} | `{c}` | {f:,} | {n:,} | {acks.get((s, c), '')} |" for s, c, f, n in failing
        ]
    else:
        lines.append(
            "Every row check passed on every delivery."
            if con.execute(
                "SELECT count(*) FROM ops.dq_results WHERE run_id = ? AND load_id <> 'core'",
                [run_id],
            ).fetchall()[0][0]
            else "No new rows were checked tonight."
        )
    [(suites, passed)] = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE success) FROM ops.dq_results "
        "WHERE run_id = ? AND load_id = 'core'",
        [run_id],
    ).fetchall()
    if suites:
        lines += [
            "",
            f"Core tables (Great Expectations suites in expectations/): "
            f"{passed} of {suites} expectations passed.",
        ]
    if files:
        lines += ["", "## Files waiting (not loaded; tried again every night)", ""]
        lines += [f"- `{p}` ({s} since {d}): {e}" for _, p, s, e, d in files]
    if unresolved:
        lines += [
            "",
            "Unresolved quarantined rows (all nights): "
            + ", ".join(f"{s} {n:,}" for s, n in unresolved),
        ]
    found = night_alerts(con, run_id)
    if found:
        lines += ["", "## Alerts", ""] + [f"- {line}" for line in found.lines()]
    return "\n".join(lines)


def night_alerts(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> alerts.Alerts:
    """Early warnings, clocks at risk and overdue plans as of a night (the latest if None)."""
    found = con.execute(
        "SELECT run_date FROM ops.runs WHERE run_id = ? OR (? IS NULL AND run_id = "
        "(SELECT run_id FROM ops.runs ORDER BY started_at DESC LIMIT 1))",
        [run_id, run_id],
    ).fetchall()
    if not found or not db.tables_exist(
        con, "mart.category_weekly", "mart.sla_at_risk", "plans.improvement_plans"
    ):
        return alerts.Alerts([], [], [])
    return alerts.find(alerts.reader(con), found[0][0])
