"""`tousu sources check`: what a mapping would do to a sample, without touching the warehouse.

The files load into a throw-away DuckDB file through exactly the nightly's code (reader,
mapping, generated suite, row-set checks, quarantine), and the result is read back.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flows.byo.mapping import Mapping
from flows.byo.read import read_table


@dataclass
class CheckReport:
    files: list[tuple[str, str, int, int, int, str | None]] = field(default_factory=list)
    problems: list[tuple[str, int, list[tuple[str, int, str]]]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    core_rows: int = 0

    @property
    def ok(self) -> bool:
        return all(status == "loaded" for _, status, *_ in self.files)

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
        return "\n".join(lines)


def sample_files(target: Path, m: Mapping) -> list[Path]:
    if target.is_file():
        return [target]
    suffix = {"csv": None, "xlsx": ".xlsx", "json": ".json", "jsonl": ".jsonl"}[m.format.type]
    return sorted(p for p in target.rglob("*") if p.is_file()
                  and (suffix is None or p.suffix.lower() == suffix))


def check_sample(target: Path, m: Mapping, run_date: date | None = None,
                 phone_region: str = "CN", timezone: str = "Asia/Shanghai") -> CheckReport:
    from flows.byo.source import as_source
    from flows.loading import InboxFile, load_delivery, sha256_of
    from warehouse import db

    run_date = run_date or date.today()
    source = as_source(m.source, m, phone_region)
    report = CheckReport()
    with tempfile.TemporaryDirectory(prefix="tousu-check-") as work:
        con = db.connect(Path(work) / "check.duckdb", timezone=timezone,
                         phone_region=phone_region)
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
            load_delivery(con, source, [InboxFile(path, rel, sha256_of(path),
                                                  path.stat().st_size)],
                          "check", run_date, timezone, phone_region)
        report.files = con.execute(
            "SELECT path, status, rows_read, rows_loaded, rows_quarantined, error "
            "FROM ops.file_loads ORDER BY path").fetchall()
        report.notes = [n for (n,) in con.execute(
            "SELECT note FROM ops.file_loads WHERE note IS NOT NULL").fetchall()]
        for check, count in con.execute(
                "SELECT check_name, count(*) FROM ops.quarantine GROUP BY 1 "
                "ORDER BY 2 DESC, 1").fetchall():
            examples = con.execute(
                "SELECT file, row_number, reason FROM ops.quarantine WHERE check_name = ? "
                "ORDER BY file, row_number LIMIT 3", [check]).fetchall()
            report.problems.append((check, count, examples))
        db.build_core(con)
        report.core_rows = con.execute(
            "SELECT count(*) FROM core.complaints WHERE register = ?", [m.source]).fetchall()[0][0]
        con.close()
    report.unmapped = sorted(seen - set(m.columns))
    return report
