"""The nightly flow: every channel's new exports into the warehouse, then core, then publish.

`run_night` is the night's one sequence of steps, read top-down as the process: open the night,
load each source, rebuild core, check it, rebuild the step-7 marts, close the night, build the
Data Docs, publish the readers' copy. Each step is a plain function of the Night (flows/night.py),
whose work is in flows.loading, flows.runs and warehouse.db. The flow runs the sequence with
every step as a Prefect task (retries, logs, the run's record); the test fixtures run the same
sequence as plain calls, and the benchmark runs the flow.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from prefect import flow, get_run_logger, runtime, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError
from prefect.task_runners import ThreadPoolTaskRunner

from tousu.flows import memory
from tousu.flows.alerting import announce_failure, announce_night
from tousu.flows.faults import describe
from tousu.flows.loading import load_source
from tousu.flows.metrics.build import MartsBuilt, build_marts
from tousu.flows.night import Night
from tousu.flows.night_lock import NightAlreadyRunning, night_lock
from tousu.flows.quality import gx
from tousu.flows.quality.core_suites import carry_over_results, record_results, validate_core
from tousu.flows.runs import (
    ChannelSummary,
    NightRefused,
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
from tousu.warehouse import db
from tousu.warehouse.plan_store import copy_into_warehouse


def log() -> logging.Logger | logging.LoggerAdapter:
    """The task's or flow's logger in Prefect, the module's logger in a plain run."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("tousu.nightly")


def open_night(night: Night, flow_run_id: str | None = None) -> None:
    with night.connect() as con:
        db.migrate(con)
        refuse_earlier_night(con, night.run_date, night.rerun)
        for abandoned in abandon_unfinished(con, night.run_id):
            log().warning(
                "run %s never finished (killed mid-way?): marked abandoned; its "
                "committed deliveries stay, the rest load tonight",
                abandoned,
            )
        start_run(con, night.run_id, night.run_date, night.inbox, flow_run_id)
    shutil.rmtree(night.incoming, ignore_errors=True)  # a killed night's parts (the lock is ours)
    gx.forget_results()  # this night's Data Docs show this night's validations only
    for name, error in night.refused:  # its files will fail; say so even without files
        log().error("declared source %s: mapping refused: %s", name, error)


def load_channel(night: Night, source: str) -> ChannelSummary:
    started = time.perf_counter()
    with night.connect() as con:
        outcomes = load_source(
            con,
            night.inbox,
            night.source(source),
            night.run_id,
            night.run_date,
            night.timezone,
            night.phone_region,
            scratch=night.incoming,
            arrived_by=night.arrived_by,
        )
    for o in outcomes:
        if o.status == "failed":
            log().error("%s: %s", o.path, o.error)
        elif o.status == "skipped_duplicate":
            log().warning("%s: same content as %s, skipped", o.path, o.duplicate_of)
        for note in o.notes:
            log().warning("%s: %s", o.path, note)
    summary = ChannelSummary.of(source, outcomes, time.perf_counter() - started)
    log().info(summary.line())
    return summary


def rebuild_core(night: Night) -> tuple[int, dict[str, int]]:
    """Bring core up to date with the deliveries loaded since its last build: write again only
    the complaints they touch, or everything when the SQL, catalogue, vocabulary or settings
    changed. Nothing new at all (no delivery loaded): core stays as it is."""
    # What the loads' reading and checks held is given back first: the night's peak is in the
    # marts, on top of what the steps before them left resident. Once, not after each source:
    # that cost the 1M first night's load about 10 s (179.5 and 192.5 s against 166.8-176.4).
    memory.give_back()
    with night.connect() as con:
        key = db.core_inputs_key(con, night.core_settings)
        settings_key = db.core_settings_key(night.core_settings)
        rebuilt = not db.core_is_built_from(con, key)
        if rebuilt:
            new_loads = db.loads_core_lacks(con, settings_key)
            touched = db.build_core(con, new_loads=new_loads)
            if new_loads is None:
                log().info("core built in full: %s complaints written", f"{touched:,}")
            else:
                log().info(
                    "core updated: %s complaints touched by %s new deliveries",
                    f"{touched:,}",
                    len(new_loads),
                )
        else:
            log().info("core unchanged: nothing it is built from changed since its last build")
        db.record_core_build(con, night.run_id, key, rebuilt, settings_key)
        counts = core_counts(con)
    # The phone numbers were normalised for the deliveries' checks and for core; nothing later
    # tonight normalises one, so the cache (db.phone_e164 says what it holds) is let go.
    db.phone_e164.cache_clear()
    return counts


def validate_core_tables(night: Night) -> int:
    """Run the core tables' GX suites (or, on core kept as it was, carry over the results of the
    night that built it); record every result; return how many failed."""
    with night.connect() as con:
        now = datetime.now().astimezone()
        if db.core_rebuilt_by(con, night.run_id):
            results = validate_core(con, f"night run {night.run_id}")
            record_results(con, results, night.run_id, now)
        else:
            results = carry_over_results(con, night.run_id, now)
    failed = [r for r in results if not r.success]
    for r in failed:
        log().warning("%s: %s failed on %s rows (%s)", r.table, r.name, r.rows_failed, r.reason)
    return len(failed)


def copy_plans(night: Night) -> int:
    with night.connect() as con:
        return copy_into_warehouse(con, night.plans)


def rebuild_marts(night: Night) -> MartsBuilt:
    with night.connect() as con:
        built = build_marts(
            con,
            night.as_of,
            mappings=list(night.mappings),
        )
    log().info(
        "marts rebuilt with policy %s: %s customers, %s SLA clocks",
        built.policy_version,
        f"{built.customers:,}",
        f"{built.clocks:,}",
    )
    return built


def close_night(night: Night, summary: NightSummary) -> str:
    """Record the night's end and its warnings; return its data-quality summary (Markdown)."""
    with night.connect() as con:
        summary.warnings += night_warnings(con, summary)
        finish_run(con, summary)
        db.build_quality_marts(con)  # again, now that the night's end is recorded
        for warning in summary.warnings:
            log().warning(warning)
        return data_quality_markdown(con, summary.run_id)


def build_data_docs(night: Night) -> str | None:
    """GX Data Docs of every validation tonight (deliveries and core tables), as static HTML.
    A site that cannot be written is a warning, not a lost night: the data is in the tables.
    A night that validated nothing (no new file, core unchanged) keeps the last site."""
    index = night.data_docs / "index.html"
    if gx.results_kept() == 0 and index.exists():
        log().info("GX Data Docs: nothing validated tonight, the last night's site stays")
        return str(index)
    with night.connect() as con:
        # the nights whose failures the Data quality page lists: their sites are kept
        keep = tuple(
            r
            for (r,) in con.execute(
                "SELECT DISTINCT run_id FROM mart.provisional_problems UNION "
                "SELECT DISTINCT run_id FROM ops.dq_results WHERE run_id = ? AND NOT success "
                "ORDER BY 1",
                [night.run_id],
            ).fetchall()
        )
    try:
        index = gx.build_data_docs(night.data_docs, night.run_id, keep)
    except Exception as exc:  # GX raises many types; the cause is in the message
        log().error(
            "GX Data Docs not written: %s",
            describe(exc, "writing the GX Data Docs", night.data_docs),
        )
        return None
    log().info("GX Data Docs: %s", index)
    return str(index)


def publish_copy(night: Night) -> str:
    try:
        return str(db.publish(night.warehouse, night.published))
    except OSError as exc:
        raise OSError(
            exc.errno, describe(exc, "publishing the readers' copy", night.published)
        ) from exc


def announce(night: Night, summary: NightSummary) -> int:
    """Send the night's new alerts (flows/alerting.py) to the configured channels; returns how
    many. A channel that does not take them is said in the summary, never fails the night: the
    night is published, and the alerts go again with the next one."""
    try:
        with night.connect() as con:
            sent, delivery = announce_night(con, night.run_id, night.run_date, night.alert_urls)
    except Exception as exc:  # the night is published: an alert's fault must not undo that
        summary.alert_errors = [describe(exc, "raising the night's alerts")]
        log().error("alerts not raised: %s", summary.alert_errors[0])
        return 0
    summary.alerts = [a.line() for a in sent]
    summary.alert_errors = delivery.errors
    return len(sent)


def plain(step: Callable, *args):
    """Run a step as a plain call (the test fixtures)."""
    return step(*args)


# The night's steps: which part of the night each one's time counts in
# (NightSummary.stage_seconds), and its options as a Prefect task. Reading files is I/O: a share
# or disk hiccup is retried (deliveries already committed are skipped on the retry: their sha256
# is recorded, a retry never loads twice). The plans file may be held for a moment by someone
# saving a plan in the app. The publish copy is retried too.
STEPS: dict[Callable, tuple[str, dict]] = {
    open_night: ("load", {}),
    load_channel: (
        "load",
        {"retries": 2, "retry_delay_seconds": 5, "task_run_name": "load {source}"},
    ),
    rebuild_core: ("core", {}),
    validate_core_tables: ("validate", {}),
    copy_plans: ("marts", {"retries": 3, "retry_delay_seconds": 5}),
    rebuild_marts: ("marts", {}),
    close_night: ("data_docs", {}),
    build_data_docs: ("data_docs", {}),
    publish_copy: ("publish", {"retries": 2, "retry_delay_seconds": 5}),
    announce: ("publish", {}),
}
TASKS = {fn: task(fn, cache_policy=NO_CACHE, **options) for fn, (_, options) in STEPS.items()}


def run_night(
    night: Night, summary: NightSummary, step: Callable = plain, flow_run_id: str | None = None
) -> str:
    """The night, step by step, filling in its summary; returns its data-quality summary
    (Markdown). `step` runs each step: a plain call, or the flow's task (as_task)."""

    def timed(fn: Callable, *args):
        started = time.perf_counter()
        try:
            return step(fn, *args)
        finally:
            stage = STEPS[fn][0]
            summary.stage_seconds[stage] = (
                summary.stage_seconds.get(stage, 0.0) + time.perf_counter() - started
            )

    timed(open_night, night, flow_run_id)
    summary.channels = [timed(load_channel, night, s.name) for s in night.sources]
    summary.complaints, summary.pending_links = timed(rebuild_core, night)
    timed(validate_core_tables, night)
    timed(copy_plans, night)
    built = timed(rebuild_marts, night)
    if built.memory_note:
        summary.warnings.append(built.memory_note)
    quality = timed(close_night, night, summary)
    timed(build_data_docs, night)  # with failures too: that is when they matter most
    # Files that wait do not hold the others back: their months show as provisional.
    summary.published = timed(publish_copy, night)
    timed(announce, night, summary)
    return quality


def as_task(step: Callable, *args):
    """Run a step as its Prefect task. A source whose load fails (not one of its files: those
    fail alone) fails alone: the night goes on with a failed summary for it."""
    if step is not load_channel:
        return TASKS[step](*args)
    state = TASKS[step](*args, return_state=True)
    if state.is_completed():
        return state.result()
    error = state.result(raise_on_failure=False)
    return ChannelSummary.failed(
        args[1], describe(error) if isinstance(error, BaseException) else str(state.message)
    )


# Every task in the flow's own process: GX keeps the night's validation results for the Data
# Docs in this process (flows/quality/gx.py).
@flow(name="tousu-nightly", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=1))
def nightly(
    inbox: Path,
    warehouse: Path | None = None,
    run_date: date | None = None,
    published: Path | None = None,
    plans: Path | None = None,
    rerun: bool = False,
    wait: bool = False,
    replay: bool = False,
) -> NightSummary:
    """One night. `rerun` allows a run date before the last published night; `wait` waits for a
    night already running on the warehouse instead of refusing to start; `replay` replays a
    missed night: only the files that had arrived by its end (a backfill)."""
    night = Night.resolve(inbox, warehouse, run_date, published, plans, rerun, replay=replay)
    summary = NightSummary(night.run_id, night.run_date, [])
    started = time.perf_counter()
    # One night at a time, and the writer's file held from the first step to the publish.
    try:
        with (
            night_lock(night.warehouse, wait=wait),
            db.held_open(
                night.warehouse,
                timezone=night.timezone,
                phone_region=night.phone_region,
                memory_limit=night.memory_limit,
            ),
        ):
            quality = run_night(night, summary, as_task, str(runtime.flow_run.id or "") or None)
    except (NightAlreadyRunning, NightRefused):
        raise  # refused, not failed: the caller is told why (tousu nightly exits 4 or 2)
    except Exception as exc:
        summary.failure = describe(exc, "running the night", night.warehouse)
        fail_run(night.warehouse, summary)
        delivery = announce_failure(
            night.warehouse, night.run_id, night.run_date, summary.failure, night.alert_urls
        )
        summary.alert_errors = delivery.errors
        print(summary.text())
        raise
    # waiting for the lock, and the flow's own bookkeeping, count as the load's
    summary.stage_seconds["load"] += (
        time.perf_counter() - started - sum(summary.stage_seconds.values())
    )
    create_table_artifact(
        key="nightly-intake",
        table=summary.table(),
        description=f"Rows read, loaded and quarantined per source, "
        f"night {night.run_date}, run {night.run_id}.",
    )
    create_markdown_artifact(
        key="nightly-data-quality",
        markdown=quality,
        description=f"Data quality, night {night.run_date}, run {night.run_id}.",
    )
    print(summary.text())
    return summary
