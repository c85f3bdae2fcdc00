"""tousu's step-7 review app: `tousu dashboard` starts it (Streamlit, multipage)."""

import streamlit as st

from tousu.dashboards.data import available, published_path, query
from tousu.dashboards.i18n import role_label, t
from tousu.dashboards.pages import PAGES
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
signed = st.session_state.get("user")
pages = [
    st.Page(script, title=t(title), default=not address, url_path=address or None)
    for script, title, address in PAGES
    # the audit page itself refuses other roles
    if script != "views/audit.py" or signed is None or signed.may(READ_AUDIT)
]
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
# the page shown, so a complaint opened from one of its lists can link back to it
st.session_state["current_page"] = next(
    ((script, t(title)) for script, title, address in PAGES if address == navigation.url_path),
    None,
)
navigation.run()
