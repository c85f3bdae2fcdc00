"""The audit log: who did what to personal data and shared records, and when.

Rows are only ever appended (access.audit_log in the review app's file, see
warehouse/plans/06_audit_log.sql). Each row's hash covers the row before it, so `verify` finds an
edited or deleted row: the log is tamper-evident, not merely append-only by convention.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from tousu.warehouse.app_store import connect_file
from tousu.warehouse.db import transaction

log = logging.getLogger(__name__)

# What is audited; a page or command records one of these, never free text.
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_in_refused",  # rate-limited, or a disabled user
    "sign_out",
    "session_expired",
    "export",
    "export_refused",
    "unmasked_view",
    "plan_created",
    "plan_changed",
    "plan_checkpoint",
    "acknowledged",
    "user_added",
    "user_changed",
    "erased",
)
GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    seq: int
    at_time: datetime
    user_name: str
    action: str
    target: str | None
    detail: str | None
    prev_hash: str
    row_hash: str


def _hash(
    seq: int,
    at: datetime,
    user: str,
    action: str,
    target: str | None,
    detail: str | None,
    prev: str,
) -> str:
    # microseconds since the epoch: the same instant hashes the same in any time zone
    stamp = int(at.timestamp() * 1_000_000)
    text = json.dumps([seq, stamp, user, action, target, detail, prev], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def append(
    con: duckdb.DuckDBPyConnection,
    user: str,
    action: str,
    now: datetime,
    target: str | None = None,
    detail: dict | None = None,
) -> int:
    """Append one row on an open connection, inside the caller's transaction (a plan change and
    its audit row commit together). Returns the row's number."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    text = None if detail is None else json.dumps(detail, ensure_ascii=False, default=str)
    last = con.execute(
        "SELECT seq, row_hash FROM access.audit_log ORDER BY seq DESC LIMIT 1"
    ).fetchall()
    seq, prev = (last[0][0] + 1, last[0][1]) if last else (1, GENESIS)
    row_hash = _hash(seq, now, user, action, target, text, prev)
    con.execute(
        "INSERT INTO access.audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [seq, now, user, action, target, text, prev, row_hash],
    )
    return seq


def record(
    path: Path,
    user: str,
    action: str,
    now: datetime,
    target: str | None = None,
    detail: dict | None = None,
) -> int:
    """Append one row to the audit log of the app's file (its own short transaction). Two
    sessions writing at once conflict on the row number: the later one tries again."""
    for attempt in range(20):
        con = connect_file(path)
        try:
            with transaction(con):
                seq = append(con, user, action, now, target, detail)
            log.info("audit %s %s %s %s", seq, user, action, target or "")
            return seq
        except (duckdb.ConstraintException, duckdb.TransactionException):
            if attempt == 19:
                raise
            time.sleep(0.05)
        finally:
            con.close()
    raise AssertionError("unreachable")


def entries(path: Path, since: datetime | None = None, limit: int = 100_000) -> list[Entry]:
    """The newest rows first (all, or since an instant)."""
    con = connect_file(path)
    try:
        rows = con.execute(
            "SELECT * FROM access.audit_log WHERE at_time >= coalesce(?, '-infinity'::TIMESTAMPTZ) "
            "ORDER BY seq DESC LIMIT ?",
            [since, limit],
        ).fetchall()
    finally:
        con.close()
    return [Entry(*r) for r in rows]


def verify(path: Path, anchors: Sequence[tuple[int, str]] = ()) -> str | None:
    """None when every row is as written, else what is wrong and from which row on. `anchors`:
    (seq, row_hash) of the log's last row as nights found it (ops.audit_anchors): each must still
    be there, unchanged, or rows were cut from the end or the chain was written again."""
    con = connect_file(path)
    try:
        rows = con.execute("SELECT * FROM access.audit_log ORDER BY seq").fetchall()
    finally:
        con.close()
    prev = GENESIS
    for expected_seq, row in enumerate(rows, start=1):
        e = Entry(*row)
        if e.seq != expected_seq:
            return f"row {expected_seq} is missing (the next row is {e.seq})"
        if e.prev_hash != prev or e.row_hash != _hash(
            e.seq, e.at_time, e.user_name, e.action, e.target, e.detail, prev
        ):
            return f"row {e.seq} was changed after it was written"
        prev = e.row_hash
    hashes = {Entry(*row).seq: Entry(*row).row_hash for row in rows}
    for seq, row_hash in sorted(anchors):
        if hashes.get(seq) != row_hash:
            return (
                f"row {seq}, as a night recorded it, is gone or different: "
                "rows were removed from the end or the log was written again"
            )
    return None
