"""Website complaint form: CSV export, UTF-8 (with BOM), submitted_at in UTC."""

from pathlib import Path

from tousu.flows.intake.csv_export import read_csv_export
from tousu.flows.intake.delivered import Delivered

COLUMNS = {
    c: c
    for c in (
        "submission_id",
        "submitted_at",
        "name",
        "phone",
        "email",
        "member_no",
        "order_no",
        "message",
        "expectation",
    )
}


def read(path: Path, rel: str) -> Delivered:
    return read_csv_export(
        path, rel, "utf-8", COLUMNS, "re-export the submissions from the website as UTF-8"
    )
