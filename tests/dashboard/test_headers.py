"""Security headers on every dashboard response, and pages that draw under the policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from commerce_stats.accounts.service import Accounts
from tests.affiliate.conftest import Network
from tests.dashboard.pages import PASSWORD, load_affiliate, load_video_events, sign_in

EXPECTED = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' "
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' "
        "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='; img-src 'self'; "
        "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def _security_headers(response: Any) -> dict[str, str]:
    return {name: response.headers.get(name) for name in EXPECTED}


def test_sign_in_page_carries_the_security_headers(client: TestClient) -> None:
    assert _security_headers(client.get("/sign-in")) == EXPECTED


def test_redirect_to_sign_in_carries_the_security_headers(client: TestClient) -> None:
    response = client.get("/video", follow_redirects=False)
    assert response.status_code == 303
    assert _security_headers(response) == EXPECTED


def test_signed_in_pages_and_downloads_carry_the_security_headers(
    client: TestClient, accounts: Accounts
) -> None:
    account, _ = accounts.create("Acme")
    sign_in(client, accounts, account.id, "acme")
    for path in ("/", "/video", "/affiliate", "/promotions", "/affiliate/export.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _security_headers(response) == EXPECTED, path


def test_refused_form_carries_the_security_headers(client: TestClient, accounts: Accounts) -> None:
    account, _ = accounts.create("Acme")
    sign_in(client, accounts, account.id, "acme")
    response = client.post("/accounts/select", data={"account_id": "not a number"})
    assert response.status_code == 400
    assert _security_headers(response) == EXPECTED


@pytest.mark.parametrize(
    "path",
    [
        "/static/vendor/plotly.min.js",
        "/static/dashboard/dashboard.js",
        "/static/dashboard/dashboard.css",
        "/static/dashboard/missing.js",
    ],
)
def test_static_files_carry_the_security_headers(client: TestClient, path: str) -> None:
    assert _security_headers(client.get(path)) == EXPECTED


def test_other_surfaces_are_left_as_they_are(client: TestClient) -> None:
    assert client.get("/healthz").headers.get("content-security-policy") is None


# --- in the browser ---------------------------------------------------------------------

VIOLATIONS_SCRIPT = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def _watched_page(browser: Browser, base: str, username: str, console: list[str]) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(VIOLATIONS_SCRIPT)

    def record(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("console", record)
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("account-name")).to_be_visible()
    return page


def _draw_and_hover(page: Page, url: str, chart_id: str) -> list[str]:
    """Opens ``url``, waits for the chart, hovers it (hover labels, mode bar); violations."""
    page.goto(url)
    chart = page.get_by_test_id(chart_id)
    expect(chart).to_have_attribute("data-state", "drawn")
    chart.hover()
    page.mouse.move(640, 300)
    page.wait_for_timeout(300)
    violations: list[str] = page.evaluate("window.__violations")
    return violations


@pytest.mark.browser
def test_charts_draw_without_a_content_security_policy_violation(
    browser: Browser,
    live_server: str,
    client: TestClient,
    accounts: Accounts,
    network: Network,
    convert: Callable[..., int],
    video_account: Callable[..., dict[str, Any]],
) -> None:
    load_affiliate(network, convert)
    video = video_account("Video")
    load_video_events(client, video)
    accounts.set_dashboard_login(network.account_id, "network", PASSWORD)
    console: list[str] = []
    page = _watched_page(browser, live_server, "network", console)
    assert _draw_and_hover(page, f"{live_server}/affiliate", "affiliate-turnover-eur") == []
    page.close()
    accounts.set_dashboard_login(video["id"], "video", PASSWORD)
    page = _watched_page(browser, live_server, "video", console)
    url = f"{live_server}/video?from=2022-10-01&to=2022-10-31"
    assert _draw_and_hover(page, url, "video-icon") == []
    rules = page.evaluate('document.getElementById("plotly.js-style-global").sheet.cssRules.length')
    assert rules > 0
    page.close()
    assert console == []
