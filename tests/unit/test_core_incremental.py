"""Core brought up to date night by night equals core built in full from the same deliveries.

Each night loads a few deliveries and updates core with the complaints they touch
(warehouse/core/touched/03_touched.sql); a copy of the warehouse is then built in full and every core
table, and the pending links, must be equal row for row. The nights bring what makes a delta
hard: a channel record arriving after its registration, a registration after its record, a
corrected record, an event and a follow-up corrected onto another complaint (the version they
replace named the first), a reply email answering an earlier night's complaint, a registration
corrected onto another channel record, a complaint email corrected into a reply, a call record
whose id was stored with a full-width space at its end, and a night with nothing new. The pending links are updated with core and must equal them rebuilt. The core checks, run each night on the touched complaints' rows only, must
report what checking every row of the full build reports; and the marts, updated each night for
the complaints core changed and the clocks time moved, must equal marts recomputed in full.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb

from tests.helpers import event, write_events, write_followups, write_phone
from tousu.flows.fingerprint import fingerprint
from tousu.flows.loading import load_source
from tousu.flows.metrics.build import build_marts
from tousu.flows.quality.core_suites import validate_core, validates_every_row
from tousu.flows.settings import night_end
from tousu.flows.sources import SOURCES
from tousu.warehouse import db

T = "2025-11-{:02d}T{}+08:00"


def call(n: int, day: int, text: str = "电饭煲坏了") -> str:
    return f"CALL{n},2025/11/{day:02d} 10:00:00,,1381234567{n},张{n},M{n},{text},退款,A1"


def registered(event_id: str, n: int, day: int, channel: str, ref: str) -> str:
    return event(
        event_id, f"202511-{n:05d}", "registered", T.format(day, "10:05:00"), "客服部",
        "产品质量类", "中", "中", channel, ref,
    )  # fmt: skip


def write_eml(inbox: Path, folder: str, name: str, sender: str, reply_to: str = "") -> None:
    path = inbox / "email" / folder / f"{name}.eml"
    path.parent.mkdir(parents=True, exist_ok=True)
    answers = f"In-Reply-To: <{reply_to}@mail.example>\r\n" if reply_to else ""
    path.write_bytes(
        (
            f"From: {sender}\r\n"
            "To: service@brand.example.cn\r\n"
            "Subject: complaint\r\n"
            "Date: Mon, 03 Nov 2025 14:05:22 +0800\r\n"
            f"Message-ID: <{name}@mail.example>\r\n{answers}"
            'Content-Type: text/plain; charset="utf-8"\r\n\r\n'
            "空气炸锅漏电 电话：13812345679\r\n"
        ).encode()
    )


def night_1(inbox: Path) -> None:
    write_phone(inbox, "callcenter_20251101.csv", [call(1, 3), call(2, 4)])
    write_events(
        inbox,
        "ticket_events_20251101.csv",
        [
            registered("E01", 1, 3, "phone", "CALL1"),
            event("E02", "202511-00001", "assigned", T.format(3, "11:00:00"), "质量部"),
            registered("E03", 2, 4, "phone", "CALL2"),
            registered("E04", 3, 5, "phone", "CALL3"),  # its record comes the next night
            registered("E05", 4, 3, "email", "<m1@mail.example>"),
            event("E06", "202511-00009", "assigned", T.format(6, "09:00:00")),  # never registered
            # a first response before the call came in: a core check fails on 00001 for good
            event("E11", "202511-00001", "first_response", T.format(3, "09:00:00")),
        ],
    )
    write_followups(
        inbox, "followups_20251101.csv", ["F1,202511-00001,2025-11-08 10:00,电话回访,满意,"]
    )
    write_eml(inbox, "202511", "m1", "c1@163.com")


def night_2(inbox: Path) -> None:
    write_phone(
        inbox,
        "callcenter_20251102.csv",
        [call(3, 5), call(2, 4, "电饭煲坏了，换新仍坏"), call(5, 9)],  # CALL2 corrected
    )
    write_events(
        inbox,
        "ticket_events_20251102.csv",
        [
            # E02 corrected onto another complaint: 00001 loses its assignment
            event("E02", "202511-00002", "assigned", T.format(4, "11:00:00"), "质量部"),
            event("E07", "202511-00002", "closed", T.format(6, "11:00:00")),
            event("E08", "202511-00003", "first_response", T.format(5, "09:30:00")),  # fails
        ],
    )
    write_followups(
        inbox, "followups_20251102.csv", ["F2,202511-00003,2025-11-09 10:00,电话回访,不满意,"]
    )
    write_eml(inbox, "202512", "r1", "service@brand.example.cn", reply_to="m1")


def night_3(inbox: Path) -> None:
    # a call record whose id was exported with a full-width space at its end (staging trims it)
    write_phone(inbox, "callcenter_20251103.csv", [call(8, 9).replace("CALL8,", "CALL8\u3000,", 1)])
    write_events(
        inbox,
        "ticket_events_20251103.csv",
        [
            registered("E09", 5, 9, "phone", "CALL5"),  # its record came the night before
            event("E10", "202511-00003", "closed", T.format(10, "11:00:00")),
            event("E08", "202511-00003", "first_response", T.format(5, "10:30:00")),  # corrected
            # numbers exported with a full-width or no-break space at an end (trim removes both)
            event("E12", "202511-00003\u3000", "assigned", T.format(9, "09:00:00"), "质量部"),
            registered("E13", 8, 9, "phone", "CALL8"),
        ],
    )
    # F1 corrected onto 00002: nothing else touches 00001 tonight
    write_followups(
        inbox,
        "followups_20251103.csv",
        [
            "F1,202511-00002,2025-11-08 10:00,电话回访,满意,",
            "F3,\u00a0202511-00002,2025-11-09 10:00,短信回访,满意,",
        ],
    )


def night_4(inbox: Path) -> None:
    write_phone(inbox, "callcenter_20251104.csv", [call(6, 4), call(7, 15)])  # CALL7: unregistered
    # 00002 registered again with CALL6: CALL2 is registered no more
    write_events(inbox, "ticket_events_20251104.csv", [registered("E03", 2, 4, "phone", "CALL6")])
    # m1 corrected into a reply: 00004's registration loses its channel record
    write_eml(inbox, "202601", "m1", "c1@163.com", reply_to="m0")


def core_rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {
        table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in db.core_tables()
    }


def checks(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return [(r.table, r.name, r.rows_checked, r.rows_failed, r.success) for r in validate_core(con)]


def marts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, str]]:
    # a final SLA result keeps the night it was computed (history is not rewritten)
    return fingerprint(con, ("mart",), leave_out=frozenset({"computed_as_of"}))


def built_in_full(
    path: Path, tmp_path: Path, as_of: datetime
) -> tuple[dict[str, list[tuple]], list[tuple], list[tuple[str, int, str]]]:
    """Core built in full on a copy, its checks run over every row, its marts recomputed."""
    copy = tmp_path / "full.duckdb"
    shutil.copyfile(path, copy)
    con = db.connect(copy)
    try:
        db.build_core(con)
        assert validates_every_row(con)
        got = core_rows(con), checks(con)
        build_marts(con, as_of, recompute=True)
        return (*got, marts(con))
    finally:
        con.close()
        copy.unlink()


def test_core_updated_night_by_night_equals_core_built_in_full(warehouse, tmp_path):
    path, con = warehouse
    inbox = tmp_path / "inbox"
    touched, failed, in_full = [], [], []
    nights = (night_1, night_2, night_3, night_4, lambda inbox: None)
    # the nights move on, so open SLA clocks pass their deadlines and repeat windows close
    for i, (deliver, day) in enumerate(zip(nights, (5, 8, 12, 20, 30), strict=True)):
        deliver(inbox)
        for source in ("phone", "email", "ticket_events", "satisfaction"):
            load_source(con, inbox, SOURCES[source], f"r{i}", date(2025, 11, 30))
        new_loads = db.loads_core_lacks(con, "settings")
        touched.append(db.build_core(con, new_loads=new_loads))
        db.record_core_build(con, f"r{i}", f"key{i}", True, "settings")
        assert validates_every_row(con) == (i == 0)  # then only the touched complaints' rows
        checked = checks(con)
        failed.append({(r[0], r[3]) for r in checked if r[3]})
        as_of = night_end(date(2025, 11, day), "Asia/Shanghai")
        build_marts(con, as_of)
        in_full.append(con.execute("SELECT in_full FROM ops.mart_builds").fetchall()[-1][0])
        con.execute("CHECKPOINT")
        expected = built_in_full(path, tmp_path, as_of)
        assert (core_rows(con), checked) == expected[:2], f"night {i + 1}"
        differ = {t for t, *figures in set(marts(con)) ^ set(expected[2])}
        assert differ == set(), f"night {i + 1}"

    got = core_rows(con)
    assert sorted(r[:3] for r in got["ops.pending_links"]) == [
        ("channel record not registered", "phone", "CALL2"),
        ("channel record not registered", "phone", "CALL7"),
        ("event of a complaint not in core", "ticket_events", "E06"),
        ("registration without its channel record", "ticket_events", "202511-00004"),
    ]
    # 00001's early first response fails all along, 00003's only until its correction
    assert failed == [{("core.complaints", n)} for n in (1, 2, 1, 1, 1)]
    # every complaint the first night, then what each night touched
    assert touched == [5, 4, 5, 2, 0]
    assert in_full == [True, False, False, False, False]
    assert len(got["core.complaints"]) == 5  # 00004 waits for its channel record again
    # found with its call record, stored with the space: the padded id branch of 07_touched_intake
    assert con.execute(
        "SELECT source_ref, phone FROM core.complaints WHERE complaint_id = '202511-00008'"
    ).fetchall() == [("CALL8", "+8613812345678")]
    assert {r[1] for r in got["core.complaint_events"] if r[0] == "202511-00001"} == {"E01", "E11"}
    assert ("202511-00003", "E12") in {r[:2] for r in got["core.complaint_events"]}
    assert sorted((r[0], r[1]) for r in got["core.satisfaction"]) == [
        ("F1", "202511-00002"),
        ("F2", "202511-00003"),
        ("F3", "202511-00002"),
    ]


def test_a_table_created_empty_and_filled_in_one_transaction_reads_back(tmp_path):
    """The kept tables' pattern (CREATE TABLE IF NOT EXISTS ... LIMIT 0, then INSERT, then read
    in the same transaction), past one row group. DuckDB 2.0.0 lost such rows to every scan
    but count(*) until the next checkpoint: at 1,000,000 complaints the first night's SLA
    compliance marts came out empty and a full core build had no events."""
    con = db.connect(tmp_path / "w.duckdb")
    try:
        con.execute("CREATE TABLE src AS SELECT range AS i FROM range(300000)")
        with db.transaction(con):
            con.execute("CREATE TABLE IF NOT EXISTS kept AS SELECT * FROM src LIMIT 0")
            con.execute("INSERT INTO kept SELECT * FROM src")
            assert con.execute("SELECT count(*) FROM kept WHERE i >= 5").fetchall() == [(299995,)]
            assert con.execute("SELECT count(*) FROM src SEMI JOIN kept USING (i)").fetchall() == [
                (300000,)
            ]
    finally:
        con.close()


def test_core_is_built_in_full_unless_it_holds_loads_raw_still_has_under_the_same_settings(
    warehouse, tmp_path
):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    night_1(inbox)
    load_source(con, inbox, SOURCES["phone"], "r1", date(2025, 11, 30))
    assert db.loads_core_lacks(con, "settings") is None  # never built
    db.build_core(con)
    db.record_core_build(con, "r1", "key1", True, "settings")
    assert db.loads_core_lacks(con, "settings") == []  # nothing new
    assert db.loads_core_lacks(con, "other settings") is None  # SQL, catalogue, zone... changed

    load_source(con, inbox, SOURCES["ticket_events"], "r2", date(2025, 11, 30))
    [events] = con.execute("SELECT DISTINCT _load_id FROM raw.ticket_events").fetchall()[0]
    assert db.loads_core_lacks(con, "settings") == [events]

    con.execute("DELETE FROM raw.phone_calls")  # a load core holds is gone from raw
    assert db.loads_core_lacks(con, "settings") is None
    db.build_core(con)  # in full: core holds what raw has again
    db.record_core_build(con, "r3", "key3", True, "settings")
    assert db.loads_core_lacks(con, "settings") == []
    con.execute("DROP TABLE core.satisfaction")  # a core table is missing
    assert db.loads_core_lacks(con, "settings") is None
