"""Bookkeeping of a night: ops.runs rows and the summary a person reads at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from flows.loading import FileOutcome


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
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

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
            if o.error:
                s.errors.append(f"{o.path}: {o.error}")
        return s

    def line(self) -> str:
        text = (f"{self.source:<14} {self.files_new:>6} new files  {self.rows_read:>9,} read  "
                f"{self.rows_loaded:>9,} loaded  {self.rows_quarantined:>7,} quarantined")
        if self.files_skipped:
            text += f"  {self.files_skipped} duplicate file(s) skipped"
        if self.files_failed:
            text += f"  {self.files_failed} FAILED"
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

    @property
    def succeeded(self) -> bool:
        return all(c.files_failed == 0 for c in self.channels)

    def totals(self) -> ChannelSummary:
        t = ChannelSummary("total")
        for c in self.channels:
            for name in ("files_new", "files_loaded", "files_skipped", "files_failed",
                         "rows_read", "rows_loaded", "rows_quarantined", "seconds"):
                setattr(t, name, getattr(t, name) + getattr(c, name))
        return t

    def table(self) -> list[dict]:
        """Rows for the Prefect table artifact: one per channel and a total."""
        return [{"source": c.source, "new files": c.files_new, "rows read": c.rows_read,
                 "rows loaded": c.rows_loaded, "rows quarantined": c.rows_quarantined,
                 "duplicate files skipped": c.files_skipped, "files failed": c.files_failed}
                for c in [*self.channels, self.totals()]]

    def text(self) -> str:
        lines = [f"tousu nightly {self.run_date}  run {self.run_id}  "
                 f"{'SUCCEEDED' if self.succeeded else 'FAILED'}"]
        lines += ["  " + c.line() for c in [*self.channels, self.totals()]]
        lines.append(f"  complaints in core.complaints: {self.complaints:,}")
        for what, n in sorted(self.pending_links.items()):
            lines.append(f"  waiting (ops.pending_links): {what}: {n:,}")
        for c in self.channels:
            lines += [f"  error: {e}" for e in c.errors]
        if self.published:
            lines.append(f"  readers' copy published: {self.published}")
        return "\n".join(lines)


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, run_date: date, inbox: Path,
              flow_run_id: str | None) -> None:
    con.execute("INSERT INTO ops.runs (run_id, run_date, inbox, started_at, status, flow_run_id) "
                "VALUES (?, ?, ?, ?, 'running', ?)",
                [run_id, run_date, str(inbox), datetime.now().astimezone(), flow_run_id])


def finish_run(con: duckdb.DuckDBPyConnection, summary: NightSummary) -> None:
    t = summary.totals()
    con.execute(
        "UPDATE ops.runs SET finished_at = ?, status = ?, files_new = ?, files_failed = ?, "
        "rows_read = ?, rows_loaded = ?, rows_quarantined = ? WHERE run_id = ?",
        [datetime.now().astimezone(), "succeeded" if summary.succeeded else "failed",
         t.files_new, t.files_failed, t.rows_read, t.rows_loaded, t.rows_quarantined,
         summary.run_id])


def core_counts(con: duckdb.DuckDBPyConnection) -> tuple[int, dict[str, int]]:
    complaints = con.execute("SELECT count(*) FROM core.complaints").fetchall()[0][0]
    pending = dict(con.execute(
        "SELECT waiting_for, count(*) FROM ops.pending_links GROUP BY ALL").fetchall())
    return complaints, pending


def _acknowledgements(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """Acknowledged failures in force (copied from the review app's file), as short text."""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'plans' "
                         "AND table_name = 'dq_acknowledgements'").fetchall()[0][0]
    if not exists:
        return {}
    rows = con.execute("""
        SELECT source, check_name, acknowledged_by, comment, until_date
        FROM plans.dq_acknowledgements WHERE until_date >= current_date
        QUALIFY row_number() OVER (PARTITION BY source, check_name
                                   ORDER BY acknowledged_at DESC) = 1""").fetchall()
    return {(s, c): f"{by}: {comment} (until {until})" for s, c, by, comment, until in rows}


def data_quality_markdown(con: duckdb.DuckDBPyConnection, run_id: str) -> str:
    """The night's data quality in a few lines of Markdown (the flow run's artifact)."""
    failing = con.execute("""
        SELECT source, check_name, sum(rows_failed)::BIGINT AS rows_failed,
               sum(rows_checked)::BIGINT AS rows_checked
        FROM ops.dq_results WHERE run_id = ? AND NOT success
        GROUP BY 1, 2 ORDER BY 1, 3 DESC""", [run_id]).fetchall()
    files = con.execute("""
        SELECT path, status, error FROM ops.file_loads
        WHERE run_id = ? AND status IN ('failed', 'held') ORDER BY path""", [run_id]).fetchall()
    unresolved = con.execute("""
        SELECT source, count(*) FROM ops.quarantine WHERE resolved_at IS NULL
        GROUP BY 1 ORDER BY 1""").fetchall()
    acks = _acknowledgements(con)
    lines = ["# Data quality of the night", ""]
    if failing:
        lines += ["| source | check | rows failed | rows checked | acknowledged |",
                  "|---|---|---|---|---|"]
        lines += [f"| {s} | `{c}` | {f:,} | {n:,} | {acks.get((s, c), '')} |"
                  for s, c, f, n in failing]
    else:
        lines.append("Every row check passed on every delivery." if con.execute(
            "SELECT count(*) FROM ops.dq_results WHERE run_id = ? AND load_id <> 'core'",
            [run_id]).fetchall()[0][0] else "No new rows were checked tonight.")
    [(suites, passed)] = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE success) FROM ops.dq_results "
        "WHERE run_id = ? AND load_id = 'core'", [run_id]).fetchall()
    if suites:
        lines += ["", f"Core tables (Great Expectations suites in expectations/): "
                      f"{passed} of {suites} expectations passed."]
    if files:
        lines += ["", "## Files not loaded", ""]
        lines += [f"- `{p}` ({s}): {e}" for p, s, e in files]
    if unresolved:
        lines += ["", "Unresolved quarantined rows (all nights): "
                  + ", ".join(f"{s} {n:,}" for s, n in unresolved)]
    return "\n".join(lines)
