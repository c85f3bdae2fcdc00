"""What the dashboard reads: the signed-in user's copy of the published warehouse.

Every page's SQL runs on the viewer's copy (warehouse/viewer_copy.py): the complaints their role
lets them see, aggregates over those only, personal data masked. Pages cannot reach the
published copy itself, so what a role may not see never reaches its browser.

The nightly run replaces the published copy by an atomic rename at the end of each successful
night. A copy is built from the file it attached, so each query asks whether the file on disk is
a newer one (inode and mtime) and builds the viewer's copy again if so: the dashboard shows last
night until the new night is complete, then the new one, and never holds the writer's file.
Values are bound as parameters; identifiers come only from fixed lists in this package.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import polars.selectors as cs
import streamlit as st

from tousu.flows.settings import current_settings, plans_path_beside
from tousu.warehouse import viewer_copy
from tousu.warehouse.users import User, operators_seen


def published_path() -> Path:
    return current_settings().published_path


def plans_path() -> Path:
    """The improvement plans file the app edits (beside the published copy by default)."""
    return current_settings().plans or plans_path_beside(published_path())


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


@dataclass(frozen=True)
class _Held:
    stamp: tuple[int, int]  # of the published file the copy was built from
    con: duckdb.DuckDBPyConnection
    mib: float  # the copy's own memory when built (DuckDB's duckdb_memory())


_open: dict[tuple[str, str], _Held] = {}  # by (published file, scope), used longest ago first
_open_lock = threading.Lock()  # held only to look in and change _open, never for a build
_building: dict[tuple[str, str], threading.Lock] = {}  # one per scope: its build
MAX_COPIES = 32  # viewers' copies kept at once (one per scope)


def copies_budget_mib() -> float:
    """The memory the copies may hold together (TOUSU_COPIES_MEMORY_MIB; a quarter of the
    machine's memory by default). A supervisor's copy of a 1,000,000-complaint history holds
    about 1.7 GB, so MAX_COPIES alone could take more than the machine has."""
    return current_settings().copies_memory_mib or (
        os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 4 / 2**20
    )


def _mib(con: duckdb.DuckDBPyConnection) -> float:
    return con.execute(
        "SELECT coalesce(sum(memory_usage_bytes), 0) / 2^20 FROM duckdb_memory()"
    ).fetchall()[0][0]


def _connection(path: str, stamp: tuple[int, int], scope_key: str) -> duckdb.DuckDBPyConnection:
    """The viewer's copy of the file now on disk, built on first use after each night.

    A scope's build holds only its own lock: the sessions of that scope wait for the one copy,
    and every other user's pages go on meanwhile (a supervisor's copy takes seconds at 200,000
    complaints and minutes at millions; held under one lock, it stopped every page of the app)."""
    key = (path, scope_key)
    _refresher.start_once()
    with _open_lock:
        current = _open.get(key)
        if current is not None and current.stamp == stamp:
            _open[key] = _open.pop(key)  # used now: the last to be let go
            return current.con
        building = _building.setdefault(key, threading.Lock())
    with building:
        with _open_lock:
            current = _open.get(key)
            if current is not None and current.stamp == stamp:
                return current.con  # built while this session waited for the lock
            # Last night's copy is let go before the new one is built, not closed: a page may
            # still be reading it (closing a copy ends its cursors' queries), and DuckDB frees
            # it when its last cursor is done, at once when none is.
            _open.pop(key, None)
            current = None
        con = viewer_copy.build(Path(path), _scopes[scope_key], current_settings().timezone)
        held = _Held(stamp, con, _mib(con))
        budget = copies_budget_mib()
        with _open_lock:
            _open[key] = held
            # the copies used longest ago let go (as above) while they hold more than the
            # budget or are too many; never the copy just built
            while len(_open) > 1 and (
                len(_open) > MAX_COPIES or sum(h.mib for h in _open.values()) > budget
            ):
                del _open[next(iter(_open))]
        return con


_scopes: dict[str, viewer_copy.Scope] = {}


class _Refresher:
    """Builds again, as soon as a night is published, the copies of the scopes the app holds:
    the returning users' first page of the morning finds its copy ready instead of building
    it. One copy at a time, each through _connection (last night's copy let go before its new
    one is built, as a page would do), in the order they were last used, so that order stays
    the one the memory budget lets copies go by."""

    SECONDS = 30  # how often the published file is looked at
    ENABLED = True  # tests that count builds turn the background ticks off (refresh still works)

    def __init__(self) -> None:
        self._started = False
        self._lock = threading.Lock()

    def start_once(self) -> None:
        with self._lock:
            if not self._started:
                self._started = True
                threading.Thread(target=self._run, name="copies-refresher", daemon=True).start()

    def _run(self) -> None:
        while True:
            time.sleep(self.SECONDS)
            if self.ENABLED:
                self.refresh()

    def refresh(self) -> None:
        with _open_lock:
            held = [(path, key, h.stamp) for (path, key), h in _open.items()]
        for path, key, stamp in held:
            with _open_lock:
                if (path, key) not in _open:  # let go meanwhile for the copies built before it
                    continue
            try:
                now = _stamp(Path(path))
            except OSError:  # no file there now: the next page says so
                continue
            if now == stamp:
                continue
            try:
                _connection(path, now, key)
            except Exception as exc:  # the page that asks for this copy says why
                logging.getLogger(__name__).warning(
                    "the copy of %s for %s was not built again ahead: %s", path, key, exc
                )


_refresher = _Refresher()


def viewer() -> User:
    """The signed-in user (app.py lets no page run before someone signs in)."""
    user = st.session_state.get("user")
    if user is None:
        raise PermissionError("nobody is signed in")
    return user


def scope() -> viewer_copy.Scope:
    """Whose complaints the signed-in user sees (set by sign_in.signed_in_user each run)."""
    found = st.session_state.get("scope") or viewer_copy.Scope(
        operators_seen(plans_path(), viewer())
    )
    _scopes.setdefault(found.key, found)
    return found


def _fetch(
    path: str, stamp: tuple[int, int], scope_key: str, sql: str, params: tuple
) -> pl.DataFrame:
    # one cursor per query: Streamlit runs threads. A cursor does not inherit the copy's time
    # zone: a page's date_trunc('month', ...) must count the company's month, as the marts do.
    cursor = _connection(path, stamp, scope_key).cursor()
    cursor.execute(f"SET timezone = '{current_settings().timezone}'")
    try:
        frame = pl.from_arrow(cursor.sql(sql, params=list(params)).to_arrow_table())
    finally:
        cursor.close()
    # Times are shown in the company's time zone, not UTC.
    return frame.with_columns(
        cs.datetime(time_zone="*").dt.convert_time_zone(current_settings().timezone)
    )


_query = st.cache_data(max_entries=256, show_spinner=False)(_fetch)


def _copy_now() -> tuple[str, tuple[int, int], str]:
    """The signed-in user's copy as of the file on disk: the published file, its stamp, the
    user's scope (what _connection and the cached queries are keyed by)."""
    path = published_path()
    return str(path), _stamp(path), scope().key


def query(sql: str, *params) -> pl.DataFrame:
    """Rows of a query on the signed-in user's copy, cached until the published copy changes."""
    return _query(*_copy_now(), sql, tuple(params))


# Rows a list of records shows: the first in the list's own order (its export holds them all,
# fetched when asked: dashboards/exports.download_csv). On a 9,036,100-complaint history a
# month's 74,602 complaints took 2.4 s to fetch, draw and write as CSV, the 156,110 records
# waiting to be linked about 0.5 s; the count of all of them is a cheap query of its own.
SHOWN_ROWS = 1_000


@dataclass(frozen=True)
class FirstRows:
    """The first rows of a list (`frame`), how many it has in all, and the query of all of them
    on the copy they came from (`on`: the published file, its stamp, the viewer's scope)."""

    frame: pl.DataFrame
    total: int
    sql: str
    params: tuple
    on: tuple[str, tuple[int, int], str]

    @property
    def cut(self) -> bool:
        return self.total > self.frame.height

    def every_row(self) -> pl.DataFrame:
        """All the list's rows, from the same night's copy, not cached (a download asked for
        once)."""
        return _fetch(*self.on, self.sql, self.params)


def first_rows(sql: str, *params) -> FirstRows:
    """The first SHOWN_ROWS rows of an ordered query, and how many rows it has in all."""
    on = _copy_now()
    total = _query(*on, f"SELECT count(*) AS n FROM ({sql})", tuple(params))["n"][0]
    frame = _query(*on, f"{sql} LIMIT {SHOWN_ROWS}", tuple(params))
    return FirstRows(frame, int(total), sql, tuple(params), on)


def has_table(name: str) -> bool:
    """Whether the viewer's copy has `schema.table` (a table or a view)."""
    from tousu.warehouse.db import tables_exist

    cursor = viewer_cursor()
    try:
        return tables_exist(cursor, name, views=True)
    finally:
        cursor.close()


def available() -> bool:
    return published_path().exists()


def viewer_cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on the signed-in user's copy, in the company's time zone (the monthly report
    the app offers reads it, so it follows the user's scope and masking); the caller closes it."""
    cursor = _connection(*_copy_now()).cursor()
    cursor.execute(f"SET timezone = '{current_settings().timezone}'")
    return cursor


def keywords(month, category: str) -> pl.DataFrame:
    """The top keywords of a month's descriptions per category, over the viewer's complaints
    (computed on first request for a restricted viewer: warehouse/viewer_copy.keywords)."""
    path = published_path()
    found = scope()
    con = _connection(str(path), _stamp(path), found.key)
    with _open_lock:  # a restricted copy writes the month's keywords once
        frame = pl.from_arrow(viewer_copy.keywords(con, found, month, category).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


# The personal data an unmasked view shows (core.complaints columns the copy masks).
UNMASKED_COLUMNS = tuple(viewer_copy.MASKED["core.complaints"])


def unmasked_complaint(complaint_id: str) -> dict | None:
    """One complaint's personal data unmasked, for a role with the right; the view is audited
    before anything is read. None when the viewer cannot see the complaint."""
    from datetime import datetime

    from tousu.warehouse import audit
    from tousu.warehouse.db import open_published
    from tousu.warehouse.users import UNMASK

    user = viewer()
    if not user.may(UNMASK):
        raise PermissionError(f"{user.role} may not see personal data unmasked")
    if query("SELECT 1 FROM core.complaints WHERE complaint_id = ?", complaint_id).height == 0:
        return None
    audit.record(
        plans_path(), user.name, "unmasked_view", datetime.now().astimezone(), complaint_id
    )
    con = open_published(published_path())
    try:
        rows = con.execute(
            f"SELECT {', '.join(UNMASKED_COLUMNS)} FROM core.complaints WHERE complaint_id = ?",
            [complaint_id],
        ).fetchall()
    finally:
        con.close()
    return dict(zip(UNMASKED_COLUMNS, rows[0], strict=True)) if rows else None


def find_complaints(key: str) -> list[str]:
    """The complaints the viewer may see whose id is the key or that carry it as a phone number,
    e-mail address, order, member, social or app user number. Identifiers are matched on the
    published copy (the viewer's copy holds them masked); only ids the viewer's copy holds come
    back, so a search reveals nothing outside the viewer's scope."""
    from tousu.warehouse.db import open_published
    from tousu.warehouse.lookup import complaints_carrying

    con = open_published(published_path())
    try:
        found = complaints_carrying(con, key)
    finally:
        con.close()
    if not found:
        return []
    visible = query(
        "SELECT complaint_id FROM core.complaints "
        "WHERE complaint_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY complaint_id",
        found,
    )
    return visible["complaint_id"].to_list()
