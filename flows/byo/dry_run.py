"""`tousu sources check`: what a mapping would do to a sample, without touching the warehouse.

The files load into a throw-away DuckDB file through exactly the nightly's code (reader,
mapping, generated suite, row-set checks, quarantine), and the result is read back.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tousu.flows.byo.mapping import Mapping
from tousu.flows.byo.read import read_table
from tousu.flows.settings import PHONE_REGION, TIMEZONE, night_end


@dataclass
class CheckReport:
    files: list[tuple[str, str, int, int, int, str | None]] = field(default_factory=list)
    problems: list[tuple[str, int, list[tuple[str, int, str]]]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    core_rows: int = 0
    # What the metrics would say of the sample.
    clocks: list[tuple[str, int, int, int, int, int]] = field(default_factory=list)
    link_keys: list[str] = field(default_factory=list)
    customers: int = 0
    repeat_customers: int = 0
    repeat_complaints: int = 0
    repeats: int = 0  # complaints the policy's repeat rule counts as repeats
    open_at_export: int = 0
    archive_hint: str | None = None

    @property
    def problems_found(self) -> list[str]:
        """Why the mapping cannot be used as it is (the check's exit status is 1)."""
        out = [f"{path}: {status}" for path, status, *_ in self.files if status != "loaded"]
        if not self.files:
            out.append("no file of the sample matches the mapping's format")
        elif sum(f[3] for f in self.files) == 0:
            out.append("no row would load: every row read is quarantined or skipped")
        return out

    @property
    def ok(self) -> bool:
        return not self.problems_found

    def text(self) -> str:
        lines = ["file  status  read  would load  would quarantine"]
        for path, status, read, loaded, quarantined, error in self.files:
            lines.append(f"  {path}  {status}  {read:,}  {loaded:,}  {quarantined:,}")
            if error:
                lines.append(f"    error: {error}")
        lines.append(f"complaints it would add to core.complaints: {self.core_rows:,}")
        if self.problems:
            lines.append("would be quarantined, by check:")
            for check, count, examples in self.problems:
                lines.append(f"  {check}: {count:,} row(s), e.g.")
                lines += [f"    {file} record {row}: {reason}" for file, row, reason in examples]
        lines.append("columns left unmapped: " + (", ".join(self.unmapped) or "none"))
        lines += [f"note: {n}" for n in self.notes]
        lines.append("what the metrics would say of the sample:")
        if self.clocks:
            for clock, met, breached, open_within, no_target, rate in self.clocks:
                shown = f"{rate:.1%}" if rate is not None else "no rate"
                lines.append(
                    f"  clock {clock}: met {met:,}, breached {breached:,}, open and "
                    f"not due {open_within:,}, without a target {no_target:,}; "
                    f"compliance {shown}"
                )
        else:
            lines.append("  no SLA clock (the mapping has no sla:)")
        if self.archive_hint:
            lines.append(f"  note: {self.archive_hint}")
        if self.open_at_export:
            lines.append(
                f"  {self.open_at_export:,} complaint(s) open in an export that does "
                f"not speak for today (as_of): not in today's open backlog"
            )
        if self.link_keys:
            lines.append(
                f"  customers linked by {', '.join(self.link_keys)}: "
                f"{self.customers:,} customer(s); {self.repeat_customers:,} with more "
                f"than one complaint ({self.repeat_complaints:,} complaints); "
                f"{self.repeats:,} repeat complaint(s) by the policy's rule"
            )
        else:
            lines.append(
                "  warning: no customer key is mapped (phone, email, member_no, "
                "customer_id): no complaint can be linked to another, every repeat "
                "rate will be 0"
            )
        for problem in self.problems_found:
            lines.append(f"NOT USABLE: {problem}")
        return "\n".join(lines)


def _metrics(con, m: Mapping, report: CheckReport, as_of) -> None:
    """Build the marts on the sample and read what they would say."""
    from tousu.flows.metrics.build import build_marts

    build_marts(con, as_of, mappings=[m])
    report.clocks = con.execute(
        """
        SELECT clock, sum(met)::BIGINT, sum(breached)::BIGINT, sum(open_within)::BIGINT,
               sum(no_target)::BIGINT,
               stg.compliance_rate(sum(met), sum(breached))
        FROM mart.sla_compliance_daily WHERE clock = ? GROUP BY clock""",
        [m.sla.clock if m.sla else ""],
    ).fetchall()
    report.link_keys = m.customer_keys
    report.customers, report.repeat_customers, report.repeat_complaints = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE complaints > 1),
               coalesce(sum(complaints) FILTER (WHERE complaints > 1), 0)::BIGINT
        FROM core.customers""").fetchall()[0]
    open_now, newest = con.execute(
        """
        SELECT count(*) FILTER (WHERE c.status IS DISTINCT FROM 'closed' AND k.current),
               max(greatest(c.received_at, c.first_response_at, c.closed_at))
        FROM core.complaints c JOIN mart.complaint_as_of k USING (complaint_id)
        WHERE c.register = ?""",
        [m.source],
    ).fetchall()[0]
    age = (as_of - newest).days if newest else 0
    if m.as_of is None and open_now and age >= m.stopped_after_days:
        report.archive_hint = (
            f"{open_now:,} complaint(s) are open and measured as of tonight, but the sample's "
            f"newest time is {age:,} days old: if the export is an archive, say when it was "
            f"taken (as_of), or they count as open, and late, today"
        )
    report.repeats = con.execute("SELECT count(*) FROM mart.repeat_complaints").fetchall()[0][0]
    report.open_at_export = con.execute(
        "SELECT coalesce(sum(open_complaints), 0)::BIGINT FROM mart.open_at_export"
    ).fetchall()[0][0]


def sample_files(target: Path, m: Mapping) -> list[Path]:
    if target.is_file():
        return [target]
    suffix = {"csv": None, "xlsx": ".xlsx", "json": ".json", "jsonl": ".jsonl"}[m.format.type]
    return sorted(
        p
        for p in target.rglob("*")
        if p.is_file() and (suffix is None or p.suffix.lower() == suffix)
    )


def check_sample(
    target: Path,
    m: Mapping,
    run_date: date | None = None,
    phone_region: str = PHONE_REGION,
    timezone: str = TIMEZONE,
) -> CheckReport:
    from tousu.flows.byo.source import as_source
    from tousu.flows.loading import InboxFile, load_delivery, sha256_of
    from tousu.warehouse import db

    run_date = run_date or date.today()
    source = as_source(m.source, m, phone_region)
    report = CheckReport()
    with tempfile.TemporaryDirectory(prefix="tousu-check-") as work:
        con = db.connect(Path(work) / "check.duckdb", timezone=timezone, phone_region=phone_region)
        db.migrate(con)
        con.execute(source.setup_sql)
        seen: set[str] = set()
        for path in sample_files(target, m):
            rel = path.name
            try:
                header = [c for c in read_table(path, m)[0].columns if c != "_row_number"]
                seen |= set(header)
            except Exception:  # reported by the load below, with its reason
                pass
            load_delivery(
                con,
                source,
                [InboxFile(str(path), rel, sha256_of(path), path.stat().st_size)],
                "check",
                run_date,
                timezone,
                phone_region,
            )
        report.files = con.execute(
            "SELECT path, status, rows_read, rows_loaded, rows_quarantined, error "
            "FROM ops.file_loads ORDER BY path"
        ).fetchall()
        report.notes = [
            n
            for (n,) in con.execute(
                "SELECT note FROM ops.file_loads WHERE note IS NOT NULL"
            ).fetchall()
        ]
        for check, count in con.execute(
            "SELECT check_name, count(*) FROM ops.quarantine GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall():
            examples = con.execute(
                "SELECT file, row_number, reason FROM ops.quarantine WHERE check_name = ? "
                "ORDER BY file, row_number LIMIT 3",
                [check],
            ).fetchall()
            report.problems.append((check, count, examples))
        db.build_core(con)
        report.core_rows = con.execute(
            "SELECT count(*) FROM core.complaints WHERE register = ?", [m.source]
        ).fetchall()[0][0]
        _metrics(con, m, report, night_end(run_date, timezone))
        con.close()
    report.unmapped = sorted(seen - set(m.columns))
    return report
