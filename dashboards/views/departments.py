"""Departments: where complaints land (department × category) and how each department does."""

import altair as alt
import streamlit as st

from tousu.dashboards.data import query
from tousu.dashboards.filters import sidebar_filters
from tousu.dashboards.i18n import t
from tousu.dashboards.provisional import provisional_note

f = sidebar_filters()
st.subheader(f"{t('departments')} · {f.month:%Y-%m}")
provisional_note([f.month], f.channel)

cells = query(
    """
    SELECT department, category, complaints FROM mart.satisfaction_closure_monthly
    WHERE month = ? AND channel = ? AND priority = ? AND department <> '(all)'
      AND category <> '(all)'""",
    f.month,
    f.channel,
    f.priority,
)
st.caption(t("heatmap"))
st.altair_chart(
    alt.Chart(cells.to_pandas())
    .mark_rect()
    .encode(
        x=alt.X("category:N", title=t("category")),
        y=alt.Y("department:N", title=t("department")),
        color=alt.Color("complaints:Q", scale=alt.Scale(scheme="orangered")),
        tooltip=["department", "category", "complaints"],
    ),
    width="stretch",
)

where, params = f.open_filter()
per_department = query(
    f"""
    WITH sla AS (
        SELECT department, round(stg.compliance_rate(sum(met), sum(breached)), 4) AS sla
        FROM mart.sla_compliance_monthly WHERE month = ? AND {where} GROUP BY 1),
    rep AS (
        SELECT department, complaints, repeat_rate FROM mart.repeat_rate_monthly
        WHERE month = ? AND channel = ? AND category = ? AND priority = ?
          AND department <> '(all)')
    SELECT rep.department, rep.complaints, sla.sla AS sla_compliance, rep.repeat_rate
    FROM rep LEFT JOIN sla USING (department) ORDER BY rep.complaints DESC""",
    f.month,
    *params,
    f.month,
    f.channel,
    f.category,
    f.priority,
)
st.dataframe(
    per_department,
    hide_index=True,
    width="stretch",
    column_config={
        "sla_compliance": st.column_config.NumberColumn(t("sla_compliance"), format="percent"),
        "repeat_rate": st.column_config.NumberColumn(t("repeat_rate"), format="percent"),
    },
)
