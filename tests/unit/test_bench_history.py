"""The benchmark's deep history (flows/bench_history.py): core and raw copied alike, so a
night's lookups among raw rows meet a real history's depth, and each copied complaint finds its
own copied records and none of another's."""

from __future__ import annotations

import shutil
from datetime import date

from tousu.flows.bench_history import deepen, raw_copies
from tousu.flows.settings import TIMEZONE, night_end
from tousu.flows.sources import SOURCES
from tousu.warehouse import db

RAW = sorted({s.raw_table for s in SOURCES.values()})

# What a copy must keep: each complaint's registration, channel record and follow-ups are found
# by the keys core holds for it, and no record key is shared by two records.
LINKED = {
    "complaints": "SELECT count(*) FROM core.complaints",
    "registered with their channel record": """
        SELECT count(*) FROM core.complaints c
        SEMI JOIN stg.intake i ON i.channel = c.channel AND i.source_ref = c.source_ref""",
    "with their registration event": """
        SELECT count(*) FROM core.complaints c
        SEMI JOIN stg.ticket_events e ON e.complaint_id = c.complaint_id
            AND e.event = 'registered' AND e.source_ref = c.source_ref""",
    "follow-ups of a core complaint": """
        SELECT count(*) FROM stg.satisfaction_followups f
        SEMI JOIN core.complaints c USING (complaint_id)""",
    "distinct channel records": "SELECT count(DISTINCT (channel, source_ref)) FROM stg.intake",
    "email replies to a complaint": """
        SELECT count(*) FROM stg.email_messages r
        SEMI JOIN stg.email_messages c ON r.in_reply_to = c.message_id""",
}


def _counts(path) -> dict[str, int]:
    con = db.connect(path)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in RAW}
        return counts | {k: con.execute(q).fetchall()[0][0] for k, q in LINKED.items()}
    finally:
        con.close()


def test_a_deepened_history_copies_raw_with_the_keys_of_its_copied_core(published_demo, tmp_path):
    deep = tmp_path / "tousu.duckdb"
    shutil.copyfile(published_demo.with_name("tousu.duckdb"), deep)
    before = _counts(deep)
    made = deepen(deep, 2, night_end(date(2026, 11, 2), TIMEZONE))
    after = _counts(deep)
    assert all(before[k] > 0 for k in before), before
    assert after == {k: 3 * n for k, n in before.items()}
    assert made["complaints"] == after["complaints"]
    assert made["raw_ticket_events"] == after["raw.ticket_events"]


def test_every_raw_table_is_copied(warehouse):
    _, con = warehouse
    tables = con.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE schema_name = 'raw'"
    ).fetchall()
    assert {t for (t,) in tables} == set(raw_copies())
