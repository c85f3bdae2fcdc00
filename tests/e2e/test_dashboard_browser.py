"""The real app in headless Chromium: every page opens without an exception, in Chinese and
English; a night published while the app is open does not break it. Screenshots are saved to
test-artifacts/screenshots/ for a person to look at."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from contextlib import suppress
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import ARTIFACTS, open_page, sign_in
from tests.helpers import free_port
from tousu.flows.demo.users import write_demo_users
from tousu.warehouse import db

pytestmark = pytest.mark.e2e
# A text only that page shows, in each language (a deep link must survive the sign-in form).
PAGES = {
    "": ("投诉量", "Complaints"),
    "complaints": ("期间内收到的投诉", "Received in the period"),
    "sla": ("达标率（按节点、渠道、优先级）", "Compliance by clock, channel and priority"),
    "repeats": ("窗口未满的投诉计为待定", "Complaints whose window has not passed"),
    "problem_types": ("描述高频词", "Top keywords in descriptions"),
    "departments": ("部门 × 类别", "Department × category"),
    "complaint": ("查找投诉", "Find a complaint"),
    "plans": ("新建计划", "New plan"),
    "data_quality": ("隔离记录", "Quarantined rows"),
}


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


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_opens_in_chromium(served, browser, path, lang):
    """Every page in both languages, a screenshot of each for a person to look at."""
    base, _ = served
    expect = PAGES[path][0 if lang == "zh" else 1]
    shot = f"{path or 'overview'}_{lang}"
    text = open_page(browser, f"{base}/{path}?lang={lang}", expect, shot, lang)
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
        nav(page, "投诉详情")
        page.get_by_role("textbox", name="查找投诉").fill(complaint_id)
        page.get_by_role("textbox", name="查找投诉").press("Enter")
        page.get_by_role("heading", name=complaint_id).first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "complaint_agent.png"), full_page=True)
        html = page.content()
        nav(page, "数据质量")
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
    [export] = [
        e for e in audit.entries(store) if e.action == "export" and e.target.endswith(".csv")
    ]
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


def nav(page, title: str) -> None:
    """Open a page from the sidebar's navigation (pages link to each other too)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()


def pick(page, label: str, option: str, within: str | None = None) -> None:
    """Choose an option of a Streamlit selectbox by its label and shown text (`within`: a CSS
    selector of the part of the page it is in, where two share a label)."""
    scope = page.locator(within).first if within else page
    box = scope.get_by_role("combobox", name=label).first
    box.click()
    # typed, the list narrows to it: a long list only draws the options in view
    box.press_sequentially(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_timeout(1500)


def shown_choice(page, label: str) -> str:
    """The value a Streamlit selectbox shows (its combobox input's value)."""
    return page.get_by_role("combobox", name=label).first.input_value()


def test_a_filter_survives_a_page_change_and_a_reload_through_the_link(served, browser):
    base, _ = served
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    try:
        sign_in(page, base)
        page.get_by_text("投诉量").first.wait_for(timeout=30_000)
        pick(page, "渠道", "电话")
        nav(page, "时效 SLA")
        page.get_by_text("达标率（按节点、渠道、优先级）").first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        assert shown_choice(page, "渠道") == "电话"
        link = page.url
        assert "channel=phone" in link and "/sla" in link
        page.screenshot(path=str(ARTIFACTS / "filter_kept_sla.png"), full_page=True)
    finally:
        page.close()
    # the link in another browser tab (a new session): the same page with the same filters
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    try:
        sign_in(page, link)
        page.get_by_text("达标率（按节点、渠道、优先级）").first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        assert shown_choice(page, "渠道") == "电话"
    finally:
        page.close()


def test_a_kpi_tile_opens_the_list_behind_it_and_back(served, browser):
    base, _ = served
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    try:
        sign_in(page, base)
        tile = page.locator('[data-testid="stMetric"]', has_text="投诉量").first
        tile.wait_for(timeout=30_000)
        volume = int(tile.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))
        page.get_by_role("button", name="期间内收到的投诉").click()
        heading = page.get_by_role("heading", name="期间内收到的投诉").first
        heading.wait_for(timeout=30_000)
        assert heading.inner_text().endswith(f"({volume:,})")
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "drill_list.png"), full_page=True)
        # a row opens the complaint; the link back returns to the same list
        grid = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
        page.mouse.click(grid["x"] + 18, grid["y"] + 53)  # the first row's selection box
        back = page.get_by_role("link", name="返回 投诉清单")
        back.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "drill_complaint.png"), full_page=True)
        back.click()
        page.get_by_role("heading", name="期间内收到的投诉").first.wait_for(timeout=30_000)
        assert (
            page.get_by_role("heading", name="期间内收到的投诉")
            .first.inner_text()
            .endswith(f"({volume:,})")
        )
    finally:
        page.close()


def test_a_complaint_is_found_by_phone_number(served, browser):
    base, published = served
    con = db.open_published(published)
    try:
        [(complaint_id, phone)] = con.execute(
            "SELECT min(complaint_id), phone FROM core.complaints WHERE phone IS NOT NULL "
            "GROUP BY phone HAVING count(*) = 1 ORDER BY phone LIMIT 1"
        ).fetchall()
    finally:
        con.close()
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    try:
        sign_in(page, f"{base}/complaint")
        search = page.get_by_role("textbox", name="查找投诉")
        search.wait_for(timeout=30_000)
        search.fill(phone.removeprefix("+86"))  # as a person types it
        search.press("Enter")
        page.get_by_role("heading", name=complaint_id).first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "complaint_by_phone.png"), full_page=True)
        assert phone not in page.content()  # found by it, still shown masked
    finally:
        page.close()


def test_an_earlier_nights_failure_is_acknowledged_in_the_browser(
    served, browser, published_demo, tmp_path
):
    """A later night failed nothing; the Data quality page still lists the first night's
    failures behind the provisional months, and an acknowledgement is saved and shown."""
    base, published = served
    writer = tmp_path / "later-night.duckdb"
    shutil.copyfile(published, writer)
    con = db.connect(writer)
    con.execute(
        "INSERT INTO ops.runs (run_id, run_date, inbox, started_at, status) "
        "VALUES ('later-night', DATE '2026-11-03', 'x', now(), 'succeeded')"
    )
    [(source, check)] = con.execute(
        "SELECT source, check_name FROM mart.provisional_problems WHERE source = 'webform' "
        "ORDER BY check_name LIMIT 1"
    ).fetchall()
    con.close()
    db.publish(writer, published)
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    try:
        sign_in(page, f"{base}/data_quality")
        page.get_by_text("导致月份暂定的未通过检查").first.wait_for(timeout=30_000)
        # the acknowledgement form's "检查", not the quarantine filter's of the same name
        pick(page, "检查", f"{source} · {check}", within='[data-testid="stForm"]')
        page.get_by_label("说明（原因与处理）").fill("网页表单校验规则上线前的旧数据，已通知 IT")
        page.get_by_role("button", name="确认为已知问题").click()
        page.get_by_text(f"已保存确认: {source} · {check}").first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "acknowledged.png"), full_page=True)
    finally:
        page.close()
    from tousu.warehouse.acknowledgements import in_force

    acks = in_force(published.with_name("improvement_plans.duckdb"), datetime.now().date())
    assert [(a.source, a.check_name, a.acknowledged_by) for a in acks] == [
        (source, check, "manager")
    ]


def test_the_overview_offers_the_months_review_pack_as_an_audited_export(served, browser):
    from tousu.warehouse import audit

    base, published = served
    page = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    try:
        sign_in(page, f"{base}/?month=2026-09")
        page.get_by_role("button", name="生成本月复盘报告（PDF 与 Excel）").click()
        button = page.get_by_role("button", name="report-2026-09-zh.pdf")
        button.wait_for(timeout=90_000)
        with page.expect_download() as download:
            button.click()
        saved = ARTIFACTS / "report_from_app.pdf"
        download.value.save_as(saved)
        page.wait_for_timeout(1000)
    finally:
        page.close()
    assert saved.read_bytes()[:5] == b"%PDF-"
    store = published.with_name("improvement_plans.duckdb")
    assert "report-2026-09-zh.pdf" in [
        e.target for e in audit.entries(store) if e.action == "export" and e.user_name == "manager"
    ]
