"""The `tousu` command as an operator uses it: exit codes and what it prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.helpers import write_phone
from warehouse import db

pytestmark = pytest.mark.e2e
runner = CliRunner()
GOOD = "CALL1,2025/11/01 10:00:00,2025/11/01 10:00:30,13812345671,张伟,,电饭煲坏了,退款,A1"


def tousu(*args: str) -> subprocess.CompletedProcess:
    """Run the installed `tousu` command against the session's Prefect test server."""
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    return subprocess.run([str(Path(sys.executable).with_name("tousu")), *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_nightly_exits_1_when_a_file_fails_and_keeps_the_published_copy(
        prefect_server, tmp_path):
    inbox, warehouse = tmp_path / "inbox", tmp_path / "wh" / "tousu.duckdb"
    published = warehouse.with_name("tousu.published.duckdb")
    write_phone(inbox, "callcenter_202511.csv", [GOOD])
    args = ["nightly", "--inbox", str(inbox), "--warehouse", str(warehouse),
            "--run-date", "2025-11-30"]
    first = tousu(*args)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "SUCCEEDED" in first.stdout + first.stderr
    assert published.exists()
    before = published.stat().st_mtime_ns

    (inbox / "phone" / "callcenter_202512.csv").write_bytes(
        "通话编号,来电日期\r\nCALL9,2025/12/01\r\n".encode("gbk"))
    second = tousu(*args)
    assert second.returncode == 1, second.stderr[-2000:]
    output = second.stdout + second.stderr
    assert "FAILED" in output and "expected column(s) 来电时间" in output
    assert published.stat().st_mtime_ns == before  # readers keep the last good night
    con = db.connect(warehouse, read_only=True)
    [(status, error)] = con.execute("SELECT status, error FROM ops.file_loads "
                                    "WHERE path = 'phone/callcenter_202512.csv'").fetchall()
    [run_status] = con.execute("SELECT status FROM ops.runs ORDER BY started_at DESC "
                               "LIMIT 1").fetchall()[0]
    con.close()
    assert status == "failed" and "来电时间" in error and run_status == "failed"

    summary = tousu("summary", "--warehouse", str(published))
    assert summary.returncode == 0 and "phone" in summary.stdout

    recompute = tousu("metrics", "recompute", "--warehouse", str(warehouse),
                      "--reason", "holiday calendar updated")
    assert recompute.returncode == 0, recompute.stderr[-2000:]
    con = db.connect(published, read_only=True)
    assert con.execute("SELECT reason FROM ops.recomputes").fetchall() == [
        ("holiday calendar updated",)]
    con.close()


def test_nightly_refuses_a_bad_run_date(tmp_path):
    (tmp_path / "inbox").mkdir()
    result = runner.invoke(app, ["nightly", "--inbox", str(tmp_path / "inbox"),
                                 "--run-date", "2025-13-01"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_scheduled_deployment_runs_nightly_on_a_cron(tmp_path):
    from flows.cli import nightly_deployment

    deployment = nightly_deployment(tmp_path, "30 2 * * *", "Asia/Shanghai")
    assert deployment.name == "tousu-nightly"
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == "30 2 * * *"
    assert schedule.schedule.timezone == "Asia/Shanghai"
    assert deployment.parameters == {"inbox": str(tmp_path.resolve())}
