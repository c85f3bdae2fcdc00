"""Deliveries arriving night by night give the figures one full night over the same files gives.

The small demo inbox is split by the month in its file names: a first night with everything up
to August 2026, a second night adding September, a third adding October (the warehouse keeps
what it loaded). Its core tables and marts must equal, row for row, those of one night over the
whole inbox as of the same last night; and so must a later night that brings no new file (core
is then kept, not rebuilt). This is the yardstick of incremental nights: whatever a night
recomputes, the figures may not depend on how the history arrived.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tousu.flows.fingerprint import fingerprint
from tousu.flows.night import Night
from tousu.flows.nightly import run_night
from tousu.flows.runs import NightSummary

pytestmark = pytest.mark.e2e
MONTH = re.compile(r"20\d\d\d\d")
NIGHTS = (
    ("202608", date(2026, 9, 1)),
    ("202609", date(2026, 10, 1)),
    ("999999", date(2026, 11, 1)),
)
# Marts of the nights themselves, not of the complaints: each night's volume and check results,
# and the months a failed check marks (a row whose time did not parse marks the month of the
# night it arrived in). They describe the history of deliveries, so they differ by design.
OF_THE_NIGHTS = {
    "mart.dq_failing_checks",
    "mart.dq_pass_rate_nightly",
    "mart.dq_volume_nightly",
    "mart.provisional_months",
    "mart.provisional_problems",
}


def night(inbox: Path, warehouse: Path, run_date: date, run_id: str) -> Path:
    n = Night.resolve(inbox, warehouse, run_date, run_id=run_id)
    run_night(n, NightSummary(n.run_id, n.run_date, []))
    return n.published


def figures(published: Path) -> dict[str, tuple[int, str]]:
    con = duckdb.connect(str(published), read_only=True)
    try:
        # a final SLA result keeps the night it was computed (history is not rewritten)
        found = fingerprint(con, leave_out=frozenset({"computed_as_of"}))
    finally:
        con.close()
    return {table: (rows, digest) for table, rows, digest in found if table not in OF_THE_NIGHTS}


def test_nights_in_turn_give_the_figures_of_one_full_night(small_inbox, tmp_path):
    everything, _ = small_inbox
    full = night(everything, tmp_path / "full" / "tousu.duckdb", NIGHTS[-1][1], "full")

    inbox, warehouse = tmp_path / "inbox", tmp_path / "nightly" / "tousu.duckdb"
    for i, (until, run_date) in enumerate(NIGHTS):
        for path in sorted(everything.rglob("*")):
            rel = path.relative_to(everything)
            month = MONTH.search(str(rel))
            if path.is_file() and (month.group(0) if month else "") <= until:
                target = inbox / rel
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
        published = night(inbox, warehouse, run_date, f"night-{i}")

    expected, got = figures(full), figures(published)
    assert len(expected) > 20
    assert {t for t in expected if expected[t] != got.get(t)} == set()
    assert got["core.complaints"][0] == expected["core.complaints"][0] > 500

    # a night with no new file keeps core as it is (nothing it is built from changed) and
    # still moves every figure to its own date, as a full night on that date does
    later = date(2026, 11, 20)
    full = night(everything, tmp_path / "full-later" / "tousu.duckdb", later, "full-later")
    published = night(inbox, warehouse, later, "no-new-file")
    con = duckdb.connect(str(published), read_only=True)
    try:
        builds = con.execute(
            "SELECT run_id, rebuilt FROM ops.core_builds ORDER BY built_at"
        ).fetchall()
        checks = con.execute(
            "SELECT run_id, count(*) FROM ops.dq_results WHERE load_id = 'core' "
            "AND run_id IN ('night-2', 'no-new-file') GROUP BY 1 ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert builds == [
        ("night-0", True),
        ("night-1", True),
        ("night-2", True),
        ("no-new-file", False),
    ]
    assert checks[0][1] == checks[1][1] > 10  # the core checks carried over, all of them
    # clocks breached without a stop were brought up to the night without computing them again
    # (warehouse/marts/23_sla_refreshed.sql), and still equal the full night's below
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        refreshed, in_scope = con.execute(
            "SELECT count(*) FILTER (WHERE complaint_id NOT IN "
            "(SELECT complaint_id FROM intermediate.sla_scope)), count(*) FILTER (WHERE "
            "complaint_id IN (SELECT complaint_id FROM intermediate.sla_scope)) "
            "FROM mart.sla_clocks WHERE status = 'breached' AND stop_at IS NULL"
        ).fetchall()[0]
    finally:
        con.close()
    assert refreshed > 10, (refreshed, in_scope)
    # and they are the table's last rows, after a night in full as after nights that moved
    # them on (21_sla_clocks.sql, 23_sla_refreshed.sql), so moving them deletes no row in the
    # older row groups
    for path in (warehouse, tmp_path / "full-later" / "tousu.duckdb"):
        con = duckdb.connect(str(path), read_only=True)
        try:
            last_other, first_measured, measured = con.execute(
                "SELECT max(rowid) FILTER (WHERE NOT m), min(rowid) FILTER (WHERE m), "
                "count(*) FILTER (WHERE m) FROM (SELECT rowid, stg.sla_measured_nightly(status, "
                "stop_at, paused_seconds, overrun_seconds, computed_as_of, deadline_at) AS m "
                "FROM mart.sla_clocks)"
            ).fetchall()[0]
        finally:
            con.close()
        assert measured >= refreshed and last_other < first_measured, path
    expected, got = figures(full), figures(published)
    assert {t for t in expected if expected[t] != got.get(t)} == set()
