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


# The sign-in form's labels in each language (?lang=en in the link shows it in English).
FORM = {"zh": ("用户名", "密码", "登录"), "en": ("User name", "Password", "Sign in")}


def sign_in(page, url: str, user: str = USER, password: str = PASSWORD, lang: str = "zh") -> None:
    """Open the app at `url` and sign in on the form it shows first."""
    name, secret, button = FORM[lang]
    page.goto(url)
    page.get_by_role("textbox", name=name).fill(user)
    page.get_by_role("textbox", name=secret).fill(password)
    page.get_by_role("button", name=button).click()


def open_page(browser, url: str, expect: str, shot: str, lang: str = "zh") -> str:
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    try:
        sign_in(page, url, lang=lang)
        # the first visible match: a table's hidden accessibility header can carry the same
        # words ("Rows quarantined") and come first while the page is still drawing
        page.get_by_text(expect).filter(visible=True).first.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # let charts and tables finish drawing
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0, shot
        return page.inner_text("body")
    finally:
        page.close()
