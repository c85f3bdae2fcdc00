"""Tables whose rows open the complaint detail page when selected."""

import polars as pl
import streamlit as st

from tousu.dashboards.i18n import t
from tousu.dashboards.safe_export import safe_csv


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
    st.download_button(
        t("download"),
        safe_csv(frame),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"{key}_download",
    )
    rows = event.selection.rows if event is not None and hasattr(event, "selection") else []
    if rows:
        st.session_state["complaint_id"] = frame["complaint_id"][rows[0]]
        st.query_params["complaint"] = frame["complaint_id"][rows[0]]
        st.switch_page("views/complaint.py")
