"""Problem types: Pareto of categories, their keywords, weekly trend with early warnings."""

import altair as alt
import polars as pl
import streamlit as st

from tousu.dashboards.data import keywords, plans_path, query
from tousu.dashboards.drill import drill_from_chart
from tousu.dashboards.filters import ALL, keep_choice, sidebar_filters
from tousu.dashboards.i18n import category_labels, column_label, lang, t
from tousu.dashboards.provisional import provisional_note
from tousu.dashboards.tables import show
from tousu.warehouse import plan_store

f = sidebar_filters()
st.subheader(f"{t('problem_types')} · {f.label}")
provisional_note(f.months, f.channel)

# every category, whatever the category filter: the Pareto is of categories
where, params = f.cube_where("category", category=ALL)
pareto = query(
    f"""
    SELECT category, sum(complaints)::BIGINT AS complaints
    FROM mart.satisfaction_closure_monthly
    WHERE list_contains(?::DATE[], month) AND {where}
    GROUP BY category ORDER BY complaints DESC, category""",
    f.months,
    *params,
)
if pareto.height:
    pareto = pareto.with_columns(
        (pl.col("complaints").cum_sum() / pl.col("complaints").sum()).alias("cumulative_share"),
        pl.col("category").replace(category_labels()).alias("label"),
    )
    order = pareto["label"].to_list()
    x = alt.X("label:N", sort=order, title=t("category"), axis=alt.Axis(labelAngle=0))
    tooltip = [
        alt.Tooltip("label:N", title=t("category")),
        alt.Tooltip("complaints:Q", title=t("volume"), format=","),
        alt.Tooltip("cumulative_share:Q", title=column_label("cumulative_share"), format=".1%"),
    ]
    base = alt.Chart(pareto.to_pandas()).encode(x=x, tooltip=tooltip)
    bars = base.mark_bar().encode(y=alt.Y("complaints:Q", title=t("volume")))
    cumulative = alt.Y(
        "cumulative_share:Q",
        axis=alt.Axis(format="%"),
        scale=alt.Scale(domain=[0, 1]),
        title=column_label("cumulative_share"),
    )
    line = base.mark_line(color="#c0392b").encode(y=cumulative)
    points = base.mark_point(filled=True, size=80, color="#c0392b").encode(y=cumulative)
    labels = base.mark_text(dy=-12, color="#c0392b").encode(
        y=cumulative, text=alt.Text("cumulative_share:Q", format=".0%")
    )
    st.caption(f"{t('pareto')} · {t('drill_hint')}")
    picked = st.altair_chart(
        alt.layer(
            bars.add_params(alt.selection_point("bar", fields=["category"])), line, points, labels
        )
        .resolve_scale(y="independent")
        .properties(height=320),
        width="stretch",
        on_select="rerun",
        key="pareto",
    )
    drill_from_chart(picked, "bar", ("category",))

# the improvement plans aimed at these categories, each opening on the Plans page
aimed = (
    [
        (plan_id, title, category)
        for plan_id, title, category in plan_store.read(
            plans_path(),
            "SELECT plan_id, title, scope_category FROM plans.improvement_plans "
            "WHERE scope_category IS NOT NULL AND status <> 'cancelled' "
            "AND (? = '(all)' OR scope_category = ?) ORDER BY scope_category, plan_id",
            f.category,
            f.category,
        )
    ]
    if plans_path().exists()
    else []
)
if aimed:
    st.caption(t("plans_for_categories"))
    names = category_labels()
    for plan_id, title, category in aimed:
        if st.button(
            f"{names.get(category, category)} · {plan_id} {title}",
            key=f"open_plan_{plan_id}",
            type="tertiary",
            icon=":material/flag:",
        ):
            keep_choice("plan", plan_id)
            st.switch_page("views/plans.py")

st.caption(t("keywords"))
if len(f.months) > 1:  # keywords are counted per month
    st.caption(t("keywords_of_month").format(month=f"{f.month:%Y-%m}"))
show(keywords(f.month, f.category))

# Weeks up to the last one any complaint arrived in: after it the data stopped (deliveries
# late, or the night ahead of the data), which is not a drop to zero.
weekly = query(
    """
    SELECT category, week_start, complaints, expected, threshold, projected, complete, alert
    FROM mart.category_weekly
    WHERE week_start <= (SELECT max(week_start) FROM mart.category_weekly WHERE complaints > 0)
    ORDER BY week_start"""
)
alerts = weekly.filter(pl.col("alert"))
st.caption(f"{t('weekly_trend')} · {t('alerts')}: {alerts.height}")
# one category at a time (the sidebar's, else the picker's: the one with most warnings first)
names = category_labels()
ranked = (
    weekly.group_by("category")
    .agg(pl.col("alert").sum(), pl.col("complaints").sum())
    .sort("alert", "complaints", descending=True)["category"]
    .to_list()
)
shown_category = (
    f.category
    if f.category != ALL
    else st.selectbox(
        t("category"), ranked, format_func=lambda c: names.get(c, c), key=f"trend_category_{lang()}"
    )
    if ranked
    else None
)
weekly = weekly.filter(pl.col("category") == shown_category)
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
    base = alt.Chart(frame).encode(
        x=alt.X("week_start:T", title=column_label("week_start")),
        tooltip=[
            alt.Tooltip("week_start:T", title=column_label("week_start"), format="%Y-%m-%d"),
            alt.Tooltip("shown:Q", title=t("volume"), format=",.0f"),
            alt.Tooltip("threshold:Q", title=column_label("threshold"), format=",.1f"),
            alt.Tooltip("week_kind:N", title=""),
        ],
    )
    st.altair_chart(
        alt.layer(
            base.mark_line().encode(y=alt.Y("shown:Q", title=t("volume"))),
            base.mark_line(strokeDash=[4, 4], color="#9d9d9d").encode(y="threshold:Q"),
            base.mark_point(filled=True, size=90, color="#c0392b")
            .encode(y="shown:Q")
            .transform_filter("datum.alert"),
            base.mark_point(shape="diamond", size=60)
            .encode(y="shown:Q")
            .transform_filter("!datum.complete"),
        ),
        width="stretch",
    )
    st.caption(t("unfinished_note"))
show(alerts.sort("week_start", descending=True))
