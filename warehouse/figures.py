"""The headline figures of a period under a breakdown filter, from the monthly marts' counts.

Each rate is computed again from the summed counts with the formula and rounding its mart uses
(warehouse/marts/50_, 43_, 30_/32_), so a one-month period equals the month's stored row and the
app and the monthly report read the same numbers (tests/unit/test_periods.py holds them to the
marts). `where` selects one row per month of a cube mart (dashboards/filters.Filters.cube_where).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

Read = Callable[..., list[dict]]


def headline(
    read: Read, months: list[date], where: str, params: list, sla_where: str, sla_params: list
) -> dict:
    """Volume, closure rate, CSAT, repeat rate and SLA compliance (with clocks without a
    target) of the months together; an empty period has volume 0 and no rates."""
    [sat] = read(
        f"""
        SELECT coalesce(sum(complaints), 0)::BIGINT AS volume,
               round(sum(closed) / nullif(sum(complaints), 0), 4) AS closure_rate,
               round(sum(satisfied) / nullif(sum(followups_answered), 0), 4) AS csat
        FROM mart.satisfaction_closure_monthly
        WHERE list_contains(?::DATE[], month) AND {where}""",
        months,
        *params,
    )
    [rep] = read(
        f"""
        SELECT round(sum(repeat_complaints) / nullif(sum(complaints), 0), 4) AS repeat_rate
        FROM mart.repeat_rate_monthly WHERE list_contains(?::DATE[], month) AND {where}""",
        months,
        *params,
    )
    [sla] = read(
        f"""
        SELECT round(stg.compliance_rate(sum(met), sum(breached)), 4) AS sla_compliance,
               coalesce(sum(no_target), 0)::BIGINT AS no_target
        FROM mart.sla_compliance_monthly WHERE list_contains(?::DATE[], month) AND {sla_where}""",
        months,
        *sla_params,
    )
    return {**sat, **rep, **sla}
