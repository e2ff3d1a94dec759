"""The dashboard in a real browser: the system Chromium, driven by Playwright."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from commerce_stats.accounts.service import Accounts

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def test_sign_in_and_out(
    browser: Browser, live_server: str, accounts: Accounts, artifacts: Path
) -> None:
    account, _ = accounts.create("Acme Browser")
    accounts.set_dashboard_login(account.id, "acme", PASSWORD)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/sign-in")
    page.get_by_label("Username").fill("acme")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("account-name")).to_have_text("Acme Browser")
    page.screenshot(path=artifacts / "overview.png", full_page=True)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server}/sign-in")
    page.close()


def test_wrong_password_shows_the_message(
    browser: Browser, live_server: str, accounts: Accounts, artifacts: Path
) -> None:
    account, _ = accounts.create("Acme")
    accounts.set_dashboard_login(account.id, "acme", PASSWORD)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Username").fill("acme")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("sign-in-error")).to_have_text("Wrong username or password.")
    page.screenshot(path=artifacts / "sign-in-error-phone.png", full_page=True)
    page.close()
