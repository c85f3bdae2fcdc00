"""The `tousu` command as an operator uses it: exit codes and what it prints."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from tests.helpers import write_phone
from tousu.flows.cli import app
from tousu.warehouse import db

pytestmark = pytest.mark.e2e
runner = CliRunner()
GOOD = "CALL1,2025/11/01 10:00:00,2025/11/01 10:00:30,13812345671,张伟,,电饭煲坏了,退款,A1"


# Faults are injected from outside the production code (tests/faults/sitecustomize.py).
FAULTS = str(Path(__file__).resolve().parents[1] / "faults")


def tousu(*args: str, fault: str | None = None) -> subprocess.CompletedProcess:
    """Run the installed `tousu` command against the session's Prefect test server, with a
    fault of tests/faults/sitecustomize.py injected if one is named."""
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    if fault:
        env |= {"TOUSU_TEST_FAULT": fault, "PYTHONPATH": FAULTS}
    return subprocess.run(
        [str(Path(sys.executable).with_name("tousu")), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_nightly_exits_3_when_a_file_waits_and_publishes_the_rest(prefect_server, tmp_path):
    inbox, warehouse = tmp_path / "inbox", tmp_path / "wh" / "tousu.duckdb"
    published = warehouse.with_name("tousu.published.duckdb")
    write_phone(inbox, "callcenter_202511.csv", [GOOD])
    args = [
        "nightly",
        "--inbox",
        str(inbox),
        "--warehouse",
        str(warehouse),
        "--run-date",
        "2025-11-30",
    ]
    first = tousu(*args)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "SUCCEEDED" in first.stdout + first.stderr
    assert published.exists()
    before = published.stat().st_mtime_ns

    (inbox / "phone" / "callcenter_202512.csv").write_bytes(
        "通话编号,来电日期\r\nCALL9,2025/12/01\r\n".encode("gbk")
    )
    second = tousu(*args)
    assert second.returncode == 3, second.stderr[-2000:]
    output = second.stdout + second.stderr
    assert "SUCCEEDED_WITH_FAILURES" in output and "expected column(s) 来电时间" in output
    assert "waiting (not loaded, tried again next night)" in output
    # the other sources' news reaches readers; the waiting file's month is provisional
    assert published.stat().st_mtime_ns != before
    con = db.connect(published, read_only=True)
    [(status, error)] = con.execute(
        "SELECT status, error FROM ops.file_loads WHERE path = 'phone/callcenter_202512.csv'"
    ).fetchall()
    [(run_status, note)] = con.execute(
        "SELECT status, note FROM ops.runs ORDER BY started_at DESC LIMIT 1"
    ).fetchall()
    provisional = con.execute(
        "SELECT reasons FROM mart.provisional_months WHERE channel = 'phone'"
    ).fetchall()
    con.close()
    assert status == "failed" and "来电时间" in error
    assert run_status == "succeeded_with_failures" and "1 file(s) or source(s) wait" in note
    assert any("callcenter_202512.csv not loaded" in r for (r,) in provisional)

    summary = tousu("summary", "--warehouse", str(published))
    assert summary.returncode == 0 and "phone" in summary.stdout
    assert "waiting since 2025-11-30: phone/callcenter_202512.csv" in summary.stdout

    # an earlier night would send readers' figures back in time: refused unless asked
    earlier = tousu(
        "nightly", "--inbox", str(inbox), "--warehouse", str(warehouse), "--run-date", "2025-11-01"
    )
    assert (
        earlier.returncode == 2
        and "before the last published night 2025-11-30" in earlier.stderr
        and "--rerun" in earlier.stderr
    )

    recompute = tousu(
        "metrics",
        "recompute",
        "--warehouse",
        str(warehouse),
        "--reason",
        "holiday calendar updated",
    )
    assert recompute.returncode == 0, recompute.stderr[-2000:]
    con = db.connect(published, read_only=True)
    assert con.execute("SELECT reason FROM ops.recomputes").fetchall() == [
        ("holiday calendar updated",)
    ]
    con.close()


def test_nightly_refuses_a_bad_run_date(tmp_path):
    (tmp_path / "inbox").mkdir()
    result = runner.invoke(
        app, ["nightly", "--inbox", str(tmp_path / "inbox"), "--run-date", "2025-13-01"]
    )
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_the_deployments_are_declared_once_with_their_schedules_and_one_night_at_a_time(
    tmp_path, monkeypatch
):
    from prefect.client.schemas.objects import ConcurrencyLimitStrategy
    from prefect.deployments.runner import EntrypointType

    from tousu.flows.deployments import deployments, scheduled_inbox

    monkeypatch.setenv("TOUSU_INBOX", str(tmp_path))
    nightly, monthly = deployments(
        scheduled_inbox(None), entrypoint_type=EntrypointType.MODULE_PATH
    )
    assert (nightly.name, monthly.name) == ("tousu-nightly", "tousu-monthly-report")
    [schedule] = nightly.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 2 * * *", "Asia/Shanghai")
    assert nightly.parameters == {"inbox": str(tmp_path.resolve())}
    # a worker imports the flows from the installed package
    assert nightly.entrypoint == "tousu.flows.nightly.nightly"
    assert monthly.entrypoint == "tousu.flows.report.flow.monthly_report"
    for d in (nightly, monthly):
        assert d.concurrency_limit == 1
        assert d.concurrency_options.collision_strategy == ConcurrencyLimitStrategy.CANCEL_NEW
    monkeypatch.delenv("TOUSU_INBOX")
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2 and "TOUSU_INBOX" in result.output


def test_a_backfill_replays_missed_nights_in_order_each_with_the_files_it_had(
    prefect_server, tmp_path
):
    """Three nights missed: each replayed night loads only the files that had arrived by its
    end (their modification time), is as of its own date, and says how it went."""
    inbox, warehouse = tmp_path / "inbox", tmp_path / "wh" / "tousu.duckdb"
    for day in (1, 2, 3):
        path = write_phone(
            inbox,
            f"callcenter_2025110{day}.csv",
            [GOOD.replace("CALL1", f"CALL{day}").replace("2025/11/01", f"2025/11/0{day}")],
        )
        arrived = datetime(2025, 11, day, 23, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
        os.utime(path, (arrived, arrived))
    args = ["nightly", "--inbox", str(inbox), "--warehouse", str(warehouse)]
    done = tousu(*args, "--from", "2025-11-01", "--to", "2025-11-03")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "backfill: 3 nights, 2025-11-01 to 2025-11-03" in done.stdout
    for day in (1, 2, 3):
        assert f"backfill: night 2025-11-0{day}: published" in done.stdout
    nights = _rows(
        warehouse,
        "SELECT r.run_date, r.status, list(f.path), sum(f.rows_loaded), "
        "sum(f.rows_quarantined) FROM ops.runs r JOIN ops.file_loads f USING (run_id) "
        "GROUP BY ALL ORDER BY r.run_date",
    )
    # each record loaded on its own night: none refused as "in the future"
    assert nights == [
        (date(2025, 11, day), "succeeded", [f"phone/callcenter_2025110{day}.csv"], 1, 0)
        for day in (1, 2, 3)
    ]

    # a range before the last published night is refused whole, unless asked to re-run
    earlier = tousu(*args, "--from", "2025-11-02", "--to", "2025-11-04")
    assert earlier.returncode == 2 and "before the last published night 2025-11-03" in (
        earlier.stderr
    )
    assert "backfill: stopped at 2025-11-02; 2 later night(s) not run" in earlier.stderr
    assert _rows(warehouse, "SELECT count(*) FROM ops.runs") == [(3,)]
    again = tousu(*args, "--from", "2025-11-02", "--to", "2025-11-03", "--rerun")
    assert again.returncode == 0, again.stderr[-3000:]
    assert _rows(warehouse, "SELECT count(*), max(run_date) FROM ops.runs") == [
        (5, date(2025, 11, 3))
    ]
    bad = runner.invoke(app, [*args, "--from", "2025-11-03"])
    assert bad.exit_code == 2 and "both --from and --to" in bad.output


def _rows(path: Path, sql: str) -> list[tuple]:
    con = db.connect(path, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_night_killed_mid_load_leaves_nothing_partial_and_the_next_marks_it(
    prefect_server, tmp_path
):
    inbox, warehouse = tmp_path / "inbox", tmp_path / "wh" / "tousu.duckdb"
    write_phone(inbox, "callcenter_202511.csv", [GOOD])
    args = [
        "nightly",
        "--inbox",
        str(inbox),
        "--warehouse",
        str(warehouse),
        "--run-date",
        "2025-11-30",
    ]
    killed = tousu(*args, fault="kill_after_raw_insert")
    assert killed.returncode == -9
    assert _rows(warehouse, "SELECT status FROM ops.runs") == [("running",)]
    assert _rows(warehouse, "SELECT count(*) FROM raw.phone_calls") == [(0,)]
    assert _rows(warehouse, "SELECT count(*) FROM ops.file_loads") == [(0,)]

    after = tousu(*args)  # the lock died with the process: the next night starts
    assert after.returncode == 0, after.stderr[-2000:]
    assert "marked abandoned" in after.stdout + after.stderr
    assert sorted(_rows(warehouse, "SELECT status FROM ops.runs")) == [
        ("abandoned",),
        ("succeeded",),
    ]
    assert _rows(warehouse, "SELECT call_id FROM raw.phone_calls") == [("CALL1",)]


def test_a_second_night_on_the_same_warehouse_exits_saying_who_runs(prefect_server, tmp_path):
    from tousu.flows.night_lock import night_lock

    inbox, warehouse = tmp_path / "inbox", tmp_path / "wh" / "tousu.duckdb"
    inbox.mkdir()
    with night_lock(warehouse):
        second = tousu("nightly", "--inbox", str(inbox), "--warehouse", str(warehouse))
        recompute = tousu("metrics", "recompute", "--warehouse", str(warehouse), "--reason", "test")
    assert second.returncode == 4, second.stderr[-2000:]
    assert f"already running on {warehouse}" in second.stderr
    assert f"(pid {os.getpid()})" in second.stderr
    assert recompute.returncode == 4
    assert not warehouse.exists()  # it did not even open the warehouse


def test_a_full_disk_while_publishing_says_so_and_leaves_no_partial_copy(prefect_server, tmp_path):
    inbox, warehouse = tmp_path / "inbox", tmp_path / "wh" / "tousu.duckdb"
    published = warehouse.with_name("tousu.published.duckdb")
    write_phone(inbox, "callcenter_202511.csv", [GOOD])
    full = tousu(
        "nightly",
        "--inbox",
        str(inbox),
        "--warehouse",
        str(warehouse),
        "--run-date",
        "2025-11-30",
        fault="publish_disk_full",
    )
    assert full.returncode == 1, full.stderr[-2000:]
    assert "no space left on device while publishing the readers' copy" in full.stderr
    assert "TransactionContext" not in full.stdout + full.stderr
    assert not published.exists()
    assert list(published.parent.glob("*.tmp")) == []
    [(status, note)] = _rows(warehouse, "SELECT status, note FROM ops.runs")
    assert status == "failed" and "no space left on device" in note


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB file system (tmpfs) for the warehouse, grown on demand. The test runs as root
    (make test installs Debian packages the same way), which may mount one."""
    mount = tmp_path / "small_disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"the full-disk drill needs to mount a tmpfs: {done.stderr}"

    def grow(size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(mount)], check=True)

    yield mount, grow
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_real_full_disk_says_so_keeps_what_committed_and_the_next_night_goes_on(
    prefect_server, small_inbox, small_disk
):
    mount, grow = small_disk
    inbox, _ = small_inbox
    warehouse = mount / "tousu.duckdb"
    args = [
        "nightly",
        "--inbox",
        str(inbox),
        "--warehouse",
        str(warehouse),
        "--run-date",
        "2026-11-01",
    ]
    full = tousu(*args)
    assert full.returncode == 1, full.stdout[-2000:] + full.stderr[-2000:]
    assert "the night failed, nothing published: no space left on device" in full.stderr
    assert "TransactionContext Error: cannot rollback" not in full.stdout + full.stderr
    assert not warehouse.with_name("tousu.published.duckdb").exists()

    grow("200m")  # the operator frees space
    after = tousu(*args)
    assert after.returncode in (0, 3), after.stdout[-2000:] + after.stderr[-2000:]
    statuses = [s for (s,) in _rows(warehouse, "SELECT status FROM ops.runs ORDER BY started_at")]
    assert statuses[0] in ("failed", "abandoned") and statuses[-1].startswith("succeeded")
    # every file is loaded once: what committed before the disk filled is not loaded again
    assert _rows(
        warehouse,
        "SELECT count(*) FROM (SELECT path FROM ops.file_loads "
        "WHERE status = 'loaded' GROUP BY path HAVING count(*) > 1)",
    ) == [(0,)]
    assert warehouse.with_name("tousu.published.duckdb").exists()
