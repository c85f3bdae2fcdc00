"""Downloads: only for roles with the export right, always masked (they come from the viewer's
copy), formulas neutralised, and each one written to the audit log with what it held."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import streamlit as st

from tousu.dashboards.data import plans_path, viewer
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


def download_csv(frame: pl.DataFrame, name: str, detail: dict | None = None) -> None:
    """A safe CSV of the table for a role that may export; a note for one that may not. The
    table toolbar's own export is off for everyone (`tousu dashboard`)."""
    if not viewer().may(EXPORT):
        st.caption(t("export_not_allowed"))
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
