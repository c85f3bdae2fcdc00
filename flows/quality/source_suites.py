"""Validating a delivery with its source's suite (expectations/source_<source>.json).

Each expectation in the file is a row check: the rows GX finds unexpected go to ops.quarantine
with the expectation's check name and its reason in English and Chinese, filled in with the
row's own values (so a person sees which value is wrong and what to do). Checks that need other
rows than the delivery's own (a record delivered before, a reply and the message it answers) are
SQL in flows/intake/checks.py; the suite file lists them under `row_set_checks` so the file is
the whole list of what a source must pass.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import duckdb
import pandas as pd
import polars as pl

from tousu.flows.intake.thresholds import load_thresholds
from tousu.flows.quality import gx

PROBLEM_SCHEMA = {
    "_load_id": pl.String,
    "_source_file": pl.String,
    "_row_number": pl.Int64,
    "check_name": pl.String,
    "reason": pl.String,
}
# What every row validated carries besides the suite's columns: where it came from.
LINEAGE = tuple(c for c in PROBLEM_SCHEMA if c.startswith("_"))


@dataclass(frozen=True)
class SourceSuite:
    spec: dict

    @property
    def source(self) -> str:
        return self.spec["source"]

    @property
    def view(self) -> str:
        return self.spec["view"]

    @property
    def key(self) -> str:
        return self.spec["key"]

    @property
    def labels(self) -> dict[str, str]:
        return {"id_label": self.spec["id_label"], "fix": self.spec["fix"]}

    @property
    def row_set_checks(self) -> list[str]:
        return [c["check"] for c in self.spec.get("row_set_checks", [])]

    @property
    def columns_checked(self) -> set[str]:
        """The columns the expectations read and the reasons name: all a validation fetches."""
        named = {
            field.split(".")[0].split("[")[0]
            for e in self.spec["expectations"]
            for template in (e["meta"]["reason_en"], e["meta"]["reason_zh"])
            for _, field, _, _ in string.Formatter().parse(template)
            if field
        }
        return set(gx.columns_read(self.spec)) | named

    @property
    def names(self) -> list[str]:
        """Every check this source runs, by name."""
        return sorted(
            {e["meta"]["check"] for e in self.spec["expectations"]} | set(self.row_set_checks)
        )


@cache
def source_suite(source: str) -> SourceSuite:
    """A built-in source's suite file. (A declared source's Source carries the suite generated
    from its mapping, flows/byo/suite.py.)"""
    return SourceSuite(gx.read_suite(gx.SUITES_DIR / f"source_{source}.json"))


def _definition(suite: SourceSuite):
    tolerances = load_thresholds().row_checks
    return gx.validation_definition(
        suite.spec,
        tuple(tolerances.mostly_for(e["meta"]["check"]) for e in suite.spec["expectations"]),
    )


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def reason(meta: dict, row: dict, fix: str) -> str:
    """The reason a person reads: English / Chinese, with the row's values, and the fix."""
    values = _Blank({k: _text(v) for k, v in row.items()})

    def fill(template: str) -> str:
        try:
            return template.format_map(values)
        except (ValueError, IndexError, AttributeError):  # a stray brace: show it unfilled
            return template

    return f"{fill(meta['reason_en'])} / {fill(meta['reason_zh'])} ({fix})."


# Rows per GX run: GX validates pandas copies, so a batch bounds the memory a run takes, and
# deliveries smaller than a batch share one (a run has a fixed cost of a fraction of a second).
# A DuckDB row group (122,880 rows): gx.frames joins DuckDB's smaller batches up to it. Larger
# frames validate faster but the night holds more: a first night at 1,000,000 complaints with
# 262,144-row frames peaked at 2,312 MiB (254.1 s), with these at 2,142 and 2,211 MiB (299.5 and
# 285.3 s; its ticket events 53.0 s against 64.1 and 88.1 s, a spread this machine also shows
# for the same code).
VALIDATE_ROWS = 2048 * 60


def find_problems(
    con: duckdb.DuckDBPyConnection,
    suite: SourceSuite,
    load_ids: list[str],
    run_end: datetime,
    run_date: str,
    phone_region: str,
    name: str = "",
) -> pl.DataFrame:
    """Rows of these deliveries that fail an expectation: (_load_id, _source_file, _row_number,
    check, reason), validated in batches of at most VALIDATE_ROWS rows."""
    if not load_ids:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    # The load ids as constants: DuckDB then filters raw's rows before the view computes its
    # columns. As a subquery (a join) the filter came after, and the staging view normalised
    # the phone numbers of every row the source ever delivered (5.1 s against 0.6 s for one
    # month's calls on a 1,000,000-complaint history).
    # Only the columns the suite reads or its reasons name, as Arrow: DuckDB computes no other
    # column of the view, and pandas takes Arrow's strings as they are (a pandas frame built
    # by DuckDB makes a Python object of every string first: 1.4 of the 1.8 s one month's
    # ticket events took to fetch).
    checked = suite.columns_checked | set(LINEAGE)
    columns = [
        f'"{c}"' for c in con.sql(f"SELECT * FROM {suite.view} LIMIT 0").columns if c in checked
    ]
    relation = con.sql(
        f"SELECT {', '.join(columns)} FROM {suite.view} "  # view and columns from our files
        f"WHERE _load_id IN ({', '.join('?' for _ in load_ids)})",
        params=load_ids,
    )
    problems: list[tuple] = []
    for batch, frame in enumerate(gx.frames(relation, VALIDATE_ROWS), start=1):
        problems += _problems_in(
            suite,
            frame,
            run_end,
            run_date,
            phone_region,
            f"{name or suite.source} {batch}",
        )
    return pl.DataFrame(problems, schema=PROBLEM_SCHEMA, orient="row").unique(
        ["_load_id", "_source_file", "_row_number", "check_name"], keep="first", maintain_order=True
    )


def _problems_in(
    suite: SourceSuite,
    frame: pd.DataFrame,
    run_end: datetime,
    run_date: str,
    phone_region: str,
    name: str,
) -> list[tuple]:
    outcome = gx.run(
        _definition(suite),
        gx.narrowed(frame, suite.spec),  # the same index: rows are found in `frame`
        {"run_end": pd.Timestamp(run_end)},
        result_format="COMPLETE",
        name=name,
    )
    context = {"run_date": run_date, "phone_region": phone_region}
    problems = []
    for expectation, result in gx.paired(suite.spec, outcome):
        if result.exception_info and result.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"{suite.spec['name']}: {gx.expectation_name(expectation)} could "
                f"not run: {result.exception_info.get('exception_message')}"
            )
        # the failing rows in one lookup (a lookup per row took 2.0 s of a night's 1M phone,
        # chat, store, web form and social exports)
        unexpected = result.result.get("unexpected_index_list") or []
        for row in frame.loc[unexpected].to_dict("records"):
            problems.append(
                (
                    row["_load_id"],
                    row["_source_file"],
                    int(row["_row_number"]),
                    expectation["meta"]["check"],
                    reason(expectation["meta"], {**context, **row}, suite.spec["fix"]),
                )
            )
    return problems
