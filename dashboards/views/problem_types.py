"""Problem types: Pareto of categories, their keywords, weekly trend with early warnings."""

import altair as alt
import polars as pl
import streamlit as st

from tousu.dashboards.data import keywords, query
from tousu.dashboards.filters import ALL, sidebar_filters
from tousu.dashboards.i18n import category_labels, t
from tousu.dashboards.provisional import provisional_note

f = sidebar_filters()
st.subheader(f"{t('problem_types')} · {f.month:%Y-%m}")
provisional_note([f.month], f.channel)

# every category, whatever the category filter: the Pareto is of categories
where, params = f.cube_where("category", category=ALL)
pareto = query(
    f"""
    SELECT category, complaints FROM mart.satisfaction_closure_monthly
    WHERE month = ? AND {where}
    ORDER BY complaints DESC""",
    f.month,
    *params,
)
if pareto.height:
    pareto = pareto.with_columns(
        (pl.col("complaints").cum_sum() / pl.col("complaints").sum()).alias("cumulative_share"),
        pl.col("category").replace(category_labels()).alias("label"),
    )
    order = pareto["label"].to_list()
    bars = (
        alt.Chart(pareto.to_pandas())
        .mark_bar()
        .encode(
            x=alt.X("label:N", sort=order, title=t("category")),
            y=alt.Y("complaints:Q", title=t("volume")),
        )
    )
    line = (
        alt.Chart(pareto.to_pandas())
        .mark_line(point=True, color="#c0392b")
        .encode(
            x=alt.X("label:N", sort=order),
            y=alt.Y("cumulative_share:Q", axis=alt.Axis(format="%"), title="Pareto"),
        )
    )
    st.caption("Pareto")
    st.altair_chart(alt.layer(bars, line).resolve_scale(y="independent"), width="stretch")

st.caption(t("keywords"))
st.dataframe(keywords(f.month, f.category), hide_index=True, width="stretch")

# Weeks up to the last one any complaint arrived in: after it the data stopped (deliveries
# late, or the night ahead of the data), which is not a drop to zero.
weekly = query(
    """
    SELECT category, week_start, complaints, expected, threshold, projected, complete, alert
    FROM mart.category_weekly WHERE (? = '(all)' OR category = ?)
      AND week_start <= (SELECT max(week_start) FROM mart.category_weekly WHERE complaints > 0)
    ORDER BY week_start""",
    f.category,
    f.category,
)
alerts = weekly.filter(pl.col("alert"))
st.caption(f"{t('weekly_trend')} · {t('alerts')}: {alerts.height}")
if weekly.height:
    frame = weekly.with_columns(
        pl.when(pl.col("complete"))
        .then(pl.col("complaints"))
        .otherwise(pl.col("projected"))
        .alias("shown"),
        pl.when(pl.col("complete"))
        .then(pl.lit(t("complete_week")))
        .otherwise(pl.lit(t("projected_week")))
        .alias("week_kind"),
    ).to_pandas()
    base = alt.Chart(frame).encode(x=alt.X("week_start:T", title=""))
    st.altair_chart(
        alt.layer(
            base.mark_line().encode(y=alt.Y("shown:Q", title=t("volume")), color="category:N"),
            base.mark_point(filled=True, size=90, color="#c0392b")
            .encode(y="shown:Q")
            .transform_filter("datum.alert"),
            base.mark_point(shape="diamond", size=60)
            .encode(y="shown:Q", color="category:N")
            .transform_filter("!datum.complete"),
        ),
        width="stretch",
    )
    st.caption(t("unfinished_note"))
st.dataframe(alerts.sort("week_start", descending=True), hide_index=True, width="stretch")
