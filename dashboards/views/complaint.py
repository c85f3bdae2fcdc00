"""Complaint detail: found by id, phone, e-mail, order or member number; its record, timeline,
follow-ups and SLA clocks, the customer's other complaints and its repeat chain, each a link."""

import polars as pl
import streamlit as st

from tousu.dashboards.data import find_complaints, query, unmasked_complaint, viewer
from tousu.dashboards.i18n import category_label, channel_label, code_label, column_label, t
from tousu.dashboards.links import complaint_table
from tousu.dashboards.tables import readable, show
from tousu.warehouse.users import UNMASK

# Back to the list the complaint was opened from: its filters are kept, so it is the same list.
came_from = st.session_state.get("came_from")
if came_from:
    st.page_link(came_from[0], label=f"{t('back_to')} {came_from[1]}", icon=":material/arrow_back:")

# a complaint picked in a list (here or on another page) fills the search box
if picked := st.session_state.pop("complaint_pick", None):
    st.session_state["complaint_input"] = picked
elif "complaint_input" not in st.session_state:
    st.session_state["complaint_input"] = st.query_params.get("complaint", "")
key = st.text_input(
    t("complaint_search"), key="complaint_input", help=t("complaint_search_help")
).strip()
st.query_params["complaint"] = key

found = find_complaints(key) if key else []
if key and not found:
    st.info(t("not_found"))
if len(found) > 1:
    st.caption(t("found_several").format(n=len(found)))
    complaint_table(
        query(
            "SELECT complaint_id, received_at, channel, category, status FROM core.complaints "
            "WHERE complaint_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY received_at",
            found,
        ),
        key="search_results",
    )
if len(found) == 1:
    complaint_id = found[0]
    record = query("SELECT * FROM core.complaints WHERE complaint_id = ?", complaint_id)
    row = record.row(0, named=True)
    st.subheader(
        f"{row['complaint_id']} · {channel_label(row['channel'])} · "
        f"{category_label(row['category'])} · {code_label(row['status'])}"
    )
    # The customer's own words: plain text, never Markdown (no links, no remote images).
    st.text(row["description"] or "")
    shown, _ = readable(record)
    fields = pl.DataFrame(
        {
            "field": [column_label(c) for c in record.columns],
            "value": ["" if v is None else str(v) for v in shown.row(0)],
        }
    )
    show(fields)
    if viewer().may(UNMASK) and st.button(t("show_unmasked"), key="unmask"):
        st.warning(t("unmasked_note"))
        st.json(unmasked_complaint(complaint_id) or {})

    others = query(
        """
        SELECT c.complaint_id, c.received_at, c.channel, c.category, c.status
        FROM core.customer_links l1
        JOIN core.customer_links l2 USING (customer_id)
        JOIN core.complaints c ON c.complaint_id = l2.complaint_id
        WHERE l1.complaint_id = ? AND l2.complaint_id <> ?
        ORDER BY c.received_at""",
        complaint_id,
        complaint_id,
    )
    st.caption(f"{t('customer_others')} ({others.height:,})")
    if others.height:
        complaint_table(others, key="customer_others")

    chain = query(
        """
        SELECT position, complaint_id, received_at, channel, category, days_since_previous
        FROM mart.repeat_chains
        WHERE chain_id IN (SELECT chain_id FROM mart.repeat_chains WHERE complaint_id = ?)
        ORDER BY position""",
        complaint_id,
    )
    if chain.height:
        st.caption(f"{t('repeat_chain')} ({chain.height:,})")
        complaint_table(chain, key="repeat_chain")

    st.caption(t("timeline"))
    show(
        query(
            "SELECT occurred_at, event, event_source, operator, department "
            "FROM core.complaint_events WHERE complaint_id = ? ORDER BY occurred_at",
            complaint_id,
        )
    )
    st.caption(t("followups"))
    show(
        query(
            "SELECT followed_up_at, method, result, comment FROM core.satisfaction "
            "WHERE complaint_id = ? ORDER BY followed_up_at",
            complaint_id,
        )
    )
    st.caption(t("clocks"))
    show(
        query(
            "SELECT clock, instance, target_label, start_at, deadline_at, stop_at, "
            "paused_seconds, status, policy_version FROM mart.sla_clocks "
            "WHERE complaint_id = ? ORDER BY start_at",
            complaint_id,
        )
    )
