"""Tables whose rows open the complaint detail page when selected."""

import polars as pl
import streamlit as st

from tousu.dashboards.exports import download_csv
from tousu.dashboards.i18n import t


def complaint_table(frame: pl.DataFrame, key: str) -> None:
    """A table of complaints; selecting a row opens that complaint's detail page."""
    event = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key=key,
        on_select="rerun",
        selection_mode="single-row",
    )
    st.caption(t("open_detail"))
    # The toolbar's own export is off (it leaves formulas live): a safe CSV instead.
    download_csv(frame, key)
    rows = event.selection.rows if event is not None and hasattr(event, "selection") else []
    if rows:
        st.session_state["complaint_id"] = frame["complaint_id"][rows[0]]
        st.query_params["complaint"] = frame["complaint_id"][rows[0]]
        st.switch_page("views/complaint.py")
