"""Signing in to the review app with the accounts of `tousu users`, and signing out.

A hand-written form rather than a sign-in library: the maintained Streamlit ones
(streamlit-authenticator) keep credentials in a YAML file and remember sessions in a cookie
signed with a key of their own, while tousu's users, their rate limit and the audit log live in
the app's own file (warehouse/users.py) and must work offline. Streamlit keeps the signed-in user
in the session (the browser tab's connection): a reload or a new tab signs in again, and a
session idle for users.SESSION_TIMEOUT is signed out.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from tousu.dashboards.data import plans_path
from tousu.dashboards.i18n import t
from tousu.warehouse import audit
from tousu.warehouse.users import (
    SESSION_TIMEOUT,
    SignInRefused,
    User,
    get_user,
    has_administrator,
    operators_seen,
    sign_in,
)
from tousu.warehouse.viewer_copy import Scope


def _now() -> datetime:
    return datetime.now().astimezone()


def _forget() -> None:
    for key in ("user", "last_activity", "scope"):
        st.session_state.pop(key, None)


def sign_out() -> None:
    user = st.session_state.get("user")
    if user is not None:
        audit.record(plans_path(), user.name, "sign_out", _now())
    _forget()


def signed_in_user() -> User:
    """The signed-in user; otherwise the sign-in form, and the script stops there. A fresh
    install without an administrator serves nothing and says how to create one."""
    path = plans_path()
    if not has_administrator(path):
        st.error(t("no_administrator"))
        st.code("tousu users add admin --role administrator --password-stdin", language="bash")
        st.stop()
    now = _now()
    user = st.session_state.get("user")
    if user is not None:
        if now - st.session_state["last_activity"] > SESSION_TIMEOUT:
            audit.record(path, user.name, "session_expired", now)
            _forget()
            st.info(t("session_expired"))
        else:
            # read again on every page: a role changed or a user disabled counts at once
            current = get_user(path, user.name)
            if current is None or current.disabled_at is not None:
                _forget()
                st.warning(t("sign_in_disabled"))
            else:
                st.session_state["user"] = current
                st.session_state["last_activity"] = now
                # whose complaints this run's pages see, read once per run (dashboards/data.py)
                st.session_state["scope"] = Scope(operators_seen(path, current))
                return current
    _form(path)
    st.stop()
    raise AssertionError("unreachable")


def _form(path) -> None:
    st.title(t("app_title"))
    with st.form("sign_in"):
        name = st.text_input(t("user_name"), key="sign_in_name")
        password = st.text_input(t("password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("sign_in"), type="primary")
    if not submitted:
        return
    try:
        user = sign_in(path, name, password, _now())
    except SignInRefused as exc:
        st.error(t(f"sign_in_{exc.reason}"))
        return
    st.session_state["user"] = user
    st.session_state["last_activity"] = _now()
    st.rerun()
