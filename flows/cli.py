"""The `tousu` command."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from tousu.flows.access_cli import StoreOption, app_file
from tousu.flows.settings import NIGHTLY_CRON, TIMEZONE

app = typer.Typer(
    help="tousu: complaint intake and step-7 review data.",
    no_args_is_help=True,
    add_completion=False,
)


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise typer.BadParameter(f"'{value}' is not a date of the form YYYY-MM-DD") from exc


@app.command("demo-data")
def demo_data(
    out: Annotated[Path, typer.Option(help="Inbox folder to write (replaced if it exists).")],
    complaints: Annotated[int, typer.Option(min=10, help="How many complaints.")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same inbox.")] = 1,
    until: Annotated[str | None, typer.Option(help="Last day covered, YYYY-MM-DD.")] = None,
    defect_rate: Annotated[
        float, typer.Option(min=0.0, max=0.2, help="Share of records per defect kind.")
    ] = 0.006,
) -> None:
    """Write a deterministic 13-month demo inbox in every channel's native format."""
    from tousu.flows.demo.generator import DEFAULT_UNTIL, generate

    manifest = generate(out, complaints, seed, _date(until) or DEFAULT_UNTIL, defect_rate)
    kinds: dict[str, int] = {}
    for d in manifest["defects"]:
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    typer.echo(
        f"wrote {out}: {manifest['complaints']:,} complaints {manifest['from']} to "
        f"{manifest['until']}, by channel {json.dumps(manifest['by_channel'])}"
    )
    typer.echo(f"planted defects (see {out / 'manifest.json'}): {json.dumps(kinds)}")


@app.command("demo-plans")
def demo_plans(
    plans: Annotated[
        Path | None,
        typer.Option(
            help="Plans file (default: TOUSU_PLANS or data/improvement_plans.duckdb); replaced."
        ),
    ] = None,
) -> None:
    """Write two demo improvement plans (one done and verifiable, one overdue)."""
    from datetime import datetime

    from tousu.flows.demo.plans import write_demo_plans
    from tousu.flows.settings import get_settings

    path = plans or get_settings().plans_path
    ids = write_demo_plans(path, datetime.now().astimezone())
    typer.echo(f"wrote demo improvement plans {', '.join(ids)} to {path}")


@app.command("demo-users")
def demo_users(store: StoreOption = None) -> None:
    """Add one demo user of each role (agents mapped to demo operators) and print their
    passwords: for the demo only."""
    from tousu.flows.demo.users import write_demo_users

    path = app_file(store)
    typer.echo(f"demo users of the review app ({path}); sign in with:")
    for name, role, password in write_demo_users(path, datetime.now().astimezone()):
        typer.echo(f"  {name:<8} {password:<14} {role}")


@app.command()
def nightly(
    inbox: Annotated[Path, typer.Option(exists=True, file_okay=False, help="Inbox folder.")],
    warehouse: Annotated[
        Path | None,
        typer.Option(help="Warehouse file (default: TOUSU_WAREHOUSE or data/tousu.duckdb)."),
    ] = None,
    run_date: Annotated[
        str | None, typer.Option(help="The night, YYYY-MM-DD (default today).")
    ] = None,
    rerun: Annotated[
        bool,
        typer.Option(
            help="Allow a run date before the last published night (figures go back to it)."
        ),
    ] = False,
    wait: Annotated[
        bool,
        typer.Option(
            help="If a night is already running on the warehouse, wait for it instead of exiting."
        ),
    ] = False,
    from_date: Annotated[
        str | None,
        typer.Option("--from", help="Backfill: the first missed night, YYYY-MM-DD (with --to)."),
    ] = None,
    to_date: Annotated[
        str | None,
        typer.Option("--to", help="Backfill: the last missed night, YYYY-MM-DD (with --from)."),
    ] = None,
) -> None:
    """Run the nightly flow once, or replay missed nights (--from/--to).

    A backfill replays each night from --from to --to in order, each as of its own date and with
    only the files that had arrived by its end (their modification time); files that arrived
    later wait for their own night. It stops at the first night that fails or is refused and
    prints one line per night.

    Exit codes: 0 every file loaded or accounted for, published; 3 published, but some files
    (or a source) wait and their months show as provisional; 1 the night failed, nothing
    published (the summary says why); 2 refused: a run date before the last published night
    without --rerun; 4 another night is running on the warehouse (without --wait). A backfill
    exits with its worst night's code.
    """
    if (from_date is None) != (to_date is None):
        raise typer.BadParameter("a backfill needs both --from and --to")
    if from_date is not None and run_date is not None:
        raise typer.BadParameter("give either --run-date or --from/--to, not both")
    if from_date is None:
        raise typer.Exit(_one_night(inbox, warehouse, _date(run_date), rerun, wait, False))
    first, last = _date(from_date), _date(to_date)
    assert first is not None and last is not None
    if last < first:
        raise typer.BadParameter(f"--to {last} is before --from {first}")
    nights = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    typer.echo(f"backfill: {len(nights)} nights, {first} to {last}")
    worst = 0
    for night in nights:
        code = _one_night(inbox, warehouse, night, rerun, wait, True)
        typer.echo(f"backfill: night {night}: {NIGHT_OUTCOMES.get(code, code)}")
        worst = max(worst, code, key=lambda c: BACKFILL_SEVERITY.get(c, 9))
        if code not in (0, 3):
            left = len(nights) - nights.index(night) - 1
            typer.echo(f"backfill: stopped at {night}; {left} later night(s) not run", err=True)
            break
    raise typer.Exit(worst)


NIGHT_OUTCOMES = {
    0: "published",
    3: "published, some files wait",
    1: "FAILED, nothing published",
    2: "refused (before the last published night; --rerun to re-run it)",
    4: "another night is running",
}
# A backfill's exit code is its worst night's: failed over refused over busy over waiting.
BACKFILL_SEVERITY = {0: 0, 3: 1, 4: 2, 2: 3, 1: 4}


def _one_night(
    inbox: Path,
    warehouse: Path | None,
    night: date | None,
    rerun: bool,
    wait: bool,
    replay: bool,
) -> int:
    """One night through the nightly flow; its exit code (tousu nightly's docstring)."""
    from tousu.flows.night_lock import NightAlreadyRunning
    from tousu.flows.nightly import nightly as nightly_flow
    from tousu.flows.runs import NightRefused

    try:
        summary = nightly_flow(
            inbox=inbox,
            warehouse=warehouse,
            run_date=night,
            rerun=rerun,
            wait=wait,
            replay=replay,
        )
    except NightRefused as exc:
        typer.echo(f"tousu nightly: refused: {exc}", err=True)
        return 2
    except NightAlreadyRunning as exc:
        typer.echo(f"tousu nightly: {exc}", err=True)
        return 4
    except Exception as exc:  # the flow printed its summary; say the cause last, plainly
        from tousu.flows.faults import describe

        typer.echo(f"tousu nightly: the night failed, nothing published: {describe(exc)}", err=True)
        return 1
    return summary.exit_code


InboxOption = Annotated[
    Path | None,
    typer.Option(help="Inbox folder the nightly reads (default: TOUSU_INBOX)."),
]
CronOption = Annotated[str, typer.Option(help="The nightly's schedule, cron syntax.")]
TimezoneOption = Annotated[str, typer.Option(help="Time zone of the schedules.")]


@app.command()
def serve(
    inbox: InboxOption = None,
    cron: CronOption = NIGHTLY_CRON,
    timezone: TimezoneOption = TIMEZONE,
) -> None:
    """Serve the nightly flow and the monthly review pack as Prefect deployments on their
    schedules, in this one process (runs until stopped)."""
    from prefect import serve as prefect_serve

    from tousu.flows.deployments import deployments

    prefect_serve(*deployments(_scheduled_inbox(inbox), cron, timezone))


@app.command()
def deploy(
    pool: Annotated[str, typer.Option(help="Work pool (type process; created if missing).")],
    inbox: InboxOption = None,
    cron: CronOption = NIGHTLY_CRON,
    timezone: TimezoneOption = TIMEZONE,
) -> None:
    """Register the nightly and the monthly review pack on the Prefect server (PREFECT_API_URL)
    for the workers of a work pool: `prefect worker start --pool POOL` runs them."""
    from tousu.flows.deployments import deploy as register

    ids = register(pool, _scheduled_inbox(inbox), cron, timezone)
    typer.echo(
        f"registered {len(ids)} deployments for work pool {pool}: tousu-nightly/"
        f"tousu-nightly ({cron}, {timezone}), tousu-monthly-report/tousu-monthly-report"
    )
    typer.echo(f"start a worker: prefect worker start --pool {pool}")


def _scheduled_inbox(inbox: Path | None) -> Path:
    from tousu.flows.deployments import NoInbox, scheduled_inbox

    try:
        found = scheduled_inbox(inbox)
    except NoInbox as exc:
        raise typer.BadParameter(str(exc)) from None
    if not found.is_dir():
        raise typer.BadParameter(f"the inbox {found} is not a folder")
    return found


@app.command()
def summary(
    warehouse: Annotated[Path | None, typer.Option(help="Published copy to read.")] = None,
) -> None:
    """Print the latest night's figures from the published copy (never blocks the writer)."""
    from tousu.flows.settings import get_settings
    from tousu.warehouse import db

    path = warehouse or get_settings().published_path
    if not path.exists():
        typer.echo(f"no published warehouse at {path}: run `tousu nightly` first", err=True)
        raise typer.Exit(2)
    con = db.open_published(path)
    run = con.execute(
        "SELECT run_id, run_date, status, note FROM ops.runs ORDER BY started_at DESC LIMIT 1"
    ).fetchall()[0]
    typer.echo(
        f"published copy {path}\nlast night {run[1]} (run {run[0]}): {run[2]}"
        + (f" ({run[3]})" if run[3] else "")
    )
    from tousu.flows.runs import waiting_files

    for source, file, status, error, since in waiting_files(con):
        typer.echo(f"  waiting since {since}: {file} ({source}, {status}): {error}")
    typer.echo("all nights so far, per source:")
    for source, files, read, loaded, quarantined, skipped in con.execute(
        "SELECT source, count(*), sum(rows_read), sum(rows_loaded), sum(rows_quarantined), "
        "sum(rows_skipped) FROM ops.file_loads WHERE status = 'loaded' "
        "GROUP BY 1 ORDER BY 1"
    ).fetchall():
        typer.echo(
            f"  {source:<14} {files:>6,} files {read:>10,} rows read {loaded:>10,} loaded "
            f"{quarantined:>7,} quarantined {skipped:>6,} identical copies skipped"
        )
    typer.echo("complaints (core.complaints):")
    for channel, n, open_n in con.execute(
        "SELECT channel, count(*), count(*) FILTER (WHERE status <> 'closed') "
        "FROM core.complaints GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall():
        typer.echo(f"  {channel:<8} {n:>8,} complaints  {open_n:>6,} open")
    for what, n in con.execute(
        "SELECT waiting_for, count(*) FROM ops.pending_links GROUP BY 1 ORDER BY 1"
    ).fetchall():
        typer.echo(f"waiting (ops.pending_links): {what}: {n:,}")
    from tousu.flows.runs import night_alerts

    found = night_alerts(con)
    typer.echo("alerts:" if found else "alerts: none")
    for line in found.lines():
        typer.echo(f"  {line}")
    con.close()


# A published copy older than this means a night is missing (nights run daily).
STALE_HOURS = 36


@app.command()
def status(
    warehouse: Annotated[Path | None, typer.Option(help="Published copy to read.")] = None,
) -> None:
    """Health for an operator or a monitor: the last night and its state, sources late, files
    waiting, the published copy's age, disk free beside it, the working-day calendar's end.
    Exit 0 healthy, 3 published but something needs attention, 1 no usable night."""
    import shutil
    from datetime import datetime

    from tousu.flows.metrics.calendar import calendar_warning
    from tousu.flows.metrics.policy import load_policy
    from tousu.flows.runs import silent_sources, waiting_files
    from tousu.flows.settings import get_settings
    from tousu.warehouse import db

    path = warehouse or get_settings().published_path
    if not path.exists():
        typer.echo(f"status: no published warehouse at {path}: no night has been published")
        raise typer.Exit(1)
    age_hours = (datetime.now().timestamp() - path.stat().st_mtime) / 3600
    con = db.open_published(path)
    try:
        [(run_id, run_date, state, note)] = con.execute(
            "SELECT run_id, run_date, status, note FROM ops.runs ORDER BY started_at DESC LIMIT 1"
        ).fetchall()
        late = silent_sources(con, datetime.now().date())
        waiting = waiting_files(con)
    finally:
        con.close()
    free = shutil.disk_usage(path.parent)
    policy, _ = load_policy()
    calendar = calendar_warning(
        policy.calendar.country, policy.calendar.years, datetime.now().date()
    )
    typer.echo(f"last night: {run_date} (run {run_id}): {state}" + (f" ({note})" if note else ""))
    typer.echo(f"published copy: {path}, {age_hours:,.1f} hours old")
    typer.echo(
        f"disk free beside it: {free.free / 2**30:,.1f} GiB of {free.total / 2**30:,.1f} GiB"
    )
    typer.echo(f"files waiting: {len(waiting)}")
    for source, file, file_status, error, since in waiting:
        typer.echo(f"  {file} ({source}, {file_status} since {since}): {error}")
    typer.echo(f"sources late: {len(late)}")
    for line in late:
        typer.echo(f"  {line}")
    if calendar:
        typer.echo(f"calendar: {calendar}")
    if state == "failed" or age_hours > STALE_HOURS:
        typer.echo(f"status: FAILING (the last night {state}, the copy {age_hours:,.0f} h old)")
        raise typer.Exit(1)
    if waiting or late or calendar or state != "succeeded" or free.free < free.total * 0.05:
        typer.echo("status: needs attention")
        raise typer.Exit(3)
    typer.echo("status: healthy")


@app.command()
def report(
    month: Annotated[str, typer.Option(help="The month to report, YYYY-MM.")],
    lang: Annotated[str, typer.Option(help="zh, en or both.")] = "both",
    out: Annotated[Path, typer.Option(help="Folder to write the files into.")] = Path("reports"),
    warehouse: Annotated[Path | None, typer.Option(help="Published copy to read.")] = None,
    channel: Annotated[str, typer.Option(help="Only this channel (e.g. phone).")] = "(all)",
    department: Annotated[str, typer.Option(help="Only this department.")] = "(all)",
    category: Annotated[str, typer.Option(help="Only this category (e.g. 物流配送类).")] = "(all)",
    priority: Annotated[str, typer.Option(help="Only this priority (高, 中, 低).")] = "(all)",
) -> None:
    """Write the month's review pack: report-YYYY-MM-<lang>.pdf and .xlsx (audited exports);
    with a filter, of that part only (report-YYYY-MM-<lang>-<value>...)."""
    from datetime import date

    from tousu.dashboards.report import LANGS, build
    from tousu.flows.settings import get_settings, plans_path_beside

    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        typer.echo(f"--month {month!r}: give a month as YYYY-MM, e.g. 2026-10", err=True)
        raise typer.Exit(2) from None
    langs = LANGS if lang == "both" else (lang,)
    if any(x not in LANGS for x in langs):
        typer.echo(f"--lang {lang!r}: zh, en or both", err=True)
        raise typer.Exit(2)
    path = warehouse or get_settings().published_path
    if not path.exists():
        typer.echo(f"no published warehouse at {path}: run `tousu nightly` first", err=True)
        raise typer.Exit(2)
    plans = get_settings().plans or plans_path_beside(path)
    breakdown = {
        "channel": channel,
        "department": department,
        "category": category,
        "priority": priority,
    }
    for written in build(path, first, langs, out, plans, breakdown):
        typer.echo(f"written: {written}")


@app.command()
def dashboard(
    warehouse: Annotated[
        Path | None,
        typer.Option(
            help="Published copy to read (default: TOUSU_PUBLISHED or data/tousu.published.duckdb)."
        ),
    ] = None,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Start the step-7 review app (Streamlit) on the published copy; runs until stopped.

    The GX Data Docs of the latest night are served beside it on the next port, or another free
    one when that is taken (Streamlit's static serving sends HTML as plain text, so it cannot
    show them itself).
    """
    import os
    import sys

    from tousu.flows.settings import get_settings

    path = (warehouse or get_settings().published_path).resolve()
    app_file = Path(__file__).resolve().parent.parent / "dashboards" / "app.py"
    typer.echo(f"tousu dashboard: http://{address}:{port}  (reading {path}; Ctrl+C stops it)")
    from tousu.flows.data_docs_server import serve_data_docs
    from tousu.flows.settings import data_docs_beside, plans_path_beside

    plans = get_settings().plans or plans_path_beside(path)
    from tousu.warehouse.users import has_administrator

    if not has_administrator(plans):
        typer.echo(
            f"tousu dashboard: no administrator in {plans} yet, so the app serves no data: "
            "create one with `tousu users add NAME --role administrator`",
            err=True,
        )
    docs_url, _ = serve_data_docs(data_docs_beside(path), address, port + 1)
    typer.echo(f"GX Data Docs: {docs_url}")
    env = {
        **os.environ,
        "TOUSU_PUBLISHED": str(path),
        "TOUSU_PLANS": str(plans),
        "TOUSU_DATA_DOCS_URL": docs_url,
    }
    raise typer.Exit(
        run_forwarding_signals(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(app_file),
                "--server.port",
                str(port),
                "--server.address",
                address,
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--client.toolbarMode",
                "viewer",
                # The table toolbar's CSV export only quotes fields (a description "=HYPERLINK(...)"
                # would run in a spreadsheet): it is off, and pages offer safe downloads instead.
                "--client.disableDataExport",
                "true",
            ],
            env,
        )
    )


def run_forwarding_signals(
    command: list[str], env: dict[str, str], grace_seconds: float = 10.0
) -> int:
    """Run a server as a child and pass SIGTERM / SIGINT / SIGHUP on to it: stopping this
    process stops the server (and frees its port) instead of leaving it orphaned. A child that
    does not stop within the grace period is killed."""
    import signal
    import subprocess

    child = subprocess.Popen(command, env=env)

    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signum)

    previous = {
        sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    }
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:  # a second Ctrl+C while the child is stopping
                continue
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(grace_seconds)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


metrics_app = typer.Typer(help="Step-7 metrics (marts).", no_args_is_help=True)
app.add_typer(metrics_app, name="metrics")


@metrics_app.command("recompute")
def metrics_recompute(
    reason: Annotated[str, typer.Option(help="Why (kept in ops.recomputes).")],
    warehouse: Annotated[Path | None, typer.Option(help="Writer's warehouse file.")] = None,
    run_date: Annotated[
        str | None, typer.Option(help="As of this night, YYYY-MM-DD (default: the last run's).")
    ] = None,
) -> None:
    """Recompute every SLA result with the current policy and calendar, and publish.

    Nightly runs keep final results as computed; this rewrites them on purpose and logs it.
    It takes the night lock: while a nightly run is writing it exits with code 4.
    """
    from tousu.flows.night_lock import NightAlreadyRunning, night_lock
    from tousu.flows.settings import get_settings

    s = get_settings()
    path = warehouse or s.warehouse_path
    try:
        with night_lock(path, what="metrics recompute"):
            _recompute(path, run_date, reason)
    except NightAlreadyRunning as exc:
        typer.echo(f"tousu metrics recompute: {exc}", err=True)
        raise typer.Exit(4) from None


def _recompute(path: Path, run_date: str | None, reason: str) -> None:
    from tousu.flows.metrics.build import build_marts
    from tousu.flows.settings import get_settings, night_end
    from tousu.warehouse import db

    s = get_settings()
    con = db.connect(path, timezone=s.timezone, phone_region=s.phone_region)
    night = (
        _date(run_date)
        or con.execute("SELECT max(run_date) FROM ops.published_nights").fetchall()[0][0]
    )
    if night is None:
        typer.echo("no successful night to recompute as of; give --run-date", err=True)
        raise typer.Exit(2)
    db.build_core(con)  # in full: a recompute takes nothing from earlier nights on trust
    built = build_marts(con, night_end(night, s.timezone), recompute=True, reason=reason)
    [(before,)] = con.execute(
        "SELECT previous_versions FROM ops.recomputes ORDER BY recomputed_at DESC LIMIT 1"
    ).fetchall()
    con.close()
    published = s.published_for(path)
    db.publish(path, published)
    typer.echo(
        f"recomputed {built.clocks:,} SLA clocks as of {night} with policy "
        f"{built.policy_version} (before: {before}); published {published}"
    )


from tousu.flows.byo.cli import sources_app  # noqa: E402  (the group lives with its code)

app.add_typer(sources_app, name="sources")

from tousu.flows.access_cli import privacy_app, users_app  # noqa: E402

app.add_typer(users_app, name="users")
app.add_typer(privacy_app, name="privacy")

if __name__ == "__main__":
    app()
