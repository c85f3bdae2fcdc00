"""SLA: compliance by clock, channel and priority for the month; breaches and clocks at risk."""

import streamlit as st

from tousu.dashboards.data import first_rows, query
from tousu.dashboards.filters import ALL, sidebar_filters
from tousu.dashboards.i18n import t
from tousu.dashboards.links import complaint_table
from tousu.dashboards.provisional import provisional_note
from tousu.dashboards.tables import note_first_rows, show
from tousu.warehouse import figures

f = sidebar_filters()
where, params = f.rows_where()
st.subheader(f"{t('sla')} · {f.label}")
provisional_note(f.months, f.channel)

# by clock, channel and priority: every value of each unless the sidebar picks one
by_where, by_params = f.cube_where("clock", "channel", "priority", clock=ALL)
sql, sql_params = figures.sla_by(f.months, by_where, by_params)
by = query(sql, *sql_params)
st.caption(t("compliance_by"))
show(
    by,
    column_config={
        "compliance_rate": st.column_config.ProgressColumn(
            t("sla_compliance"), format="%.1f %%", min_value=0, max_value=100
        ),
        "no_target": st.column_config.NumberColumn(t("no_target"), help=t("no_target_help")),
    },
)

in_period, months = f.in_period("start_at")
breaches = first_rows(
    f"""
    SELECT complaint_id, clock, channel, department, category, priority, target_label,
           start_at, deadline_at, stop_at, status, overrun_hours
    FROM mart.sla_breaches
    WHERE {in_period} AND {where}
    ORDER BY overrun_hours DESC, complaint_id, clock""",
    *months,
    *params,
)
st.caption(f"{t('breaches')} ({breaches.total:,})")
note_first_rows(breaches)
complaint_table(breaches.frame, key="sla_breaches", rows=breaches)

at_risk = query(
    f"""
    SELECT complaint_id, clock, channel, department, priority, target_label, start_at,
           deadline_at, elapsed_share
    FROM mart.sla_at_risk WHERE {where} ORDER BY elapsed_share DESC LIMIT 1000""",
    *params,
)
st.caption(f"{t('at_risk')} ({at_risk.height:,})")
complaint_table(at_risk, key="sla_at_risk")
