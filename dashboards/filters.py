"""The sidebar's period and breakdown filters, and how each mart is filtered by them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from tousu.dashboards.data import query
from tousu.dashboards.i18n import category_label, channel_label, t
from tousu.flows.vocab import CATEGORIES, CHANNELS, DEPARTMENTS, PRIORITY

ALL = "(all)"  # how the monthly marts label a breakdown summed over


@dataclass(frozen=True)
class Filters:
    month: date
    previous_month: date | None
    channel: str = ALL
    department: str = ALL
    category: str = ALL
    priority: str = ALL

    def cube_where(self, *by: str, **fixed: str) -> tuple[str, list]:
        """Condition and parameters selecting rows of a mart with '(all)' rows (the period
        marts): every breakdown at the filter's value, '(all)' included, so the rate is read, not
        recomputed. A breakdown named in `by` is shown row by row: every value when its filter
        is '(all)'. `fixed` sets columns the sidebar has no filter for (the SLA marts' clock)."""
        values = {**self.breakdowns, **fixed}
        terms, params = [], []
        for column, value in values.items():
            if column in by and value == ALL:
                terms.append(f"{column} <> '{ALL}'")
            else:
                terms.append(f"{column} = ?")
                params.append(value)
        return " AND ".join(terms), params

    def rows_where(self) -> tuple[str, list]:
        """Condition and parameters for a row-level mart (one row per complaint or clock, no
        '(all)' rows): a breakdown filtered to '(all)' lets every value through."""
        terms, params = [], []
        for column, value in self.breakdowns.items():
            terms.append(f"(? = '{ALL}' OR {column} = ?)")
            params += [value, value]
        return " AND ".join(terms), params

    @property
    def breakdowns(self) -> dict[str, str]:
        return {
            "channel": self.channel,
            "department": self.department,
            "category": self.category,
            "priority": self.priority,
        }


def months() -> list[date]:
    return query(
        "SELECT DISTINCT month FROM mart.satisfaction_closure_monthly ORDER BY month DESC"
    )["month"].to_list()


def sidebar_filters() -> Filters:
    available = months()
    month = st.sidebar.selectbox(
        t("month"), available, format_func=lambda m: m.strftime("%Y-%m"), key="month"
    )
    index = available.index(month)
    previous = available[index + 1] if index + 1 < len(available) else None

    def pick(label: str, values, fmt=lambda v: v, key: str = "") -> str:
        options = [ALL, *values]
        return st.sidebar.selectbox(
            t(label),
            options,
            key=key or label,
            format_func=lambda v: t("all") if v == ALL else fmt(v),
        )

    return Filters(
        month=month,
        previous_month=previous,
        channel=pick("channel", list(CHANNELS), channel_label),
        department=pick("department", DEPARTMENTS),
        category=pick("category", list(CATEGORIES), category_label),
        priority=pick("priority", list(PRIORITY)),
    )
