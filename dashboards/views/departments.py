"""Departments: where complaints land (department × category) and how each department does."""

import altair as alt
import streamlit as st

from tousu.dashboards.data import query
from tousu.dashboards.filters import ALL, sidebar_filters
from tousu.dashboards.i18n import t
from tousu.dashboards.provisional import provisional_note

f = sidebar_filters()
st.subheader(f"{t('departments')} · {f.month:%Y-%m}")
provisional_note([f.month], f.channel)

# every department and category, whatever their filters: the heatmap is of them
where, params = f.cube_where("department", "category", department=ALL, category=ALL)
cells = query(
    f"""
    SELECT department, category, complaints FROM mart.satisfaction_closure_monthly
    WHERE month = ? AND {where}""",
    f.month,
    *params,
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

# every department, whatever the department filter, each with its own figures
sla_where, sla_params = f.cube_where("department", department=ALL, clock=ALL)
rep_where, rep_params = f.cube_where("department", department=ALL)
per_department = query(
    f"""
    WITH sla AS (
        SELECT department, compliance_rate AS sla
        FROM mart.sla_compliance_monthly WHERE month = ? AND {sla_where}),
    rep AS (
        SELECT department, complaints, repeat_rate FROM mart.repeat_rate_monthly
        WHERE month = ? AND {rep_where})
    SELECT rep.department, rep.complaints, sla.sla AS sla_compliance, rep.repeat_rate
    FROM rep LEFT JOIN sla USING (department) ORDER BY rep.complaints DESC""",
    f.month,
    *sla_params,
    f.month,
    *rep_params,
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
