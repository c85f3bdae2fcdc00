"""Marts on hand-made core rows: given a few complaints, expect the rows counted by hand.

Each test runs the mart's own SQL file on a bare DuckDB with just the tables it reads (and the
staging macros and variables every mart relies on), as tests/unit/test_sla.py does for clocks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb

from warehouse.db import SQL_DIR

SH = ZoneInfo("Asia/Shanghai")


def bare(as_of: datetime) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for schema in ("stg", "core", "mart", "ops"):
        con.execute(f"CREATE SCHEMA {schema}")
    con.execute((SQL_DIR / "staging" / "00_macros.sql").read_text(encoding="utf-8"))
    con.execute("SET VARIABLE tousu_tz = 'Asia/Shanghai'")
    con.execute("SET VARIABLE as_of = ?::TIMESTAMPTZ", [as_of])
    return con


def run(con, name: str) -> None:
    con.execute((SQL_DIR / "marts" / name).read_text(encoding="utf-8"))


def complaints(con, rows: list[tuple]) -> None:
    """rows: (complaint_id, received_at, channel, category, department, priority, product)."""
    con.execute(
        "CREATE TABLE core.complaints (complaint_id VARCHAR, received_at TIMESTAMPTZ, "
        "channel VARCHAR, category VARCHAR, department VARCHAR, priority VARCHAR, "
        "product VARCHAR)"
    )
    con.executemany("INSERT INTO core.complaints VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def test_complaints_daily_counts_by_local_day_and_stops_at_the_night():
    con = bare(datetime(2025, 11, 3, tzinfo=SH))
    complaints(
        con,
        [
            # 17:30 UTC on Oct 31 is 01:30 on Nov 1 in Shanghai: counted on Nov 1
            (
                "202511-00001",
                datetime(2025, 10, 31, 17, 30, tzinfo=ZoneInfo("UTC")),
                "phone",
                "物流配送类",
                "物流部",
                "中",
                None,
            ),
            (
                "202511-00002",
                datetime(2025, 11, 1, 9, tzinfo=SH),
                "phone",
                "物流配送类",
                "物流部",
                "中",
                None,
            ),
            (
                "202511-00003",
                datetime(2025, 11, 2, 9, tzinfo=SH),
                "email",
                "物流配送类",
                "物流部",
                "中",
                "X1",
            ),
            # after the night's end: not yet counted
            (
                "202511-00004",
                datetime(2025, 11, 3, 0, 1, tzinfo=SH),
                "phone",
                "物流配送类",
                "物流部",
                "中",
                None,
            ),
        ],
    )
    con.execute(
        "CREATE TABLE core.satisfaction (complaint_id VARCHAR, answered BOOLEAN, satisfied BOOLEAN)"
    )
    con.executemany(
        "INSERT INTO core.satisfaction VALUES (?, ?, ?)",
        [
            ("202511-00001", True, True),
            ("202511-00002", True, False),
            ("202511-00002", False, False),
        ],
    )
    run(con, "70_complaints_daily.sql")
    assert con.execute(
        "SELECT day, channel, product, complaints, followups_answered, satisfied "
        "FROM mart.complaints_daily ORDER BY ALL"
    ).fetchall() == [
        (date(2025, 11, 1), "phone", None, 2, 2, 1),
        (date(2025, 11, 2), "email", "X1", 1, 0, 0),
    ]


def test_category_weekly_warns_when_a_week_exceeds_its_baseline():
    # eight complete weeks of 4 complaints, then a complete week of 11: baseline 4, threshold
    # 4 + max(3, 3 * sqrt(4)) = 10, so 11 warns; the week before it (4) does not
    first = date(2025, 9, 1)  # a Monday
    rows, n = [], 0
    for week in range(9):
        for i in range(11 if week == 8 else 4):
            n += 1
            day = first + timedelta(days=7 * week + i % 5)
            rows.append(
                (
                    f"202509-{n:05d}",
                    datetime.combine(day, datetime.min.time(), SH) + timedelta(hours=10),
                    "phone",
                    "物流配送类",
                    "物流部",
                    "中",
                    None,
                )
            )
    con = bare(datetime.combine(first + timedelta(days=63), datetime.min.time(), SH))
    complaints(con, rows)
    run(con, "60_category_weekly.sql")
    got = con.execute(
        "SELECT week_start, complaints, complete, baseline, threshold, alert "
        "FROM mart.category_weekly ORDER BY week_start"
    ).fetchall()
    assert len(got) == 9 and all(complete for _, _, complete, *_ in got)
    assert got[7][1:] == (4, True, 4.0, 10.0, False)
    assert got[8][1:] == (11, True, 4.0, 10.0, True)
    assert got[0][3] is None and got[0][5] is False  # no history: no baseline, no warning
