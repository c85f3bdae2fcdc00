"""Loading deliveries: reconciliation, quarantine reasons, duplicates, transactions."""

import os
from datetime import date

import pytest

from tests.helpers import write_events, write_phone
from tousu.flows.loading import load_source
from tousu.flows.sources import SOURCES

NIGHT = date(2025, 11, 30)
GOOD = "CALL{n},2025/11/0{n} 10:00:00,2025/11/0{n} 10:00:30,1381234567{n},张伟,,电饭煲坏了,退款,A1"


def load_phone(con, inbox, run_id="r1"):
    return load_source(con, inbox, SOURCES["phone"], run_id, NIGHT)


def file_loads(con):
    return con.execute(
        "SELECT path, status, rows_read, rows_loaded, rows_quarantined "
        "FROM ops.file_loads ORDER BY loaded_at, path"
    ).fetchall()


@pytest.fixture(params=["batched", "alone"])
def validated(request, monkeypatch):
    """How the delivery is validated: ahead, in a batch with others (rolled back), or, as a
    delivery of a whole batch or more, in its own transaction, GX in batches of 4 rows. Yields
    how many times rows went into the raw table."""
    from tousu.flows import loading
    from tousu.flows.quality import source_suites

    if request.param == "alone":
        monkeypatch.setattr(loading, "VALIDATE_ROWS", 4)
        monkeypatch.setattr(source_suites, "VALIDATE_ROWS", 4)
    inserts = []
    insert = loading._insert_rows
    monkeypatch.setattr(
        loading, "_insert_rows", lambda *a, **k: inserts.append(1) or insert(*a, **k)
    )
    yield request.param, inserts


def test_every_row_read_is_loaded_or_quarantined_with_an_actionable_reason(
    warehouse, tmp_path, validated
):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(
        inbox,
        "callcenter_202511.csv",
        [
            GOOD.format(n=1),
            "CALL2,2025/11/31 10:00:00,,13812345672,李娜,,耳机没声音,换货,A1",  # no 31 Nov
            "CALL3,2025/11/03 10:00:00,,1381234,王芳,,快递丢了,退款,A1",  # too short
            "CALL4,2025/11/04 10:00:00,,13812345674,赵六,,,退款,A1",  # no description
            "CALL5,2025/11/05 10:00:00,2025/11/05 09:59:00,13812345675,周七,,慢,道歉,A1",
            "CALL6,2025/11/06 10:00:00,,,,,没有联系方式,道歉,A1",
            GOOD.format(n=1),  # same call twice
            GOOD.format(n=1).replace("电饭煲坏了", "电饭煲坏了两次"),  # same id, other text
        ],
    )
    [outcome] = load_phone(con, inbox)
    assert (
        outcome.status,
        outcome.rows_read,
        outcome.rows_loaded,
        outcome.rows_quarantined,
        outcome.rows_skipped,
    ) == ("loaded", 8, 1, 6, 1)
    assert file_loads(con) == [("phone/callcenter_202511.csv", "loaded", 8, 1, 6)]
    assert con.execute("SELECT call_id FROM raw.phone_calls").fetchall() == [("CALL1",)]
    reasons = dict(
        con.execute(
            "SELECT row_number, check_name || ' | ' || reason FROM ops.quarantine"
        ).fetchall()
    )
    assert "received_time_parses" in reasons[2] and "'2025/11/31 10:00:00'" in reasons[2]
    assert "YYYY/MM/DD HH:MM:SS" in reasons[2] and "call-centre system" in reasons[2]
    assert "phone_number_valid" in reasons[3] and "'1381234' is not a valid phone" in reasons[3]
    assert "description_present" in reasons[4] and "问题描述" in reasons[4]
    assert "response_not_before_receipt" in reasons[5]
    assert "customer_contact_present" in reasons[6]
    assert 7 not in reasons  # an identical copy is skipped, not a data-quality failure
    assert "record_not_repeated_in_delivery" in reasons[8] and "(record 1)" in reasons[8]
    assert "description" in reasons[8]  # names the field that differs
    record = con.execute("SELECT record FROM ops.quarantine WHERE row_number = 3").fetchall()[0][0]
    assert '"caller_number":"1381234"' in record and '"customer_name":"王芳"' in record
    how, inserts = validated
    assert len(inserts) == {"batched": 2, "alone": 1}[how]


def test_a_file_already_loaded_is_not_read_again_and_a_renamed_copy_is_skipped(warehouse, tmp_path):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    path = write_phone(inbox, "callcenter_202511.csv", [GOOD.format(n=1)])
    load_phone(con, inbox, "r1")
    assert load_phone(con, inbox, "r2") == []
    (inbox / "phone" / "callcenter_202511 (1).csv").write_bytes(path.read_bytes())
    [outcome] = load_phone(con, inbox, "r3")
    assert outcome.status == "skipped_duplicate"
    assert outcome.duplicate_of == "phone/callcenter_202511.csv"
    assert load_phone(con, inbox, "r4") == []
    assert con.execute("SELECT count(*) FROM raw.phone_calls").fetchall()[0][0] == 1


def test_a_file_with_its_recorded_size_and_time_is_not_read_and_a_rewritten_one_is(
    warehouse, tmp_path
):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    path = write_phone(inbox, "callcenter_202511.csv", [GOOD.format(n=1)])
    load_phone(con, inbox, "r1")
    stat = path.stat()
    # the same size and time: taken as the file already loaded, its bytes are not read (a
    # change that keeps both, which an export never does, is not seen: the rsync rule)
    path.write_bytes(path.read_bytes().replace(b"10:00:30", b"10:00:31"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert load_phone(con, inbox, "r2") == []
    # rewritten by an export: a new time, so it is hashed, and its changed record corrects
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    [outcome] = load_phone(con, inbox, "r3")
    assert outcome.status == "loaded" and outcome.rows_loaded == 1
    assert con.execute("SELECT count(*) FROM raw.phone_calls").fetchall()[0][0] == 2


def test_a_row_delivered_again_unchanged_is_skipped_and_a_changed_one_corrects_it(
    warehouse, tmp_path
):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(inbox, "callcenter_202511.csv", [GOOD.format(n=1), GOOD.format(n=3)])
    load_phone(con, inbox)
    fixed = GOOD.format(n=3).replace("电饭煲坏了", "电饭煲坏了，已换新仍坏")
    write_phone(inbox, "callcenter_202512.csv", [GOOD.format(n=2), GOOD.format(n=1), fixed])
    [outcome] = load_phone(con, inbox, "r2")
    assert (
        outcome.rows_read,
        outcome.rows_loaded,
        outcome.rows_quarantined,
        outcome.rows_skipped,
    ) == (3, 2, 0, 1)
    assert con.execute("SELECT count(*) FROM ops.quarantine").fetchall() == [(0,)]
    assert con.execute(
        "SELECT file, row_number, record_key, kind, previous_file, previous_row_number, "
        "changed_fields FROM ops.redeliveries ORDER BY row_number"
    ).fetchall() == [
        (
            "phone/callcenter_202512.csv",
            2,
            "CALL1",
            "duplicate",
            "phone/callcenter_202511.csv",
            1,
            None,
        ),
        (
            "phone/callcenter_202512.csv",
            3,
            "CALL3",
            "correction",
            "phone/callcenter_202511.csv",
            2,
            ["description"],
        ),
    ]
    # both versions stay in raw with their lineage; staging (and so core) sees the latest only
    assert con.execute(
        "SELECT _source_file, _superseded_by IS NOT NULL FROM raw.phone_calls "
        "WHERE call_id = 'CALL3' ORDER BY 1"
    ).fetchall() == [("phone/callcenter_202511.csv", True), ("phone/callcenter_202512.csv", False)]
    assert con.execute(
        "SELECT description FROM stg.phone_calls WHERE source_ref = 'CALL3'"
    ).fetchall() == [("电饭煲坏了，已换新仍坏",)]
    assert any("1 correction(s)" in n for n in outcome.notes)


def test_a_corrected_redelivery_of_a_quarantined_row_loads(warehouse, tmp_path):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(
        inbox,
        "callcenter_202511.csv",
        ["CALL1,2025/11/31 10:00:00,,13812345671,张伟,,电饭煲坏了,退款,A1"],
    )
    load_phone(con, inbox)
    write_phone(inbox, "callcenter_202511_fixed.csv", [GOOD.format(n=1)])
    [outcome] = load_phone(con, inbox, "r2")
    assert (outcome.rows_loaded, outcome.rows_quarantined) == (1, 0)
    # the quarantined copy now says how it was resolved
    assert con.execute("SELECT resolved_by FROM ops.quarantine").fetchall() == [
        ("loaded from phone/callcenter_202511_fixed.csv record 1",)
    ]


def test_every_check_of_a_delivery_is_recorded_with_its_failures(warehouse, tmp_path):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(
        inbox,
        "c.csv",
        [
            GOOD.format(n=1),
            "CALL2,2025/11/31 10:00:00,,13812345672,李娜,,耳机没声音,换货,A1",
            "CALL3,2025/11/03 10:00:00,,1381234,王芳,,,退款,A1",
        ],
    )
    load_phone(con, inbox)
    results = dict(
        con.execute(
            "SELECT check_name, rows_failed FROM ops.dq_results WHERE rows_checked = 3"
        ).fetchall()
    )
    assert results["received_time_parses"] == 1
    assert results["phone_number_valid"] == 1 and results["description_present"] == 1
    assert results["record_not_repeated_in_delivery"] == 0 and len(results) == 10
    assert con.execute(
        "SELECT count(*) FROM ops.dq_results WHERE success AND suite = 'source_phone'"
    ).fetchall() == [(7,)]
    observed = dict(con.execute("SELECT check_name, observed_value FROM ops.dq_results").fetchall())
    assert observed["phone_number_valid"] == "1 of 3 rows failed (tolerance: 99.0% must pass)"
    assert observed["layout_as_expected"] == "1 files with the expected columns"


def test_a_crash_inside_the_load_leaves_nothing_of_the_file_and_it_loads_next_run(
    warehouse, tmp_path, monkeypatch
):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(inbox, "callcenter_202511.csv", [GOOD.format(n=1), GOOD.format(n=2)])
    from tousu.flows.intake import redelivery

    def crash(*args, **kwargs):  # the first step after the rows are in raw
        raise RuntimeError("crash after the raw insert")

    monkeypatch.setattr(redelivery, "classify", crash)
    [failed] = load_phone(con, inbox, "r1")
    assert failed.status == "failed" and "rolled back" in failed.error
    assert con.execute("SELECT count(*) FROM raw.phone_calls").fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) FROM ops.quarantine").fetchall()[0][0] == 0
    monkeypatch.undo()
    [loaded] = load_phone(con, inbox, "r2")
    assert (loaded.status, loaded.rows_loaded) == ("loaded", 2)
    assert [r[1] for r in file_loads(con)] == ["failed", "loaded"]


def test_a_changed_layout_stops_its_source_for_the_night_and_not_the_others(warehouse, tmp_path):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(inbox, "callcenter_202511.csv", [GOOD.format(n=1)])
    bad = inbox / "phone" / "callcenter_202512.csv"
    bad.write_bytes("通话编号,来电日期\r\nCALL9,2025/12/01\r\n".encode("gbk"))
    write_events(
        inbox,
        "ticket_events_202511.csv",
        ["E1,202511-00001,assigned,2025-11-03T10:00:00+08:00,A1,物流部,,,,,,"],
    )
    outcomes = {o.path: o for o in load_phone(con, inbox)}
    assert outcomes["phone/callcenter_202512.csv"].status == "failed"
    assert "来电时间" in outcomes["phone/callcenter_202512.csv"].error
    held = outcomes["phone/callcenter_202511.csv"]
    assert held.status == "held" and "callcenter_202512.csv" in held.error
    assert con.execute("SELECT count(*) FROM raw.phone_calls").fetchall() == [(0,)]
    [events] = load_source(con, inbox, SOURCES["ticket_events"], "r1", NIGHT)
    assert events.status == "loaded"  # other sources go on
    # the call centre re-exports the file with its usual layout: the next night loads both
    write_phone(inbox, "callcenter_202512.csv", [GOOD.format(n=2)])
    assert sorted(o.status for o in load_phone(con, inbox, "r2")) == ["loaded", "loaded"]


@pytest.mark.parametrize("future", ["2025/12/01 00:00:01", "2026/01/01 10:00:00"])
def test_a_complaint_received_after_the_night_is_quarantined(warehouse, tmp_path, future):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(inbox, "c.csv", [f"CALL1,{future},,13812345671,张伟,,坏了,退款,A1"])
    [outcome] = load_phone(con, inbox)
    assert outcome.rows_quarantined == 1
    assert (
        "received_time_not_in_future"
        in con.execute("SELECT check_name FROM ops.quarantine").fetchall()[0][0]
    )


def calls(first: int, n: int, day: str = "03") -> list[str]:
    return [
        f"CALL{i},2025/11/{day} 10:00:00,,1381234{i:04d},张伟,,电饭煲坏了,退款,A1"
        for i in range(first, first + n)
    ]


def test_a_half_empty_export_stops_its_source_instead_of_loading_as_a_quiet_night(
    warehouse, tmp_path
):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    for month, first in (("08", 1000), ("09", 2000), ("10", 3000)):
        write_phone(inbox, f"callcenter_2025{month}.csv", calls(first, 40))
    load_phone(con, inbox, "r1")
    write_phone(inbox, "callcenter_202511.csv", calls(4000, 6))  # cut short
    write_phone(inbox, "callcenter_202511b.csv", calls(5000, 38))  # fine, but the source stops
    outcomes = {o.path: o for o in load_phone(con, inbox, "r2")}
    short = outcomes["phone/callcenter_202511.csv"]
    assert short.status == "failed" and short.error.startswith(
        "volume: 6 rows where the last 3 files had a median of 40"
    )
    assert outcomes["phone/callcenter_202511b.csv"].status == "held"
    assert con.execute("SELECT count(*) FROM raw.phone_calls").fetchall() == [(120,)]


def test_a_small_source_is_not_flagged_by_chance(warehouse, tmp_path):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    for month, first in (("08", 1000), ("09", 2000), ("10", 3000)):
        write_phone(inbox, f"callcenter_2025{month}.csv", calls(first, 4))
    load_phone(con, inbox, "r1")
    write_phone(inbox, "callcenter_202511.csv", calls(4000, 1))  # 1 where 4 is usual: chance
    [outcome] = load_phone(con, inbox, "r2")
    assert outcome.status == "loaded"


def test_check_tolerance_decides_success_not_quarantine(warehouse, tmp_path):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    rows = calls(1000, 200) + [
        "CALL9,2025/11/03 10:00:00,,1381234,王芳,,坏了,退款,A1",
        ",2025/11/03 10:00:00,,13812348888,王芳,,坏了,退款,A1",
    ]
    write_phone(inbox, "c.csv", rows)
    [outcome] = load_phone(con, inbox)
    assert outcome.rows_quarantined == 2  # both rows quarantined whatever the tolerance
    success = dict(con.execute("SELECT check_name, success FROM ops.dq_results").fetchall())
    assert success["phone_number_valid"] is True  # 1 of 202 fails; mostly 0.99 tolerates it
    assert success["record_id_present"] is False  # mostly 1.0: every record needs its id


def test_the_nights_data_quality_summary_lists_failing_checks_with_acknowledgements(
    warehouse, tmp_path
):
    from datetime import datetime

    from tousu.flows.runs import data_quality_markdown
    from tousu.warehouse.acknowledgements import acknowledge
    from tousu.warehouse.plan_store import copy_into_warehouse

    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(
        inbox, "c.csv", [GOOD.format(n=1), ",2025/11/03 10:00:00,,13812345672,李娜,,坏了,退款,A1"]
    )
    load_phone(con, inbox, "r1")
    plans = tmp_path / "improvement_plans.duckdb"
    acknowledge(
        plans,
        "phone",
        "record_id_present",
        "r1",
        "王",
        "呼叫中心系统升级中，已报修",
        datetime.now().astimezone(),
    )
    copy_into_warehouse(con, plans)
    text = data_quality_markdown(con, "r1")
    assert "| phone | `record_id_present` | 1 | 2 | 王: 呼叫中心系统升级中，已报修 (until " in text


def test_a_cut_export_quarantines_its_last_record_and_the_complete_resend_corrects_it(
    warehouse, tmp_path
):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    cut = GOOD.format(n=3).replace("电饭煲坏了", '"电饭煲坏了，插电')
    path = write_phone(inbox, "callcenter_202511.csv", [GOOD.format(n=1), GOOD.format(n=2), cut])
    path.write_bytes(path.read_bytes().rstrip(b"\r\n"))  # the export stopped mid-field
    [first] = load_phone(con, inbox)
    assert (first.rows_read, first.rows_loaded, first.rows_quarantined) == (3, 2, 1)
    [(check, reason)] = con.execute("SELECT check_name, reason FROM ops.quarantine").fetchall()
    assert check == "record_complete" and "cut short" in reason and "unclosed quote" in reason
    # The same file name, re-exported whole: the two loaded records are identical (skipped),
    # the cut one loads now and its quarantine row says so.
    whole = GOOD.format(n=3).replace("电饭煲坏了", '"电饭煲坏了，插电就跳闸"')
    write_phone(inbox, "callcenter_202511.csv", [GOOD.format(n=1), GOOD.format(n=2), whole])
    [second] = load_phone(con, inbox, "r2")
    assert (second.rows_read, second.rows_loaded, second.rows_quarantined, second.rows_skipped) == (
        3,
        1,
        0,
        2,
    )
    assert con.execute(
        "SELECT description FROM stg.phone_calls WHERE source_ref = 'CALL3'"
    ).fetchall() == [("电饭煲坏了，插电就跳闸",)]
    assert con.execute("SELECT resolved_by FROM ops.quarantine").fetchall() == [
        ("loaded from phone/callcenter_202511.csv record 3",)
    ]
