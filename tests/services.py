"""Real servers a test starts and stops itself: PostgreSQL (Debian's package) in a temporary
cluster, a Prefect server backed by it, Prefect workers. Each is a context manager that stops
what it started, children included, whatever the test did."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tests.helpers import free_port

# Debian installs the server's programs here, not on PATH (make install: apt postgresql).
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` system user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@contextmanager
def postgres() -> Iterator[str]:
    """A fresh PostgreSQL cluster on a loopback port with a database `prefect`; yields its
    SQLAlchemy URL for Prefect (asyncpg)."""
    assert PG_BIN, "make install installs Debian's postgresql"
    bin_dir = PG_BIN[-1]
    # not under pytest's tmp_path: the postgres user must reach it
    folder = Path(tempfile.mkdtemp(prefix="tousu-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data, port = folder / "data", free_port()
    try:
        subprocess.run(
            _as_postgres(
                [
                    f"{bin_dir}/initdb",
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ]
            ),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            _as_postgres(
                [
                    f"{bin_dir}/pg_ctl",
                    "-D",
                    str(data),
                    "-l",
                    str(folder / "server.log"),
                    "-w",
                    "-o",
                    f"-p {port} -k {folder} -c listen_addresses=127.0.0.1",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        try:
            subprocess.run(
                [
                    f"{bin_dir}/createdb",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "postgres",
                    "prefect",
                ],
                check=True,
                capture_output=True,
            )
            yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/prefect"
        finally:
            subprocess.run(
                _as_postgres([f"{bin_dir}/pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"]),
                capture_output=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def prefect_bin() -> str:
    return str(Path(sys.executable).with_name("prefect"))


@contextmanager
def process_group(argv: list[str], env: dict, log: Path) -> Iterator[subprocess.Popen]:
    """A process in its own session; on leaving, its whole group gets SIGTERM, then SIGKILL."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield proc
        finally:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            with suppress(ProcessLookupError):  # children that outlived their parent
                os.killpg(proc.pid, signal.SIGKILL)


def prefect_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a Prefect process of the test: its own home, no telemetry, no
    inherited API (the session's test server is another server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TOUSU_"))}
    return env | {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        **extra,
    }


@contextmanager
def prefect_server(database_url: str, home: Path) -> Iterator[str]:
    """`prefect server start` on a loopback port with its database at `database_url`; yields
    the API URL once it answers."""
    port = free_port()
    env = prefect_env(home, PREFECT_API_DATABASE_CONNECTION_URL=database_url)
    argv = [prefect_bin(), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with process_group(argv, env, home / "server.log") as proc:
        api = f"http://127.0.0.1:{port}/api"
        deadline = time.monotonic() + 120
        while True:
            with (
                suppress(OSError),
                urllib.request.urlopen(f"{api}/health", timeout=2) as answer,
            ):
                if answer.status == 200:
                    break
            assert proc.poll() is None, (home / "server.log").read_text(errors="replace")
            assert time.monotonic() < deadline, "the Prefect server did not answer in 120 s"
            time.sleep(0.5)
        yield api
