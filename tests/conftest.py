"""Shared test state: temporary warehouses, one small demo inbox, one Prefect test server."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tousu.flows.demo.generator import generate
from tousu.flows.settings import get_settings
from tousu.warehouse import db

SMALL_INBOX_COMPLAINTS = 600
SMALL_INBOX_SEED = 11
SMALL_INBOX_UNTIL = date(2026, 10, 31)


@pytest.fixture(autouse=True)
def settings_of_each_tests_environment():
    """The settings are read once per process (flows/settings.get_settings): a test that sets
    the environment (monkeypatch) must not get the settings an earlier test read, nor leave its
    own to the next (test_access's erasure read test_onboarding's data folder)."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def warehouse(tmp_path: Path):
    """A fresh, migrated warehouse and a writer connection to it."""
    path = tmp_path / "tousu.duckdb"
    con = db.connect(path)
    db.migrate(con)
    yield path, con
    con.close()


@pytest.fixture(scope="session")
def small_inbox(tmp_path_factory) -> tuple[Path, dict]:
    """A small demo inbox (13 months, every channel, defects planted at a high rate)."""
    out = tmp_path_factory.mktemp("inbox") / "inbox"
    manifest = generate(
        out, SMALL_INBOX_COMPLAINTS, SMALL_INBOX_SEED, SMALL_INBOX_UNTIL, defect_rate=0.03
    )
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8")) == manifest
    return out, manifest


@pytest.fixture(scope="session")
def prefect_server():
    """One temporary Prefect server for the whole session (starting one takes ~15 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def published_demo(small_inbox, tmp_path_factory) -> Path:
    """The small demo inbox through the nightly's own sequence of steps (flows.nightly.run_night)
    as plain calls, without Prefect: loaded, core checked, marts built, published, GX Data Docs
    built beside it. Its run id is 'r1'."""
    from tousu.flows.night import Night
    from tousu.flows.nightly import run_night
    from tousu.flows.runs import NightSummary

    inbox, _ = small_inbox
    folder = tmp_path_factory.mktemp("published")
    night = Night.resolve(inbox, folder / "tousu.duckdb", date(2026, 11, 1), run_id="r1")
    run_night(night, NightSummary(night.run_id, night.run_date, []))
    return night.published
