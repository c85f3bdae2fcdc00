"""Downloads: only for roles with the export right, always masked (they come from the viewer's
copy), formulas neutralised, and each one written to the audit log with what it held."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import streamlit as st

from tousu.dashboards.data import FirstRows, plans_path, viewer
from tousu.dashboards.i18n import lang as lang_index
from tousu.dashboards.i18n import t
from tousu.dashboards.safe_export import safe_csv
from tousu.warehouse import audit
from tousu.warehouse.users import EXPORT

# The sidebar's filters (dashboards/filters.py keeps each as kept_<name>): an export's audit row
# says what was on screen.
FILTER_KEYS = ("month", "channel", "department", "category", "priority")


def _audit_export(name: str, rows: int, detail: dict) -> None:
    on_screen = {
        k: str(st.session_state[f"kept_{k}"])
        for k in FILTER_KEYS
        if f"kept_{k}" in st.session_state
    }
    audit.record(
        plans_path(),
        viewer().name,
        "export",
        datetime.now().astimezone(),
        f"{name}.csv",
        {"rows": rows, "filters": on_screen, **detail},
    )


def report_files(month: date, lang: str, breakdown: dict[str, str]) -> dict[str, bytes]:
    """The month's review pack (PDF and Excel) in the page's language under the sidebar's
    filters, from the user's own copy (their scope, masked): file name -> contents."""
    import tempfile
    from pathlib import Path

    from tousu.dashboards.data import viewer_cursor
    from tousu.dashboards.report import content, pdf, stem, xlsx

    cursor = viewer_cursor()
    try:
        report = content.collect(cursor, month, lang, plans_path(), breakdown)
    finally:
        cursor.close()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / stem(month, lang, breakdown)
        written = [
            xlsx.write(report, base.with_name(base.name + ".xlsx")),
            pdf.write(report, base.with_name(base.name + ".pdf")),
        ]
        return {p.name: p.read_bytes() for p in written}


def report_downloads(month: date) -> None:
    """The review pack of the month on screen, for a role that may export; each download is
    an audited export."""
    if not viewer().may(EXPORT):
        return
    lang = "en" if lang_index() else "zh"
    breakdown = {
        k: str(st.session_state[f"kept_{k}"])
        for k in FILTER_KEYS
        if k != "month" and f"kept_{k}" in st.session_state
    }
    wanted = (month, lang, tuple(breakdown.items()))
    if st.button(t("report_prepare"), key="report_prepare", icon=":material/description:"):
        with st.spinner(t("report_preparing")):
            st.session_state["report_files"] = (wanted, report_files(month, lang, breakdown))
    prepared = st.session_state.get("report_files")
    if prepared and prepared[0] == wanted:
        for name, data in prepared[1].items():
            st.download_button(
                name,
                data,
                file_name=name,
                key=f"download_{name}",
                on_click=_audit_file,
                args=(name, data),
            )


def _audit_file(name: str, data: bytes) -> None:
    from tousu.dashboards.report import checksum

    audit.record(
        plans_path(),
        viewer().name,
        "export",
        datetime.now().astimezone(),
        name,
        {"sha256": checksum(data)},
    )


def download_csv(
    frame: pl.DataFrame, name: str, detail: dict | None = None, rows: FirstRows | None = None
) -> None:
    """A safe CSV of the table for a role that may export; a note for one that may not. The
    table toolbar's own export is off for everyone (`tousu dashboard`). A list shown cut to its
    first rows (`rows`) downloads all of them, fetched when the user asks."""
    if not viewer().may(EXPORT):
        st.caption(t("export_not_allowed"))
        return
    if rows is not None and rows.cut:
        _download_every_row(rows, name, detail or {})
        return
    st.download_button(
        t("download"),
        safe_csv(frame),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{name}_download",
        on_click=_audit_export,
        args=(name, frame.height, detail or {}),
    )


def _download_every_row(rows: FirstRows, name: str, detail: dict) -> None:
    """A button that fetches all the list's rows, then the download of them (for the list on
    screen only: other filters, or a new night, ask again)."""
    held = f"{name}_every_row"
    wanted = (rows.sql, rows.params, rows.on)
    prepared = st.session_state.get(held)
    slot = st.empty()  # the download takes the button's place once the rows are fetched
    if not (prepared and prepared[0] == wanted) and slot.button(
        t("prepare_every_row").format(total=rows.total),
        key=f"{name}_prepare",
        icon=":material/table_view:",
    ):
        with st.spinner(t("preparing_every_row")):
            every = rows.every_row()
            prepared = st.session_state[held] = (wanted, safe_csv(every), every.height)
    if prepared and prepared[0] == wanted:
        slot.download_button(
            t("download_every_row").format(total=prepared[2]),
            prepared[1],
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"{name}_download",
            on_click=_audit_export,
            args=(name, prepared[2], detail),
        )
