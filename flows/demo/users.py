"""Demo users for `make demo`: one of each role, agents mapped to demo operator ids. Their
passwords are printed by `tousu demo-users`: demo accounts, never for a real install."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tousu.warehouse.users import add_user, get_user

# name, role, group, operator ids (the demo's ticket system has operators A1000-A1099), password
DEMO_USERS = (
    ("admin", "administrator", None, (), "tousu-demo-1"),
    ("manager", "quality_manager", None, (), "tousu-demo-2"),
    ("lead", "supervisor", "team-a", (), "tousu-demo-3"),
    ("agent1", "agent", "team-a", ("A1000",), "tousu-demo-4"),
    ("agent2", "agent", "team-a", ("A1001",), "tousu-demo-5"),
)


def write_demo_users(path: Path, now: datetime) -> list[tuple[str, str, str]]:
    """Add the demo users missing from the app's file; (name, role, password) of each."""
    for name, role, group, operators, password in DEMO_USERS:
        if get_user(path, name) is None:
            add_user(
                path, name, role, password, now, group=group, operator_ids=operators, by="demo"
            )
    return [(name, role, password) for name, role, _, _, password in DEMO_USERS]
