"""The per-source GX suites: complete, in step with the vocabulary, and what quarantines rows."""

import json
from datetime import date

import pytest

from tests.helpers import event, write_events, write_followups
from tousu.flows import vocab
from tousu.flows.intake.checks import ROW_SET_CHECKS
from tousu.flows.loading import load_source
from tousu.flows.quality import gx
from tousu.flows.quality.source_suites import source_suite
from tousu.flows.sources import SOURCES

NIGHT = date(2025, 11, 30)


@pytest.mark.parametrize("source", list(SOURCES))
def test_every_source_has_a_reviewable_suite_whose_checks_all_run(source):
    path = gx.SUITES_DIR / f"source_{source}.json"
    spec = json.loads(path.read_text(encoding="utf-8"))
    assert spec["source"] == source and spec["view"].startswith("stg.")
    for e in spec["expectations"]:
        assert e["type"].startswith("expect_") and e["meta"]["check"]
        assert e["meta"]["reason_en"] and e["meta"]["reason_zh"]
    assert set(source_suite(source).row_set_checks) <= set(ROW_SET_CHECKS)
    assert "record_not_repeated_in_delivery" in source_suite(source).row_set_checks


def test_value_sets_in_the_suites_are_the_process_vocabulary():
    def value_set(source, column):
        [e] = [
            e
            for e in source_suite(source).spec["expectations"]
            if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == column
        ]
        return e["kwargs"]["value_set"]

    assert value_set("ticket_events", "category") == list(vocab.CATEGORIES)
    assert value_set("ticket_events", "channel") == list(vocab.CHANNELS)
    assert value_set("ticket_events", "urgency") == list(vocab.URGENCY)
    assert value_set("ticket_events", "priority") == list(vocab.PRIORITY)
    assert value_set("ticket_events", "event") == list(vocab.EVENT_TYPES)
    for source in ("phone", "chat", "store"):
        assert value_set(source, "demand") == list(vocab.DEMANDS)
    assert value_set("satisfaction", "result") == [
        *vocab.SATISFACTION_LEVELS,
        vocab.SATISFACTION_NO_ANSWER,
    ]


def test_an_expectation_of_the_events_suite_quarantines_its_rows_with_both_languages(
    warehouse, tmp_path
):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_events(
        inbox,
        "ticket_events_202511.csv",
        [
            event(
                "E1",
                "202511-00001",
                "registered",
                "2025-11-03T10:01:00+08:00",
                "客服运营部",
                "服务态度类",
                "中",
                "中",
                "phone",
                "CALL1",
            ),
            event(
                "E2",
                "202511-00002",
                "registered",
                "2025-11-03T11:00:00+08:00",
                "客服运营部",
                "价格类",
                "中",
                "中",
                "phone",
                "CALL2",
            ),  # not a process category
            event("E3", "2025-11-3", "first_response", "2025-11-03T12:00:00+08:00"),  # bad id
            event("E4", "202511-00001", "escalated", "2025-11-03T13:00:00+08:00"),  # unknown event
            event("E5", "202511-00001", "assigned", "yesterday"),  # bad time
            event(
                "E6",
                "202511-00003",
                "registered",
                "2025-11-04T10:01:00+08:00",
                "客服运营部",
                "服务态度类",
                "中",
                "中",
                "phone",
                "",
            ),  # no source record
            event(
                "E7", "202511-00001", "first_response", "2025-11-05T10:00:00+08:00", cat="价格类"
            ),
        ],
    )
    [outcome] = load_source(con, inbox, SOURCES["ticket_events"], "r1", NIGHT)
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (7, 2, 5)
    got = {
        row: (check, reason)
        for row, check, reason in con.execute(
            "SELECT row_number, check_name, reason FROM ops.quarantine"
        ).fetchall()
    }
    assert (
        got[2][0] == "category_known"
        and "'价格类'" in got[2][1]
        and "投诉类别“价格类”" in got[2][1]
    )
    assert got[3][0] == "complaint_id_form" and "'2025-11-3'" in got[3][1]
    assert got[4][0] == "event_known" and "'escalated'" in got[4][1]
    assert got[5][0] == "event_time_parses" and "'yesterday'" in got[5][1]
    assert got[6][0] == "source_ref_present"
    assert all("re-export the events" in reason for _, reason in got.values())
    # The category check applies to registrations only: E7 carries one and still loads.
    assert 7 not in got


def test_a_follow_up_off_the_scale_is_quarantined_and_the_history_has_every_check(
    warehouse, tmp_path
):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_followups(
        inbox,
        "followups_202511.csv",
        [
            "F1,202511-00001,2025-11-06 10:00,电话回访,满意,",
            "F2,202511-00002,2025-11-06 11:00,电话回访,还行吧,",
            "F3,202511-00003,2025-11-06 12:00,电话回访,,",
        ],
    )
    load_source(con, inbox, SOURCES["satisfaction"], "r1", NIGHT)
    got = dict(con.execute("SELECT row_number, reason FROM ops.quarantine").fetchall())
    assert set(got) == {2, 3} and "'还行吧' is not on the follow-up scale" in got[2]
    history = dict(
        con.execute(
            "SELECT check_name, rows_failed FROM ops.dq_results WHERE suite = 'source_satisfaction'"
        ).fetchall()
    )
    assert history == {
        name: (2 if name == "result_on_scale" else 0) for name in source_suite("satisfaction").names
    }


@pytest.mark.parametrize("source", list(SOURCES))
def test_a_validation_fetches_every_column_a_reason_names(warehouse, source):
    """A reason's {field} is filled in from the row fetched for GX: each names a column of the
    staging view (or the night's run date or phone region), and that column is fetched."""
    import string

    _, con = warehouse
    suite = source_suite(source)
    view = set(con.sql(f"SELECT * FROM {suite.view} LIMIT 0").columns)
    for e in suite.spec["expectations"]:
        for template in (e["meta"]["reason_en"], e["meta"]["reason_zh"]):
            named = {f for _, f, _, _ in string.Formatter().parse(template) if f}
            assert named <= view | {"run_date", "phone_region"}, template
            assert named & view <= suite.columns_checked


def test_gx_sees_only_the_columns_its_suite_reads_and_finds_the_same_rows():
    """gx.narrowed: the columns of the expectations and of their row conditions (nested
    conditions too), no others; a column the frame lacks is left for GX to report."""
    import pandas as pd

    spec = gx.read_suite(gx.SUITES_DIR / "source_ticket_events.json")
    read = gx.columns_read(spec)
    assert {"event_id", "complaint_id", "event", "category", "source_ref"} <= set(read)
    assert "note" not in read and "operator" not in read  # no expectation reads them
    nested = {
        "expectations": [
            {
                "kwargs": {
                    "column_A": "closed_at",
                    "column_B": "received_at",
                    "row_condition": {
                        "type": "and",
                        "conditions": [{"type": "nullity", "column": {"name": "status"}}],
                    },
                }
            }
        ]
    }
    assert gx.columns_read(nested) == ["closed_at", "received_at", "status"]
    frame = pd.DataFrame({"received_at": [1], "status": ["x"], "other": [2]}, index=[7])
    assert list(gx.narrowed(frame, nested).columns) == ["received_at", "status"]
    assert list(gx.narrowed(frame, nested).index) == [7]


def _condition(event: str) -> dict:
    return {"type": "comparison", "column": {"name": "event"}, "operator": "==", "parameter": event}


def test_a_row_condition_filters_each_frame_once_and_finds_each_expectations_own_rows(
    monkeypatch,
):
    """gx filters a frame by a row condition once per run (GX would filter it again for every
    metric), and the filtered rows are the run's own: each expectation sees the rows of its own
    condition, and the next frame is filtered anew."""
    import pandas as pd

    spec = {
        "name": "test_row_conditions_once",
        "expectations": [
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "category", "row_condition": _condition("registered")},
                "meta": {"check": "registered_category"},
            },
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {
                    "column": "category",
                    "value_set": ["x"],
                    "row_condition": _condition("registered"),
                },
                "meta": {"check": "registered_category_known"},
            },
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "category", "row_condition": _condition("closed")},
                "meta": {"check": "closed_category"},
            },
        ],
    }
    filters = []
    query = pd.DataFrame.query
    monkeypatch.setattr(
        pd.DataFrame, "query", lambda self, *a, **k: filters.append(a) or query(self, *a, **k)
    )
    definition = gx.validation_definition(spec)

    def unexpected(frame: pd.DataFrame) -> list[list[int]]:
        outcome = gx.run(definition, frame, result_format="COMPLETE")
        return [sorted(r.result["unexpected_index_list"]) for _, r in gx.paired(spec, outcome)]

    first = pd.DataFrame(
        {
            "event": ["registered", "closed", "registered", "closed"],
            "category": [None, None, "y", "x"],
        },
        index=[10, 11, 12, 13],
    )
    assert unexpected(first) == [[10], [12], [11]]
    assert len(filters) == 2  # one per condition, not one per metric
    second = pd.DataFrame(
        {"event": ["closed", "registered", "registered"], "category": ["x", None, "x"]},
        index=[10, 11, 12],
    )
    assert unexpected(second) == [[11], [], []]
    assert len(filters) == 4
    assert gx._filtered == {}  # no frame is held after a run


def test_frames_for_gx_are_of_the_size_asked_whatever_batches_duckdb_hands():
    import duckdb
    import pandas as pd

    con = duckdb.connect()
    con.execute("SET threads = 2")  # a parallel scan hands one batch per row group
    con.execute("CREATE TABLE t AS SELECT range AS n FROM range(300000)")
    assert max(b.num_rows for b in con.sql("SELECT n FROM t").to_arrow_reader(131_072)) < 131_072
    frames = list(gx.frames(con.sql("SELECT n FROM t"), 131_072))
    assert [len(f) for f in frames] == [131_072, 131_072, 37_856]
    assert pd.concat(frames, ignore_index=True)["n"].tolist() == list(range(300_000))
    assert list(gx.frames(con.sql("SELECT n FROM t WHERE false"), 10)) == []


def test_a_validated_frame_is_not_kept_after_its_run():
    """GX keeps each data asset's last batch in its execution engine: every suite's last frame
    stayed in memory for the rest of the night until gx.run let go of it."""
    import gc
    import weakref

    import pandas as pd

    spec = json.loads((gx.SUITES_DIR / "source_ticket_events.json").read_text(encoding="utf-8"))
    frame = pd.DataFrame({c: pd.Series([None] * 3, dtype="string") for c in gx.columns_read(spec)})
    kept = weakref.ref(frame)
    outcome = gx.run(gx.validation_definition(spec), frame, {"run_end": pd.Timestamp.now()})
    assert outcome.results  # it ran
    del frame
    gc.collect()
    assert kept() is None


def test_a_night_with_no_new_file_does_not_import_gx(tmp_path):
    """GX's import costs seconds: a source with nothing new never starts it."""
    import subprocess
    import sys

    script = f"""
import sys
from datetime import date
from pathlib import Path
from tousu.flows.loading import load_source
from tousu.flows.sources import SOURCES
from tousu.warehouse import db
con = db.connect(Path({str(tmp_path / "w.duckdb")!r}))
db.migrate(con)
(Path({str(tmp_path)!r}) / "inbox").mkdir()
for name in ("phone", "ticket_events"):
    load_source(con, Path({str(tmp_path / "inbox")!r}), SOURCES[name], "r1", date(2025, 11, 30))
print("great_expectations" in sys.modules)
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "False"
