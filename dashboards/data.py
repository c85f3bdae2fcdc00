"""What the dashboard reads: the published copy of the warehouse, read-only, marts only.

The nightly run replaces the published copy by an atomic rename at the end of each successful
night. A connection keeps the copy it opened, so each query asks whether the file on disk is a
newer one (inode and mtime) and reconnects if so: the dashboard shows last night until the new
night is complete, then the new one, and never holds the writer's file.
Values are bound as parameters; identifiers come only from fixed lists in this package.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import polars as pl
import polars.selectors as cs
import streamlit as st

from tousu.flows.settings import current_settings, plans_path_beside


def published_path() -> Path:
    return current_settings().published_path


def plans_path() -> Path:
    """The improvement plans file the app edits (beside the published copy by default)."""
    return current_settings().plans or plans_path_beside(published_path())


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


_open: dict[str, tuple[tuple[int, int], duckdb.DuckDBPyConnection]] = {}
_open_lock = threading.Lock()


def _connection(path: str, stamp: tuple[int, int]) -> duckdb.DuckDBPyConnection:
    """The connection to the copy now on disk. DuckDB keeps one database instance per path in a
    process, so the connection to last night's copy is closed before opening the new one;
    otherwise `connect` would hand back last night's instance."""
    with _open_lock:
        current = _open.get(path)
        if current is not None and current[0] == stamp:
            return current[1]
        if current is not None:
            current[1].close()
        con = duckdb.connect(path, read_only=True)
        _open[path] = (stamp, con)
        return con


def connection() -> duckdb.DuckDBPyConnection:
    path = published_path()
    return _connection(str(path), _stamp(path))


@st.cache_data(max_entries=256, show_spinner=False)
def _query(path: str, stamp: tuple[int, int], sql: str, params: tuple) -> pl.DataFrame:
    cursor = _connection(path, stamp).cursor()  # one cursor per query: Streamlit runs threads
    try:
        frame = pl.from_arrow(cursor.sql(sql, params=list(params)).to_arrow_table())
    finally:
        cursor.close()
    # Times are shown in the company's time zone, not UTC.
    return frame.with_columns(
        cs.datetime(time_zone="*").dt.convert_time_zone(current_settings().timezone)
    )


def query(sql: str, *params) -> pl.DataFrame:
    """Rows of a query on the published copy, cached until the copy changes."""
    path = published_path()
    return _query(str(path), _stamp(path), sql, tuple(params))


def available() -> bool:
    return published_path().exists()
