"""Improvement plans: their own small DuckDB file, edited by people, copied nightly.

The review app writes plans here in short transactions (open, write, close); the nightly run
copies them into the warehouse so marts and reports see them. DuckDB lets one process at a time
hold a file; both sides hold it for milliseconds and retry when the other has it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path

import duckdb

from tousu.warehouse import audit
from tousu.warehouse.app_store import PLAN_FILES, connect_file, create_tables
from tousu.warehouse.db import tables_exist, transaction

METRICS = ("complaints_per_day", "csat")
STATUSES = ("planned", "in_progress", "done", "cancelled")
# A plan in one of these is not overdue whatever its deadline (Plans page, alerts, tile targets).
FINISHED = ("done", "cancelled")
# Every plan with its latest checkpoint's progress: the Plans page's list and the monthly report
# (on the app's file or on a copy of the warehouse; both hold the plans schema).
PLANS_WITH_PROGRESS = """
    SELECT p.plan_id, p.title, p.status, p.owner, p.deadline, c.progress, p.metric, p.baseline,
           p.target, p.scope_category, p.scope_department, p.scope_product, p.start_date,
           p.done_date
    FROM plans.improvement_plans p
    LEFT JOIN (SELECT plan_id, progress FROM plans.plan_checkpoints
               QUALIFY row_number() OVER (PARTITION BY plan_id ORDER BY noted_at DESC) = 1) c
      USING (plan_id)"""
PLANS_WITH_PROGRESS_COLUMNS = [
    "plan_id",
    "title",
    "status",
    "owner",
    "deadline",
    "progress",
    "metric",
    "baseline",
    "target",
    "scope_category",
    "scope_department",
    "scope_product",
    "start_date",
    "done_date",
]
EDITABLE = (
    "title",
    "scope_category",
    "scope_department",
    "scope_product",
    "metric",
    "baseline",
    "target",
    "owner",
    "department",
    "start_date",
    "deadline",
    "status",
    "done_date",
)


class PlanError(ValueError):
    """A plan's fields do not make sense; the message says which and why."""


@dataclass
class Plan:
    title: str
    metric: str
    target: float
    owner: str
    department: str
    start_date: date
    deadline: date
    scope_category: str | None = None
    scope_department: str | None = None
    scope_product: str | None = None
    baseline: float | None = None
    status: str = "planned"
    done_date: date | None = None
    plan_id: str | None = None
    version: int = 0

    def check(self) -> None:
        if not self.title.strip():
            raise PlanError("title is empty")
        if not self.owner.strip():
            raise PlanError("owner is empty")
        if self.metric not in METRICS:
            raise PlanError(f"metric must be one of {', '.join(METRICS)}")
        if self.status not in STATUSES:
            raise PlanError(f"status must be one of {', '.join(STATUSES)}")
        if self.deadline < self.start_date:
            raise PlanError("the deadline is before the start date")
        if self.metric == "csat" and not 0 <= self.target <= 1:
            raise PlanError("a CSAT target is a share between 0 and 1 (e.g. 0.8)")
        if self.target < 0:
            raise PlanError("the target cannot be negative")
        if self.status == "done" and self.done_date is None:
            raise PlanError("a plan marked done needs its done date")
        if self.done_date is not None and self.done_date < self.start_date:
            raise PlanError("the done date is before the start date")


def _row(plan: Plan) -> dict:
    return {f.name: getattr(plan, f.name) for f in fields(Plan)}


def create(path: Path, plan: Plan, by: str, now: datetime) -> str:
    plan.check()
    con = connect_file(path)
    try:
        with transaction(con):
            prefix = f"IP-{plan.start_date:%Y%m}-"
            n = con.execute(
                "SELECT count(*) FROM plans.improvement_plans WHERE plan_id LIKE ?", [prefix + "%"]
            ).fetchall()[0][0]
            plan.plan_id, plan.version = f"{prefix}{n + 1:03d}", 1
            values = _row(plan)
            con.execute(
                "INSERT INTO plans.improvement_plans BY NAME SELECT * FROM (SELECT "
                + ", ".join(f"${k} AS {k}" for k in values)
                + ", $now AS created_at, "
                "$now AS updated_at)",
                {**values, "now": now},
            )
            con.execute(
                "INSERT INTO plans.plan_changes VALUES (?, 1, ?, ?, 'created', NULL, ?)",
                [plan.plan_id, now, by, plan.title],
            )
            audit.append(con, by, "plan_created", now, plan.plan_id, {"title": plan.title})
        return plan.plan_id
    finally:
        con.close()


def get(path: Path, plan_id: str) -> Plan:
    con = connect_file(path)
    try:
        rows = con.execute(
            "SELECT * EXCLUDE (created_at, updated_at) "
            "FROM plans.improvement_plans WHERE plan_id = ?",
            [plan_id],
        )
        names = [d[0] for d in rows.description]
        found = rows.fetchall()
    finally:
        con.close()
    if not found:
        raise PlanError(f"no plan {plan_id}")
    return Plan(**dict(zip(names, found[0], strict=True)))


def update(path: Path, plan: Plan, by: str, now: datetime) -> list[str]:
    """Save an edited plan; record each changed field; refuse an edit of a stale version."""
    plan.check()
    before = get(path, plan.plan_id)
    if before.version != plan.version:
        raise PlanError(
            f"{plan.plan_id} was changed by someone else meanwhile "
            f"(version {before.version}); reload it and edit again"
        )
    changed = [f for f in EDITABLE if getattr(before, f) != getattr(plan, f)]
    if not changed:
        return []
    con = connect_file(path)
    try:
        with transaction(con):
            version = plan.version + 1
            for field in changed:
                con.execute(
                    "INSERT INTO plans.plan_changes VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        plan.plan_id,
                        version,
                        now,
                        by,
                        field,
                        _text(getattr(before, field)),
                        _text(getattr(plan, field)),
                    ],
                )
            # Column names come from EDITABLE, a fixed list; values are bound.
            sets = ", ".join(f"{f} = ${f}" for f in changed)
            con.execute(
                f"UPDATE plans.improvement_plans SET {sets}, version = $version, "
                f"updated_at = $now WHERE plan_id = $plan_id",
                {
                    **{f: getattr(plan, f) for f in changed},
                    "version": version,
                    "now": now,
                    "plan_id": plan.plan_id,
                },
            )
            audit.append(con, by, "plan_changed", now, plan.plan_id, {"fields": changed})
        plan.version = version
        return changed
    finally:
        con.close()


def add_checkpoint(
    path: Path, plan_id: str, progress: int, note: str, by: str, now: datetime
) -> None:
    if not 0 <= progress <= 100:
        raise PlanError("progress is a percentage from 0 to 100")
    if not note.strip():
        raise PlanError("a checkpoint needs a note")
    con = connect_file(path)
    try:
        with transaction(con):
            con.execute(
                "INSERT INTO plans.plan_checkpoints VALUES (?, ?, ?, ?, ?)",
                [plan_id, now, by, progress, note.strip()],
            )
            audit.append(con, by, "plan_checkpoint", now, plan_id, {"progress": progress})
    finally:
        con.close()


def read(path: Path, sql: str, *params) -> list[tuple]:
    con = connect_file(path)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def copy_into_warehouse(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Copy the plans into the warehouse's plans.* tables (nightly); return how many plans."""
    create_tables(con, PLAN_FILES)  # the plans only: users and the audit log stay in the app's file
    if not path.exists():
        return 0
    snapshot = connect_file(path)  # takes the file for a moment; the app retries meanwhile
    try:
        frames = {
            t: snapshot.sql(f"SELECT * FROM plans.{t}").to_arrow_table()
            for t in (
                "improvement_plans",
                "plan_changes",
                "plan_checkpoints",
                "dq_acknowledgements",
            )
        }
        last = snapshot.execute(
            "SELECT seq, row_hash FROM access.audit_log ORDER BY seq DESC LIMIT 1"
        ).fetchall()
    finally:
        snapshot.close()
    if last and tables_exist(
        con, "ops.audit_anchors"
    ):  # the audit log's end, where the app cannot rewrite it
        con.execute("INSERT INTO ops.audit_anchors VALUES (now(), ?, ?)", list(last[0]))
    for table, frame in frames.items():
        con.register("plans_frame", frame)
        try:
            con.execute(f"DELETE FROM plans.{table}")
            con.execute(f"INSERT INTO plans.{table} SELECT * FROM plans_frame")
        finally:
            con.unregister("plans_frame")
    return frames["improvement_plans"].num_rows


def _text(value) -> str | None:
    return None if value is None else str(value)
