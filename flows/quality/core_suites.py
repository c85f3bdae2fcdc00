"""Validating the core tables with their Great Expectations suites (expectations/core_*.json).

Each suite file names its table, its grain and its expectations (GX 1.x types and kwargs), and
gives each expectation a reason in English and Chinese (`meta.reason`). The table is validated
through GX's pandas data source (its SQL path does not work with DuckDB, see STACK_NOTES), and
every expectation's result lands in ops.dq_results (source = the table) beside the row checks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from tousu.flows.quality import gx
from tousu.warehouse import db


@dataclass(frozen=True)
class ExpectationResult:
    table: str
    name: str  # e.g. expect_column_values_to_be_in_set(category)
    reason: str
    success: bool
    suite: str
    observed_value: str
    rows_checked: int
    rows_failed: int


def suite_files() -> list[Path]:
    return sorted(gx.SUITES_DIR.glob("core_*.json"))


# Rows of one core table in memory at a time: the row checks run batch by batch, so a night's
# memory does not grow with the history.
BATCH_ROWS = 250_000
# Whole-table invariants: checked by DuckDB over the table, never batch by batch (a duplicate
# can sit in two batches) and never copied into Python. Their results land in ops.dq_results
# like GX's; the night's Data Docs show the row checks.
IN_SQL = {"expect_column_values_to_be_unique"}


# The row checks' failures, per suite, check and complaint: what lets a night validate only the
# rows it wrote again (the complaints of intermediate.core_touched) and still report each check
# over the whole table. CHECKED says what the failures describe: the suite files and the loads
# core held when they were last brought up to date.
FAILURES = "intermediate.core_check_failures"
FAILURE_SCHEMA = {
    "suite": pl.String,
    "check_name": pl.String,
    "complaint_id": pl.String,
    "rows_failed": pl.Int64,
}
CHECKED = "intermediate.core_checked"


def validate_core(
    con: duckdb.DuckDBPyConnection, run_label: str = "core", batch_rows: int = BATCH_ROWS
) -> list[ExpectationResult]:
    """Run every core suite on its table; return one result per expectation, in file order.
    GX validates the rows of the complaints the last core build wrote again when the kept
    failures describe core as it was before that build (same suites, the loads core held then),
    else every row; the results count the whole table either way."""
    whole = validates_every_row(con)
    if whole:
        con.execute(
            f"CREATE OR REPLACE TABLE {FAILURES} (suite VARCHAR, check_name VARCHAR, "
            "complaint_id VARCHAR, rows_failed BIGINT)"
        )
    touched = (
        "" if whole else "complaint_id IN (SELECT complaint_id FROM intermediate.core_touched)"
    )
    results = []
    for path in suite_files():
        spec = gx.read_suite(path)
        table = spec["table"]  # table and column names come from our own suite files
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        in_gx = {
            **spec,
            "expectations": [e for e in spec["expectations"] if e["type"] not in IN_SQL],
        }
        con.execute(
            f"DELETE FROM {FAILURES} WHERE suite = ?" + (f" AND {touched}" if touched else ""),
            [spec["name"]],
        )
        failures = _in_batches(con, in_gx, touched, run_label, batch_rows)
        if failures:
            # as a frame: executemany takes ~0.5 ms a row (a check failing on 100,000 rows of a
            # bad export would cost ~50 s)
            con.register(
                "core_check_failures_frame",
                pl.DataFrame(failures, schema=FAILURE_SCHEMA, orient="row"),
            )
            try:
                con.execute(f"INSERT INTO {FAILURES} SELECT * FROM core_check_failures_frame")
            finally:
                con.unregister("core_check_failures_frame")
        for expectation in spec["expectations"]:
            name = gx.expectation_name(expectation)
            if expectation["type"] in IN_SQL:
                failed = _duplicated_rows(con, table, expectation["kwargs"]["column"])
            else:
                failed = con.execute(
                    f"SELECT coalesce(sum(rows_failed), 0)::BIGINT FROM {FAILURES} "
                    "WHERE suite = ? AND check_name = ?",
                    [spec["name"], name],
                ).fetchall()[0][0]
            results.append(
                ExpectationResult(
                    table=table,
                    name=name,
                    reason=expectation.get("meta", {}).get("reason", ""),
                    success=failed == 0,  # no core expectation has a tolerance (`mostly`)
                    suite=spec["name"],
                    observed_value=f"{failed} of {rows} rows failed",
                    rows_checked=rows,
                    rows_failed=failed,
                )
            )
    con.execute(
        f"CREATE OR REPLACE TABLE {CHECKED} AS SELECT ? AS checked_key",
        [_checked_key(con, before_build=False)],
    )
    return results


def validates_every_row(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether validate_core must validate every row: the kept failures do not describe core as
    it was before its last build (other suites, other loads, none kept yet)."""
    return _checked_key(con, before_build=True) != _last_checked(con)


def _checked_key(con: duckdb.DuckDBPyConnection, *, before_build: bool) -> str:
    """The suites' digest and the loads core holds (before_build: without the loads the last
    core build added, intermediate.core_new_loads: on a full build, all of them)."""
    without = (
        " WHERE load_id NOT IN (SELECT load_id FROM intermediate.core_new_loads)"
        if before_build and db.tables_exist(con, "intermediate.core_new_loads")
        else ""
    )
    loads = con.execute(
        f"SELECT coalesce(string_agg(load_id, ',' ORDER BY load_id), '') FROM ops.core_loads{without}"
    ).fetchall()[0][0]
    digest = hashlib.sha256(loads.encode())
    for path in suite_files():
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _last_checked(con: duckdb.DuckDBPyConnection) -> str | None:
    if not db.tables_exist(con, CHECKED, FAILURES):
        return None
    row = con.execute(f"SELECT checked_key FROM {CHECKED}").fetchall()
    return row[0][0] if row else None


def _in_batches(
    con: duckdb.DuckDBPyConnection, spec: dict, where: str, run_label: str, batch_rows: int
) -> list[tuple[str, str, str | None, int]]:
    """(suite, check, complaint id, rows failed) of each expectation of `spec` that failed on
    the table's rows (those matching `where`, if given), validated by GX batch by batch over
    only the columns the expectations name."""
    if not spec["expectations"]:
        return []
    columns = list(
        dict.fromkeys(
            [
                "complaint_id",
                *(
                    e["kwargs"][k]
                    for e in spec["expectations"]
                    for k in ("column", "column_A", "column_B")
                    if k in e["kwargs"]
                ),
            ]
        )
    )
    failed: dict[tuple[str, str | None], int] = {}
    definition = gx.validation_definition(spec)
    # a relation streams its rows batch by batch (a DB-API result would copy them all first)
    relation = con.sql(
        f"SELECT {', '.join(columns)} FROM {spec['table']}" + (f" WHERE {where}" if where else "")
    )
    start = 0
    for frame in gx.frames(relation, batch_rows):
        label = f"{spec['table']}: {run_label}, rows {start + 1}-{start + len(frame)}"
        outcome = gx.run(definition, gx.narrowed(frame, spec), result_format="COMPLETE", name=label)
        for expectation, result in gx.paired(spec, outcome):
            ids = frame["complaint_id"]
            for index in result.result.get("unexpected_index_list") or []:
                key = (gx.expectation_name(expectation), ids.loc[index])
                failed[key] = failed.get(key, 0) + 1
        start += len(frame)
    return [
        (spec["name"], check, None if complaint_id is None else str(complaint_id), n)
        for (check, complaint_id), n in failed.items()
    ]


def _duplicated_rows(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    """Rows whose value another row shares (as GX counts a uniqueness failure; nulls apart)."""
    return con.execute(
        f"SELECT coalesce(sum(n), 0)::BIGINT FROM (SELECT count(*) AS n FROM {table} "
        f"WHERE {column} IS NOT NULL GROUP BY {column} HAVING count(*) > 1)"
    ).fetchall()[0][0]


def carry_over_results(
    con: duckdb.DuckDBPyConnection, run_id: str, now: datetime
) -> list[ExpectationResult]:
    """Record again, for this run, the core checks of the last run that validated core: core
    has not changed since, so neither have their results."""
    rows = con.execute(
        "SELECT source, check_name, coalesce(observed_value, ''), success, suite, rows_checked, "
        "rows_failed FROM ops.dq_results WHERE load_id = 'core' AND run_id = ("
        "  SELECT run_id FROM ops.dq_results WHERE load_id = 'core' AND run_id <> ? "
        "  ORDER BY checked_at DESC LIMIT 1) ORDER BY source, check_name",
        [run_id],
    ).fetchall()
    reasons = {
        (spec["table"], gx.expectation_name(e)): e.get("meta", {}).get("reason", "")
        for spec in map(gx.read_suite, suite_files())
        for e in spec["expectations"]
    }
    results = [
        ExpectationResult(
            table=table,
            name=name,
            reason=reasons.get((table, name), ""),
            success=success,
            suite=suite,
            observed_value=observed,
            rows_checked=checked,
            rows_failed=failed,
        )
        for table, name, observed, success, suite, checked, failed in rows
    ]
    record_results(con, results, run_id, now)
    return results


def record_results(
    con: duckdb.DuckDBPyConnection, results: list[ExpectationResult], run_id: str, now: datetime
) -> None:
    con.executemany(
        "INSERT INTO ops.dq_results (run_id, load_id, source, check_name, rows_checked, "
        "rows_failed, success, checked_at, suite, observed_value) "
        "VALUES (?, 'core', ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                run_id,
                r.table,
                r.name,
                r.rows_checked,
                r.rows_failed,
                r.success,
                now,
                r.suite,
                r.observed_value,
            ]
            for r in results
        ],
    )
