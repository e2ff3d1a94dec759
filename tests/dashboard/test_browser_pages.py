"""Every domain page in the system Chromium: charts drawn from known data, filters, exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from commerce_stats.accounts.service import Accounts
from tests.affiliate.conftest import Network
from tests.dashboard.pages import (
    PASSWORD,
    VIDEO_A,
    VIDEO_DAYS,
    VIDEO_PERIOD,
    load_affiliate,
    load_video_events,
)

pytestmark = pytest.mark.browser
DRAW_WAIT_MS = 30_000
"""How long to wait for Plotly on a busy machine (a wait, not a timing check)."""


def _signed_in(browser: Browser, base: str, width: int = 1280) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900}, accept_downloads=True)
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill("acme")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("account-name")).to_be_visible()
    return page


def _nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Sections").get_by_role("link", name=name).click()


def _drawn(page: Page, chart_id: str) -> list[dict[str, Any]]:
    """The traces Plotly drew in the chart ``chart_id`` (after it has drawn them)."""
    chart = page.get_by_test_id(chart_id)
    expect(chart).to_have_attribute("data-state", "drawn", timeout=DRAW_WAIT_MS)
    traces: list[dict[str, Any]] = chart.evaluate(
        "element => element.data.map(t => ({name: t.name, x: t.x, y: t.y}))"
    )
    return traces


def test_video_page_draws_the_known_counts_and_filters_by_video(
    browser: Browser,
    live_server: str,
    client: TestClient,
    accounts: Accounts,
    video_account: Callable[..., dict[str, Any]],
    artifacts: Path,
) -> None:
    account = video_account("Acme")
    load_video_events(client, account)
    accounts.set_dashboard_login(account["id"], "acme", PASSWORD)
    page = _signed_in(browser, live_server)
    _nav(page, "Video commerce")
    page.get_by_label("From").fill(VIDEO_PERIOD["from"])
    page.get_by_label("To").fill(VIDEO_PERIOD["to"])
    page.get_by_role("button", name="Show").click()
    icon = {trace["name"]: trace for trace in _drawn(page, "video-icon")}
    assert icon["Icon views"]["x"] == VIDEO_DAYS
    assert icon["Icon views"]["y"] == [0, 5, 1200, 0]
    assert icon["Clicks"]["y"] == [0, 1, 300, 0]
    expect(page.get_by_test_id("top-items")).to_contain_text("1,202")
    page.screenshot(path=artifacts / "video.png", full_page=True)
    page.get_by_label("Video").select_option(VIDEO_A)
    page.get_by_role("button", name="Show").click()
    icon = {trace["name"]: trace for trace in _drawn(page, "video-icon")}
    assert icon["Icon views"]["y"] == [0, 5, 0, 0]
    page.close()


def test_video_page_at_phone_width_shows_the_empty_state(
    browser: Browser,
    live_server: str,
    accounts: Accounts,
    video_account: Callable[..., dict[str, Any]],
    artifacts: Path,
) -> None:
    account = video_account("Acme")
    accounts.set_dashboard_login(account["id"], "acme", PASSWORD)
    page = _signed_in(browser, live_server, width=390)
    page.goto(f"{live_server}/video")
    chart = page.get_by_test_id("video-icon")
    expect(chart).to_have_attribute("data-state", "empty")
    expect(chart).to_contain_text("No data for this period.")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path=artifacts / "video-empty-phone.png", full_page=True)
    page.close()


def test_affiliate_page_draws_money_and_downloads_the_export(
    browser: Browser,
    live_server: str,
    accounts: Accounts,
    network: Network,
    convert: Callable[..., int],
    artifacts: Path,
) -> None:
    load_affiliate(network, convert)
    accounts.set_dashboard_login(network.account_id, "acme", PASSWORD)
    page = _signed_in(browser, live_server)
    _nav(page, "Affiliate")
    turnover = {trace["name"]: trace for trace in _drawn(page, "affiliate-turnover-eur")}
    assert sum(float(value) * 100 for value in turnover["open"]["y"]) == 323450
    expect(page.get_by_test_id("top-publishers")).to_contain_text("2,000.00 EUR")
    clicks = {trace["name"]: trace for trace in _drawn(page, "affiliate-traffic")}["Clicks"]
    assert sum(clicks["y"]) == 1
    rate = _drawn(page, "affiliate-conversion")[0]
    assert [value for value in rate["y"] if value is not None] == [200]
    expect(page.get_by_test_id("traffic-daily")).to_contain_text("200.00 %")
    page.screenshot(path=artifacts / "affiliate.png", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_test_id("exports").get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == "get-statistic_transactions.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == 3
    page.get_by_label("Status").select_option("paid")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("affiliate-count")).to_have_attribute("data-state", "empty")
    with page.expect_download() as download_info:
        page.get_by_test_id("exports").get_by_role("link", name="CSV").click()
    rows = list(
        csv.reader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig")))
    )
    assert len(rows) == 1
    page.close()


def test_promotions_page_draws_redemptions_per_promotion(
    browser: Browser,
    live_server: str,
    accounts: Accounts,
    make_shop: Callable[..., Any],
    artifacts: Path,
) -> None:
    shop = make_shop("Shop A")
    shop.promotion([1], codes=["SAVE10"], name="Coupon ten")
    for order_id in ("o1", "o2"):
        assert shop.order(order_id, [(1, 1, "100.00")], ["SAVE10"]).status_code == 201
    accounts.set_dashboard_login(shop.account["id"], "acme", PASSWORD)
    page = _signed_in(browser, live_server, width=390)
    _nav(page, "Promotions")
    page.get_by_label("Orders from").fill("2026-05-01")
    page.get_by_label("To").fill("2026-05-01")
    page.get_by_role("button", name="Show").click()
    (codes,) = _drawn(page, "promotions-codes")
    assert (codes["y"], codes["x"]) == (["SAVE10"], [2])
    (orders,) = _drawn(page, "promotions-orders")
    assert (orders["x"], orders["y"]) == (["2026-05-01"], [2])
    page.screenshot(path=artifacts / "promotions-phone.png", full_page=True)
    _nav(page, "Overview")
    expect(page.get_by_test_id("overview-promotions")).to_contain_text("Redemptions")
    page.screenshot(path=artifacts / "overview-all.png", full_page=True)
    page.close()


def _x_axis_ticks(page: Page, chart_id: str) -> list[str]:
    ticks: list[str] = page.get_by_test_id(chart_id).evaluate(
        "element => [...element.querySelectorAll('.xtick text')].map(t => t.textContent)"
    )
    return ticks


def test_video_ctr_axis_spans_the_period_in_days_for_one_video(
    browser: Browser,
    live_server: str,
    client: TestClient,
    accounts: Accounts,
    video_account: Callable[..., dict[str, Any]],
) -> None:
    account = video_account("Acme")
    load_video_events(client, account)
    accounts.set_dashboard_login(account["id"], "acme", PASSWORD)
    page = _signed_in(browser, live_server)
    page.goto(f"{live_server}/video?from=2022-10-13&to=2022-10-16&video={VIDEO_A}")
    (ctr,) = _drawn(page, "video-ctr")
    assert ctr["x"] == VIDEO_DAYS
    assert _x_axis_ticks(page, "video-ctr") == ["Oct 13", "Oct 14", "Oct 15", "Oct 16"]
    page.close()


def test_overview_leads_with_trend_lines_and_changes_against_the_previous_period(
    browser: Browser,
    live_server: str,
    accounts: Accounts,
    network: Network,
    convert: Callable[..., int],
    artifacts: Path,
) -> None:
    load_affiliate(network, convert)
    accounts.set_dashboard_login(network.account_id, "acme", PASSWORD)
    page = _signed_in(browser, live_server)
    block = page.get_by_test_id("overview-affiliate")
    trend = {trace["name"]: trace for trace in _drawn(page, "overview-affiliate-trend")}
    assert len(trend["Transactions"]["x"]) == 30
    assert sum(trend["Transactions"]["y"]) == 2
    assert sum(trend["Canceled"]["y"]) == 0
    cards = block.get_by_test_id("kpi")
    expect(cards.first).to_contain_text("Transactions")
    expect(cards.first.get_by_test_id("kpi-change")).to_have_text("▲ new vs 0")
    assert block.get_by_test_id("kpi-change").count() == 6
    page.screenshot(path=artifacts / "overview-trends.png", full_page=True)
    page.close()


def _overflows(page: Page) -> list[str]:
    """Texts that do not fit their box (cut off or hidden behind a scroll)."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('th, td, .kpi .label, .kpi .value, h2, label')]
             .filter(e => e.scrollWidth > e.clientWidth + 1
                          || e.getBoundingClientRect().right > window.innerWidth)
             .map(e => e.textContent.trim())"""
    )
    return found


def test_video_page_fits_a_phone(
    browser: Browser,
    live_server: str,
    client: TestClient,
    accounts: Accounts,
    video_account: Callable[..., dict[str, Any]],
    artifacts: Path,
) -> None:
    account = video_account("Acme")
    load_video_events(client, account)
    accounts.set_dashboard_login(account["id"], "acme", PASSWORD)
    page = _signed_in(browser, live_server, width=390)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/video?from={VIDEO_PERIOD['from']}&to={VIDEO_PERIOD['to']}")
    _drawn(page, "video-icon")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    header = page.get_by_test_id("top-videos").locator("th").last
    expect(header).to_have_text("CTR")
    assert header.evaluate(
        "th => { const box = th.getBoundingClientRect();"
        " const shown = th.closest('.table-scroll').getBoundingClientRect();"
        " return box.left >= shown.left && box.right <= shown.right; }"
    )
    assert _overflows(page) == []
    assert page.locator(".modebar").count() == 0
    page.screenshot(path=artifacts / "video-phone.png", full_page=True)
    page.close()


def test_promotion_names_are_shown_whole_at_phone_width(
    browser: Browser,
    live_server: str,
    accounts: Accounts,
    make_shop: Callable[..., Any],
    artifacts: Path,
) -> None:
    shop = make_shop("Shop A")
    name = "Flash sale (coupon, later turned into a discount)"
    promotion = shop.promotion([1], codes=["FLASH"], name=name)
    assert shop.order("o1", [(1, 1, "100.00")], ["FLASH"]).status_code == 201
    accounts.set_dashboard_login(shop.account["id"], "acme", PASSWORD)
    page = _signed_in(browser, live_server, width=390)
    page.goto(f"{live_server}/promotions?from=2026-05-01&to=2026-05-01")
    _drawn(page, "promotions-redemptions")
    label = page.get_by_test_id("promotions-redemptions").evaluate(
        "element => [...element.querySelectorAll('.ytick text')]"
        ".map(t => [...t.querySelectorAll('tspan.line')].map(l => l.textContent).join(' ')"
        " || t.textContent)"
    )
    assert label == [f"{name} (#{promotion})"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert _overflows(page) == []
    page.close()


def test_a_lone_chart_card_takes_the_whole_row(
    browser: Browser,
    live_server: str,
    accounts: Accounts,
    network: Network,
    convert: Callable[..., int],
) -> None:
    load_affiliate(network, convert)
    accounts.set_dashboard_login(network.account_id, "acme", PASSWORD)
    page = _signed_in(browser, live_server)
    _nav(page, "Affiliate")
    _drawn(page, "affiliate-commission-eur")
    widths = page.locator(".grid-2").first.evaluate(
        "grid => [grid.clientWidth, ...[...grid.children].map(card => card.offsetWidth)]"
    )
    assert len(widths) == 4
    assert widths[3] == widths[0]
    page.close()


def test_a_bad_filter_keeps_the_page_and_names_the_field(
    browser: Browser,
    live_server: str,
    accounts: Accounts,
    network: Network,
    convert: Callable[..., int],
) -> None:
    load_affiliate(network, convert)
    accounts.set_dashboard_login(network.account_id, "acme", PASSWORD)
    page = _signed_in(browser, live_server)
    response = page.goto(f"{live_server}/affiliate?status=lost")
    assert response is not None
    assert response.status == 400
    message = page.get_by_test_id("filter-error")
    expect(message).to_have_text("Status must be open, confirmed, canceled or paid.")
    expect(page.get_by_label("Status")).to_have_attribute("aria-invalid", "true")
    counts = {trace["name"]: trace for trace in _drawn(page, "affiliate-count")}
    assert sum(counts["open"]["y"]) == 2
    page.close()
