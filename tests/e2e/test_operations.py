"""tousu run as a service beyond one process: PostgreSQL, a real `prefect server` on it, the
deployments registered by `tousu deploy`, a `prefect worker` of a process pool running them.
Two simultaneous triggers of the nightly do not both run; an induced failure sends exactly one
alert to a local HTTP receiver (docs/operations.md gives the same commands by hand)."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from tests.receivers import http_receiver
from tests.services import postgres, prefect_bin, prefect_env, prefect_server, process_group
from tousu.flows.demo.generator import generate
from tousu.warehouse import db

pytestmark = pytest.mark.e2e
FINAL = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}


def wait_final(client, ids: list, seconds: float = 300) -> dict:
    """Each flow run's final state, polled until every one has one."""
    deadline = time.monotonic() + seconds
    while True:
        states = {i: client.read_flow_run(i).state for i in ids}
        if all(s is not None and s.type.value in FINAL for s in states.values()):
            return states
        assert time.monotonic() < deadline, {i: s and s.type for i, s in states.items()}
        time.sleep(1)


def test_the_nightly_runs_on_a_worker_of_a_prefect_server_on_postgresql(tmp_path):
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    generate(inbox, 150, 5, date(2026, 10, 31), defect_rate=0.03)
    home = tmp_path / "prefect"
    home.mkdir()
    with (
        postgres() as database,
        prefect_server(database, home) as api,
        http_receiver() as receiver,
    ):
        env = prefect_env(
            home,
            PREFECT_API_URL=api,
            PREFECT_WORKER_QUERY_SECONDS="1",
            TOUSU_DATA_DIR=str(data),
            TOUSU_ALERT_URLS=receiver.url,
        )
        tousu = str(Path(sys.executable).with_name("tousu"))
        deployed = subprocess.run(
            [tousu, "deploy", "--pool", "tousu", "--inbox", str(inbox)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert deployed.returncode == 0, deployed.stderr
        assert "registered 2 deployments for work pool tousu" in deployed.stdout
        worker = [prefect_bin(), "worker", "start", "--pool", "tousu", "--limit", "2"]
        with process_group(worker, env, home / "worker.log"):
            from prefect.client.orchestration import get_client
            from prefect.deployments import run_deployment
            from prefect.settings import PREFECT_API_URL, temporary_settings

            with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as c:
                # two triggers at once: the server runs one and cancels the other
                runs = [run_deployment("tousu-nightly/tousu-nightly", timeout=0) for _ in "ab"]
                states = wait_final(c, [r.id for r in runs])
                kinds = sorted(s.type.value for s in states.values())
                log = (home / "worker.log").read_text(errors="replace")
                assert kinds == ["CANCELLED", "COMPLETED"], log[-3000:]
                [cancelled] = [s for s in states.values() if s.type.value == "CANCELLED"]
                assert cancelled.message == "Deployment concurrency limit reached."
                after_night = len(receiver.messages)

                # a failure: the warehouse file is not a database
                broken = tmp_path / "broken" / "tousu.duckdb"
                broken.parent.mkdir()
                broken.write_bytes(b"this is not a DuckDB file\n" * 50)
                failing = run_deployment(
                    "tousu-nightly/tousu-nightly",
                    parameters={"warehouse": str(broken)},
                    timeout=0,
                )
                [state] = wait_final(c, [failing.id]).values()
                assert state.type.value == "FAILED"

    # one night wrote: one run, every file of the inbox accounted for
    con = db.connect(data / "tousu.duckdb", read_only=True)
    try:
        assert con.execute("SELECT status FROM ops.runs").fetchall() == [("succeeded",)]
        files, rows_read, loaded, quarantined, skipped = con.execute(
            "SELECT count(*), sum(rows_read), sum(rows_loaded), sum(rows_quarantined), "
            "sum(rows_skipped) FROM ops.file_loads WHERE status = 'loaded'"
        ).fetchall()[0]
        assert files > 100 and rows_read == loaded + quarantined + skipped
        assert con.execute("SELECT count(*) FROM core.complaints").fetchall()[0][0] > 100
        raised = con.execute("SELECT count(*) FROM ops.alerts_sent").fetchall()[0][0]
    finally:
        con.close()
    # the night's alerts went in one message; the failure in exactly one more
    assert after_night == 1 and raised > 0
    assert len(receiver.messages) == 2
    failure = receiver.messages[-1]["message"]
    assert "[夜间运行失败 / night failed]" in failure and str(broken) in failure
