"""From a figure to the complaints behind it: a KPI tile, a Pareto bar, a heat-map cell or a
chart's month opens views/complaints.py, the list of those complaints with the sidebar's filters
applied (and the clicked value set as a filter, so the list and the figure agree), and from
there one complaint."""

from __future__ import annotations

import streamlit as st

from tousu.dashboards.filters import Filters
from tousu.warehouse import figures

# The lists a figure can open: its condition on core.complaints (alias c) and whether it is of
# the filter's month (received in it) or of today (open now, whatever month).
LISTS = {
    # the Overview's volume: every complaint received in the month
    "received": ("TRUE", True),
    # the repeat rate's numerator (mart.repeat_rate_monthly.repeat_complaints)
    "repeat": ("c.complaint_id IN (SELECT complaint_id FROM mart.repeat_complaints)", True),
    # the closure rate's complement: not closed (yet)
    "not_closed": ("c.status <> 'closed'", True),
    # the SLA tile's failures: a clock breached, met late or still open past its deadline
    "breached": (
        "c.complaint_id IN (SELECT complaint_id FROM mart.sla_clocks "
        "WHERE status IN ('breached', 'open_breached'))",
        True,
    ),
    # the Overview's overdue open: open today with a clock past its deadline
    "overdue_open": (
        "c.complaint_id IN (SELECT complaint_id FROM mart.sla_clocks "
        f"WHERE status = 'open_breached') AND c.{figures.OPEN_TODAY}",
        False,
    ),
}


def list_sql(kind: str, f: Filters) -> tuple[str, list]:
    """The query of a list's complaints under the filters."""
    condition, of_month = LISTS[kind]
    where, params = f.rows_where()
    terms = [condition, where]
    if of_month:
        in_period, months = f.in_period("c.received_at")
        terms.append(in_period)
        params = [*params, *months]
    sql = (
        "SELECT c.complaint_id, c.received_at, c.channel, c.department, c.category, "
        "c.priority, c.status FROM core.complaints c "
        f"WHERE {' AND '.join(terms)} ORDER BY c.received_at DESC, c.complaint_id"
    )
    return sql, params


def open_list(kind: str, **filters: str) -> None:
    """Switch to the list of complaints behind a figure; `filters` (category=..., month=...)
    are set in the sidebar first, kept like any filter choice."""
    from tousu.dashboards.filters import keep_choice

    for name, value in filters.items():
        keep_choice(name, value)
    keep_choice("list", kind)
    st.switch_page("views/complaints.py")


def drill_from_chart(event, param: str, fields: tuple[str, ...], kind: str = "received") -> None:
    """When a chart's point selection `param` holds a clicked mark, open its list with the
    clicked values of `fields` as filters."""
    selection = getattr(event, "selection", None) or {}
    picked = selection.get(param) or []
    if picked:
        open_list(kind, **{name: picked[0][name] for name in fields if name in picked[0]})
