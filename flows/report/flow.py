"""The monthly review pack on schedule: on the 1st, the month before, both languages, each file
recorded in the warehouse's report history (ops.report_history)."""

from __future__ import annotations

import getpass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow

from tousu.dashboards.report import LANGS, build, checksum
from tousu.flows.alerting import report_failed
from tousu.flows.night_lock import night_lock
from tousu.flows.settings import current_settings, plans_path_beside
from tousu.warehouse import db
from tousu.warehouse.periods import shift


def month_before(today: date) -> date:
    return shift(today.replace(day=1), -1)


def record_history(warehouse: Path, month: date, files: list[Path], night: date | None) -> None:
    """Append the files to ops.report_history, under the night lock (the writer's file)."""
    with night_lock(warehouse, what="monthly report", wait=True):
        con = db.connect(warehouse, timezone=current_settings().timezone)
        try:
            db.migrate(con)
            now = datetime.now().astimezone()
            con.executemany(
                "INSERT INTO ops.report_history VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        month,
                        path.stem.rsplit("-", 1)[-1],
                        str(path),
                        checksum(path.read_bytes()),
                        night,
                        now,
                        getpass.getuser(),
                    ]
                    for path in files
                ],
            )
        finally:
            con.close()


@flow(name="tousu-monthly-report", log_prints=True, on_failure=[report_failed])
def monthly_report(
    month: str | None = None,
    out: Path | None = None,
    published: Path | None = None,
    warehouse: Path | None = None,
) -> list[str]:
    """The review pack of `month` (YYYY-MM; default: the month before today in the company's
    time zone) in both languages, written to `out` and recorded in the report history."""
    settings = current_settings()
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    first = date.fromisoformat(f"{month}-01") if month else month_before(today)
    published = published or settings.published_path
    warehouse = warehouse or settings.warehouse_path
    out = out or published.parent / "reports"
    plans = settings.plans or plans_path_beside(published)
    files = build(published, first, LANGS, out, plans)
    con = db.open_published(published)
    try:
        [(night,)] = con.execute("SELECT max(run_date) FROM ops.published_nights").fetchall()
    finally:
        con.close()
    record_history(warehouse, first, files, night)
    for path in files:
        print(f"written: {path}")
    return [str(p) for p in files]
