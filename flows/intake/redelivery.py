"""Records delivered again: a duplicate is skipped, a correction wins, a conflict is quarantined.

Defined once for every source, built-in or declared, by the record id (Source.key) and the
record's delivered content (every raw column but the lineage ones):

* same id and same content as the version in force (or as an earlier row of the same delivery):
  a **duplicate**, skipped by rule: not loaded again, counted in ops.file_loads.rows_skipped and
  listed in ops.redeliveries; it is not a data-quality failure;
* same id as the version in force from an earlier delivery, different content: a **correction**:
  it loads, the earlier version stays in raw marked `_superseded_by` (staging reads the versions
  in force only), and ops.redeliveries names the changed fields and both files;
* same id twice in one delivery with different content: ambiguous, the later copy is quarantined
  (`record_not_repeated_in_delivery`, naming the first).

Identifiers in the SQL come from the raw table's own DESCRIBE and the fixed Source list.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

# The temp table every later step of the delivery's transaction reads.
TABLE = "redelivered"


def _content_columns(con: duckdb.DuckDBPyConnection, raw_table: str, key: str) -> list[str]:
    columns = [r[0] for r in con.execute(f"DESCRIBE {raw_table}").fetchall()]
    return [c for c in columns if not c.startswith("_") and c not in (key, "source")]


def _delivered_and_earlier(raw_table: str, key: str, same_source: str) -> str:
    """The CTEs `delivered` (the delivery's rows with their record id, `_key`) and `earlier`
    (the rows in force from earlier deliveries with an id the delivery has)."""
    return f"""
        delivered AS (
            SELECT *, stg.blank_to_null(CAST({key} AS VARCHAR)) AS _key
            FROM {raw_table} WHERE _load_id = $load_id {same_source}
        ),
        -- An id stored as delivered (no space at either end, what trim removes) matches
        -- exactly, which lets DuckDB skip the row groups outside the delivery's ids; only the
        -- ids with a space at an end are trimmed first (trimming every row of the history took
        -- 0.8 s of each ticket-events delivery at 1,000,000 complaints, this 0.2 s)
        earlier AS (
            SELECT *, stg.blank_to_null(CAST({key} AS VARCHAR)) AS _key FROM {raw_table}
            WHERE _load_id <> $load_id AND _superseded_by IS NULL {same_source}
              AND CAST({key} AS VARCHAR) IN (SELECT _key FROM delivered)
            UNION ALL
            SELECT *, stg.blank_to_null(CAST({key} AS VARCHAR)) AS _key FROM {raw_table}
            WHERE _load_id <> $load_id AND _superseded_by IS NULL {same_source}
              AND stg.trim_changes(CAST({key} AS VARCHAR))
              AND stg.blank_to_null(CAST({key} AS VARCHAR)) IN (SELECT _key FROM delivered)
        )"""


def classify(
    con: duckdb.DuckDBPyConnection,
    raw_table: str,
    key: str,
    load_id: str,
    source: str,
    by_source: bool,
) -> None:
    """Temp table `redelivered`: the delivery's rows that repeat a record id, with their kind
    (duplicate | correction | conflict), the copy they repeat and the fields that differ."""
    columns = _content_columns(con, raw_table, key)
    same_source = "AND source = $source" if by_source else ""
    changed = (
        "["
        + ", ".join(f'CASE WHEN n."{c}" IS DISTINCT FROM o."{c}" THEN \'{c}\' END' for c in columns)
        + "]"
    )
    params = {"load_id": load_id, "source": source} if by_source else {"load_id": load_id}
    ctes = _delivered_and_earlier(raw_table, key, same_source)
    # Most deliveries repeat no id: found by a cheaper query first, they skip the comparison,
    # which joins the whole delivery to itself and to what was loaded before (0.7 s of a
    # ticket-events delivery's 1.1 s at 1,000,000 complaints, with nothing to find).
    # An earlier row's id equals a delivered one, so it is never NULL: a `_key IS NOT NULL`
    # there reached every raw row of the source as a trim before the join could drop any
    # (0.9 s against 0.2 s for an email delivery among the 9M history's 2.2M messages).
    [(repeats,)] = con.execute(
        f"""
        WITH {ctes}
        SELECT EXISTS (SELECT 1 FROM delivered WHERE _key IS NOT NULL
                       GROUP BY _key HAVING count(*) > 1)
            OR EXISTS (SELECT 1 FROM earlier)
    """,
        params,
    ).fetchall()
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {TABLE} AS
        WITH {ctes},
        -- the copies of the ids delivered more than once, numbered (every other row is the
        -- first copy of its id: numbering all rows sorted the whole delivery)
        copies AS (
            SELECT _source_file, _row_number,
                   row_number() OVER (PARTITION BY _key ORDER BY _source_file, _row_number)
                       AS _copy
            FROM delivered
            WHERE _key IN (SELECT _key FROM delivered GROUP BY _key HAVING count(*) > 1)
        ),
        delivery AS (
            SELECT d.*, coalesce(c._copy, 1) AS _copy
            FROM delivered d LEFT JOIN copies c
              ON c._source_file = d._source_file AND c._row_number = d._row_number
        ),
        in_force AS (
            SELECT * FROM earlier
            QUALIFY row_number() OVER (PARTITION BY _key
                                       ORDER BY _loaded_at DESC, _source_file DESC,
                                                _row_number DESC) = 1
        ),
        compared AS (
            SELECT n._source_file, n._row_number, n._key AS record_key,
                   o._source_file AS previous_file, o._row_number AS previous_row_number,
                   n._copy > 1 AS in_delivery,
                   list_filter({changed}, lambda x: x IS NOT NULL) AS changed_fields
            FROM delivery n
            JOIN delivery o ON o._key = n._key AND o._copy = 1 AND n._copy > 1
            UNION ALL
            SELECT n._source_file, n._row_number, n._key, o._source_file, o._row_number, false,
                   list_filter({changed}, lambda x: x IS NOT NULL)
            FROM delivery n JOIN in_force o ON o._key = n._key AND n._copy = 1
        )
        SELECT $load_id AS load_id, *,
               CASE WHEN len(changed_fields) = 0 THEN 'duplicate'
                       WHEN in_delivery THEN 'conflict' ELSE 'correction' END AS kind
        FROM compared
        {"" if repeats else "LIMIT 0"}
    """,
        params,
    )


def skip_duplicates(con: duckdb.DuckDBPyConnection, raw_table: str, load_id: str) -> None:
    """Take the duplicates out of the delivery before it is validated: they are skipped."""
    con.execute(
        f"""
        DELETE FROM {raw_table} t USING {TABLE} d
        WHERE t._load_id = $load_id AND d.kind = 'duplicate'
          AND t._source_file = d._source_file AND t._row_number = d._row_number
    """,
        {"load_id": load_id},
    )


def supersede_corrected(
    con: duckdb.DuckDBPyConnection,
    raw_table: str,
    key: str,
    load_id: str,
    source: str,
    by_source: bool,
) -> None:
    """Mark the earlier versions of the records this delivery corrected (and loaded)."""
    same_source = "AND t.source = $source" if by_source else ""
    con.execute(
        f"""
        UPDATE {raw_table} t SET _superseded_by = $load_id
        FROM (SELECT DISTINCT d.record_key FROM {TABLE} d
              JOIN {raw_table} n ON n._load_id = $load_id AND n._source_file = d._source_file
                                AND n._row_number = d._row_number
              WHERE d.kind = 'correction') c
        WHERE t._load_id <> $load_id AND t._superseded_by IS NULL {same_source}
          AND stg.blank_to_null(CAST(t.{key} AS VARCHAR)) = c.record_key
    """,
        {"load_id": load_id, "source": source} if by_source else {"load_id": load_id},
    )


def record(
    con: duckdb.DuckDBPyConnection,
    raw_table: str,
    run_id: str,
    load_id: str,
    source: str,
    now: datetime,
) -> None:
    """ops.redeliveries rows: every duplicate skipped and every correction loaded."""
    con.execute(
        f"""
        INSERT INTO ops.redeliveries
        SELECT $run_id, $load_id, $source, d._source_file, d._row_number, d.record_key, d.kind,
               d.previous_file, d.previous_row_number,
               CASE WHEN d.kind = 'correction' THEN d.changed_fields END, $now
        FROM {TABLE} d
        WHERE d.kind = 'duplicate'
           OR (d.kind = 'correction' AND EXISTS (
                SELECT 1 FROM {raw_table} n WHERE n._load_id = $load_id
                   AND n._source_file = d._source_file AND n._row_number = d._row_number))
        ORDER BY d._source_file, d._row_number
    """,
        {"run_id": run_id, "load_id": load_id, "source": source, "now": now},
    )


CONFLICT_SQL = """
SELECT d._source_file, d._row_number, 'record_not_repeated_in_delivery' AS check_name,
       format('{} {} appears again in this delivery with different content ({}), first in {} '
              '(record {}); this copy was not loaded / {} {} 在本次交付中以不同内容重复出现'
              '（{}），首次见 {} 第 {} 条，本条未加载 ({}).',
              $id_label, d.record_key, array_to_string(d.changed_fields, ', '), d.previous_file,
              d.previous_row_number, $id_label, d.record_key,
              array_to_string(d.changed_fields, ', '), d.previous_file, d.previous_row_number,
              $fix) AS reason
FROM redelivered d
WHERE d.kind = 'conflict' AND d.load_id = $load_id
"""
