"""Marts on hand-made core rows: given a few complaints, expect the rows counted by hand.

Each test runs the mart's own SQL file on a bare DuckDB with just the tables it reads (and the
staging macros and variables every mart relies on), as tests/unit/test_sla.py does for clocks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb

from tousu.warehouse.db import SQL_DIR

SH = ZoneInfo("Asia/Shanghai")


def bare(as_of: datetime) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for schema in ("stg", "core", "mart", "ops", "intermediate"):
        con.execute(f"CREATE SCHEMA {schema}")
    con.execute((SQL_DIR / "staging" / "00_macros.sql").read_text(encoding="utf-8"))
    con.execute("SET VARIABLE tousu_tz = 'Asia/Shanghai'")
    con.execute("SET VARIABLE as_of = ?::TIMESTAMPTZ", [as_of])
    con.execute("SET VARIABLE marts_last_as_of = NULL")
    return con


def run(con, name: str) -> None:
    """Run a mart's file as a first night's marts build does: every complaint changed."""
    con.execute(
        "CREATE OR REPLACE TABLE intermediate.marts_pending AS SELECT complaint_id "
        "FROM core.complaints"
    )
    for model in (
        "01_marts_changed.sql",
        "02_complaint_received_days.sql",
        "03_marts_changed_days.sql",
        name,
    ):
        con.execute((SQL_DIR / "marts" / model).read_text(encoding="utf-8"))


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
    con.execute(
        "CREATE TABLE core.satisfaction (complaint_id VARCHAR, answered BOOLEAN, satisfied BOOLEAN)"
    )
    run(con, "70_complaints_daily.sql")  # what the weeks are counted from
    con.execute((SQL_DIR / "marts" / "71_category_weekly.sql").read_text(encoding="utf-8"))
    got = con.execute(
        "SELECT week_start, complaints, complete, baseline, threshold, alert "
        "FROM mart.category_weekly ORDER BY week_start"
    ).fetchall()
    assert len(got) == 9 and all(complete for _, _, complete, *_ in got)
    assert got[7][1:] == (4, True, 4.0, 10.0, False)
    assert got[8][1:] == (11, True, 4.0, 10.0, True)
    assert got[0][3] is None and got[0][5] is False  # no history: no baseline, no warning


def test_the_open_backlog_holds_the_ticket_systems_open_complaints_and_current_declared_ones():
    # the ticket system's complaints have no mart.complaint_as_of row (known as of the night);
    # a declared archive's open item is known as of its export, a live source's as of the night
    as_of = datetime(2025, 11, 11, tzinfo=SH)
    con = bare(as_of)
    con.execute(
        "CREATE TABLE core.complaints (complaint_id VARCHAR, register VARCHAR, status VARCHAR, "
        "received_at TIMESTAMPTZ, export_as_of TIMESTAMPTZ, department VARCHAR, "
        "channel VARCHAR, category VARCHAR, priority VARCHAR)"
    )
    day = datetime(2025, 11, 9, 10, tzinfo=SH)  # 1.58 days before the night's end
    con.executemany(
        "INSERT INTO core.complaints VALUES (?, ?, ?, ?, ?, '客服部', 'phone', '物流配送类', '中')",
        [
            ("202511-00001", "ticket_system", "open", day, None),
            ("202511-00002", "ticket_system", "closed", day, None),
            ("A-1", "archive", "open", day, datetime(2022, 4, 26, tzinfo=SH)),
            ("L-1", "live", "open", day, None),
        ],
    )
    con.execute("CREATE TABLE mart.declared_sources AS FROM (VALUES ('archive', 7), ('live', 7)) "
                "t(source, stopped_after_days)")  # fmt: skip
    con.execute("CREATE TABLE ops.runs AS SELECT 'r1' AS run_id, DATE '2025-11-10' AS run_date")
    con.execute(
        "CREATE TABLE ops.file_loads AS FROM (VALUES ('r1', 'archive', 'loaded'), "
        "('r1', 'live', 'loaded')) t(run_id, source, status)"
    )
    for model in ("05_complaint_as_of.sql", "51_open_backlog.sql"):
        con.execute((SQL_DIR / "marts" / model).read_text(encoding="utf-8"))
    assert con.execute(
        "SELECT complaint_id, known_as_of, current FROM mart.complaint_as_of ORDER BY ALL"
    ).fetchall() == [("A-1", datetime(2022, 4, 26, tzinfo=SH), False), ("L-1", as_of, True)]
    assert con.execute("SELECT age_band, open_complaints FROM mart.open_backlog").fetchall() == [
        ("1-3d", 2)
    ]


def test_the_data_quality_marts_aggregate_the_ops_tables(warehouse):
    from tousu.warehouse import db

    _, con = warehouse
    con.execute(
        "INSERT INTO ops.runs (run_id, run_date, inbox, started_at, finished_at, status) VALUES "
        "('r1', DATE '2025-11-01', 'i', TIMESTAMPTZ '2025-11-02 02:00+08', "
        "TIMESTAMPTZ '2025-11-02 03:00+08', 'succeeded'), "
        "('r2', DATE '2025-11-02', 'i', TIMESTAMPTZ '2025-11-03 02:00+08', "
        "TIMESTAMPTZ '2025-11-03 04:00+08', 'succeeded_with_failures')"
    )
    loads = [  # run, source, path, read, loaded, quarantined, status, loaded at
        ("r1", "phone", "a.csv", 10, 9, 1, "loaded", "2025-11-02 02:30+08"),
        ("r2", "phone", "b.csv", 5, 5, 0, "loaded", "2025-11-03 02:30+08"),
        ("r2", "phone", "c.csv", 0, 0, 0, "failed", "2025-11-03 02:31+08"),
        ("r2", "chat", "d.jsonl", 4, 4, 0, "loaded", "2025-11-03 01:00+08"),
    ]
    con.executemany(
        "INSERT INTO ops.file_loads (run_id, load_id, source, path, sha256, size_bytes, rows_read, "
        "rows_loaded, rows_quarantined, status, loaded_at) "
        "VALUES (?, 'l', ?, ?, 'x', 1, ?, ?, ?, ?, ?::TIMESTAMPTZ)",
        loads,
    )
    con.executemany(
        "INSERT INTO ops.dq_results (run_id, load_id, source, check_name, rows_checked, "
        "rows_failed, success, checked_at, suite, observed_value) "
        "VALUES (?, 'l', ?, ?, 10, ?, ?, now(), 's', ?)",
        [
            ("r1", "phone", "a", 0, True, None),
            ("r2", "phone", "a", 2, False, "2 of 10 rows failed"),
            ("r2", "phone", "b", 0, True, None),
        ],
    )
    db.build_quality_marts(con)
    assert con.execute(
        "SELECT source, files_loaded, files_failed, rows_read, rows_quarantined, "
        "hours_since_last_good_file FROM mart.dq_sources ORDER BY source"
    ).fetchall() == [("chat", 1, 0, 4, 0, 3.0), ("phone", 2, 1, 15, 1, 1.5)]
    assert con.execute(
        "SELECT run_date, source, rows_loaded FROM mart.dq_volume_nightly ORDER BY ALL"
    ).fetchall() == [
        (date(2025, 11, 1), "phone", 9),
        (date(2025, 11, 2), "chat", 4),
        (date(2025, 11, 2), "phone", 5),
    ]
    assert con.execute(
        "SELECT run_date, checks_passed FROM mart.dq_pass_rate_nightly ORDER BY ALL"
    ).fetchall() == [(date(2025, 11, 1), 1.0), (date(2025, 11, 2), 0.5)]
    assert con.execute(
        "SELECT run_id, source, check_name, rows_failed, observed_value FROM mart.dq_failing_checks"
    ).fetchall() == [("r2", "phone", "a", 2, "2 of 10 rows failed")]


def test_a_month_is_provisional_while_a_file_of_it_waits_and_not_after(warehouse):
    from tousu.warehouse import db

    _, con = warehouse
    db.build_core(con)  # empty core tables, and the vocabulary's reference tables
    con.execute(
        "INSERT INTO ops.runs (run_id, run_date, inbox, started_at, status) VALUES "
        "('r1', DATE '2025-11-30', 'i', TIMESTAMPTZ '2025-12-01 02:00+08', 'succeeded'), "
        "('r2', DATE '2025-12-01', 'i', TIMESTAMPTZ '2025-12-02 02:00+08', 'succeeded')"
    )

    def file_load(run, source, path, status, at, error=None):
        con.execute(
            "INSERT INTO ops.file_loads (run_id, load_id, source, path, sha256, size_bytes, "
            "rows_read, rows_loaded, rows_quarantined, status, error, loaded_at) "
            "VALUES (?, 'l', ?, ?, 'x', 1, 0, 0, 0, ?, ?, ?::TIMESTAMPTZ)",
            [run, source, path, status, error, at],
        )

    def provisional():
        for model in ("79_provisional_problems.sql", "80_provisional_months.sql"):
            con.execute((SQL_DIR / "marts" / model).read_text(encoding="utf-8"))
        return con.execute(
            "SELECT channel, month, sources, problems FROM mart.provisional_months ORDER BY ALL"
        ).fetchall()

    # a phone file failed on the night of Nov 30: November lacks it, for phone only; a ticket
    # system file failed too: that touches every channel
    file_load("r1", "phone", "phone/a.csv", "failed", "2025-12-01 02:10+08", "layout changed")
    file_load(
        "r1",
        "ticket_events",
        "ticket_system/e.csv",
        "held",
        "2025-12-01 02:11+08",
        "not loaded: ticket_events is stopped tonight because of e2.csv",
    )
    assert provisional() == [
        ("(all)", date(2025, 11, 1), ["ticket_events"], 1),
        ("phone", date(2025, 11, 1), ["phone"], 1),
    ]
    # the next night both load: nothing is provisional any more
    file_load("r2", "phone", "phone/a.csv", "loaded", "2025-12-02 02:10+08")
    file_load("r2", "ticket_events", "ticket_system/e.csv", "loaded", "2025-12-02 02:11+08")
    assert provisional() == []


def test_a_provisional_months_rows_are_those_of_its_local_month(warehouse):
    """A problem's denominators count the rows of its month in local time: of its channel
    (unit_rows) and of every channel (all_rows); a row a minute outside the month is not counted
    (the counts are taken over the problems' months only, not the whole history)."""
    from tousu.warehouse import db

    _, con = warehouse
    db.build_core(con)
    con.execute(
        "INSERT INTO ops.runs (run_id, run_date, inbox, started_at, status) VALUES "
        "('r1', DATE '2025-12-01', 'i', TIMESTAMPTZ '2025-12-02 02:00+08', 'succeeded')"
    )
    con.execute(
        "INSERT INTO ops.file_loads (run_id, load_id, source, path, sha256, size_bytes, "
        "rows_read, rows_loaded, rows_quarantined, status, loaded_at) VALUES ('r1', 'L1', "
        "'phone', 'phone/a.csv', 'x', 1, 10, 10, 0, 'loaded', TIMESTAMPTZ '2025-12-02 02:10+08')"
    )
    con.execute(
        "INSERT INTO ops.dq_results (run_id, load_id, source, check_name, rows_checked, "
        "rows_failed, success, checked_at, suite, observed_value) VALUES ('r1', 'L1', 'phone', "
        "'phone_number_valid', 10, 2, false, now(), 'source_phone', '2 of 10 rows failed')"
    )
    con.executemany(
        "INSERT INTO core.complaints (complaint_id, channel, source_file, received_at) "
        "VALUES (?, ?, ?, ?)",
        [
            ("C1", "phone", "phone/a.csv", datetime(2025, 11, 1, 0, 30, tzinfo=SH)),
            ("C2", "phone", "phone/b.csv", datetime(2025, 11, 30, 23, 59, tzinfo=SH)),
            ("C3", "phone", "phone/b.csv", datetime(2025, 12, 1, 0, 0, tzinfo=SH)),
            ("C4", "phone", "phone/b.csv", datetime(2025, 10, 31, 23, 59, tzinfo=SH)),
            ("C5", "chat", "chat/c.jsonl", datetime(2025, 11, 15, 10, 0, tzinfo=SH)),
        ],
    )
    con.execute((SQL_DIR / "marts" / "79_provisional_problems.sql").read_text(encoding="utf-8"))
    assert con.execute(
        "SELECT channel, month, unit, unit_rows, all_rows FROM mart.provisional_problems"
    ).fetchall() == [("phone", date(2025, 11, 1), "records", 2, 3)]


def test_the_months_keywords_are_the_words_its_complaints_share(warehouse):
    from tousu.flows.metrics.keywords import keywords_by_category_month

    _, con = warehouse
    con.execute(
        "CREATE TABLE core.complaints (category VARCHAR, received_at TIMESTAMPTZ, "
        "description VARCHAR)"
    )
    con.executemany(
        "INSERT INTO core.complaints VALUES (?, ?, ?)",
        [
            ("物流配送类", datetime(2025, 11, 3, 10, tzinfo=SH), "快递延误三天，包裹破损"),
            ("物流配送类", datetime(2025, 11, 9, 10, tzinfo=SH), "快递一直没有送到，包裹丢失"),
            ("物流配送类", datetime(2025, 11, 20, 10, tzinfo=SH), "包裹破损，快递员态度差"),
            # 16:30 UTC on Nov 30 is December in Shanghai: another month
            ("物流配送类", datetime(2025, 11, 30, 16, 30, tzinfo=ZoneInfo("UTC")), "发票开错"),
        ],
    )
    rows = keywords_by_category_month(con)
    november = rows.filter(rows["month"] == date(2025, 11, 1)).sort("rank")
    top = dict(zip(november["keyword"].head(2), november["mentions"].head(2), strict=True))
    assert top == {"包裹": 3, "快递": 3}  # in all three November complaints
    assert set(november["complaints"]) == {3}
    december = rows.filter(rows["month"] == date(2025, 12, 1))
    assert "发票" in december["keyword"].to_list() and set(december["complaints"]) == {1}


def test_keywords_segmented_on_several_cores_are_those_of_one(warehouse, monkeypatch):
    from tousu.flows.metrics import keywords

    _, con = warehouse
    con.execute(
        "CREATE TABLE core.complaints (category VARCHAR, received_at TIMESTAMPTZ, "
        "description VARCHAR)"
    )
    texts = ("快递延误三天，包裹破损", "退款一直没有到账，客服不回复", "电饭煲坏了，换新仍坏")
    con.executemany(
        "INSERT INTO core.complaints VALUES (?, ?, ?)",
        [
            (category, datetime(2025, month, day, 10, tzinfo=SH), texts[(month + day) % 3])
            for category in ("物流配送类", "售后服务类")
            for month in (10, 11, 12)
            for day in range(1, 8)
        ],
    )
    alone = keywords.keywords_by_category_month(con, workers=1)
    assert alone.select("month", "category").unique().height == 6

    pooled = []

    def in_processes(fn, calls, workers, **kwargs):  # the real pool, counted
        pooled.append(workers)
        return real(fn, calls, workers, **kwargs)

    real = keywords.in_processes
    monkeypatch.setattr(keywords, "in_processes", in_processes)
    monkeypatch.setattr(keywords, "POOL_FROM_CHARS", 0)  # a pool even for this little text
    assert keywords.keywords_by_category_month(con, workers=2).equals(alone)
    assert pooled == [2]


def keyword_views(con):
    """The keyword mart as written, and as a full extraction over core gives it."""
    from tousu.flows.metrics.keywords import keywords_by_category_month

    def mart():
        return con.execute(
            "SELECT * FROM mart.category_keywords_monthly ORDER BY month, category, rank"
        ).fetchall()

    def full():
        return sorted(keywords_by_category_month(con).iter_rows(), key=lambda r: r[:3])

    return mart, full


def test_keywords_are_extracted_again_only_for_the_groups_whose_descriptions_changed(warehouse):
    from tousu.flows.metrics.keywords import update_keywords

    _, con = warehouse
    con.execute(
        "CREATE TABLE core.complaints (category VARCHAR, received_at TIMESTAMPTZ, "
        "description VARCHAR)"
    )
    add = "INSERT INTO core.complaints VALUES (?, ?, ?)"
    con.executemany(
        add,
        [
            ("物流配送类", datetime(2025, 11, 3, 10, tzinfo=SH), "快递延误三天，包裹破损"),
            ("物流配送类", datetime(2025, 12, 9, 10, tzinfo=SH), "快递一直没有送到，包裹丢失"),
            ("售后服务类", datetime(2025, 12, 9, 11, tzinfo=SH), "退款一直没有到账"),
        ],
    )

    mart, full = keyword_views(con)

    assert update_keywords(con) == 3  # the first night: every group
    first = mart()
    assert update_keywords(con) == 0 and mart() == first  # nothing changed: nothing segmented
    con.execute(
        add, ["物流配送类", datetime(2025, 12, 20, 10, tzinfo=SH), "包裹破损，快递员态度差"]
    )
    assert update_keywords(con) == 1  # December's logistics group only
    assert mart() == full()
    con.execute("DELETE FROM core.complaints WHERE category = '售后服务类'")
    assert update_keywords(con) == 0 and mart() == full()  # a group with no complaints goes
    assert update_keywords(con, everything=True) == 2 and mart() == full()


def test_keywords_within_the_changed_complaints_look_at_their_months_before_and_now(warehouse):
    """Updated marts digest only the months the complaints core wrote were received in, as the
    marts last counted them and as they are now: a complaint moved to another month or gone
    changes the month it left too."""
    from tousu.flows.metrics.keywords import update_keywords

    _, con = warehouse
    con.execute(
        "CREATE TABLE core.complaints (complaint_id VARCHAR, category VARCHAR, "
        "received_at TIMESTAMPTZ, description VARCHAR)"
    )
    con.execute("CREATE TABLE pending (complaint_id VARCHAR)")
    add = "INSERT INTO core.complaints VALUES (?, ?, ?, ?)"
    con.executemany(
        add,
        [
            ("a", "物流配送类", datetime(2025, 11, 3, 10, tzinfo=SH), "快递延误三天，包裹破损"),
            ("b", "物流配送类", datetime(2025, 11, 9, 10, tzinfo=SH), "快递一直没有送到"),
            ("c", "售后服务类", datetime(2025, 12, 9, 11, tzinfo=SH), "退款一直没有到账"),
            ("d", "物流配送类", datetime(2025, 12, 1, 0, 30, tzinfo=SH), "包裹丢失，快递员态度差"),
        ],
    )

    def night(*changed: str) -> int:
        """The marts' update for the complaints core wrote (`changed`), then their days kept
        as warehouse/marts/02_complaint_received_days.sql keeps them."""
        con.execute("DELETE FROM pending")
        con.execute("INSERT INTO pending SELECT unnest(?::VARCHAR[])", [list(changed)])
        segmented = update_keywords(con, within="pending")
        con.execute(
            "CREATE OR REPLACE TABLE intermediate.complaint_received_days AS "
            "SELECT complaint_id, (received_at AT TIME ZONE 'Asia/Shanghai')::DATE AS received_day "
            "FROM core.complaints"
        )
        return segmented

    mart, full = keyword_views(con)

    assert night("a", "b", "c", "d") == 3 and mart() == full()  # the first night: every group
    # received a day earlier: November's logistics group gains it, December's (it alone) goes
    con.execute(
        "UPDATE core.complaints SET received_at = received_at - INTERVAL 1 DAY WHERE complaint_id = 'd'"
    )
    assert night("d") == 1 and mart() == full()
    con.execute("UPDATE core.complaints SET category = '物流配送类' WHERE complaint_id = 'c'")
    assert night("c") == 1 and mart() == full()  # December's after-sales group goes
    con.execute("DELETE FROM core.complaints WHERE complaint_id = 'a'")
    assert night("a") == 1 and mart() == full()  # gone: the month it was in changes
    assert night() == 0 and mart() == full()


def test_hours_to_close_are_the_median_and_90th_percentile_of_the_closed_complaints():
    """Closed after 1, 2, 3 and 10 hours (one complaint still open): median 2.5 h; the 90th
    percentile interpolated between the 3rd and 4th, 3 + 0.7 × 7 = 7.9 h."""
    con = bare(datetime(2025, 11, 30, tzinfo=SH))
    con.execute(
        "CREATE TABLE core.complaints (complaint_id VARCHAR, received_at TIMESTAMPTZ, "
        "channel VARCHAR, category VARCHAR, department VARCHAR, priority VARCHAR, "
        "status VARCHAR, reopen_count INTEGER, closed_at TIMESTAMPTZ, follow_up_at TIMESTAMPTZ)"
    )
    received = datetime(2025, 11, 3, 9, tzinfo=SH)
    con.executemany(
        "INSERT INTO core.complaints VALUES (?, ?, ?, '物流配送类', '物流部', '中', ?, 0, ?, NULL)",
        [
            (f"202511-0000{i}", received, channel, "closed", received + timedelta(hours=hours))
            for i, (channel, hours) in enumerate(
                [("phone", 1), ("phone", 2), ("email", 3), ("phone", 10)], start=1
            )
        ]
        + [("202511-00005", received, "phone", "investigating", None)],
    )
    con.execute(
        "CREATE TABLE core.satisfaction (complaint_id VARCHAR, answered BOOLEAN, satisfied BOOLEAN)"
    )
    con.execute(
        "CREATE TABLE mart.sla_clocks (complaint_id VARCHAR, clock VARCHAR, instance INTEGER, "
        "status VARCHAR)"
    )
    con.execute(
        "CREATE TABLE intermediate.sla_changed (complaint_id VARCHAR, clock VARCHAR, "
        "instance INTEGER)"
    )
    run(con, "50_satisfaction_closure_monthly.sql")
    assert con.execute(
        "SELECT channel, complaints, closed, median_hours_to_close, p90_hours_to_close "
        "FROM mart.satisfaction_closure_monthly WHERE department = '(all)' "
        "AND category = '(all)' AND priority = '(all)' ORDER BY channel"
    ).fetchall() == [
        ("(all)", 5, 4, 2.5, 7.9),
        ("email", 1, 1, 3.0, 3.0),
        ("phone", 4, 3, 2.0, 8.4),  # 1, 2, 10 h: p90 = 2 + 0.8 × 8
    ]
