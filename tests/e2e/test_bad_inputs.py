"""One real night over the bad-input corpus (tests/bad_inputs.py) beside good files."""

from __future__ import annotations

from datetime import date

import pytest

from tests.bad_inputs import SECRET, write_corpus
from tousu.flows.byo.mapping import MappingError, load_mapping
from tousu.flows.nightly import nightly
from tousu.flows.settings import get_settings
from tousu.warehouse import db

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def corpus_night(prefect_server, tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    inbox, mappings, cases = write_corpus(root)
    mp = pytest.MonkeyPatch()
    mp.setenv("TOUSU_SOURCES_DIR", str(mappings))
    get_settings.cache_clear()  # settings read the environment once: not this folder for others
    try:
        warehouse = root / "wh" / "tousu.duckdb"
        summary = nightly(inbox=inbox, warehouse=warehouse, run_date=date(2025, 11, 30))
    finally:
        mp.undo()
        get_settings.cache_clear()
    return {
        "root": root,
        "inbox": inbox,
        "mappings": mappings,
        "cases": cases,
        "summary": summary,
        "published": warehouse.with_name("tousu.published.duckdb"),
    }


def test_the_night_is_published_with_an_honest_status(corpus_night):
    summary = corpus_night["summary"]
    assert summary.published == str(corpus_night["published"])
    assert summary.status == "succeeded_with_failures" and summary.exit_code == 3
    con = db.connect(corpus_night["published"], read_only=True)
    [(status, note)] = con.execute("SELECT status, note FROM ops.runs").fetchall()
    assert status == "succeeded_with_failures" and "wait" in note
    con.close()


def test_every_case_has_the_outcome_the_manifest_gives(corpus_night):
    con = db.connect(corpus_night["published"], read_only=True)
    loads = {
        path: (status, loaded, error or "", note or "")
        for path, status, loaded, error, note in con.execute(
            "SELECT path, status, rows_loaded, error, note FROM ops.file_loads"
        ).fetchall()
    }
    quarantined: dict[str, dict[int, str]] = {}
    for file, row, check in con.execute(
        "SELECT file, row_number, check_name FROM ops.quarantine"
    ).fetchall():
        quarantined.setdefault(file, {})[row] = check
    wrong = []
    for case in corpus_night["cases"]:
        if case.outcome == "refused_at_validation":
            with pytest.raises(MappingError) as refused:
                load_mapping(corpus_night["mappings"] / case.file)
            ok = case.says in str(refused.value) and f"{case.file}:" in str(refused.value)
        elif case.outcome == "file_failed":
            status, _, error, _ = loads.get(case.file, ("missing", 0, "", ""))
            ok = status == "failed" and case.says in error
        else:
            status, loaded, error, note = loads.get(case.file, ("missing", 0, "", ""))
            ok = (
                status == "loaded"
                and loaded == case.rows_loaded
                and quarantined.get(case.file, {}) == case.quarantined
                and case.says in note
            )
        if not ok:
            wrong.append((case.name, loads.get(case.file), quarantined.get(case.file)))
    assert wrong == []
    con.close()


def test_every_row_read_is_accounted_for_and_nothing_unreadable_reached_raw(corpus_night):
    con = db.connect(corpus_night["published"], read_only=True)
    assert con.execute(
        "SELECT count(*) FROM ops.file_loads WHERE status = 'loaded' AND "
        "rows_read <> rows_loaded + rows_quarantined + rows_skipped"
    ).fetchall() == [(0,)]
    raw_text = con.execute("""
        SELECT string_agg(t, '') FROM (
            SELECT to_json(p)::VARCHAR AS t FROM raw.phone_calls p
            UNION ALL SELECT to_json(w)::VARCHAR FROM raw.webform_submissions w
            UNION ALL SELECT to_json(c)::VARCHAR FROM raw.chat_sessions c
            UNION ALL SELECT to_json(e)::VARCHAR FROM raw.ticket_events e)""").fetchall()[0][0]
    assert "\ufffd" not in raw_text and "\\u0000" not in raw_text
    # the first good line after the multi-line field and the bad line is in raw, unchanged
    assert con.execute(
        "SELECT message FROM raw.webform_submissions WHERE submission_id = 'WF4'"
    ).fetchall() == [("好的一行",)]
    assert con.execute(
        "SELECT message FROM raw.webform_submissions WHERE submission_id = 'WF1'"
    ).fetchall() == [("第一行\n第二行",)]
    con.close()


def test_nothing_outside_the_inbox_was_read(corpus_night):
    con = db.connect(corpus_night["published"], read_only=True)
    tables = [
        f"{s}.{t}"
        for s, t in con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
    ]
    for table in tables:
        found = con.execute(
            f"SELECT count(*) FROM {table} t "  # table names from the catalog
            f"WHERE contains(to_json(t)::VARCHAR, ?)",
            [SECRET],
        ).fetchall()
        assert found == [(0,)], table
    paths = [p for (p,) in con.execute("SELECT path FROM ops.file_loads").fetchall()]
    assert all(not p.startswith(("/", "..")) for p in paths)
    con.close()
