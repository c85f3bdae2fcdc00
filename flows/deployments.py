"""The scheduled work, declared once: the nightly and the monthly review pack as Prefect
deployments, with their schedules, parameters and concurrency.

Two ways to run them, one declaration:
- `tousu serve`: one process serves both on their schedules (the one-machine default).
- `tousu deploy --pool NAME`: registers both on a Prefect server (PREFECT_API_URL, e.g. backed by
  PostgreSQL) for the workers of a process work pool; each worker runs a flow by its module path
  in the installed package (no code storage to pull, no image).

At most one nightly runs at a time: the deployment's concurrency limit is 1 with CANCEL_NEW, so
the server cancels a second run of it while one is running, whichever worker or machine picks it
up (final state Cancelled, "Deployment concurrency limit reached."). A night started some other
way (`tousu nightly` by hand) meets the warehouse's night lock instead (flows/night_lock.py) and
fails at once saying which night holds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron, Schedule

from tousu.flows.settings import (
    MONTHLY_REPORT_CRON,
    NIGHTLY_CRON,
    TIMEZONE,
    current_settings,
)

NIGHTLY = "tousu-nightly"
MONTHLY_REPORT = "tousu-monthly-report"
ONE_AT_A_TIME = ConcurrencyLimitConfig(
    limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
)


class NoInbox(ValueError):
    """Neither --inbox nor TOUSU_INBOX says which inbox the scheduled nightly reads."""


def scheduled_inbox(inbox: Path | None) -> Path:
    """The inbox the scheduled nightly reads: given, else TOUSU_INBOX."""
    chosen = inbox or current_settings().inbox
    if chosen is None:
        raise NoInbox("say which inbox the nightly reads: --inbox, or TOUSU_INBOX in the settings")
    return Path(chosen).resolve()


def nightly_deployment(
    inbox: Path,
    cron: str = NIGHTLY_CRON,
    timezone: str = TIMEZONE,
    entrypoint_type: EntrypointType = EntrypointType.FILE_PATH,
) -> RunnerDeployment:
    """The nightly flow on its schedule. The warehouse and the other paths are not parameters:
    the process that runs the flow reads them from its settings (TOUSU_*)."""
    from tousu.flows.nightly import nightly

    return _scheduled(
        nightly,
        NIGHTLY,
        Cron(cron, timezone=timezone),
        entrypoint_type,
        "Load every channel's new exports into the warehouse and publish it.",
        {"inbox": str(inbox)},
    )


def monthly_report_deployment(
    timezone: str = TIMEZONE, entrypoint_type: EntrypointType = EntrypointType.FILE_PATH
) -> RunnerDeployment:
    """The monthly review pack on its schedule (the month before, every language)."""
    from tousu.flows.report.flow import monthly_report

    return _scheduled(
        monthly_report,
        MONTHLY_REPORT,
        Cron(MONTHLY_REPORT_CRON, timezone=timezone),
        entrypoint_type,
        "Write the month before's review pack (PDF and Excel, zh and en).",
    )


def _scheduled(
    flow,
    name: str,
    schedule: Schedule,
    entrypoint_type: EntrypointType,
    description: str,
    parameters: dict | None = None,
) -> RunnerDeployment:
    """A flow as a tousu deployment: on its schedule, one run at a time."""
    # to_deployment is sync here (called outside an event loop)
    return cast(
        RunnerDeployment,
        flow.to_deployment(
            name=name,
            parameters=parameters,
            schedule=schedule,
            concurrency_limit=ONE_AT_A_TIME,
            entrypoint_type=entrypoint_type,
            description=description,
            tags=["tousu"],
        ),
    )


def deployments(
    inbox: Path,
    cron: str = NIGHTLY_CRON,
    timezone: str = TIMEZONE,
    entrypoint_type: EntrypointType = EntrypointType.FILE_PATH,
) -> list[RunnerDeployment]:
    """Every scheduled deployment of tousu."""
    return [
        nightly_deployment(inbox, cron, timezone, entrypoint_type),
        monthly_report_deployment(timezone, entrypoint_type),
    ]


def ensure_process_pool(pool: str) -> bool:
    """Create the work pool (type process) unless it exists; True when it was created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
            return False
        except ObjectNotFound:
            client.create_work_pool(
                WorkPoolCreate(
                    name=pool,
                    type="process",
                    base_job_template=ProcessWorker.get_default_base_job_template(),
                )
            )
            return True


def deploy(pool: str, inbox: Path, cron: str = NIGHTLY_CRON, timezone: str = TIMEZONE) -> list:
    """Register every deployment on the Prefect server for the work pool's workers; returns
    their ids. The workers import the flows from the installed tousu package."""
    from prefect import deploy as prefect_deploy

    ensure_process_pool(pool)
    return cast(
        list,
        prefect_deploy(
            *deployments(inbox, cron, timezone, EntrypointType.MODULE_PATH),
            work_pool_name=pool,
            build=False,
            push=False,
            print_next_steps_message=False,
            ignore_warnings=True,  # a process pool is the point here, not a dev shortcut
        ),
    )
