"""The audit log, for administrators: who signed in, exported, viewed personal data unmasked,
changed a plan or acknowledged a failure, and whether the log is intact."""

from datetime import date, datetime, time

import polars as pl
import streamlit as st

from tousu.dashboards.data import plans_path, query, viewer
from tousu.dashboards.exports import download_csv
from tousu.dashboards.i18n import t
from tousu.dashboards.tables import show
from tousu.flows.settings import current_settings
from tousu.warehouse import audit
from tousu.warehouse.users import READ_AUDIT, list_users

if not viewer().may(READ_AUDIT):  # the page is not offered without the right; a link is refused
    st.stop()

PATH = plans_path()
st.subheader(t("audit"))
# the nights' record of the log's end (none in a copy published before the table existed)
anchored = query(
    "SELECT count(*) AS n FROM duckdb_views() WHERE schema_name = 'ops' "
    "AND view_name = 'audit_anchors'"
)["n"][0]
anchors = query("SELECT seq, row_hash FROM ops.audit_anchors").rows() if anchored else []
broken = audit.verify(PATH, anchors)
if broken is None:
    st.success(t("audit_intact"))
else:
    st.error(t("audit_broken") + broken)

c1, c2, c3 = st.columns(3)
since = c1.date_input(t("audit_since"), value=date.today().replace(day=1), key="audit_since")
entries = audit.entries(PATH, since=datetime.combine(since, time.min).astimezone())
log = pl.DataFrame(
    [(e.seq, e.at_time, e.user_name, e.action, e.target, e.detail) for e in entries],
    schema={
        "seq": pl.Int64,
        "at_time": pl.Datetime(time_zone="UTC"),
        "user_name": pl.String,
        "action": pl.String,
        "target": pl.String,
        "detail": pl.String,
    },
    orient="row",
)


def every(v: str) -> str:
    return t("all") if v == "(all)" else v


people = c2.selectbox(
    t("audit_user"), ["(all)", *sorted(set(log["user_name"]))], key="audit_user", format_func=every
)
action = c3.selectbox(
    t("audit_action"), ["(all)", *audit.ACTIONS], key="audit_action", format_func=every
)
if people != "(all)":
    log = log.filter(pl.col("user_name") == people)
if action != "(all)":
    log = log.filter(pl.col("action") == action)
# times in the company's zone, as every page shows them
log = log.with_columns(pl.col("at_time").dt.convert_time_zone(current_settings().timezone))
show(log.rename({"target": "object"}))  # a plan has a target too
download_csv(log, "audit_log", {"since": str(since), "user": people, "action": action})

st.caption(t("users"))
show(
    pl.DataFrame(
        [
            (u.name, u.role, u.group, ", ".join(u.operator_ids), u.disabled_at)
            for u in list_users(PATH)
        ],
        schema=["name", "role", "group", "operator_ids", "disabled_at"],
        orient="row",
    )
)
