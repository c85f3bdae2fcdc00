"""Small writers of channel exports for given/expect tests."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta
from pathlib import Path

from tousu.flows.intake import ticket_system

PHONE_HEADER = "通话编号,来电时间,接通时间,来电号码,客户姓名,会员号,问题描述,客户诉求,坐席工号"


def write_phone(inbox: Path, name: str, rows: list[str]) -> Path:
    """A call-centre export (GBK, CRLF) with the given data lines."""
    path = inbox / "phone" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join([PHONE_HEADER, *rows]) + "\r\n").encode("gbk"))
    return path


def write_events(inbox: Path, name: str, rows: list[str]) -> Path:
    return _write_ticket_csv(inbox, name, ticket_system.EVENT_COLUMNS, rows)


def write_followups(inbox: Path, name: str, rows: list[str]) -> Path:
    return _write_ticket_csv(inbox, name, ticket_system.FOLLOWUP_COLUMNS, rows)


def _write_ticket_csv(inbox: Path, name: str, columns, rows: list[str]) -> Path:
    path = inbox / "ticket_system" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([",".join(columns), *rows]) + "\n", encoding="utf-8")
    return path


WEBFORM_HEADER = (
    "submission_id,submitted_at,name,phone,email,member_no,order_no,message,expectation"
)


def write_webform(inbox: Path, name: str, rows: list[str]) -> Path:
    """A web form export (UTF-8 with BOM, submitted_at in UTC)."""
    path = inbox / "webform" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\ufeff" + "\n".join([WEBFORM_HEADER, *rows]) + "\n").encode())
    return path


def event(
    id: str,
    ticket: str,
    name: str,
    at: str,
    dept: str = "",
    cat: str = "",
    urg: str = "",
    prio: str = "",
    channel: str = "",
    ref: str = "",
) -> str:
    """One ticket-system event line."""
    return f"{id},{ticket},{name},{at},A1,{dept},{cat},{urg},{prio},{channel},{ref},"


def sign_in_as(at, store: Path, name: str = "manager", idle: timedelta = timedelta(0)):
    """An AppTest of the review app signed in as a demo user (added to the app's file `store`
    if missing), as the sign-in form would leave it, its last click `idle` ago."""
    from tousu.flows.demo.users import write_demo_users
    from tousu.warehouse.users import get_user

    write_demo_users(store, datetime.now().astimezone())
    at.session_state["user"] = get_user(store, name)
    at.session_state["last_activity"] = datetime.now().astimezone() - idle
    return at


def free_port() -> int:
    """A TCP port free on loopback now, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
