"""Data quality: last night's failing checks (acknowledged or not), what each night loaded and
what it quarantined, with the reasons; the GX Data Docs one click away."""

import altair as alt
import polars as pl
import streamlit as st

from tousu.dashboards.data import first_rows, query
from tousu.dashboards.dq_review import render_review
from tousu.dashboards.exports import download_csv
from tousu.dashboards.i18n import column_label, lang, t, value_labels
from tousu.dashboards.tables import note_first_rows, show

st.subheader(t("data_quality"))
last = query("SELECT run_date, status, note FROM ops.runs ORDER BY started_at DESC LIMIT 1")
if last.height:
    night = last.row(0, named=True)
    line = f"{t('night_status')} {night['run_date']}: {t('status_' + night['status'])}"
    # The note is the night's own words (warnings, files waiting): shown as text, not Markdown.
    (st.success if night["status"] == "succeeded" and not night["note"] else st.warning)(
        line, icon=":material/nightlight:"
    )
    if night["note"]:
        st.text(night["note"])
waiting = query("SELECT * FROM ops.files_waiting ORDER BY waiting_since, path")
if waiting.height:
    st.caption(f"{t('files_waiting')} ({waiting.height:,})")
    show(waiting)
render_review()
pending = first_rows(
    "SELECT waiting_for, source, key, file, row_number FROM ops.pending_links "
    "ORDER BY waiting_for, file, row_number"
)
if pending.total:
    st.caption(f"{t('waiting_links')} ({pending.total:,})")
    note_first_rows(pending, filtered=False)
    show(pending.frame)
    download_csv(pending.frame, "pending_links", rows=pending)
runs = query(
    "SELECT run_date, status, rows_read, rows_loaded, rows_quarantined, files_new, "
    "files_failed, started_at, finished_at FROM ops.runs ORDER BY started_at DESC"
)
show(runs)

by_source = query(
    "SELECT source, files_loaded, files_failed, files_skipped, rows_read, rows_quarantined, "
    "last_good_file_at, hours_since_last_good_file FROM mart.dq_sources ORDER BY source"
)
st.caption(t("file_loads"))
show(by_source)

volume = query("SELECT run_date, source, rows_loaded FROM mart.dq_volume_nightly ORDER BY ALL")
if volume.height:
    st.caption(t("volume_per_night"))
    sources = value_labels()["source"]
    st.altair_chart(
        alt.Chart(volume.with_columns(pl.col("source").replace(sources)).to_pandas())
        .mark_bar()
        .encode(
            x=alt.X("run_date:T", title=column_label("run_date")),
            y=alt.Y("rows_loaded:Q", title=column_label("rows_loaded")),
            color=alt.Color("source:N", title=column_label("source")),
            tooltip=[
                alt.Tooltip("run_date:T", title=column_label("run_date"), format="%Y-%m-%d"),
                alt.Tooltip("source:N", title=column_label("source")),
                alt.Tooltip("rows_loaded:Q", title=column_label("rows_loaded"), format=","),
            ],
        )
        .properties(height=220),
        width="stretch",
    )

pass_rate = query(
    "SELECT run_date, source, checks_passed FROM mart.dq_pass_rate_nightly ORDER BY ALL"
)
if pass_rate.height:
    st.caption(t("pass_rate"))
    st.altair_chart(
        alt.Chart(
            pass_rate.with_columns(pl.col("source").replace(value_labels()["source"])).to_pandas()
        )
        .mark_line(point=True)
        .encode(
            x=alt.X("run_date:T", title=column_label("run_date")),
            y=alt.Y(
                "checks_passed:Q",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
                title=column_label("checks_passed"),
            ),
            color=alt.Color("source:N", title=column_label("source")),
            tooltip=[
                alt.Tooltip("run_date:T", title=column_label("run_date"), format="%Y-%m-%d"),
                alt.Tooltip("source:N", title=column_label("source")),
                alt.Tooltip("checks_passed:Q", title=column_label("checks_passed"), format=".1%"),
            ],
        ),
        width="stretch",
    )

source_options = ["(all)", *by_source["source"].to_list()]
c1, c2, c3 = st.columns(3)
source_names = {"(all)": t("all"), **value_labels()["source"]}
source = c1.selectbox(
    column_label("source"),
    source_options,
    key=f"dq_source_{lang()}",
    format_func=lambda s: source_names.get(s, s),
)
checks = query(
    "SELECT DISTINCT unnest(string_split(check_name, ', ')) AS c FROM ops.quarantine ORDER BY 1"
)["c"].to_list()
every = {"(all)": t("all")}
check = c2.selectbox(
    t("ack_check"), ["(all)", *checks], key="dq_check", format_func=lambda c: every.get(c, c)
)
open_only = c3.toggle(t("open_only"), value=True, key="dq_open_only")
quarantined = first_rows(
    """
    SELECT source, file, row_number, check_name, reason, record, quarantined_at, resolved_by
    FROM ops.quarantine
    WHERE (? = '(all)' OR source = ?) AND (NOT ? OR resolved_at IS NULL)
      AND (? = '(all)' OR list_contains(string_split(check_name, ', '), ?))
    ORDER BY quarantined_at DESC, file, row_number""",
    source,
    source,
    open_only,
    check,
    check,
)
# Quarantined rows arrive masked (names 张*, phones 138****1234) from the viewer's copy.
st.caption(f"{t('quarantine')} ({quarantined.total:,})")
note_first_rows(quarantined)
show(quarantined.frame)
download_csv(
    quarantined.frame,
    f"quarantine_{source}",
    {"source": source, "check": check, "open_only": open_only},
    quarantined,
)
