"""A deep synthetic history for the benchmark: earlier copies of core, written straight into it.

Generating ten million complaints through the demo's file writers and loading them would take
hours; a company with that history has it in its warehouse already, and what the benchmark
measures is the night that brings the next month onto it. So `deepen` takes a warehouse after
its history night and adds `copies` earlier copies of its core and raw rows, core's moved back
in time by the span of the history (complaint ids with the month moved too, record keys
suffixed so they stay unique), with their keywords and core check failures; then customers are
linked and the marts updated for them as a night would (every copied complaint pending).

Raw is copied as deep as core (a night's lookups among raw rows cost what they would on a real
history), with the same ids and keys as core's copies, but its times are text as delivered and
are not moved. For benchmarks only: a core built in full from it (new core SQL or settings,
`tousu metrics recompute`) puts the copied complaints at their originals' times.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import duckdb

from tousu.flows.metrics.keywords import DIGESTS_SQL
from tousu.flows.sources import SOURCES
from tousu.warehouse import db

SETUP_MEMORY = "8GB"
# A complaint id's month (YYYYMM-...) moved back `months`; ids of another form get a suffix.
NEW_ID = (
    "CASE WHEN regexp_matches({col}, '^\\d{{6}}-') THEN "
    "strftime(strptime(left({col}, 6), '%Y%m') - to_months({months}), '%Y%m') || substr({col}, 7) "
    "ELSE {col} || '~h{k}' END"
)


def _copy(
    con: duckdb.DuckDBPyConnection,
    table: str,
    k: int,
    months: int,
    renamed: dict[str, str],
    source: str | None = None,
) -> None:
    """Insert copy k of the original rows of `table` (read from `source`: by default the temp
    table orig_<name> holding them), every timestamp moved back `months` and the `renamed`
    columns rewritten."""
    columns = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name || '.' || "
        "table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    select = []
    for name, kind in columns:
        if name in renamed:
            select.append(renamed[name].format(col=name, months=months, k=k) + f" AS {name}")
        elif kind.startswith("TIMESTAMP") or kind == "DATE":
            select.append(f"{name} - to_months({months}) AS {name}")
        else:
            select.append(name)
    source = source or "orig_" + table.replace(".", "_")
    con.execute(f"INSERT INTO {table} SELECT {', '.join(select)} FROM {source}")


# A record id of copy k, suffixed so it stays unique.
SUFFIXED = "{col} || '~h{k}'"


def raw_copies() -> dict[str, dict[str, str]]:
    """The raw tables and the columns a copy rewrites: each table's record id (flows/sources.py)
    and the record ids it refers to suffixed as core's source_ref, ticket numbers moved as core's
    complaint ids."""
    tables = {s.raw_table: {s.key: SUFFIXED} for s in SOURCES.values()}
    # a declared source's record id is its mapping's; the table is shared by every one
    tables["raw.declared_intake"] = {"record_id_as_given": SUFFIXED, "source_ref": SUFFIXED}
    references = {
        "raw.email_messages": {"in_reply_to": SUFFIXED},
        "raw.ticket_events": {"ticket_no": NEW_ID, "source_ref": SUFFIXED},
        "raw.satisfaction_followups": {"ticket_no": NEW_ID},
        "raw.declared_intake": {"complaint_id": NEW_ID},
    }
    return {table: key | references.get(table, {}) for table, key in tables.items()}


def deepen(warehouse: Path, copies: int, as_of: datetime) -> dict[str, float]:
    """Add `copies` earlier copies of the warehouse's core history and update the marts as of
    `as_of` (the history night's end). Returns the complaints now in core, the ticket events
    now in raw, and the seconds the copies and the marts took."""
    from tousu.flows.metrics.build import build_marts

    # bounded (unbounded, DuckDB took 80 % of the machine beside Python's 10M-row customer
    # linking), but not to a night's limit: this is the history's marts built all at once
    con = db.connect(warehouse, memory_limit=SETUP_MEMORY)
    started = time.perf_counter()
    try:
        with db.transaction(con):
            # months between the first and the last of the ids' and the received months, so
            # no copy's ids or months meet another's
            span = con.execute(
                """
                WITH months AS (
                    SELECT strptime(left(complaint_id, 6), '%Y%m') AS m FROM core.complaints
                    WHERE regexp_matches(complaint_id, '^\\d{6}-')
                    UNION ALL
                    SELECT date_trunc('month', received_at AT TIME ZONE stg.reporting_tz())
                    FROM core.complaints
                )
                SELECT datediff('month', min(m), max(m)) + 1 FROM months
                """
            ).fetchall()[0][0]
            new_id = {"complaint_id": NEW_ID}
            tables = {
                "core.complaints": {**new_id, "source_ref": SUFFIXED},
                "core.complaint_events": {**new_id, "event_id": SUFFIXED},
                "core.satisfaction": {**new_id, "followup_id": SUFFIXED},
                "intermediate.core_check_failures": new_id,
            }
            for table in tables:
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE orig_{table.replace('.', '_')} AS "
                    f"SELECT * FROM {table}"
                )
            for k in range(1, copies + 1):
                for table, renamed in tables.items():
                    _copy(con, table, k, span * k, renamed)
            # raw as deep as core: a night's lookups among raw rows (the redelivery check, the
            # touched complaints' records) cost what they would on a real history. The copies'
            # record keys and ticket numbers are those of core's copies, so each copied
            # complaint finds its copied records; their times as delivered (text) are the
            # originals'.
            for table, renamed in raw_copies().items():
                last = con.execute(f"SELECT max(rowid) FROM {table}").fetchall()[0][0]
                if last is None:
                    continue
                for k in range(1, copies + 1):
                    _copy(con, table, k, span * k, renamed, f"{table} WHERE rowid <= {last}")
            # the copies' keywords are their originals' (the same descriptions, a month moved);
            # their digests are computed from the copies (the times moved)
            con.execute(
                "CREATE OR REPLACE TEMP TABLE orig_kw AS SELECT * FROM mart.category_keywords_monthly"
            )
            for k in range(1, copies + 1):
                con.execute(
                    "INSERT INTO mart.category_keywords_monthly SELECT * REPLACE "
                    f"(month - to_months({span * k}) AS month) FROM orig_kw"
                )
            con.execute(
                f"INSERT INTO intermediate.category_keywords_digests SELECT * FROM ({DIGESTS_SQL}) "
                "ANTI JOIN intermediate.category_keywords_digests USING (category, month)"
            )
            con.execute(
                f"INSERT INTO {db.MARTS_PENDING} SELECT complaint_id FROM core.complaints "
                "ANTI JOIN orig_core_complaints USING (complaint_id)"
            )
        copied = time.perf_counter() - started
        started = time.perf_counter()
        build_marts(con, as_of)
        complaints = con.execute("SELECT count(*) FROM core.complaints").fetchall()[0][0]
        events = con.execute("SELECT count(*) FROM raw.ticket_events").fetchall()[0][0]
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {
        "complaints": complaints,
        "raw_ticket_events": events,
        "copy_s": copied,
        "marts_s": time.perf_counter() - started,
    }
