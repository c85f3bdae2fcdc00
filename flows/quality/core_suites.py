"""Validating the core tables with their Great Expectations suites (expectations/core_*.json).

Each suite file names its table, its grain and its expectations (GX 1.x types and kwargs), and
gives each expectation a reason in English and Chinese (`meta.reason`). The table is validated
through GX's pandas data source (its SQL path does not work with DuckDB, see STACK_NOTES), and
every expectation's result lands in ops.dq_results (source = the table) beside the row checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from tousu.flows.quality import gx


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


def validate_core(
    con: duckdb.DuckDBPyConnection, run_label: str = "core", batch_rows: int = BATCH_ROWS
) -> list[ExpectationResult]:
    """Run every core suite on its table; return one result per expectation, in file order."""
    results = []
    for path in suite_files():
        spec = gx.read_suite(path)
        table = spec["table"]  # table and column names come from our own suite files
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        in_gx = [e for e in spec["expectations"] if e["type"] not in IN_SQL]
        by_gx = iter(_in_batches(con, {**spec, "expectations": in_gx}, rows, run_label, batch_rows))
        for expectation in spec["expectations"]:
            if expectation["type"] in IN_SQL:
                failed = _duplicated_rows(con, table, expectation["kwargs"]["column"])
                success, observed = failed == 0, f"{failed} of {rows} rows failed"
            else:
                failed, success, observed = next(by_gx)
            results.append(
                ExpectationResult(
                    table=table,
                    name=gx.expectation_name(expectation),
                    reason=expectation.get("meta", {}).get("reason", ""),
                    success=success,
                    suite=spec["name"],
                    observed_value=observed,
                    rows_checked=rows,
                    rows_failed=failed,
                )
            )
    return results


def _in_batches(
    con: duckdb.DuckDBPyConnection, spec: dict, rows: int, run_label: str, batch_rows: int
) -> list[tuple[int, bool, str]]:
    """(rows failed, success, observed value) of each expectation of `spec`, validated by GX
    batch by batch over only the columns the expectations name."""
    if not spec["expectations"]:
        return []
    columns = list(
        dict.fromkeys(
            e["kwargs"][k]
            for e in spec["expectations"]
            for k in ("column", "column_A", "column_B")
            if k in e["kwargs"]
        )
    )
    failed = [0] * len(spec["expectations"])
    success = [True] * len(spec["expectations"])
    observed: list[str | None] = [None] * len(spec["expectations"])
    definition = gx.validation_definition(spec)
    # a relation streams its rows batch by batch (a DB-API result would copy them all first)
    reader = con.sql(f"SELECT {', '.join(columns)} FROM {spec['table']}").to_arrow_reader(
        batch_rows
    )
    start = 0
    for batch in reader:
        frame = batch.to_pandas()
        label = f"{spec['table']}: {run_label}"
        if rows > batch_rows:
            label += f", rows {start + 1}-{start + len(frame)}"
        outcome = gx.run(definition, frame, name=label)
        for i, (_, result) in enumerate(gx.paired(spec, outcome)):
            failed[i] += int(result.result.get("unexpected_count") or 0)
            success[i] = success[i] and result.success
            if result.result.get("observed_value") is not None:
                observed[i] = str(result.result["observed_value"])
        start += len(frame)
    return [
        (failed[i], success[i], observed[i] or f"{failed[i]} of {rows} rows failed")
        for i in range(len(spec["expectations"]))
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
