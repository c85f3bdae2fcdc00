"""Given a few loaded rows, core tables hold exactly what the process says."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import duckdb
import pytest

from tests.helpers import write_events, write_followups, write_phone
from tousu.flows.loading import load_source
from tousu.flows.sources import SOURCES
from tousu.warehouse import db

SH = ZoneInfo("Asia/Shanghai")
EV = "{id},{ticket},{event},{at},A1,{dept},{cat},{urg},{prio},{channel},{ref},"


def ev(id, ticket, event, at, dept="", cat="", urg="", prio="", channel="", ref=""):
    return EV.format(
        id=id,
        ticket=ticket,
        event=event,
        at=at,
        dept=dept,
        cat=cat,
        urg=urg,
        prio=prio,
        channel=channel,
        ref=ref,
    )


def load_all(con, inbox):
    for name in ("phone", "ticket_events", "satisfaction"):
        load_source(con, inbox, SOURCES[name], "r1", date(2025, 11, 30))
    db.build_core(con)


def test_core_complaint_joins_register_and_channel_record(warehouse, tmp_path):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(
        inbox,
        "c.csv",
        [
            "CALL1,2025/11/03 10:00:00,2025/11/03 10:00:30,+86 138-1234-5671,张伟,M1,电饭煲坏了,退款,A1",
            "CALL2,2025/11/04 09:00:00,,13812345672,欧阳娜娜,,快递慢,道歉,A1",
            "CALL3,2025/11/05 09:00:00,,13812345673,李四,,没人登记,道歉,A1",
        ],
    )
    t = "2025-11-0{}T{}+08:00"
    write_events(
        inbox,
        "ticket_events_202511.csv",
        [
            ev(
                "E01",
                "202511-00001",
                "registered",
                t.format(3, "10:02:00"),
                "物流部",
                "物流配送类",
                "中",
                "高",
                "phone",
                "CALL1",
            ),
            ev("E02", "202511-00001", "assigned", t.format(3, "11:00:00"), "售后服务部"),
            ev("E03", "202511-00001", "investigation_started", t.format(3, "15:00:00")),
            ev("E04", "202511-00001", "remedy_agreed", t.format(4, "10:00:00")),
            ev("E05", "202511-00001", "executed", t.format(5, "10:00:00")),
            ev("E06", "202511-00001", "follow_up", t.format(6, "10:00:00")),
            ev("E07", "202511-00001", "reopened", t.format(6, "10:30:00")),
            ev("E08", "202511-00001", "remedy_agreed", t.format(7, "10:00:00")),
            ev("E09", "202511-00001", "executed", t.format(7, "18:00:00")),
            ev("E10", "202511-00001", "follow_up", t.format(8, "10:00:00")),
            ev("E11", "202511-00001", "closed", t.format(8, "10:05:00")),
            ev(
                "E12",
                "202511-00002",
                "registered",
                t.format(4, "09:05:00"),
                "客服运营部",
                "服务态度类",
                "低",
                "低",
                "phone",
                "CALL2",
            ),
            ev(
                "E13",
                "202511-00009",
                "registered",
                t.format(4, "09:05:00"),
                "客服运营部",
                "服务态度类",
                "低",
                "低",
                "phone",
                "CALL-MISSING",
            ),
        ],
    )
    write_followups(
        inbox,
        "followups_202511.csv",
        [
            "F1,202511-00001,2025-11-06 10:00,电话回访,不满意,太慢了",
            "F2,202511-00001,2025-11-08 10:00,电话回访,满意,",
            "F3,202511-00002,2025-11-08 11:00,电话回访,未回访成功,",
        ],
    )
    load_all(con, inbox)

    rows = con.execute("""
        SELECT complaint_id, channel, source_ref, received_at, customer_name_masked, phone,
               member_no, category, department, urgency, priority, status, first_response_at,
               first_response_source, investigation_started_at, executed_at, closed_at,
               reopen_count
        FROM core.complaints ORDER BY complaint_id""").fetchall()
    at = lambda d, h, m=0, s=0: datetime(2025, 11, d, h, m, s, tzinfo=SH)  # noqa: E731
    assert rows == [
        (
            "202511-00001",
            "phone",
            "CALL1",
            at(3, 10),
            "张*",
            "+8613812345671",
            "M1",
            "物流配送类",
            "售后服务部",
            "中",
            "高",
            "closed",
            at(3, 10, 0, 30),
            "channel",
            at(3, 15),
            at(5, 10),
            at(8, 10, 5),
            1,
        ),
        (
            "202511-00002",
            "phone",
            "CALL2",
            at(4, 9),
            "欧***",
            "+8613812345672",
            None,
            "服务态度类",
            "客服运营部",
            "低",
            "低",
            "registered",
            None,
            None,
            None,
            None,
            None,
            0,
        ),
    ]
    # the product named in the description, by the catalogue (alias 电饭煲 -> 智能电饭煲)
    assert con.execute(
        "SELECT complaint_id, product FROM core.complaints ORDER BY 1"
    ).fetchall() == [("202511-00001", "智能电饭煲"), ("202511-00002", None)]
    events = con.execute(
        "SELECT event, event_source FROM core.complaint_events "
        "WHERE complaint_id = '202511-00001' ORDER BY occurred_at"
    ).fetchall()
    assert events[:2] == [("first_response", "channel"), ("registered", "ticket_system")]
    assert len(events) == 12
    assert con.execute(
        "SELECT followup_id, answered, score, satisfied FROM core.satisfaction ORDER BY followup_id"
    ).fetchall() == [("F1", True, 2, False), ("F2", True, 4, True), ("F3", False, None, False)]
    assert sorted(con.execute("SELECT waiting_for, key FROM ops.pending_links").fetchall()) == [
        ("channel record not registered", "CALL3"),
        ("registration without its channel record", "202511-00009"),
    ]


def test_received_at_is_stored_with_its_time_zone(warehouse, tmp_path):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(inbox, "c.csv", ["CALL1,2025/11/03 00:30:00,,13812345671,张伟,,坏了,退款,A1"])
    write_events(
        inbox,
        "ticket_events_202511.csv",
        [
            ev(
                "E1",
                "202511-00001",
                "registered",
                "2025-11-03T00:31:00+08:00",
                "物流部",
                "物流配送类",
                "中",
                "中",
                "phone",
                "CALL1",
            )
        ],
    )
    load_all(con, inbox)
    con.execute("SET timezone = 'UTC'")
    received = con.execute("SELECT received_at::VARCHAR FROM core.complaints").fetchall()[0][0]
    assert received == "2025-11-02 16:30:00+00"


def test_local_times_without_the_reporting_time_zone_fail_and_say_how_to_open_the_file(
    warehouse, tmp_path
):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(inbox, "c.csv", ["CALL1,2025/11/03 00:30:00,,13812345671,张伟,,坏了,退款,A1"])
    load_source(con, inbox, SOURCES["phone"], "r1", date(2025, 11, 30))
    con.execute("RESET VARIABLE tousu_tz")  # a connection not opened by warehouse.db.connect
    with pytest.raises(duckdb.Error, match=r"tousu_tz\) is not set: open the warehouse with"):
        con.execute("SELECT received_at FROM stg.phone_calls").fetchall()


def test_core_inputs_key_moves_with_a_loaded_delivery_and_the_nights_settings(warehouse, tmp_path):
    _, con = warehouse
    settings = '["Asia/Shanghai", "CN", []]'
    empty = db.core_inputs_key(con, settings)
    assert db.core_inputs_key(con, settings) == empty
    assert db.core_inputs_key(con, '["UTC", "CN", []]') != empty
    inbox = tmp_path / "inbox"
    write_phone(inbox, "c.csv", ["CALL1,2025/11/03 10:00:00,,13812345671,甲,,坏了,退款,A1"])
    load_source(con, inbox, SOURCES["phone"], "r1", date(2025, 11, 30))
    loaded = db.core_inputs_key(con, settings)
    assert loaded != empty
    # nothing new the next night: the same key, and core counts as built from it once recorded
    assert load_source(con, inbox, SOURCES["phone"], "r2", date(2025, 12, 1)) == []
    assert db.core_inputs_key(con, settings) == loaded
    assert not db.core_is_built_from(con, loaded)  # never built
    db.build_core(con)
    db.record_core_build(con, "r2", loaded, True, db.core_settings_key(settings))
    assert db.core_is_built_from(con, loaded) and not db.core_is_built_from(con, empty)


def test_a_night_memory_limit_bounds_duckdb_and_running_out_says_what_to_do(tmp_path):
    import duckdb
    import pytest

    from tousu.flows.faults import describe

    path = tmp_path / "tousu.duckdb"
    con = db.connect(path, memory_limit="32MB")
    try:
        limit, temp = con.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchall()[0]
        assert limit.startswith("30.5 MiB") and temp == f"{path}.tmp"
        with pytest.raises(duckdb.OutOfMemoryException) as caught:
            con.execute("SELECT list(range) FROM range(20000000)").fetchall()
    finally:
        con.close()
    assert "raise TOUSU_MEMORY_LIMIT" in describe(caught.value, "running the night")


def test_a_marts_build_out_of_the_nights_memory_runs_again_without_the_limit(
    published_demo, tmp_path
):
    """A marts build in full needs more memory than a night's update: out of the limit, it is
    rolled back and runs once more with DuckDB's default limit, says so, and the limit comes
    back for what follows."""
    import shutil

    from tousu.flows.metrics.build import build_marts
    from tousu.flows.settings import night_end

    writer = tmp_path / "tousu.duckdb"
    shutil.copyfile(published_demo.with_name("tousu.duckdb"), writer)
    as_of = night_end(date(2026, 11, 26), "Asia/Shanghai")
    con = db.connect(writer)
    ample = build_marts(con, as_of, recompute=True)
    marts = con.execute("SELECT count(*), sum(complaints) FROM mart.complaints_daily").fetchall()
    con.close()
    con = db.connect(writer, memory_limit="2MB")
    try:
        built = build_marts(con, as_of, recompute=True)
        [(limit,)] = con.execute("SELECT current_setting('memory_limit')").fetchall()
    finally:
        con.close()
    con = db.connect(writer)
    again = con.execute("SELECT count(*), sum(complaints) FROM mart.complaints_daily").fetchall()
    con.close()
    assert again == marts
    assert ample.memory_note is None
    assert built.memory_note and "ran out of DuckDB's memory limit (1.9 MiB" in built.memory_note
    assert limit.endswith(" MiB") and float(limit.split()[0]) < 2  # bounded again
    assert (built.customers, built.clocks) == (ample.customers, ample.clocks)


def test_a_chat_and_a_post_are_read_from_their_messages_and_comments(warehouse):
    """Received with the customer's first message, answered with the first agent message (a bot
    does not answer), described by the earliest customer message (of two at one time, the one
    the export lists first); a post is answered with the brand's earliest reply. Counted by hand."""
    _, con = warehouse
    lineage = "'f.jsonl', 1, 'sha', 'L1', TIMESTAMPTZ '2025-11-03 12:00:00+08'"
    messages = [
        ("bot", "2025-11-03T10:00:00+08:00", "您好，我是智能助手"),
        ("customer", "2025-11-03T10:01:00+08:00", "电饭煲坏了，换新仍坏"),
        ("customer", "2025-11-03T10:01:00+08:00", "电饭煲坏了"),
        ("customer", "yesterday", "还在吗"),
        ("agent", "2025-11-03T10:05:00+08:00", "请提供订单号"),
        ("agent", "2025-11-03T10:03:00+08:00", "您好，客服小王"),
    ]
    chat = json.dumps([{"ts": t, "from": f, "text": x} for f, t, x in messages], ensure_ascii=False)
    con.execute(
        "INSERT INTO raw.chat_sessions BY NAME SELECT * FROM (VALUES "
        f"('S1', ?, {lineage}), ('S2', '[]', {lineage}), ('S3', NULL, {lineage})) "
        "v(session_id, messages, _source_file, _row_number, _file_sha256, _load_id, _loaded_at)",
        [chat],
    )
    replies = [
        ("Tue Nov 04 08:00:00 +0800 2025", False),
        ("Tue Nov 04 09:30:00 +0800 2025", True),
        ("Tue Nov 04 09:10:00 +0800 2025", None),
        ("Tue Nov 04 09:20:00 +0800 2025", True),
    ]
    post = json.dumps([{"created_at": c, "is_brand": b} for c, b in replies])
    con.execute(
        "INSERT INTO raw.social_mentions BY NAME SELECT * FROM (VALUES "
        f"('P1', 'weibo', 'Tue Nov 04 07:47:33 +0800 2025', ?, {lineage})) "
        "v(mention_id, platform, created_at, comments, "
        "_source_file, _row_number, _file_sha256, _load_id, _loaded_at)",
        [post],
    )
    at = lambda h, m: datetime(2025, 11, 3, h, m, tzinfo=SH)  # noqa: E731
    got = con.execute(
        "SELECT source_ref, received_at, first_response_at, description, unparseable_times "
        "FROM stg.chat_sessions ORDER BY 1"
    ).fetchall()
    assert got == [
        ("S1", at(10, 1), at(10, 3), "电饭煲坏了，换新仍坏", 1),
        ("S2", None, None, None, 0),
        ("S3", None, None, None, 0),
    ]
    [(answered,)] = con.execute("SELECT first_response_at FROM stg.social_mentions").fetchall()
    assert answered == datetime(2025, 11, 4, 9, 20, tzinfo=SH)
