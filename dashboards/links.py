"""Tables whose rows open the complaint detail page when selected."""

import polars as pl
import streamlit as st

from tousu.dashboards.data import FirstRows
from tousu.dashboards.exports import download_csv
from tousu.dashboards.i18n import t
from tousu.dashboards.tables import show


def complaint_table(frame: pl.DataFrame, key: str, rows: FirstRows | None = None) -> None:
    """A table of complaints; selecting a row opens that complaint's detail page, with a way
    back to this page (whose filters are kept, so the list is the same). `rows`: the list the
    frame is the first rows of (its export holds them all)."""
    event = show(frame, key=key, on_select="rerun", selection_mode="single-row")
    st.caption(t("open_detail"))
    # The toolbar's own export is off (it leaves formulas live): a safe CSV instead.
    download_csv(frame, key, rows=rows)
    picked = event.selection.rows if event is not None and hasattr(event, "selection") else []
    if picked:
        open_complaint(frame["complaint_id"][picked[0]])


def open_complaint(complaint_id: str) -> None:
    here = st.session_state.get("current_page")
    if here and here[0] != "views/complaint.py":
        st.session_state["came_from"] = here
    st.session_state["complaint_pick"] = complaint_id
    st.query_params["complaint"] = complaint_id
    st.switch_page("views/complaint.py")
