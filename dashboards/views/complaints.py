"""The complaints behind a figure (a KPI tile, a Pareto bar, a heat-map cell, a chart's month),
with the sidebar's filters applied; a row opens the complaint."""

import streamlit as st

from tousu.dashboards.data import first_rows
from tousu.dashboards.drill import LISTS, list_sql
from tousu.dashboards.filters import keep_choice, kept_choice, sidebar_filters
from tousu.dashboards.i18n import lang, t
from tousu.dashboards.links import complaint_table
from tousu.dashboards.tables import note_first_rows

f = sidebar_filters()
kinds = list(LISTS)
kept = kept_choice("list", kinds)
names = {k: t(f"list_{k}") for k in kinds}  # looked up here, in the script thread
kind = st.segmented_control(
    t("complaint_list"),
    kinds,
    default=kept or "received",
    format_func=names.__getitem__,
    key=f"complaint_list_{lang()}",
)
kind = kind or "received"
keep_choice("list", kind)
sql, params = list_sql(kind, f)
complaints = first_rows(sql, *params)
of_month = f" · {f.label}" if LISTS[kind][1] else ""
st.subheader(f"{t(f'list_{kind}')}{of_month} ({complaints.total:,})")
note_first_rows(complaints)
complaint_table(complaints.frame, key="drill_list", rows=complaints)
