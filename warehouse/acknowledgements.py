"""Acknowledging a known data-quality failure, with a comment kept beside the result.

Acknowledgements live in the review app's own file (the improvement plans file, see
warehouse/plan_store.py): the app writes them at once, the nightly copies them into the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from tousu.warehouse import audit
from tousu.warehouse.app_store import connect_file
from tousu.warehouse.db import transaction
from tousu.warehouse.plan_store import PlanError, read


@dataclass(frozen=True)
class Acknowledgement:
    source: str
    check_name: str
    run_id: str
    acknowledged_at: datetime
    acknowledged_by: str
    comment: str
    until_date: date


def acknowledge(
    path: Path,
    source: str,
    check_name: str,
    run_id: str,
    by: str,
    comment: str,
    now: datetime,
    days: int = 30,
) -> Acknowledgement:
    """Record that a failing check is known; refused with a reason when it says nothing."""
    if not by.strip():
        raise PlanError("say who acknowledges the failure")
    if len(comment.strip()) < 5:
        raise PlanError("a comment is required: why the failure is known and what is done")
    if not 1 <= days <= 366:
        raise PlanError("an acknowledgement lasts 1 to 366 days")
    ack = Acknowledgement(
        source,
        check_name,
        run_id,
        now,
        by.strip(),
        comment.strip(),
        now.date() + timedelta(days=days),
    )
    con = connect_file(path)
    try:
        with transaction(con):
            con.execute(
                "INSERT INTO plans.dq_acknowledgements VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    ack.source,
                    ack.check_name,
                    ack.run_id,
                    ack.acknowledged_at,
                    ack.acknowledged_by,
                    ack.comment,
                    ack.until_date,
                ],
            )
            audit.append(
                con,
                ack.acknowledged_by,
                "acknowledged",
                now,
                f"{source}: {check_name}",
                {"run_id": run_id, "until": ack.until_date, "comment": ack.comment},
            )
    finally:
        con.close()
    return ack


def in_force(path: Path, on: date) -> list[Acknowledgement]:
    """The latest acknowledgement of each (source, check) still in force on a day."""
    if not path.exists():
        return []
    rows = read(
        path,
        """
        SELECT source, check_name, run_id, acknowledged_at, acknowledged_by, comment, until_date
        FROM plans.dq_acknowledgements WHERE until_date >= ?
        QUALIFY row_number() OVER (PARTITION BY source, check_name
                                   ORDER BY acknowledged_at DESC) = 1
        ORDER BY source, check_name""",
        on,
    )
    return [Acknowledgement(*r) for r in rows]
