"""The review app's users: roles, what each role may do and see, passwords, signing in.

Users live in the app's own file (warehouse/plans/05_users.sql), managed by `tousu users`.
Passwords are kept only as argon2id hashes (argon2-cffi: the reference implementation's
binding, maintained by the PyCA-adjacent hynek/argon2-cffi project, OWASP's first choice of
password hash), never written to the command line or a log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tousu.warehouse import audit
from tousu.warehouse.app_store import connect_file
from tousu.warehouse.db import transaction

log = logging.getLogger(__name__)

# What a role may do beyond seeing its complaints (masked).
EXPORT = "export"  # download tables and reports
EDIT_PLANS = "edit_plans"  # create and edit improvement plans, note progress
ACKNOWLEDGE = "acknowledge"  # acknowledge a data-quality failure
UNMASK = "unmask"  # open one record's personal data unmasked (audited)
MANAGE_USERS = "manage_users"
READ_AUDIT = "read_audit"  # browse and download the audit log


@dataclass(frozen=True)
class Role:
    sees: str  # own: complaints they handled; group: their team's; all: every complaint
    rights: frozenset[str]


ROLES: dict[str, Role] = {
    "agent": Role("own", frozenset()),
    "supervisor": Role("group", frozenset({EXPORT, EDIT_PLANS})),
    "quality_manager": Role("all", frozenset({EXPORT, EDIT_PLANS, ACKNOWLEDGE, UNMASK})),
    "administrator": Role(
        "all", frozenset({EXPORT, EDIT_PLANS, ACKNOWLEDGE, UNMASK, MANAGE_USERS, READ_AUDIT})
    ),
}
MIN_PASSWORD_LENGTH = 10
# Failed sign-ins: this many for one user name within the window lock it for the window.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
# A session idle this long is signed out.
SESSION_TIMEOUT = timedelta(minutes=30)

_hasher = PasswordHasher()  # argon2id, the library's current recommended parameters
# verified against when the name is unknown, so that an unknown name takes as long as a known one
_UNKNOWN = _hasher.hash("no such user, the same time spent")


class UserError(ValueError):
    """A user command cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    group: str | None
    operator_ids: tuple[str, ...]
    disabled_at: datetime | None

    @property
    def rights(self) -> frozenset[str]:
        return ROLES[self.role].rights

    def may(self, right: str) -> bool:
        return right in self.rights

    @property
    def sees(self) -> str:
        return ROLES[self.role].sees


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)} (not {role!r})")


def check_password(name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if name.lower() in password.lower():
        raise UserError("a password may not contain the user name")


def _user(row: tuple) -> User:
    name, role, group, operators, disabled_at = row
    return User(name, role, group, tuple(operators or ()), disabled_at)


USER_COLUMNS = "name, role, user_group, operator_ids, disabled_at"


def list_users(path: Path) -> list[User]:
    con = connect_file(path)
    try:
        rows = con.execute(f"SELECT {USER_COLUMNS} FROM access.users ORDER BY name").fetchall()
    finally:
        con.close()
    return [_user(r) for r in rows]


def get_user(path: Path, name: str) -> User | None:
    return next((u for u in list_users(path) if u.name == name), None)


def has_administrator(path: Path) -> bool:
    if not path.exists():
        return False
    return any(u.role == "administrator" and u.disabled_at is None for u in list_users(path))


def add_user(
    path: Path,
    name: str,
    role: str,
    password: str,
    now: datetime,
    *,
    group: str | None = None,
    operator_ids: tuple[str, ...] = (),
    by: str = "tousu users",
) -> User:
    name = name.strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise UserError("a user name is 1 to 64 characters without spaces")
    _check_role(role)
    check_password(name, password)
    con = connect_file(path)
    try:
        with transaction(con):
            if con.execute("SELECT 1 FROM access.users WHERE name = ?", [name]).fetchall():
                raise UserError(f"user {name} exists already (use set-role, set-password)")
            con.execute(
                "INSERT INTO access.users VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
                [name, role, group, list(operator_ids), _hasher.hash(password), now, now],
            )
            audit.append(
                con,
                by,
                "user_added",
                now,
                name,
                {"role": role, "group": group, "operator_ids": list(operator_ids)},
            )
    finally:
        con.close()
    return User(name, role, group, tuple(operator_ids), None)


def change_user(
    path: Path,
    name: str,
    now: datetime,
    *,
    by: str = "tousu users",
    role: str | None = None,
    group: str | None = None,
    operator_ids: tuple[str, ...] | None = None,
    password: str | None = None,
    disabled: bool | None = None,
) -> User:
    """Change what is given; refuse to leave no active administrator."""
    if role is not None:
        _check_role(role)
    if password is not None:
        check_password(name, password)
    con = connect_file(path)
    try:
        with transaction(con):
            found = con.execute(
                f"SELECT {USER_COLUMNS} FROM access.users WHERE name = ?", [name]
            ).fetchall()
            if not found:
                raise UserError(f"no user {name} (`tousu users list` shows who exists)")
            sets: dict[str, object] = {}
            if role is not None:
                sets["role"] = role
            if group is not None:
                sets["user_group"] = group or None
            if operator_ids is not None:
                sets["operator_ids"] = list(operator_ids)
            if password is not None:
                sets["password_hash"] = _hasher.hash(password)
            if disabled is not None:
                sets["disabled_at"] = now if disabled else None
            assignments = ", ".join(f"{column} = ${column}" for column in sets)  # fixed names
            con.execute(
                f"UPDATE access.users SET {assignments}, updated_at = $now WHERE name = $name",
                {**sets, "now": now, "name": name},
            )
            admins = con.execute(
                "SELECT count(*) FROM access.users "
                "WHERE role = 'administrator' AND disabled_at IS NULL"
            ).fetchall()[0][0]
            if admins == 0:
                raise UserError(
                    "this would leave no active administrator: add or enable another first"
                )
            changed = {k: ("(new)" if k == "password_hash" else v) for k, v in sets.items()}
            audit.append(con, by, "user_changed", now, name, changed)
            row = con.execute(
                f"SELECT {USER_COLUMNS} FROM access.users WHERE name = ?", [name]
            ).fetchall()[0]
    finally:
        con.close()
    return _user(row)


class SignInRefused(Exception):
    """Wrong name or password (`wrong`; it does not say whether the name exists), too many
    failures (`locked`), or a disabled user (`disabled`)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def sign_in(path: Path, name: str, password: str, now: datetime) -> User:
    """The user, or SignInRefused. Every attempt is audited; a name with MAX_FAILURES failed
    attempts within FAILURE_WINDOW is refused without checking the password until the window
    after its last failure has passed."""
    name = name.strip()
    con = connect_file(path)
    try:
        failures = con.execute(
            "SELECT count(*) FROM access.audit_log "
            "WHERE user_name = ? AND action = 'sign_in_failed' AND at_time > ?",
            [name, now - FAILURE_WINDOW],
        ).fetchall()[0][0]
        found = con.execute(
            f"SELECT {USER_COLUMNS}, password_hash FROM access.users WHERE name = ?", [name]
        ).fetchall()
    finally:
        con.close()
    if failures >= MAX_FAILURES:
        audit.record(path, name, "sign_in_refused", now, detail={"reason": "rate limited"})
        log.warning(
            "sign-in refused for %s: %s failed attempts in %s", name, failures, FAILURE_WINDOW
        )
        raise SignInRefused(
            "locked",
            f"too many failed sign-ins: try again in {int(FAILURE_WINDOW.total_seconds() // 60)}"
            " minutes, or ask an administrator",
        )
    stored = found[0][-1] if found else _UNKNOWN
    try:
        _hasher.verify(stored, password)
        ok = bool(found)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        audit.record(path, name, "sign_in_failed", now)
        log.warning("failed sign-in for %s", name)
        raise SignInRefused("wrong", "wrong user name or password")
    user = _user(found[0][:-1])
    if user.disabled_at is not None:
        audit.record(path, name, "sign_in_refused", now, detail={"reason": "disabled"})
        raise SignInRefused("disabled", "this user is disabled: ask an administrator")
    if _hasher.check_needs_rehash(stored):  # the library's parameters grew stronger
        change_user(path, name, now, by=name, password=password)
    audit.record(path, name, "sign_in", now)
    return user


def operators_seen(path: Path, user: User) -> tuple[str, ...] | None:
    """The operator ids whose complaints the user sees (None: every complaint). A supervisor
    sees their own and those of every user in their group; a user without operator ids in a
    restricted role sees no complaint."""
    if user.sees == "all":
        return None
    if user.sees == "own" or not user.group:
        return tuple(sorted(user.operator_ids))
    team = {op for u in list_users(path) if u.group == user.group for op in u.operator_ids}
    return tuple(sorted(team | set(user.operator_ids)))
