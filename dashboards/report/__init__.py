"""The monthly review pack: `tousu report --month YYYY-MM` writes the month's report as PDF and
Excel from the published copy (content.py collects it, pdf.py and xlsx.py draw it)."""

from __future__ import annotations

import getpass
import hashlib
from datetime import date, datetime
from pathlib import Path

from tousu.dashboards.report import content, pdf, xlsx
from tousu.flows.settings import current_settings
from tousu.warehouse import audit, viewer_copy

LANGS = ("zh", "en")


def checksum(data: bytes) -> str:
    """A written file's SHA-256 (the audit log, the report history)."""
    return hashlib.sha256(data).hexdigest()


def stem(month: date, lang: str, breakdown: dict[str, str] | None = None) -> str:
    """report-2026-10-zh, with the filters' values when the report is of a part
    (report-2026-10-zh-phone)."""
    chosen = [v for v in (breakdown or {}).values() if v != "(all)"]
    return "-".join([f"report-{month:%Y-%m}-{lang}", *chosen])


def build(
    published: Path,
    month: date,
    langs: tuple[str, ...],
    out: Path,
    plans_file: Path,
    breakdown: dict[str, str] | None = None,
) -> list[Path]:
    """Write report-YYYY-MM-<lang>.pdf and .xlsx for each language (under the breakdown
    filters, if given); every file written is an export in the audit log (the operator's
    name, the file and its checksum)."""
    out.mkdir(parents=True, exist_ok=True)
    # every complaint, personal data masked: the copy the quality manager's pages read
    con = viewer_copy.build(published, viewer_copy.EVERYTHING, current_settings().timezone)
    written = []
    try:
        for lang in langs:
            report = content.collect(con, month, lang, plans_file, breakdown)
            base = out / stem(month, lang, breakdown)
            written.append(xlsx.write(report, base.with_name(base.name + ".xlsx")))
            written.append(pdf.write(report, base.with_name(base.name + ".pdf")))
    finally:
        con.close()
    for path in written:
        audit.record(
            plans_file,
            f"cli:{getpass.getuser()}",
            "export",
            datetime.now().astimezone(),
            path.name,
            {"sha256": checksum(path.read_bytes()), "month": f"{month:%Y-%m}"},
        )
    return written
