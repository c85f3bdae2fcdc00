"""Repeat complaints: rates by month (pending windows apart) and chains across channels."""

import altair as alt
import polars as pl
import streamlit as st

from tousu.dashboards.data import query
from tousu.dashboards.filters import sidebar_filters
from tousu.dashboards.i18n import column_label, t
from tousu.dashboards.links import complaint_table
from tousu.dashboards.provisional import mark_months, provisional_note
from tousu.dashboards.tables import show

f = sidebar_filters()
where, params = f.rows_where()
st.subheader(f"{t('repeats')} · {f.label}")
provisional_note(f.months, f.channel)

cube, cube_params = f.cube_where()
rates = query(
    "SELECT month, complaints, repeat_complaints, repeat_rate, window_passed, "
    "came_back, pending, came_back_rate FROM mart.repeat_rate_monthly "
    f"WHERE {cube} ORDER BY month",
    *cube_params,
)
st.caption(t("trend"))
lines = rates.select(pl.col("month").dt.strftime("%Y-%m"), "repeat_rate", "came_back_rate").unpivot(
    index="month", variable_name="series", value_name="rate"
)
st.altair_chart(
    alt.Chart(
        lines.with_columns(
            pl.col("series").replace(
                {s: column_label(s) for s in ("repeat_rate", "came_back_rate")}
            )
        ).to_pandas()
    )
    .mark_line(point=True)
    .encode(
        x=alt.X("month:O", title=t("month"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("rate:Q", title=column_label("rate"), axis=alt.Axis(format="%")),
        color=alt.Color("series:N", title=""),
        tooltip=[
            alt.Tooltip("month:O", title=t("month")),
            alt.Tooltip("series:N", title=column_label("series")),
            alt.Tooltip("rate:Q", title=column_label("rate"), format=".1%"),
        ],
    )
    .properties(height=240),
    width="stretch",
)
st.caption(t("pending_note"))
show(mark_months(rates, f.channel))

in_period, months = f.in_period("received_at")
chains = query(
    f"""
    SELECT ch.chain_id, ch.position, ch.complaint_id, ch.channel, ch.category, ch.department,
           ch.received_at, ch.days_since_previous, ch.chain_length, ch.channels_in_chain
    FROM mart.repeat_chains ch
    JOIN (SELECT DISTINCT chain_id FROM mart.repeat_chains
          WHERE position = 0 AND {in_period}) m
      USING (chain_id)
    JOIN (SELECT complaint_id, priority FROM core.complaints) c USING (complaint_id)
    WHERE {where}
    ORDER BY ch.chain_length DESC, ch.chain_id, ch.position LIMIT 5000""",
    *months,
    *params,
)
st.caption(f"{t('chains')} ({chains['chain_id'].n_unique():,})")
complaint_table(chains, key="repeat_chains")
