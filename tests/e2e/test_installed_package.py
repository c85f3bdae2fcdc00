"""`pip install .` (not editable) into a fresh virtualenv works end to end, away from the source
checkout: the wheel carries every file the code reads beside itself (policies, bundled mappings,
SQL models, GX suites), installs only the `tousu` name, and keeps its data out of site-packages.

The dependencies are not downloaded again: the fresh environment sees this environment's
site-packages as a plain path (a .pth line), which adds the modules but not this checkout's
editable install (its .pth hook only runs in a real site directory).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import open_page
from tests.helpers import free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv holding the tousu wheel; returns its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--wheel-dir",
        str(work / "dist"),
        str(ROOT),
    )
    [wheel] = (work / "dist").glob("tousu-*.whl")
    venv = work / "venv"
    run(sys.executable, "-m", "venv", str(venv))
    site = Path(
        run(
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ).stdout.strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel))
    return venv / "bin"


def test_the_wheel_installs_only_the_tousu_name_with_its_files(installed):
    site = Path(
        run(
            str(installed / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ).stdout.strip()
    )
    [record] = site.glob("tousu-*.dist-info/RECORD")
    top = {line.split("/")[0] for line in record.read_text().splitlines() if "/" in line}
    assert {name for name in top if not name.endswith(".dist-info") and name != ".."} == {"tousu"}
    files = {str(p.relative_to(site / "tousu")) for p in (site / "tousu").rglob("*") if p.is_file()}
    for needed in (
        "warehouse/policies/metrics.yml",
        "warehouse/sources/cfpb.yml",
        "warehouse/marts/models.yml",
        "warehouse/core/30_satisfaction.sql",
        "expectations/thresholds.yml",
        "expectations/core_complaints.json",
        "dashboards/app.py",
        "warehouse/access/01_users.sql",
    ):
        assert needed in files, needed


def test_the_installed_package_runs_a_night_and_serves_the_app_away_from_the_checkout(
    installed,
    prefect_server,
    browser,
    tmp_path,
):
    from prefect.settings import PREFECT_API_URL

    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("TOUSU_") and k != "PYTHONPATH"
    } | {"HOME": str(home), "PREFECT_API_URL": PREFECT_API_URL.value()}
    env.pop("XDG_DATA_HOME", None)

    def tousu(*args: str) -> subprocess.CompletedProcess:
        return run(str(installed / "tousu"), *args, cwd=tmp_path, env=env)

    where = run(
        str(installed / "python"),
        "-c",
        "import tousu.flows; print(tousu.flows.__file__)",
        cwd=tmp_path,
        env=env,
    ).stdout
    assert str(installed.parent) in where and str(ROOT) not in where

    tousu("demo-data", "--out", "inbox", "--complaints", "150", "--seed", "3")
    night = tousu("nightly", "--inbox", "inbox")
    data = home / ".local" / "share" / "tousu"  # the user's data folder, not site-packages
    assert (data / "tousu.published.duckdb").exists(), night.stdout[-2000:]
    assert "SUCCEEDED" in night.stdout + night.stderr or "Completed" in night.stdout + night.stderr
    users = tousu("demo-users")  # the app serves nothing before an administrator exists
    assert "manager" in users.stdout and (data / "improvement_plans.duckdb").exists()

    port = free_port()
    app = subprocess.Popen(
        [str(installed / "tousu"), "dashboard", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(120):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("the installed app did not start")
        text = open_page(browser, f"http://127.0.0.1:{port}/", "投诉量", "installed_overview")
        assert "Traceback" not in text
    finally:
        os.killpg(app.pid, 15)
        app.wait(timeout=20)
