"""tousu's step-7 review app: `tousu dashboard` starts it (Streamlit, multipage)."""

import streamlit as st

from tousu.dashboards.data import available, published_path, query
from tousu.dashboards.i18n import role_label, t
from tousu.dashboards.sign_in import sign_out, signed_in_user
from tousu.warehouse.users import READ_AUDIT

st.set_page_config(page_title="tousu 投诉", layout="wide")
# the language, like the filters, lives in the URL too (?lang=en): a link reproduces the view
language = st.sidebar.segmented_control(
    "语言 / Language",
    ["中文", "English"],
    default="English" if st.query_params.get("lang") == "en" else "中文",
    key="lang",
)
st.query_params["lang"] = "en" if language == "English" else "zh"
st.sidebar.title(t("app_title"))

# The pages are declared before signing in (hidden until then), so a link to one of them
# survives the sign-in form; none of them runs before someone has signed in.
pages = [
    st.Page("views/overview.py", title=t("overview"), default=True),
    st.Page("views/sla.py", title=t("sla"), url_path="sla"),
    st.Page("views/repeats.py", title=t("repeats"), url_path="repeats"),
    st.Page("views/problem_types.py", title=t("problem_types"), url_path="problem_types"),
    st.Page("views/departments.py", title=t("departments"), url_path="departments"),
    st.Page("views/complaint.py", title=t("complaint"), url_path="complaint"),
    st.Page("views/plans.py", title=t("plans"), url_path="plans"),
    st.Page("views/data_quality.py", title=t("data_quality"), url_path="data_quality"),
]
signed = st.session_state.get("user")
if signed is None or signed.may(READ_AUDIT):  # the audit page itself refuses other roles
    pages.append(st.Page("views/audit.py", title=t("audit"), url_path="audit"))
navigation = st.navigation(pages, position="sidebar" if signed else "hidden")

user = signed_in_user()  # the sign-in form until someone signs in; nothing below runs before
st.sidebar.caption(f"{user.name} · {role_label(user.role)}")
st.sidebar.button(t("sign_out"), on_click=sign_out, key="sign_out")

if not available():
    st.warning(f"{t('no_data')} ({published_path()})")
    st.stop()

last_night = query("SELECT max(run_date) AS night FROM ops.published_nights")
night = last_night["night"][0] if last_night.height else None
st.sidebar.caption(f"{t('as_of')}: {night:%Y-%m-%d}" if night else f"{t('as_of')}: —")
if user.sees != "all":
    st.sidebar.info(t(f"scope_{user.sees}"))
    if not st.session_state["scope"].operators:
        st.info(t("no_operators"))  # nothing to show, not an error
        st.stop()
navigation.run()
