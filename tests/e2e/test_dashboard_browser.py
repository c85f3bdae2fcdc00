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
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import ARTIFACTS, open_page, sign_in
from tousu.flows.demo.users import write_demo_users
from tousu.warehouse import db

pytestmark = pytest.mark.e2e
# A text only that page shows (a deep link must survive the sign-in form).
PAGES = {
    "": "投诉量",
    "sla": "达标率（按节点、渠道、优先级）",
    "repeats": "窗口未满的投诉计为待定",
    "problem_types": "描述高频词",
    "departments": "部门 × 类别",
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
    write_demo_users(published.with_name("improvement_plans.duckdb"), datetime.now().astimezone())
    port = free_port()
    tousu = str(Path(sys.executable).with_name("tousu"))
    proc = subprocess.Popen(
        [tousu, "dashboard", "--warehouse", str(published), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={k: v for k, v in os.environ.items() if k != "TOUSU_PLANS"},  # the file beside it
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
        sign_in(page, base)
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
        sign_in(page, f"{base}/data_quality")
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


def personal_values(published: Path) -> tuple[set[str], set[str]]:
    """Every phone number (its 11 digits) and e-mail address core holds."""
    con = db.open_published(published)
    try:
        phones = {
            p[-11:]
            for (p,) in con.execute(
                "SELECT phone FROM core.complaints WHERE phone IS NOT NULL"
            ).fetchall()
        }
        emails = {
            e
            for (e,) in con.execute(
                "SELECT email FROM core.complaints WHERE email IS NOT NULL"
            ).fetchall()
        }
    finally:
        con.close()
    return phones, emails


def test_an_agents_browser_never_receives_a_raw_phone_number_or_email(served, browser):
    """What reaches the agent's browser (the page's HTML and every websocket message the
    server sent) holds no complaint's phone number or e-mail, only masked ones, while the
    page shows their complaints with phone numbers masked."""
    base, published = served
    phones, emails = personal_values(published)
    con = db.open_published(published)
    try:
        [(complaint_id,)] = con.execute(
            "SELECT min(e.complaint_id) FROM core.complaint_events e JOIN core.complaints c "
            "USING (complaint_id) WHERE e.operator = 'A1000' AND c.phone IS NOT NULL"
        ).fetchall()
    finally:
        con.close()
    received: list[bytes] = []
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived",
            lambda frame: received.append(frame if isinstance(frame, bytes) else frame.encode()),
        ),
    )
    try:
        sign_in(page, base, "agent1", "tousu-demo-4")
        page.get_by_text("您看到的是您处理过的投诉").first.wait_for(timeout=30_000)
        page.get_by_role("link", name="投诉详情").click()
        page.get_by_label("投诉编号").fill(complaint_id)
        page.get_by_label("投诉编号").press("Enter")
        page.get_by_role("heading", name=complaint_id).first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "complaint_agent.png"), full_page=True)
        html = page.content()
        page.get_by_role("link", name="数据质量").click()
        page.get_by_text("您的角色无导出权限").first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        html += page.content()
    finally:
        page.close()
    payload = b"".join(received)
    assert b"****" in payload, "the websocket messages were captured, with masked numbers"
    leaked = [p for p in phones if p.encode() in payload or p in html]
    assert leaked == []
    assert [e for e in emails if e.encode() in payload or e in html] == []
    assert "下载" not in html  # no download button for a role without the right


def test_an_export_is_audited_and_five_wrong_passwords_lock_the_name(served, browser):
    from tousu.warehouse import audit

    base, published = served
    store = published.with_name("improvement_plans.duckdb")
    page = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    try:
        sign_in(page, f"{base}/data_quality")
        button = page.get_by_role("button", name="下载")
        button.first.wait_for(timeout=30_000)
        with page.expect_download() as download:
            button.first.click()
        downloaded = download.value.suggested_filename  # the page's first table download
        assert downloaded.endswith(".csv")
        page.wait_for_timeout(1000)
    finally:
        page.close()
    [export] = [e for e in audit.entries(store) if e.action == "export"]
    assert (export.user_name, export.target) == ("manager", downloaded)

    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    try:
        for attempt in range(6):
            sign_in(page, base, "agent2", f"wrong password {attempt}")
            page.get_by_text("错误" if attempt < 5 else "登录失败次数过多").first.wait_for(
                timeout=30_000
            )
        page.screenshot(path=str(ARTIFACTS / "sign_in_locked.png"), full_page=True)
    finally:
        page.close()
    tried = [e.action for e in audit.entries(store) if e.user_name == "agent2"]
    assert tried.count("sign_in_failed") == 5 and tried[0] == "sign_in_refused"


def test_an_administrator_browses_the_audit_log_a_manager_cannot(served, browser):
    base, _ = served
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    try:
        sign_in(page, f"{base}/audit", "admin", "tousu-demo-1")
        page.get_by_text("审计日志完整").first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "audit.png"), full_page=True)
    finally:
        page.close()
    text = open_page(browser, base, "投诉量", "overview_manager")
    assert "审计日志" not in text  # not offered to a quality manager
