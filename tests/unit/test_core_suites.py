"""The core tables' Great Expectations suites: they pass on clean data and catch a bad row."""

import json
import re
from pathlib import Path

from tests.helpers import event, write_events, write_followups, write_phone
from tests.unit.test_sla import build, register
from tousu.flows import vocab
from tousu.flows.quality.core_suites import suite_files, validate_core

TABLES_DOC = (Path(__file__).resolve().parents[2] / "docs" / "tables.md").read_text(
    encoding="utf-8"
)


def test_every_core_table_has_a_suite_that_agrees_with_the_vocabulary():
    suites = {
        json.loads(p.read_text(encoding="utf-8"))["table"]: json.loads(
            p.read_text(encoding="utf-8")
        )
        for p in suite_files()
    }
    documented = set(re.findall(r"^## `(core\.[a-z_]+)`", TABLES_DOC, flags=re.M))
    assert {"core.complaints", "core.complaint_events", "core.satisfaction"} <= set(suites)
    assert set(suites) <= documented
    sets = {
        e["kwargs"]["column"]: e["kwargs"]["value_set"]
        for e in suites["core.complaints"]["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set"
    }
    assert sets["category"] == list(vocab.CATEGORIES)
    assert sets["channel"] == list(vocab.CHANNELS)
    assert sets["status"] == list(vocab.STATUSES)
    for suite in suites.values():
        assert all(" / " in e["meta"]["reason"] for e in suite["expectations"])  # en / zh


def clean_inbox(tmp_path: Path) -> Path:
    """Two answered calls, both registered, one followed up: nothing for a check to find."""
    inbox = tmp_path / "inbox"
    write_phone(
        inbox,
        "c.csv",
        [
            "CALL1,2025/11/03 10:00:00,2025/11/03 10:00:30,13812345671,甲,,坏了,退款,A1",
            "CALL2,2025/11/04 10:00:00,2025/11/04 10:00:30,13812345672,乙,,坏了,退款,A1",
        ],
    )
    write_events(
        inbox,
        "ticket_events_202511.csv",
        [
            register(1, "202511-00001", "CALL1", "2025-11-03T10:01:00+08:00"),
            register(2, "202511-00002", "CALL2", "2025-11-04T10:01:00+08:00"),
            event("E3", "202511-00001", "follow_up", "2025-11-06T10:00:00+08:00"),
        ],
    )
    write_followups(
        inbox, "followups_202511.csv", ["F1,202511-00001,2025-11-06 10:00,电话回访,满意,"]
    )
    return inbox


def test_core_suites_pass_on_clean_data_and_catch_a_tampered_row(warehouse, tmp_path):
    _, con = warehouse
    build(con, clean_inbox(tmp_path))
    results = validate_core(con)
    assert results and all(r.success for r in results), [r for r in results if not r.success]

    con.execute(
        "UPDATE core.complaints SET category = '价格类' WHERE complaint_id = '202511-00002'"
    )
    failed = [r for r in validate_core(con) if not r.success]
    assert [(r.table, r.name, r.rows_failed) for r in failed] == [
        ("core.complaints", "expect_column_values_to_be_in_set(category)", 1)
    ]
    assert failed[0].reason.startswith("a process category / ")

    # the same results batch by batch (one row per batch); a duplicate id in two batches is
    # found over the whole table (DuckDB), counted as GX counts it: both rows
    con.execute(
        "INSERT INTO core.complaints SELECT * FROM core.complaints "
        "WHERE complaint_id = '202511-00001'"
    )
    whole, batched = validate_core(con), validate_core(con, batch_rows=1)
    assert batched == whole
    failed = {(r.name, r.rows_failed, r.rows_checked) for r in batched if not r.success}
    assert failed == {
        ("expect_column_values_to_be_in_set(category)", 1, 3),
        ("expect_column_values_to_be_unique(complaint_id)", 2, 3),
    }
