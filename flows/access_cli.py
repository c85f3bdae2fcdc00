"""`tousu users ...` and `tousu privacy ...`: the review app's accounts, and a person's erasure."""

from __future__ import annotations

import getpass
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

users_app = typer.Typer(
    help="The review app's users (kept in the app's own file, beside the plans).",
    no_args_is_help=True,
)
StoreOption = Annotated[
    Path | None,
    typer.Option(help="The app's file (default: TOUSU_PLANS or data/improvement_plans.duckdb)."),
]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from standard input (one line); it is never an argument.",
    ),
]


def app_file(path: Path | None) -> Path:
    """The review app's file: the one given, else the configured one."""
    from tousu.flows.settings import get_settings

    return path or get_settings().plans_path


def _by() -> str:
    """Who ran the command, for the audit log."""
    return f"{getpass.getuser()} (tousu command)"


def _now() -> datetime:
    return datetime.now().astimezone()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            _fail("no password on standard input")
        return password
    if not sys.stdin.isatty():
        _fail("give the password on standard input with --password-stdin")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        _fail("the two passwords differ")
    return first


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"tousu users: {message}", err=True)
    raise typer.Exit(code)


def _operators(values: list[str] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[str, typer.Option(help="agent, supervisor, quality_manager or administrator.")],
    group: Annotated[str | None, typer.Option(help="The team (a supervisor sees its own).")] = None,
    operator: Annotated[
        list[str] | None,
        typer.Option(help="Operator id in the ticket system's events (repeat, or a,b,c)."),
    ] = None,
    password_stdin: PasswordStdin = False,
    store: StoreOption = None,
) -> None:
    """Add a user; the password comes from standard input or a prompt, never an argument."""
    from tousu.warehouse.users import UserError, add_user

    password = _password(password_stdin)
    try:
        user = add_user(
            app_file(store),
            name,
            role,
            password,
            _now(),
            group=group,
            operator_ids=_operators(operator) or (),
            by=_by(),
        )
    except UserError as exc:
        _fail(str(exc))
    typer.echo(f"added {user.name} ({user.role})")


def _change(name: str, store: Path | None, **changes) -> None:
    from tousu.warehouse.users import UserError, change_user

    try:
        user = change_user(app_file(store), name, _now(), by=_by(), **changes)
    except UserError as exc:
        _fail(str(exc))
    typer.echo(_describe(user))


@users_app.command("set-role")
def users_set_role(
    name: str,
    role: Annotated[str, typer.Option(help="The new role.")],
    group: Annotated[str | None, typer.Option(help="The team ('' for none).")] = None,
    store: StoreOption = None,
) -> None:
    """Change a user's role (and team)."""
    _change(name, store, role=role, group=group)


@users_app.command("set-operators")
def users_set_operators(
    name: str,
    operator: Annotated[list[str], typer.Option(help="Operator ids (repeat, or a,b,c).")],
    store: StoreOption = None,
) -> None:
    """Map a user to the operator ids of the complaints they handle (replaces the list)."""
    _change(name, store, operator_ids=_operators(operator))


@users_app.command("set-password")
def users_set_password(
    name: str, password_stdin: PasswordStdin = False, store: StoreOption = None
) -> None:
    """Give a user a new password."""
    _change(name, store, password=_password(password_stdin))


@users_app.command("disable")
def users_disable(name: str, store: StoreOption = None) -> None:
    """Stop a user from signing in (their history stays)."""
    _change(name, store, disabled=True)


@users_app.command("enable")
def users_enable(name: str, store: StoreOption = None) -> None:
    """Let a disabled user sign in again."""
    _change(name, store, disabled=False)


@users_app.command("list")
def users_list(store: StoreOption = None) -> None:
    """Every user: role, team, operator ids, disabled or not (never a password or its hash)."""
    from tousu.warehouse.users import list_users

    path = app_file(store)
    users = list_users(path) if path.exists() else []
    if not users:
        typer.echo(
            f"no users in {path}: add an administrator with `tousu users add NAME --role "
            "administrator --password-stdin`"
        )
        return
    for user in users:
        typer.echo(_describe(user))


def _describe(user) -> str:
    state = f"disabled since {user.disabled_at:%Y-%m-%d %H:%M}" if user.disabled_at else "active"
    operators = ",".join(user.operator_ids) or "-"
    return f"{user.name:<16} {user.role:<16} group={user.group or '-':<10} operators={operators}  {state}"


privacy_app = typer.Typer(help="Personal data: erasure on request.", no_args_is_help=True)


@privacy_app.command("erase")
def privacy_erase(
    customer: Annotated[
        str, typer.Option(help="The person's phone number, e-mail address or member number.")
    ],
    warehouse: Annotated[Path | None, typer.Option(help="Writer's warehouse file.")] = None,
    store: StoreOption = None,
) -> None:
    """Erase a person's personal data from raw, core and quarantine (and the published copy);
    their complaints and every figure stay. Takes the night lock (exit code 4 while a night
    runs); audited in the app's file."""
    from tousu.flows.metrics.build import build_marts
    from tousu.flows.night_lock import NightAlreadyRunning, night_lock
    from tousu.flows.settings import get_settings, night_end
    from tousu.warehouse import audit, db
    from tousu.warehouse.erasure import ErasureError, erase, register_functions, rewrite

    s = get_settings()
    path = warehouse or s.warehouse_path
    if not path.exists():
        _fail(f"no warehouse at {path}")
    now = _now()
    try:
        with night_lock(path, what="privacy erase"):
            con = db.connect(path, timezone=s.timezone, phone_region=s.phone_region)
            try:
                register_functions(con)
                db.migrate(con)  # a warehouse from before ops.erased_complaints
                with db.transaction(con):
                    erased = erase(con, customer, now)
                db.build_core(con)  # in full: core holds nothing raw no longer has
                [(night,)] = con.execute(
                    "SELECT max(run_date) FROM ops.published_nights"
                ).fetchall()
                if night is not None:
                    build_marts(con, night_end(night, s.timezone))
            finally:
                con.close()
            rewrite(path)
            published = s.published_for(path)
            db.publish(path, published)
    except ErasureError as exc:
        _fail(str(exc))
    except NightAlreadyRunning as exc:
        _fail(str(exc), 4)
    audit.record(
        app_file(store),
        _by(),
        "erased",
        now,
        f"request {erased.request_id}",
        {
            "complaints": erased.complaints,
            "raw_rows": erased.raw_rows,
            "quarantined": erased.quarantined,
        },
    )
    typer.echo(
        f"erased request {erased.request_id}: {erased.complaints} complaints kept without "
        f"personal data, {erased.raw_rows} raw records and {erased.quarantined} quarantined "
        f"records cleared; {path} rewritten, {published} published"
    )
    if erased.source_files:
        typer.echo(
            "the delivery files these records came from still hold the person's data; remove "
            "or redact them where they are kept (tousu does not load a file it has loaded "
            "before, recognised by its checksum):"
        )
        for file in erased.source_files:
            typer.echo(f"  {file}")
