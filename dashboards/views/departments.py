"""Departments: where complaints land (department × category) and how each department does."""

import altair as alt
import polars as pl
import streamlit as st

from tousu.dashboards.data import query
from tousu.dashboards.drill import drill_from_chart
from tousu.dashboards.filters import ALL, sidebar_filters
from tousu.dashboards.i18n import t, value_labels
from tousu.dashboards.provisional import provisional_note
from tousu.dashboards.tables import show
from tousu.warehouse import figures

f = sidebar_filters()
st.subheader(f"{t('departments')} · {f.label}")
provisional_note(f.months, f.channel)

# every department and category the filters let through, one cell each
where, params = f.cube_where("department", "category")
cells = query(
    f"""
    SELECT department, category, sum(complaints)::BIGINT AS complaints
    FROM mart.satisfaction_closure_monthly
    WHERE list_contains(?::DATE[], month) AND {where} GROUP BY ALL""",
    f.months,
    *params,
)
labels = value_labels()
cells = cells.with_columns(
    pl.col("department").replace(labels["department"]).alias("department_label"),
    pl.col("category").replace(labels["category"]).alias("category_label"),
)
st.caption(f"{t('heatmap')} · {t('drill_hint')}")
heat = alt.Chart(cells.to_pandas()).encode(
    x=alt.X("category_label:N", title=t("category"), axis=alt.Axis(labelAngle=0, labelLimit=160)),
    y=alt.Y("department_label:N", title=t("department"), axis=alt.Axis(labelLimit=200)),
)
high = (cells["complaints"].max() or 0) * 0.6  # type: ignore[operator]  # dark cells get white figures
picked = st.altair_chart(
    alt.layer(
        heat.mark_rect()
        .encode(
            color=alt.Color("complaints:Q", title=t("volume"), scale=alt.Scale(scheme="orangered")),
            tooltip=[
                alt.Tooltip("department_label:N", title=t("department")),
                alt.Tooltip("category_label:N", title=t("category")),
                alt.Tooltip("complaints:Q", title=t("volume"), format=","),
            ],
        )
        .add_params(alt.selection_point("cell", fields=["department", "category"])),
        heat.mark_text(fontSize=14).encode(
            text=alt.Text("complaints:Q", format=","),
            color=alt.condition(
                alt.datum.complaints > high, alt.value("white"), alt.value("black")
            ),
        ),
    ).properties(height=60 * max(1, cells["department"].n_unique()) + 60),
    width="stretch",
    on_select="rerun",
    key="heatmap",
)
drill_from_chart(picked, "cell", ("department", "category"))

# every department, whatever the department filter, each with its own figures
sla_where, sla_params = f.cube_where("department", department=ALL, clock=ALL)
rep_where, rep_params = f.cube_where("department", department=ALL)
sql, sql_params = figures.per_department(f.months, sla_where, sla_params, rep_where, rep_params)
per_department = query(sql, *sql_params)
show(per_department)
