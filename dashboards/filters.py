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

    @property
    def cube_values(self) -> tuple[str, str, str, str]:
        """Values for `channel = ? AND department = ? AND category = ? AND priority = ?` on a
        mart with '(all)' rows."""
        return self.channel, self.department, self.category, self.priority

    def open_filter(self) -> tuple[str, list]:
        """SQL condition and parameters for a mart with plain breakdown columns."""
        sql = (
            "(? = '(all)' OR channel = ?) AND (? = '(all)' OR department = ?) "
            "AND (? = '(all)' OR category = ?) AND (? = '(all)' OR priority = ?)"
        )
        params = []
        for value in self.cube_values:
            params += [value, value]
        return sql, params


CUBE_WHERE = "channel = ? AND department = ? AND category = ? AND priority = ?"


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
