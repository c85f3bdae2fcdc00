"""Complaint detail: one complaint's record, timeline, follow-ups and SLA clocks."""

import streamlit as st

from tousu.dashboards.data import query, unmasked_complaint, viewer
from tousu.dashboards.i18n import channel_label, clock_labels, t
from tousu.warehouse.users import UNMASK

chosen = st.query_params.get("complaint") or st.session_state.get("complaint_id", "")
complaint_id = st.text_input(t("complaint_id"), value=chosen, key="complaint_input").strip()
st.query_params["complaint"] = complaint_id

if complaint_id:
    # personal data arrives masked (the viewer's copy); unmasked only on request, audited
    record = query("SELECT * FROM core.complaints WHERE complaint_id = ?", complaint_id)
    if record.height == 0:
        st.info(t("not_found"))
    else:
        row = record.row(0, named=True)
        st.subheader(
            f"{row['complaint_id']} · {channel_label(row['channel'])} · "
            f"{row['category']} · {row['status']}"
        )
        # The customer's own words: plain text, never Markdown (no links, no remote images).
        st.text(row["description"] or "")
        st.dataframe(
            record.transpose(include_header=True, column_names=["value"]),
            hide_index=True,
            width="stretch",
        )
        if viewer().may(UNMASK) and st.button(t("show_unmasked"), key="unmask"):
            st.warning(t("unmasked_note"))
            st.json(unmasked_complaint(complaint_id) or {})
        st.caption(t("timeline"))
        st.dataframe(
            query(
                "SELECT occurred_at, event, event_source, operator, department "
                "FROM core.complaint_events WHERE complaint_id = ? "
                "ORDER BY occurred_at",
                complaint_id,
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(t("followups"))
        st.dataframe(
            query(
                "SELECT followed_up_at, method, result, comment FROM core.satisfaction "
                "WHERE complaint_id = ? ORDER BY followed_up_at",
                complaint_id,
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(t("clocks"))
        clocks = query(
            "SELECT clock, instance, target_label, start_at, deadline_at, stop_at, "
            "paused_seconds, status, policy_version FROM mart.sla_clocks "
            "WHERE complaint_id = ? ORDER BY start_at",
            complaint_id,
        )
        st.dataframe(
            clocks.with_columns(clocks["clock"].replace(clock_labels())),
            hide_index=True,
            width="stretch",
        )
