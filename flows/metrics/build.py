"""Rebuilding the marts: policy and calendar tables, customers, then warehouse/marts/*.sql."""

from __future__ import annotations

import functools
import getpass
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Concatenate, ParamSpec

import duckdb
import polars as pl

from tousu.flows.byo.clocks import declared_clock_rows, declared_source_rows
from tousu.flows.metrics.calendar import calendar_days
from tousu.flows.metrics.identity import update_customer_links
from tousu.flows.metrics.keywords import update_keywords
from tousu.flows.metrics.policy import DEFAULT_POLICY, Policy, PolicyError, load_policy
from tousu.warehouse import db

log = logging.getLogger(__name__)


@dataclass
class MartsBuilt:
    policy_version: str
    customers: int
    clocks: int
    kept_with_older_policy: dict[str, int]  # version -> final clocks that keep it
    # said when the build ran out of the night's memory limit and ran again without it
    memory_note: str | None = None


def record_policy(
    con: duckdb.DuckDBPyConnection, policy: Policy, sha256: str, text: str, now: datetime
) -> None:
    """Remember the version; refuse a changed text under a version already used."""
    # fetchall: in DuckDB 2.0 a result not read to its end blocks the connection
    row = next(
        iter(
            con.execute(
                "SELECT sha256 FROM ops.policy_versions WHERE version = ?", [policy.version]
            ).fetchall()
        ),
        None,
    )
    if row is None:
        con.execute(
            "INSERT INTO ops.policy_versions VALUES (?, ?, ?, ?)",
            [policy.version, sha256, text, now],
        )
    elif row[0] != sha256:
        raise PolicyError(
            f"the metrics policy changed but its version is still '{policy.version}': give it a "
            f"new version so results computed with the old rules stay traceable"
        )


def write_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    con.register("frame_to_write", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM frame_to_write")
    finally:
        con.unregister("frame_to_write")


P = ParamSpec("P")


def again_without_memory_limit(
    build: Callable[Concatenate[duckdb.DuckDBPyConnection, P], MartsBuilt],
) -> Callable[Concatenate[duckdb.DuckDBPyConnection, P], MartsBuilt]:
    """A marts build that runs out of the night's memory limit (TOUSU_MEMORY_LIMIT) is rolled
    back and runs once more with DuckDB's default limit (80 % of the machine's memory), and
    says so (MartsBuilt.memory_note): a build in full on a history of millions (after an
    upgrade of the marts' SQL or policy, or a recompute) needs more than the nights that only
    update them, and such a night should not fail for it. The limit is back afterwards."""

    @functools.wraps(build)
    def build_with_retry(
        con: duckdb.DuckDBPyConnection, *args: P.args, **kwargs: P.kwargs
    ) -> MartsBuilt:
        try:
            return build(con, *args, **kwargs)
        except duckdb.OutOfMemoryException as exc:
            [(limit,)] = con.execute("SELECT current_setting('memory_limit')").fetchall()
            note = (
                f"the marts build ran out of DuckDB's memory limit ({limit}, "
                "TOUSU_MEMORY_LIMIT) and was built again with DuckDB's default limit (80 % of "
                "the machine's memory); a build in full on a large history needs more than a "
                f"night's update [{str(exc).splitlines()[0][:160]}]"
            )
            log.warning(note)
            con.execute("RESET memory_limit")
            try:
                built = build(con, *args, **kwargs)
            finally:
                con.execute("SET memory_limit = ?", [limit])
            built.memory_note = note
            return built

    return build_with_retry


@again_without_memory_limit
def build_marts(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    *,
    policy_path: Path = DEFAULT_POLICY,
    recompute: bool = False,
    reason: str = "explicit recompute",
    mappings: list | None = None,
) -> MartsBuilt:
    """Rebuild every mart as of `as_of` (the night's end), in one transaction. `mappings`:
    the declared sources' mappings, if not the mapping folder's (a dry run). With core
    unchanged since the last build, the customer links (core alone decides them) are kept,
    else only the customers a changed complaint can reach are linked again;
    keywords are extracted again only for the groups whose descriptions changed."""
    policy, sha256 = load_policy(policy_path)
    first = con.execute("SELECT min(received_at) FROM core.complaints").fetchall()[0][0]
    start = (first.date() if first else as_of.date()) - timedelta(days=7)
    days = calendar_days(
        policy.calendar.country,
        start,
        as_of.date() + timedelta(days=30),
        policy.calendar.years,
        policy.version,
    )
    calendar = pl.DataFrame(
        {
            "day": [d.day for d in days],
            "is_workday": [d.is_workday for d in days],
            "calendar_source": [d.calendar_source for d in days],
        }
    ).with_columns(pl.col("is_workday").cast(pl.Int32).cum_sum().alias("workday_seq"))
    declared_rules, declared_clocks = declared_clock_rows(policy.version, mappings)
    rules = pl.DataFrame(
        policy.rule_rows() + declared_rules,
        schema_overrides={
            "when_channel": pl.List(pl.String),
            "when_urgency": pl.List(pl.String),
            "when_priority": pl.List(pl.String),
            "when_category": pl.List(pl.String),
            "target_seconds": pl.Float64,
            "target_working_days": pl.Int64,
        },
    )

    declared_sources = declared_source_rows(mappings)
    key = marts_settings_key(sha256, rules, declared_clocks, declared_sources)
    con.execute("SET VARIABLE as_of = ?::TIMESTAMPTZ", [as_of])
    con.execute("SET VARIABLE repeat_window_days = ?", [policy.repeat.window_days])
    con.execute("SET VARIABLE sla_recompute = ?", [recompute])
    with db.transaction(con):
        before = _versions_in_use(con) if recompute else {}
        record_policy(con, policy, sha256, policy_path.read_text(encoding="utf-8"), as_of)
        last_as_of = db.marts_last_as_of(con, key, as_of, recompute)
        con.execute("SET VARIABLE marts_last_as_of = ?::TIMESTAMPTZ", [last_as_of])
        if last_as_of is None:
            db.start_marts_again(con)
        write_frame(con, "mart.calendar_days", calendar)
        write_frame(con, "mart.sla_policy_rules", rules)
        write_frame(con, "mart.declared_clocks", declared_clocks)
        write_frame(con, "mart.declared_sources", declared_sources)
        # links and keywords are compared with core every build, not only after tonight's core
        # (a night that failed after its core leaves changes the next one must take in);
        # updated marts compare only the complaints core wrote since the last build
        within = db.MARTS_PENDING if last_as_of is not None else None
        update_customer_links(con, everything=recompute, within=within)
        update_keywords(con, everything=recompute, within=within)
        _sla_clock_views(con, keep=not recompute)
        db.apply_layers(con, ("marts",))
        changed = db.record_marts_build(con, as_of, key, in_full=last_as_of is None)
        db.build_quality_marts(con)
        db.apply_layers(con, ("checks",))  # the marts agree with their tables, or nothing commits
        customers = con.execute("SELECT count(*) FROM core.customers").fetchall()[0][0]
        clocks = con.execute("SELECT count(*) FROM mart.sla_clocks").fetchall()[0][0]
        kept = dict(
            con.execute(
                "SELECT policy_version, count(*) FROM mart.sla_clocks WHERE policy_version <> ? "
                "GROUP BY 1",
                [policy.version],
            ).fetchall()
        )
        if recompute:
            con.execute(
                "INSERT INTO ops.recomputes VALUES (?, ?, ?, ?, ?, ?)",
                [
                    as_of,
                    getpass.getuser(),
                    reason,
                    policy.version,
                    json.dumps(before, ensure_ascii=False),
                    clocks,
                ],
            )
    for version, n in kept.items():
        log.warning(
            "%s final SLA results keep policy version %s (current %s); run "
            "`tousu metrics recompute` to apply the current policy to them",
            n,
            version,
            policy.version,
        )
    log.info(
        "marts %s",
        "built in full"
        if last_as_of is None
        else f"updated for {changed:,} complaints changed in core since their last build",
    )
    return MartsBuilt(policy.version, customers, clocks, kept)


def marts_settings_key(
    policy_sha256: str, rules: pl.DataFrame, clocks: pl.DataFrame, sources: pl.DataFrame
) -> str:
    """A digest of what the marts are built from besides core and the night: their SQL, the
    metrics policy and the declared sources' clocks and rules. Marts last built under another
    key are built again in full (warehouse.db.marts_last_as_of)."""
    digest = hashlib.sha256(policy_sha256.encode())
    for path in db.sql_files("marts"):
        digest.update(path.read_bytes())
    for frame in (rules, clocks, sources):
        digest.update(repr(frame.rows()).encode())
    return digest.hexdigest()


def _sla_clock_views(con: duckdb.DuckDBPyConnection, keep: bool) -> None:
    """intermediate.sla_clocks_open and intermediate.sla_clocks_refreshed: views of the clocks
    not final (open, without a target), which the night computes again
    (warehouse/marts/15_sla_scope.sql), and of the final ones still measured up to the night,
    whose elapsed share and overrun the night moves on (23_sla_refreshed.sql); and
    intermediate.sla_clocks_all, every clock (16_sla_kept.sql takes the scope's as they were).
    Empty on a first night or a recompute. Written here because mart.sla_clocks does not exist
    before the first night's marts."""
    con.execute("CREATE SCHEMA IF NOT EXISTS intermediate")
    names = ("sla_clocks_open", "sla_clocks_refreshed", "sla_clocks_all")
    for name in (*names, "sla_clocks_final"):
        if db.tables_exist(con, f"intermediate.{name}"):
            con.execute(f"DROP TABLE intermediate.{name}")  # a table before 2026-11-26
    # the final clocks' own view, read by nothing since 16_sla_kept.sql reads sla_before
    con.execute("DROP VIEW IF EXISTS intermediate.sla_clocks_final")
    kept = keep and db.tables_exist(con, "mart.sla_clocks")
    if not kept:
        # a recompute builds mart.sla_clocks again from tonight's model (21_sla_clocks.sql)
        for name in names:
            con.execute(f"DROP VIEW IF EXISTS intermediate.{name}")
        con.execute("DROP TABLE IF EXISTS mart.sla_clocks")
    columns = {
        "complaint_id": "VARCHAR",
        "clock": "VARCHAR",
        "instance": "BIGINT",
        "start_at": "TIMESTAMPTZ",
        "start_day": "DATE",
        "stop_at": "TIMESTAMPTZ",
        "deadline_at": "TIMESTAMPTZ",
        "status": "VARCHAR",
        **{c: "VARCHAR" for c in ("channel", "urgency", "priority", "category", "department")},
        "paused_seconds": "DOUBLE",
        "overrun_seconds": "DOUBLE",
        "computed_as_of": "TIMESTAMPTZ",
    }
    # clock_row: the clock's row in mart.sla_clocks, by which 21_sla_clocks.sql deletes the
    # scope's clocks it computes again, and 23_sla_refreshed.sql moves the clocks it brings up
    # to the night, without reading the table's keys (a row's rowid stays until the marts'
    # transaction commits: rows deleted before it leave it, rows inserted go after it)
    none = ", ".join(f"NULL::{t} AS {c}" for c, t in {**columns, "clock_row": "BIGINT"}.items())
    clocks = (
        f"SELECT {', '.join(columns)}, rowid AS clock_row FROM mart.sla_clocks"
        if kept
        else f"SELECT * FROM (SELECT {none} LIMIT 0)"
    )
    # A clock breached without a stop (its complaint closed without the step) is measured up to
    # the night, so its elapsed share and overrun grow every night; nothing else of it can
    # change while its complaint does not, if no wait paused it (an unanswered wait moves its
    # deadline) and it was measured up to the night itself (not a declared source's complaint
    # known as of its export). Such a clock is final: the night moves its two measures on
    # (23_sla_refreshed.sql) instead of computing it again, the cost that grew with the history
    # (docs/benchmark.md, the 9,000,000-complaint history). stg.sla_measured_nightly says which.
    # Every night brings each such clock up to the night, so they are all computed as of the last
    # build, and written at the table's end (21_sla_clocks.sql, 23_sla_refreshed.sql): said here,
    # DuckDB skips the older row groups when it looks for them (the 691,570 of the 29.5M clocks of
    # the 9,000,000-complaint history are in the last few). One computed as of an earlier build
    # is not final, so it is computed again.
    refreshed = (
        "(stg.sla_measured_nightly(status, stop_at, paused_seconds, overrun_seconds, "
        "computed_as_of, deadline_at) "
        "AND computed_as_of = getvariable('marts_last_as_of')::TIMESTAMPTZ)"
    )
    # (no last build: a build in full, where the comparison is NULL: not final, so open)
    final = (
        f"coalesce((status IN ('met', 'breached') AND stop_at IS NOT NULL) OR {refreshed}, FALSE)"
    )
    for name, where in (
        ("sla_clocks_open", f"NOT ({final})"),
        ("sla_clocks_refreshed", refreshed),
        ("sla_clocks_all", "TRUE"),
    ):
        con.execute(f"CREATE OR REPLACE VIEW intermediate.{name} AS {clocks} WHERE {where}")


def _versions_in_use(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """SLA clocks per policy version before a recompute (none on a first build)."""
    if not db.tables_exist(con, "mart.sla_clocks"):
        return {}
    return dict(
        con.execute("SELECT policy_version, count(*) FROM mart.sla_clocks GROUP BY 1").fetchall()
    )
