"""One night at a time: the lock file, waiting for it, and the writer's file held open."""

import subprocess
import sys
import threading
import time

import pytest

from tousu.flows.night_lock import NightAlreadyRunning, holder, night_lock
from tousu.warehouse import db


def test_a_held_lock_refuses_a_second_night_naming_the_holder(tmp_path):
    warehouse = tmp_path / "tousu.duckdb"
    with night_lock(warehouse, what="nightly"):
        assert holder(warehouse)["what"] == "nightly"
        refused = pytest.raises(
            NightAlreadyRunning,
            match=r"a nightly is already running on .* "
            r"since .* \(pid \d+\)",
        )
        with refused, night_lock(warehouse):
            pass
    with night_lock(warehouse):  # released at the end of the block
        pass


def test_wait_takes_the_lock_when_the_running_night_ends(tmp_path):
    warehouse = tmp_path / "tousu.duckdb"
    taken, release = threading.Event(), threading.Event()

    def first_night():
        with night_lock(warehouse):
            taken.set()
            release.wait(10)

    thread = threading.Thread(target=first_night)
    thread.start()
    taken.wait(10)
    threading.Timer(0.5, release.set).start()
    started = time.monotonic()
    with night_lock(warehouse, wait=True, poll_seconds=0.05):
        waited = time.monotonic() - started
    thread.join(10)
    assert waited >= 0.4  # it waited for the first night instead of failing


def test_while_a_night_holds_the_writer_no_other_process_can_open_it(tmp_path):
    path = tmp_path / "tousu.duckdb"
    with db.held_open(path) as held:
        held.execute("CREATE TABLE t AS SELECT 1 AS a")
        with db.connect(path) as step:  # a step of the night: a cursor of the held connection
            assert step.execute("SELECT tousu_phone_e164('13812345678'), a FROM t").fetchall() == [
                ("+8613812345678", 1)
            ]
        other = subprocess.run(
            [sys.executable, "-c", f"import duckdb; duckdb.connect({str(path)!r})"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert other.returncode != 0 and "lock" in other.stderr.lower()
    other = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(path)!r})"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other.returncode == 0
