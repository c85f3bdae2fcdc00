"""Shared test state: temporary warehouses, one small demo inbox, one Prefect test server."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from flows.demo.generator import generate
from warehouse import db

SMALL_INBOX_COMPLAINTS = 600
SMALL_INBOX_SEED = 11
SMALL_INBOX_UNTIL = date(2026, 10, 31)


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
    manifest = generate(out, SMALL_INBOX_COMPLAINTS, SMALL_INBOX_SEED, SMALL_INBOX_UNTIL,
                        defect_rate=0.03)
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
    """The small demo inbox loaded with the plain functions (no Prefect), core suites run, marts
    built, published, GX Data Docs built beside it."""
    from datetime import datetime

    from flows.loading import load_source
    from flows.metrics.build import build_marts, night_end
    from flows.quality import gx
    from flows.quality.core_suites import record_results, validate_core
    from flows.settings import data_docs_beside
    from flows.sources import SOURCES

    inbox, _ = small_inbox
    folder = tmp_path_factory.mktemp("published")
    writer, published = folder / "tousu.duckdb", folder / "tousu.published.duckdb"
    con = db.connect(writer)
    db.migrate(con)
    gx.forget_results()
    con.execute("INSERT INTO ops.runs (run_id, run_date, inbox, started_at, status) "
                "VALUES ('r1', DATE '2026-11-01', ?, now(), 'succeeded')", [str(inbox)])
    for source in SOURCES.values():
        load_source(con, inbox, source, "r1", date(2026, 11, 1))
    db.build_core(con)
    record_results(con, validate_core(con, "night r1"), "r1", datetime.now().astimezone())
    build_marts(con, night_end(date(2026, 11, 1), "Asia/Shanghai"))
    con.close()
    db.publish(writer, published)
    gx.build_data_docs(data_docs_beside(published))
    return published
