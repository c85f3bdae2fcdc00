"""Overview: a period's headline figures against the period before and the same period a
year earlier."""

from datetime import date

import altair as alt
import polars as pl
import streamlit as st

from tousu.dashboards.data import has_table, query
from tousu.dashboards.drill import drill_from_chart, open_list
from tousu.dashboards.exports import report_downloads
from tousu.dashboards.filters import ALL, Filters, months, sidebar_filters
from tousu.dashboards.i18n import t, value_labels
from tousu.dashboards.provisional import data_status, provisional_note, status_colour
from tousu.dashboards.tables import percent, percent_value
from tousu.warehouse import alerts, figures, plan_store
from tousu.warehouse.periods import Period


def period_figures(f: Filters, period: Period | None) -> dict:
    """Volume, SLA compliance, repeat rate, CSAT and closure rate of a period (warehouse/figures:
    the marts' counts summed, each rate by its mart's formula)."""
    if period is None:
        return {}
    where, params = f.cube_where()
    sla_where, sla_params = f.cube_where(clock=ALL)  # every clock pooled
    return figures.headline(
        lambda sql, *p: query(sql, *p).to_dicts(),
        period.months,
        where,
        params,
        sla_where,
        sla_params,
    )


def monthly_series(f: Filters) -> pl.DataFrame:
    """Every month's headline figures under the filters (the tiles' sparklines, up to the month)."""
    where, params = f.cube_where()
    sla_where, sla_params = f.cube_where(clock=ALL)
    return query(
        f"""
        SELECT s.month, s.complaints AS volume, s.csat, s.closure_rate, r.repeat_rate,
               c.compliance_rate AS sla_compliance
        FROM (SELECT * FROM mart.satisfaction_closure_monthly WHERE {where}) s
        LEFT JOIN (SELECT * FROM mart.repeat_rate_monthly WHERE {where}) r USING (month)
        LEFT JOIN (SELECT * FROM mart.sla_compliance_monthly WHERE {sla_where}) c USING (month)
        WHERE s.month <= ? ORDER BY s.month""",
        *params,
        *params,
        *sla_params,
        f.month,
    )


# The list of complaints behind each tile (dashboards/drill.py).
TILE_LISTS = {
    "volume": "received",
    "sla_compliance": "breached",
    "repeat_rate": "repeat",
    "closure_rate": "not_closed",
    "overdue_open": "overdue_open",
}


# The tiles an improvement plan's metric sets a target for (warehouse/plan_store.METRICS).
PLAN_TARGETS = {"csat": "csat", "volume": "complaints_per_day"}


def plan_targets(f: Filters) -> dict[str, tuple[str, float]]:
    """Tile -> (plan id, target) of the open plan whose scope is the view's (its category and
    department the filters', no product), the latest deadline first."""
    if not has_table("plans.improvement_plans"):
        return {}
    rows = query(
        """
        SELECT plan_id, metric, target FROM plans.improvement_plans
        WHERE NOT list_contains(?::VARCHAR[], status) AND scope_product IS NULL
          AND coalesce(scope_category, '(all)') = ? AND coalesce(scope_department, '(all)') = ?
        ORDER BY deadline DESC""",
        list(plan_store.FINISHED),
        f.category,
        f.department,
    ).to_dicts()
    found: dict[str, tuple[str, float]] = {}
    for tile, metric in PLAN_TARGETS.items():
        for row in rows:
            if row["metric"] == metric:
                found.setdefault(tile, (row["plan_id"], row["target"]))
    return found


def drill_button(col, key: str) -> None:
    if key in TILE_LISTS and col.button(
        t(f"list_{TILE_LISTS[key]}"), key=f"drill_{key}", type="tertiary", icon=":material/list:"
    ):
        open_list(TILE_LISTS[key])


def overdue_open(f: Filters) -> int:
    where, params = f.rows_where()
    # open today only: an item open in an archive export is not overdue now
    return query(figures.overdue_open_sql(where), *params)["n"][0]


# The halves of a complaint that wait for the other (ops.pending_links): in no figure yet.
WAITING_COMPLAINTS = ("registration without its channel record", "channel record not registered")


# Rates that still grow while a month's complaints are handled (closed, followed up).
STILL_MATURING = ("closure_rate", "csat")


def show_alerts() -> None:
    """Early warnings that fired, clocks at risk, overdue plans: each with the page to act on."""
    found = alerts.find(
        lambda sql, *params: query(sql, *params).to_dicts(),
        published_night() or date.today(),
        plans=has_table("plans.improvement_plans"),
    )
    if not found:
        return
    names = value_labels()
    with st.container(border=True):
        st.markdown(f"**{t('alerts_now')}**")
        for w in found.early_warnings:
            st.warning(
                t("alert_early_warning").format(
                    category=names["category"].get(w["category"], w["category"]),
                    week=f"{w['week_start']:%Y-%m-%d}",
                    n=w["complaints"] if w["complete"] else w["projected"],
                    threshold=w["threshold"],
                    kind=t("complete_week") if w["complete"] else t("projected_week"),
                ),
                icon=":material/trending_up:",
            )
        if found.early_warnings:
            st.page_link(
                "views/problem_types.py", label=t("problem_types"), icon=":material/arrow_forward:"
            )
        for r in found.at_risk:
            st.warning(
                t("alert_at_risk").format(
                    n=r["clocks"], clock=names["clock"].get(r["clock"], r["clock"])
                ),
                icon=":material/timer:",
            )
        if found.at_risk:
            st.page_link("views/sla.py", label=t("sla"), icon=":material/arrow_forward:")
        for p in found.overdue_plans:
            st.error(
                t("alert_plan_overdue").format(
                    plan=p["plan_id"],
                    title=p["title"],
                    owner=p["owner"],
                    deadline=f"{p['deadline']:%Y-%m-%d}",
                ),
                icon=":material/event_busy:",
            )
        if found.overdue_plans:
            st.page_link("views/plans.py", label=t("plans"), icon=":material/arrow_forward:")


def published_night():
    night = query("SELECT max(run_date) AS d FROM ops.published_nights")["d"]
    return night[0] if night.len() else None


def waiting_to_be_linked() -> int:
    return query(
        "SELECT count(*) AS n FROM ops.pending_links "
        "WHERE waiting_for IN (SELECT unnest(?::VARCHAR[]))",
        list(WAITING_COMPLAINTS),
    )["n"][0]


def _pct(v):
    return percent(v) or "—"


def delta_pt(value, prev) -> str | None:
    """A rate's change in points, from the rates as shown (each rounded once)."""
    if value is None or prev is None:
        return None
    return f"{(percent_value(value) or 0) - (percent_value(prev) or 0):+.1f} pt"


def render() -> None:
    f = sidebar_filters()
    period = f.period or Period.of("month", f.month)
    compared = period.previous()
    now, before = period_figures(f, period), period_figures(f, compared)
    last_year = period_figures(f, period.last_year())
    st.subheader(f"{t('overview')} · {period.label()}")
    st.caption(
        f"{t('vs_previous_period')}: {compared.label()}"
        + ("" if before.get("volume") else f" ({t('no_data_then')})")
        + f" · {t('vs_last_year')}: {period.last_year().label()}"
        + ("" if last_year.get("volume") else f" ({t('no_data_then')})")
    )
    provisional_note(period.months + compared.months, f.channel)
    # the latest month is in the period: its complaints are still being handled
    maturing = months()[0] in period.months
    history = monthly_series(f).tail(12)
    targets = plan_targets(f)
    cols = st.columns(6)
    for col, key in zip(
        cols, ("volume", "sla_compliance", "repeat_rate", "csat", "closure_rate"), strict=False
    ):
        value, prev, year_ago = now.get(key), before.get(key), last_year.get(key)
        if key == "volume":
            delta = None if not prev else f"{value - prev:+,}"
            col.metric(
                t(key),
                f"{value:,}",
                delta,
                help=t("vs_previous_period"),
                chart_data=history[key].fill_null(0).to_list(),
                chart_type="bar",
            )
            if year_ago:
                col.caption(f"{t('vs_last_year')}: {year_ago:,} ({value - year_ago:+,})")
        else:
            unripe = maturing and key in STILL_MATURING
            col.metric(
                t(key),
                _pct(value),
                delta_pt(value, prev),
                help=t("maturing_help") if unripe else t("vs_previous_period"),
                # a month still running against a finished one: grey, not an alarm
                delta_color="off" if unripe else "inverse" if key == "repeat_rate" else "normal",
                chart_data=history[key].drop_nulls().to_list(),
            )
            if year_ago is not None:
                col.caption(
                    f"{t('vs_last_year')}: {_pct(year_ago)} ({delta_pt(value, year_ago) or '—'})"
                )
            if unripe:
                col.caption(t("maturing"))
            if key == "sla_compliance" and now.get("no_target"):
                col.caption(t("no_target_count").format(n=now["no_target"]))
        if key in targets:
            plan_id, target = targets[key]
            shown = _pct(target) if key == "csat" else f"{target:,.1f}"
            col.caption(t(f"target_{key}").format(target=shown, plan=plan_id))
        drill_button(col, key)
    cols[5].metric(t("overdue_open"), f"{overdue_open(f):,}", help=t("overdue_open_help"))
    drill_button(cols[5], "overdue_open")
    show_alerts()
    waiting = waiting_to_be_linked()
    if waiting:
        # complaints half delivered are in no figure above: say how many, where the figures are
        st.info(t("waiting_links_note").format(n=waiting), icon=":material/link_off:")
        st.page_link("views/data_quality.py", label=t("waiting_links_list"))

    where, params = f.cube_where()
    trend = query(
        "SELECT month, complaints FROM mart.satisfaction_closure_monthly "
        f"WHERE {where} ORDER BY month",
        *params,
    )
    st.caption(f"{t('trend')} · {t('drill_hint')}")
    # the bars' colour is each month's data status: the warning above names the same months
    chart = trend.with_columns(
        data_status("month", f.channel), pl.col("month").dt.strftime("%Y-%m")
    )
    picked = st.altair_chart(
        alt.Chart(chart.to_pandas())
        .mark_bar()
        .add_params(alt.selection_point("bar", fields=["month"]))
        .encode(
            x=alt.X("month:O", title=t("month"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("complaints:Q", title=t("volume")),
            color=status_colour(),
            tooltip=[
                alt.Tooltip("month:O", title=t("month")),
                alt.Tooltip("complaints:Q", title=t("volume"), format=","),
                alt.Tooltip(f"{t('data_status')}:N", title=t("data_status")),
            ],
        )
        .properties(height=260),
        width="stretch",
        on_select="rerun",
        key="trend",
    )
    drill_from_chart(picked, "bar", ("month",))
    # the monthly review pack of the month on screen (the period's last), as the user sees it
    report_downloads(f.month)


render()
