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

# A complaint open today is one not known only as of an earlier export (mart.complaint_as_of:
# an archive or a stopped source's last export). Written as "not among those", which are few:
# every complaint has a row there, and choosing the 9,036,100 current ones of a deep history
# took 0.47 s a query against 0.19 s.
OPEN_TODAY = "complaint_id NOT IN (SELECT complaint_id FROM mart.complaint_as_of WHERE NOT current)"


def overdue_open_sql(rows_where: str) -> str:
    """The count `n` of complaints open today with an SLA clock past its deadline (the
    Overview's tile and the monthly report's), under a row-level filter."""
    return (
        "SELECT count(DISTINCT complaint_id) AS n FROM mart.sla_clocks "
        f"WHERE status = 'open_breached' AND {OPEN_TODAY} AND {rows_where}"
    )


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


def sla_by(months: list[date], where: str, params: list) -> tuple[str, list]:
    """SLA compliance of the months together per clock, channel and priority (the rows `where`
    selects of mart.sla_compliance_monthly): query and parameters."""
    return (
        f"""
        SELECT clock, channel, priority, sum(met)::BIGINT AS met,
               sum(breached)::BIGINT AS breached, sum(open_within)::BIGINT AS open_within,
               round(stg.compliance_rate(sum(met), sum(breached)), 4) AS compliance_rate,
               sum(no_target)::BIGINT AS no_target
        FROM mart.sla_compliance_monthly
        WHERE list_contains(?::DATE[], month) AND {where}
        GROUP BY ALL ORDER BY clock, channel, priority""",
        [months, *params],
    )


def per_department(
    months: list[date], sla_where: str, sla_params: list, where: str, params: list
) -> tuple[str, list]:
    """Complaints, SLA compliance and repeat rate of the months together per department."""
    return (
        f"""
        WITH sla AS (
            SELECT department, round(stg.compliance_rate(sum(met), sum(breached)), 4) AS sla
            FROM mart.sla_compliance_monthly
            WHERE list_contains(?::DATE[], month) AND {sla_where} GROUP BY department),
        rep AS (
            SELECT department, sum(complaints)::BIGINT AS complaints,
                   round(sum(repeat_complaints) / nullif(sum(complaints), 0), 4) AS repeat_rate
            FROM mart.repeat_rate_monthly
            WHERE list_contains(?::DATE[], month) AND {where} GROUP BY department)
        SELECT rep.department, rep.complaints, sla.sla AS sla_compliance, rep.repeat_rate
        FROM rep LEFT JOIN sla USING (department) ORDER BY rep.complaints DESC""",
        [months, *sla_params, months, *params],
    )
