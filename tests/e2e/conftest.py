"""The real browser the app is looked at with (Debian's Chromium, installed by `make browser`)."""

from __future__ import annotations

from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "make test installs Debian's chromium (make browser)"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


# The demo users (flows/demo/users.py) the served app is signed in with.
USER, PASSWORD = "manager", "tousu-demo-2"


def sign_in(page, url: str, user: str = USER, password: str = PASSWORD) -> None:
    """Open the app at `url` and sign in on the form it shows first."""
    page.goto(url)
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def open_page(browser, url: str, expect: str, shot: str) -> str:
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    try:
        sign_in(page, url)
        page.get_by_text(expect).first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # let charts and tables finish drawing
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0, shot
        return page.inner_text("body")
    finally:
        page.close()
