"""The Data quality page's review part: the failures behind provisional months and the checks
failing now, acknowledgements, Data Docs.

Acknowledgements are read from and written to the app's own file (warehouse/acknowledgements.py)
so a person sees theirs at once; the nightly copies them into the warehouse.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import polars as pl
import streamlit as st

from tousu.dashboards.data import plans_path, published_path, query, viewer
from tousu.dashboards.i18n import error_text, t
from tousu.dashboards.tables import show
from tousu.flows.settings import DATA_DOCS_MANIFEST, current_settings, data_docs_beside
from tousu.warehouse.acknowledgements import acknowledge, in_force
from tousu.warehouse.plan_store import PlanError
from tousu.warehouse.users import ACKNOWLEDGE


def open_failures(problems: pl.DataFrame, latest: pl.DataFrame) -> pl.DataFrame:
    """Every failure behind a provisional month (whatever night it happened), and every check
    failing on the latest night: one row per source and check, with the months it leaves
    provisional, the rows still missing and the latest night it failed."""
    behind_months = problems.group_by("source", "check_name").agg(
        pl.col("month").unique().sort().dt.strftime("%Y-%m").str.join(", ").alias("months"),
        pl.col("load_id").n_unique().alias("deliveries"),
        # a delivery's missing rows count once whatever number of months it spans
        pl.struct("load_id", "rows_missing")
        .unique()
        .struct.field("rows_missing")
        .sum()
        .alias("rows_missing"),
        pl.col("run_id").sort_by("run_date").last().alias("run_id"),
        pl.col("reason").unique().sort().first().alias("reason"),
    )
    failing_now = latest.select(
        "source",
        "check_name",
        pl.lit("").alias("months"),
        pl.col("deliveries").cast(pl.UInt32),
        pl.col("rows_failed").alias("rows_missing"),
        "run_id",
        pl.format("{}: {} failed ({})", "source", "check_name", "observed_value").alias("reason"),
    ).join(behind_months, on=["source", "check_name"], how="anti")
    return pl.concat([behind_months, failing_now], how="vertical_relaxed").sort(
        "source", "check_name"
    )


def failing_checks() -> pl.DataFrame:
    return open_failures(
        query("SELECT * FROM mart.provisional_problems"),
        query(
            "SELECT run_id, source, check_name, deliveries, rows_failed, observed_value "
            "FROM mart.dq_failing_checks"
        ),
    )


def with_acknowledgements(failing: pl.DataFrame, today: date) -> pl.DataFrame:
    """Each failure with its acknowledgement in force, if any; the unacknowledged first."""
    acks = in_force(plans_path(), today)
    frame = pl.DataFrame(
        [(a.source, a.check_name, a.acknowledged_by, a.comment, a.until_date) for a in acks],
        schema={
            "source": pl.String,
            "check_name": pl.String,
            "acknowledged_by": pl.String,
            "comment": pl.String,
            "until_date": pl.Date,
        },
        orient="row",
    )
    return failing.join(frame, on=["source", "check_name"], how="left").sort(
        pl.col("acknowledged_by").is_not_null(), "source", "check_name"
    )


def docs_site() -> dict:
    """The Data Docs site's manifest (flows/quality/gx.py), {} when no site was built."""
    manifest = data_docs_beside(published_path()) / DATA_DOCS_MANIFEST
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def docs_pages(failing: pl.DataFrame, site: dict) -> pl.DataFrame:
    """Each failure's validation page: its night's site (the latest, or one kept under
    nights/<run_id>/), None when the site of that night was not kept."""
    url = current_settings().data_docs_url
    base = url.rsplit("/", 1)[0] if url else data_docs_beside(published_path()).as_uri()
    pages = {r: f"{base}/nights/{r}/index.html" for r in site.get("nights_kept", [])}
    if site:
        pages[site["run_id"]] = f"{base}/index.html"  # the latest night: the site itself
    return failing.with_columns(
        pl.col("run_id").replace_strict(pages, default=None, return_dtype=pl.String).alias("docs")
    )


def data_docs_link(site: dict) -> None:
    url = current_settings().data_docs_url
    if not site:
        st.warning(t("docs_missing"), icon=":material/description:")
    elif url:
        st.link_button(t("data_docs"), url, icon=":material/description:")
    else:
        st.caption(f"{t('data_docs_local')} {data_docs_beside(published_path()) / 'index.html'}")
    if site and not site.get("offline_assets"):
        # GX's pages load their scripts from public CDNs: blocked, they show an empty page
        st.warning(t("docs_cdn"), icon=":material/cloud_off:")


def acknowledge_form(failing: pl.DataFrame) -> None:
    if not failing.height:
        return
    if not viewer().may(ACKNOWLEDGE):
        st.caption(t("ack_not_allowed"))
        return
    options = [f"{r['source']} · {r['check_name']}" for r in failing.iter_rows(named=True)]
    with st.form("acknowledge", clear_on_submit=True):
        st.caption(t("acknowledge"))
        choice = st.selectbox(t("ack_check"), options, key="ack_check")
        by = viewer().name  # the signed-in user, not a name typed in
        st.caption(f"{t('ack_by')}: {by}")
        comment = st.text_area(t("ack_comment"), key="ack_comment")
        days = st.number_input(t("ack_days"), 1, 366, 30, key="ack_days")
        if st.form_submit_button(t("acknowledge")):
            row = failing.row(options.index(choice), named=True)
            try:
                acknowledge(
                    plans_path(),
                    row["source"],
                    row["check_name"],
                    row["run_id"],
                    by,
                    comment,
                    datetime.now().astimezone(),
                    int(days),
                )
            except PlanError as exc:
                st.error(error_text(str(exc)))
            else:
                st.session_state["ack_saved"] = choice
                st.rerun()  # the table above shows the acknowledgement


def render_review() -> None:
    if saved := st.session_state.pop("ack_saved", None):
        st.success(f"{t('ack_saved')}: {saved}")
    site = docs_site()
    data_docs_link(site)
    failing = docs_pages(with_acknowledgements(failing_checks(), date.today()), site)
    st.caption(t("failing_checks"))
    if failing.height:
        show(
            failing.drop("run_id"),
            column_config={"docs": st.column_config.LinkColumn(display_text=t("open_docs"))},
        )
        missing = failing.filter(pl.col("docs").is_null()).height
        if missing:
            # the site keeps the nights with open failures since this version; older ones lack it
            st.caption(t("docs_incomplete").format(n=missing))
    else:
        st.success(t("no_failures"))
    acknowledge_form(failing)
