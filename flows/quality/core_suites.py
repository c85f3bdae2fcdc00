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


def validate_core(
    con: duckdb.DuckDBPyConnection, run_label: str = "core"
) -> list[ExpectationResult]:
    """Run every core suite on its table; return one result per expectation."""
    results = []
    for path in suite_files():
        spec = gx.read_suite(path)
        frame = con.sql(f"SELECT * FROM {spec['table']}").df()  # table names from our files
        outcome = gx.run(
            gx.validation_definition(spec), frame, name=f"{spec['table']}: {run_label}"
        )
        for expectation, result in gx.paired(spec, outcome):
            results.append(
                ExpectationResult(
                    table=spec["table"],
                    name=gx.expectation_name(expectation),
                    reason=expectation.get("meta", {}).get("reason", ""),
                    success=result.success,
                    suite=spec["name"],
                    observed_value=_observed(result.result, len(frame)),
                    rows_checked=len(frame),
                    rows_failed=int(result.result.get("unexpected_count") or 0),
                )
            )
    return results


def _observed(result: dict, rows: int) -> str:
    if result.get("observed_value") is not None:
        return str(result["observed_value"])
    return f"{int(result.get('unexpected_count') or 0)} of {rows} rows failed"


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
