"""What needs someone's attention after a night: early warnings that fired, SLA clocks at risk,
improvement plans gone overdue. The Overview shows them, the night's summary lists them (and
the scheduling work will send them): one definition, read from the marts and plans.

`read` runs a query and returns its rows as dicts, so the same definitions work on a DuckDB
connection (the nightly, `tousu summary`) and on the app's viewer copy (dashboards.data.query).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import duckdb

from tousu.warehouse.plan_store import FINISHED

Read = Callable[..., list[dict]]

# An early warning of the latest two weeks with data: the week now running (projected) and
# the last complete one. Older warnings are history (Problem types page).
EARLY_WARNINGS = """
    SELECT category, week_start, complaints, projected, threshold, complete
    FROM mart.category_weekly
    WHERE alert AND week_start >= (SELECT max(week_start) - INTERVAL 7 DAY
                                   FROM mart.category_weekly WHERE complaints > 0)
    ORDER BY week_start DESC, category"""
# Open clocks that have used half their time or more (mart.sla_at_risk), per clock.
AT_RISK = """
    SELECT clock, count(*) AS clocks, max(elapsed_share) AS most_used
    FROM mart.sla_at_risk GROUP BY clock ORDER BY clocks DESC, clock"""
# Plans past their deadline and not done or cancelled, as of the published night.
OVERDUE_PLANS = """
    SELECT plan_id, title, owner, deadline, status
    FROM plans.improvement_plans
    WHERE deadline < ? AND NOT list_contains(?::VARCHAR[], status)
    ORDER BY deadline, plan_id"""


@dataclass(frozen=True)
class Alerts:
    early_warnings: list[dict]
    at_risk: list[dict]
    overdue_plans: list[dict]

    def __bool__(self) -> bool:
        return bool(self.early_warnings or self.at_risk or self.overdue_plans)

    def lines(self) -> list[str]:
        """One line per alert, in English (logs, the night's Markdown summary)."""
        return (
            [early_warning_line(w) for w in self.early_warnings]
            + [at_risk_line(r) for r in self.at_risk]
            + [overdue_line(p) for p in self.overdue_plans]
        )


def early_warning_line(w: dict) -> str:
    shown = w["complaints"] if w["complete"] else w["projected"]
    kind = "week" if w["complete"] else "week so far, projected"
    return (
        f"early warning: {w['category']} {shown:,.0f} complaints in the {kind} of "
        f"{w['week_start']:%Y-%m-%d} (threshold {w['threshold']:,.1f})"
    )


def at_risk_line(r: dict) -> str:
    return (
        f"SLA at risk: {r['clocks']:,} open {r['clock']} clocks have used half their "
        f"time or more (up to {r['most_used']:.0%})"
    )


def overdue_line(p: dict) -> str:
    return (
        f"plan overdue: {p['plan_id']} {p['title']} (owner {p['owner']}, deadline "
        f"{p['deadline']:%Y-%m-%d}, {p['status']})"
    )


def find(read: Read, as_of: date, plans: bool = True) -> Alerts:
    """The alerts as of a night; `plans` False where no plan was ever written (no plans table)."""
    overdue = read(OVERDUE_PLANS, as_of, list(FINISHED)) if plans else []
    return Alerts(read(EARLY_WARNINGS), read(AT_RISK), overdue)


def reader(con: duckdb.DuckDBPyConnection) -> Read:
    """`read` over a DuckDB connection."""

    def read(sql: str, *params) -> list[dict]:
        cursor = con.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    return read
