"""tousu's step-7 review app: `tousu dashboard` starts it (Streamlit, multipage)."""

import streamlit as st

from dashboards.data import available, published_path
from dashboards.i18n import t

st.set_page_config(page_title="tousu 投诉", layout="wide")
st.sidebar.segmented_control("语言 / Language", ["中文", "English"], default="中文", key="lang")
st.sidebar.title(t("app_title"))

if not available():
    st.warning(f"{t('no_data')} ({published_path()})")
    st.stop()

pages = [
    st.Page("views/overview.py", title=t("overview"), default=True),
    st.Page("views/sla.py", title=t("sla")),
    st.Page("views/repeats.py", title=t("repeats")),
    st.Page("views/departments.py", title=t("departments")),
    st.Page("views/complaint.py", title=t("complaint")),
    st.Page("views/data_quality.py", title=t("data_quality")),
]
st.navigation(pages).run()
