"""Validating the core tables with their Great Expectations suites (expectations/core_*.json).

Each suite file names its table, its grain and its expectations (GX 1.x types and kwargs), and
gives each expectation a reason in English and Chinese (`meta.reason`). The table is validated
through GX's pandas data source (its SQL path does not work with DuckDB, see STACK_NOTES), and
every expectation's result lands in ops.dq_results (source = the table) beside the row checks.
"""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

SUITES_DIR = Path(__file__).resolve().parents[2] / "expectations"


@dataclass(frozen=True)
class ExpectationResult:
    table: str
    name: str  # e.g. expect_column_values_to_be_in_set(category)
    reason: str
    success: bool
    rows_checked: int
    rows_failed: int


def suite_files() -> list[Path]:
    return sorted(SUITES_DIR.glob("core_*.json"))


def _name(expectation: dict) -> str:
    kwargs = expectation["kwargs"]
    columns = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
    return f"{expectation['type']}({', '.join(columns)})"


def validate_core(con: duckdb.DuckDBPyConnection) -> list[ExpectationResult]:
    """Run every core suite on its table; return one result per expectation."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_pandas("warehouse")
    results = []
    for path in suite_files():
        spec = json.loads(path.read_text(encoding="utf-8"))
        frame = con.sql(f"SELECT * FROM {spec['table']}").df()  # table names from our files
        suite = context.suites.add(gx.ExpectationSuite(name=spec["name"]))
        for e in spec["expectations"]:
            suite.add_expectation(ExpectationConfiguration(
                type=e["type"], kwargs=e["kwargs"], meta=e.get("meta", {})).to_domain_obj())
        batch = source.add_dataframe_asset(spec["name"]).add_batch_definition_whole_dataframe(
            "whole")
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=spec["name"], data=batch, suite=suite))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome = definition.run(batch_parameters={"dataframe": frame},
                                     result_format="SUMMARY")
        reasons = {_name(e): e.get("meta", {}).get("reason", "") for e in spec["expectations"]}
        for result in outcome.results:  # matched by name: GX does not promise the order
            config = result.expectation_config
            name = _name({"type": config.type, "kwargs": config.kwargs})
            results.append(ExpectationResult(
                table=spec["table"], name=name, reason=reasons.get(name, ""),
                success=result.success, rows_checked=len(frame),
                rows_failed=int(result.result.get("unexpected_count") or 0)))
    return results


def record_results(con: duckdb.DuckDBPyConnection, results: list[ExpectationResult],
                   run_id: str, now: datetime) -> None:
    con.executemany("INSERT INTO ops.dq_results VALUES (?, 'core', ?, ?, ?, ?, ?, ?)", [
        [run_id, r.table, r.name, r.rows_checked, r.rows_failed, r.success, now]
        for r in results])
