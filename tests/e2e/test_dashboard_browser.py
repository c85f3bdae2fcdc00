"""The real app in headless Chromium: every page opens without an exception, in Chinese and
English; a night published while the app is open does not break it. Screenshots are saved to
test-artifacts/screenshots/ for a person to look at."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import ARTIFACTS, open_page
from tousu.warehouse import db

pytestmark = pytest.mark.e2e
PAGES = {
    "": "投诉量",
    "sla": "达标率",
    "repeats": "重复投诉",
    "problem_types": "描述高频词",
    "departments": "部门",
    "complaint": "投诉编号",
    "plans": "新建计划",
    "data_quality": "隔离记录",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(published_demo, tmp_path_factory):
    # The app reads its own copy, so replacing it below does not disturb other tests.
    published = tmp_path_factory.mktemp("served") / "tousu.published.duckdb"
    shutil.copyfile(published_demo, published)
    shutil.copytree(published_demo.with_name("data_docs"), published.with_name("data_docs"))
    port = free_port()
    tousu = str(Path(sys.executable).with_name("tousu"))
    proc = subprocess.Popen(
        [tousu, "dashboard", "--warehouse", str(published), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if httpx.get(f"{base}/_stcore/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the dashboard did not start: " + proc.stdout.read().decode()[-2000:])
    yield base, published
    proc.terminate()
    proc.wait(timeout=20)


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_opens_in_chromium(served, browser, path):
    base, _ = served
    text = open_page(browser, f"{base}/{path}", PAGES[path], path or "overview")
    assert "Page not found" not in text and "Traceback" not in text


def test_english(served, browser):
    base, _ = served
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    try:
        page.goto(base)
        page.get_by_text("投诉量").first.wait_for(timeout=30_000)
        page.get_by_text("English", exact=True).click()
        page.get_by_text("SLA compliance").first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "overview_en.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()


def test_a_night_published_while_the_app_is_open_does_not_break_it(
    served, browser, published_demo, tmp_path
):
    base, published = served
    open_page(browser, base, "投诉量", "before_publish")
    writer = tmp_path / "next-night.duckdb"
    shutil.copyfile(published_demo, writer)
    con = db.connect(writer)
    con.execute(
        "INSERT INTO ops.runs (run_id, run_date, inbox, started_at, status) "
        "VALUES ('next-night', DATE '2026-11-02', 'x', now(), 'succeeded')"
    )
    con.close()
    db.publish(writer, published)  # the nightly's atomic rename, under the open app
    text = open_page(browser, f"{base}/data_quality", "隔离记录", "after_publish")
    assert "数据截至: 2026-11-02" in text  # the app switched to the new copy


def test_the_data_docs_open_from_the_data_quality_page(served, browser):
    base, _ = served
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    try:
        page.goto(f"{base}/data_quality")
        link = page.get_by_text("GX 数据文档（Data Docs）").first
        link.wait_for(timeout=30_000)
        with page.context.expect_page() as opened:
            link.click()
        docs = opened.value
        docs.wait_for_load_state()
        docs.locator("td", has_text="core_complaints").first.wait_for(timeout=30_000)
        search = docs.get_by_placeholder("Search").first  # the validation results' table
        search.fill("source_phone")
        search.press("Enter")
        docs.locator("td >> visible=true", has_text="source_phone").first.wait_for(timeout=30_000)
        docs.screenshot(path=str(ARTIFACTS / "data_docs.png"), full_page=True)
        text = docs.inner_text("body")
        assert "core_complaints" in text and "source_ticket_events" in text
    finally:
        page.close()


def test_sigterm_stops_the_dashboard_and_its_server(published_demo, tmp_path):
    """`tousu dashboard` runs Streamlit as a child: SIGTERM to it must stop the child and free
    the port (a service manager stops it that way)."""
    import signal

    port = free_port()
    tousu = str(Path(sys.executable).with_name("tousu"))
    err = tmp_path / "dashboard.err"
    with err.open("wb") as sink:
        proc = subprocess.Popen(
            [tousu, "dashboard", "--warehouse", str(published_demo), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    try:
        # wait for the server's health (a starting server may answer 503: wait, do not spin)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"the dashboard exited: {err.read_text()[-2000:]}"
            with suppress(httpx.HTTPError):
                health = httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                if health.status_code == 200:
                    break
            time.sleep(0.5)
        else:
            pytest.fail(f"no healthy dashboard within 60 s: {err.read_text()[-2000:]}")
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        assert children, "the dashboard runs its server as a child"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        for child in children:
            assert (
                not Path(f"/proc/{child}").exists()
                or "zombie" in Path(f"/proc/{child}/status").read_text().lower()
            )
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
    finally:
        if proc.poll() is None:
            proc.kill()
