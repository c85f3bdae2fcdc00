"""The nightly flow: every channel's new exports into the warehouse, then core, then publish.

Read top-down it is the process: open the night, load each source, rebuild core, rebuild the
step-7 marts, close the night, publish the readers' copy, report. The work is in plain functions (flows.loading, flows.runs,
warehouse.db); tasks wrap them for retries, logs and the run's record in Prefect.
"""

from __future__ import annotations

import time
import uuid
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, runtime, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows.byo.mapping import MappingError
from flows.byo.source import declared
from flows.faults import describe
from flows.loading import load_source
from flows.metrics.build import MartsBuilt, build_marts, night_end
from flows.night_lock import night_lock
from flows.quality import gx
from flows.quality.core_suites import record_results, validate_core
from flows.runs import (
    ChannelSummary,
    NightSummary,
    abandon_unfinished,
    core_counts,
    data_quality_markdown,
    fail_run,
    finish_run,
    night_warnings,
    refuse_earlier_night,
    start_run,
)
from flows.settings import (
    data_docs_beside,
    get_settings,
    plans_path_beside,
    published_path_for,
)
from flows.sources import all_sources
from warehouse import db
from warehouse.plans import copy_into_warehouse


def _connect(warehouse: Path):
    s = get_settings()
    return db.connect(warehouse, timezone=s.timezone, phone_region=s.phone_region)


@task(cache_policy=NO_CACHE)
def open_night(warehouse: Path, inbox: Path, run_id: str, run_date: date, rerun: bool) -> None:
    with _connect(warehouse) as con:
        db.migrate(con)
        refuse_earlier_night(con, run_date, rerun)
        for abandoned in abandon_unfinished(con, run_id):
            get_run_logger().warning("run %s never finished (killed mid-way?): marked abandoned; "
                                     "its committed deliveries stay, the rest load tonight",
                                     abandoned)
        start_run(con, run_id, run_date, inbox, str(runtime.flow_run.id or "") or None)
    gx.forget_results()  # this night's Data Docs show this night's validations only
    for name, mapping in declared().items():
        if isinstance(mapping, MappingError):  # its files will fail; say so even without files
            get_run_logger().error("declared source %s: mapping refused: %s", name, mapping)


# Reading files is I/O: a share or disk hiccup is retried. Deliveries already committed are
# skipped on the retry (their sha256 is recorded), so a retry never loads twice.
@task(retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE, task_run_name="load {source}")
def load_channel(warehouse: Path, inbox: Path, source: str, run_id: str,
                 run_date: date) -> ChannelSummary:
    logger = get_run_logger()
    s = get_settings()
    started = time.perf_counter()
    with _connect(warehouse) as con:
        outcomes = load_source(con, inbox, all_sources(s.phone_region)[source], run_id,
                               run_date, s.timezone,
                               s.phone_region)
    for o in outcomes:
        if o.status == "failed":
            logger.error("%s: %s", o.path, o.error)
        elif o.status == "skipped_duplicate":
            logger.warning("%s: same content as %s, skipped", o.path, o.duplicate_of)
        for note in o.notes:
            logger.warning("%s: %s", o.path, note)
    summary = ChannelSummary.of(source, outcomes, time.perf_counter() - started)
    logger.info(summary.line())
    return summary


@task(cache_policy=NO_CACHE)
def rebuild_core(warehouse: Path) -> tuple[int, dict[str, int]]:
    with _connect(warehouse) as con:
        db.build_core(con)
        return core_counts(con)


@task(cache_policy=NO_CACHE)
def validate_core_tables(warehouse: Path, run_id: str) -> int:
    """Run the core tables' GX suites; record every result; return how many failed."""
    with _connect(warehouse) as con:
        results = validate_core(con, f"night run {run_id}")
        record_results(con, results, run_id, datetime.now().astimezone())
    failed = [r for r in results if not r.success]
    for r in failed:
        get_run_logger().warning("%s: %s failed on %s rows (%s)", r.table, r.name,
                                 r.rows_failed, r.reason)
    return len(failed)


# The plans file may be held for a moment by someone saving a plan in the app: retry.
@task(retries=3, retry_delay_seconds=5, cache_policy=NO_CACHE)
def copy_plans(warehouse: Path, plans: Path) -> int:
    with _connect(warehouse) as con:
        return copy_into_warehouse(con, plans)


@task(cache_policy=NO_CACHE)
def rebuild_marts(warehouse: Path, run_date: date) -> MartsBuilt:
    s = get_settings()
    with _connect(warehouse) as con:
        built = build_marts(con, night_end(run_date, s.timezone))
    get_run_logger().info("marts rebuilt with policy %s: %s customers, %s SLA clocks",
                          built.policy_version, f"{built.customers:,}", f"{built.clocks:,}")
    return built


@task(cache_policy=NO_CACHE)
def close_night(warehouse: Path, summary: NightSummary) -> str:
    """Record the night's end and its warnings; return its data-quality summary (Markdown)."""
    with _connect(warehouse) as con:
        summary.warnings += night_warnings(con, summary)
        finish_run(con, summary)
        for warning in summary.warnings:
            get_run_logger().warning(warning)
        return data_quality_markdown(con, summary.run_id)


@task(cache_policy=NO_CACHE)
def build_data_docs(data_docs: Path) -> str | None:
    """GX Data Docs of every validation tonight (deliveries and core tables), as static HTML.
    A site that cannot be written is a warning, not a lost night: the data is in the tables."""
    try:
        index = gx.build_data_docs(data_docs)
    except Exception as exc:  # GX raises many types; the cause is in the message
        get_run_logger().error("GX Data Docs not written: %s",
                               describe(exc, "writing the GX Data Docs", data_docs))
        return None
    get_run_logger().info("GX Data Docs: %s", index)
    return str(index)


@task(retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def publish_copy(warehouse: Path, published: Path) -> str:
    try:
        return str(db.publish(warehouse, published))
    except OSError as exc:
        raise OSError(exc.errno, describe(exc, "publishing the readers' copy", published)) \
            from exc


def _loaded(state, source: str) -> ChannelSummary:
    """A source's summary, or a failed one saying why when its load raised."""
    if state.is_completed():
        return state.result()
    error = state.result(raise_on_failure=False)
    return ChannelSummary.failed(source, describe(error) if isinstance(error, BaseException)
                                 else str(state.message))


@flow(name="tousu-nightly", log_prints=True)
def nightly(inbox: Path, warehouse: Path | None = None, run_date: date | None = None,
            published: Path | None = None, plans: Path | None = None, rerun: bool = False,
            wait: bool = False) -> NightSummary:
    """One night. `rerun` allows a run date before the last published night; `wait` waits for a
    night already running on the warehouse instead of refusing to start."""
    settings = get_settings()
    inbox = Path(inbox).resolve()
    warehouse = Path(warehouse or settings.warehouse_path).resolve()
    published = Path(published) if published else (
        settings.published_path if warehouse == settings.warehouse_path
        else published_path_for(warehouse))
    plans = Path(plans) if plans else (
        settings.plans_path if warehouse == settings.warehouse_path
        else plans_path_beside(warehouse))
    run_date = run_date or datetime.now(ZoneInfo(settings.timezone)).date()
    run_id = f"{run_date:%Y%m%d}-{uuid.uuid4().hex[:8]}"

    clock = time.perf_counter()
    summary = NightSummary(run_id, run_date, [])
    # One night at a time, and the writer's file held from the first step to the publish.
    with night_lock(warehouse, wait=wait), db.held_open(
            warehouse, timezone=settings.timezone, phone_region=settings.phone_region):
        open_night(warehouse, inbox, run_id, run_date, rerun)
        try:
            # A source whose load fails (not one of its files: those fail alone) fails alone.
            summary.channels = [_loaded(load_channel(warehouse, inbox, source, run_id, run_date,
                                                     return_state=True), source)
                                for source in all_sources(settings.phone_region)]
            stages = summary.stage_seconds
            stages["load"] = time.perf_counter() - clock
            summary.complaints, summary.pending_links = rebuild_core(warehouse)
            stages["core"] = time.perf_counter() - clock - stages["load"]
            validate_core_tables(warehouse, run_id)
            stages["validate"] = time.perf_counter() - clock - sum(stages.values())
            copy_plans(warehouse, plans)
            rebuild_marts(warehouse, run_date)
            stages["marts"] = time.perf_counter() - clock - sum(stages.values())
            quality = close_night(warehouse, summary)
            # Built with failures too: that is when the failing expectations matter most.
            build_data_docs(data_docs_beside(published))
            stages["data_docs"] = time.perf_counter() - clock - sum(stages.values())
            # Files that wait do not hold the others back: their months show as provisional.
            summary.published = publish_copy(warehouse, published)
            stages["publish"] = time.perf_counter() - clock - sum(stages.values())
        except Exception as exc:
            summary.failure = describe(exc, "running the night", warehouse)
            fail_run(warehouse, summary)
            print(summary.text())
            raise

    create_table_artifact(key="nightly-intake", table=summary.table(),
                          description=f"Rows read, loaded and quarantined per source, "
                                      f"night {run_date}, run {run_id}.")
    create_markdown_artifact(key="nightly-data-quality", markdown=quality,
                             description=f"Data quality, night {run_date}, run {run_id}.")
    print(summary.text())
    return summary
