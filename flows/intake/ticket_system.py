"""Ticket system: lifecycle events and satisfaction follow-ups, CSV, UTF-8."""

from pathlib import Path

from tousu.flows.intake.csv_export import read_csv_export
from tousu.flows.intake.delivered import Delivered

EVENT_COLUMNS = {
    c: c
    for c in (
        "event_id",
        "ticket_no",
        "event",
        "occurred_at",
        "operator",
        "department",
        "category",
        "urgency",
        "priority",
        "channel",
        "source_ref",
        "note",
    )
}
FOLLOWUP_COLUMNS = {
    c: c for c in ("followup_id", "ticket_no", "followed_up_at", "method", "result", "comment")
}
FIX = "re-export from the ticket system as UTF-8"


def read_events(path: Path, rel: str) -> Delivered:
    return read_csv_export(path, rel, "utf-8", EVENT_COLUMNS, FIX)


def read_followups(path: Path, rel: str) -> Delivered:
    return read_csv_export(path, rel, "utf-8", FOLLOWUP_COLUMNS, FIX)
