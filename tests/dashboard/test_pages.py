"""The domain pages over HTTP: exact figures from known data, filters, tenancy, exports."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.exporting import TRANSACTION_COLUMNS
from commerce_stats.app import create_app
from commerce_stats.config import Settings
from commerce_stats.kit.timeutil import local_today
from tests.affiliate.conftest import Network
from tests.dashboard.pages import (
    VIDEO_A,
    VIDEO_DAYS,
    VIDEO_PERIOD,
    chart,
    load_affiliate,
    load_video_events,
    sign_in,
    table_rows,
    traces_by_name,
)
from tests.promotions.conftest import Shop

VideoAccount = Callable[..., dict[str, Any]]


def _kpis(html: str) -> dict[str, str]:
    pairs = re.findall(r'<div class="label">([^<]+)</div><div class="value">([^<]+)</div>', html)
    return dict(pairs)


# -- video ----------------------------------------------------------------------------------


def test_video_page_shows_the_ingested_counts_per_day(
    client: TestClient, accounts: Accounts, video_account: VideoAccount
) -> None:
    account = video_account("Acme")
    load_video_events(client, account)
    sign_in(client, accounts, account["id"], "acme")
    html = client.get("/video", params=VIDEO_PERIOD).text
    icon = traces_by_name(chart(html, "video-icon"))
    assert icon["Icon views"]["x"] == VIDEO_DAYS
    assert icon["Icon views"]["y"] == [0, 5, 1200, 0]
    assert icon["Clicks"]["y"] == [0, 1, 300, 0]
    assert icon["Hides"]["y"] == [0, 1, 0, 0]
    bar = traces_by_name(chart(html, "video-bar"))
    assert bar["Bar shown"]["y"] == [0, 1, 0, 0]
    assert bar["Bar hidden"]["y"] == [0, 0, 1, 0]


def test_video_page_shows_click_through_rate_and_totals(
    client: TestClient, accounts: Accounts, video_account: VideoAccount
) -> None:
    account = video_account("Acme")
    load_video_events(client, account)
    sign_in(client, accounts, account["id"], "acme")
    html = client.get("/video", params=VIDEO_PERIOD).text
    ctr = chart(html, "video-ctr")["traces"][0]
    assert ctr["x"] == VIDEO_DAYS
    assert ctr["y"] == [None, 20.0, 25.0, None]
    assert _kpis(html) == {
        "Icon views": "1,205",
        "Clicks": "301",
        "Hides": "1",
        "Click-through rate": "24.98 %",
        "Bar shown": "1",
        "Bar hidden": "1",
    }


def test_video_page_splits_by_device_type(
    client: TestClient, accounts: Accounts, video_account: VideoAccount
) -> None:
    account = video_account("Acme")
    load_video_events(client, account)
    sign_in(client, accounts, account["id"], "acme")
    devices = traces_by_name(chart(client.get("/video", params=VIDEO_PERIOD).text, "video-devices"))
    assert devices["Icon views"]["x"] == ["Desktop", "Mobile"]
    assert devices["Icon views"]["y"] == [3, 1202]
    assert devices["Clicks"]["y"] == [1, 300]
    assert devices["Hides"]["y"] == [1, 0]


def test_video_page_ranks_videos_and_items(
    client: TestClient, accounts: Accounts, video_account: VideoAccount
) -> None:
    account = video_account("Acme")
    load_video_events(client, account)
    sign_in(client, accounts, account["id"], "acme")
    html = client.get("/video", params=VIDEO_PERIOD).text
    assert table_rows(html, "top-videos") == [
        ["Video b4A486fde6dDf7Cb6C7c", "1,200", "300", "0", "25.00 %"],
        ["Video 2d91Ee68EA84Eb8bED31", "5", "1", "1", "20.00 %"],
    ]
    assert table_rows(html, "top-items") == [
        ["Testing2", "1,202", "300", "0", "24.96 %"],
        ["Testing", "3", "1", "1", "33.33 %"],
    ]


def test_video_filter_narrows_to_one_video(
    client: TestClient, accounts: Accounts, video_account: VideoAccount
) -> None:
    account = video_account("Acme")
    load_video_events(client, account)
    sign_in(client, accounts, account["id"], "acme")
    html = client.get("/video", params={**VIDEO_PERIOD, "video": VIDEO_A}).text
    icon = traces_by_name(chart(html, "video-icon"))
    assert icon["Icon views"]["x"] == VIDEO_DAYS
    assert icon["Icon views"]["y"] == [0, 5, 0, 0]


def test_video_date_filter_narrows_the_days(
    client: TestClient, accounts: Accounts, video_account: VideoAccount
) -> None:
    account = video_account("Acme")
    load_video_events(client, account)
    sign_in(client, accounts, account["id"], "acme")
    html = client.get("/video", params={"from": "2022-10-15", "to": "2022-10-15"}).text
    assert traces_by_name(chart(html, "video-icon"))["Clicks"]["y"] == [300]


def test_video_malformed_date_is_a_clear_400(
    client: TestClient, accounts: Accounts, video_account: VideoAccount
) -> None:
    account = video_account("Acme")
    sign_in(client, accounts, account["id"], "acme")
    response = client.get("/video", params={"from": "14.10.2022"})
    assert response.status_code == 400
    assert (
        'data-testid="filter-error" data-field="from">From must be a date like 2026-01-31.</span>'
        in response.text
    )


def test_video_range_ending_before_it_starts_is_a_400(
    client: TestClient, accounts: Accounts, video_account: VideoAccount
) -> None:
    account = video_account("Acme")
    sign_in(client, accounts, account["id"], "acme")
    response = client.get("/video", params={"from": "2022-10-15", "to": "2022-10-14"})
    assert response.status_code == 400
    assert "To must not be before From." in response.text


def test_video_range_longer_than_a_year_is_a_400(
    client: TestClient, accounts: Accounts, video_account: VideoAccount
) -> None:
    account = video_account("Acme")
    sign_in(client, accounts, account["id"], "acme")
    response = client.get("/video", params={"from": "2020-01-01", "to": "2022-10-14"})
    assert response.status_code == 400
    assert "Choose at most 366 days." in response.text


def test_video_filter_with_an_unknown_video_is_a_400(
    client: TestClient, accounts: Accounts, video_account: VideoAccount
) -> None:
    account = video_account("Acme")
    sign_in(client, accounts, account["id"], "acme")
    response = client.get("/video", params={**VIDEO_PERIOD, "video": "no-such-video"})
    assert response.status_code == 400
    assert (
        'data-testid="filter-error" data-field="video">There is no video with that key.</span>'
        in response.text
    )


def test_video_page_never_shows_another_accounts_counts(
    client: TestClient, accounts: Accounts, video_account: VideoAccount
) -> None:
    first = video_account("Acme")
    second = video_account("Other")
    load_video_events(client, first)
    sign_in(client, accounts, second["id"], "other")
    html = client.get("/video", params=VIDEO_PERIOD).text
    assert chart(html, "video-icon")["traces"] == []
    assert "top-videos" not in html


# -- affiliate ------------------------------------------------------------------------------


def test_affiliate_page_totals_are_exact_money(
    client: TestClient, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    load_affiliate(network, convert)
    sign_in(client, accounts, network.account_id, "acme")
    kpis = _kpis(client.get("/affiliate").text)
    assert kpis == {
        "Transactions": "2",
        "Canceled transactions": "0",
        "Turnover": "3,234.50 EUR",
        "Canceled turnover": "0.00 EUR",
        "Commission": "423.45 EUR",
        "Canceled commission": "0.00 EUR",
    }


def test_affiliate_charts_split_by_status(
    client: TestClient, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    load_affiliate(network, convert)
    sign_in(client, accounts, network.account_id, "acme")
    html = client.get("/affiliate").text
    counts = traces_by_name(chart(html, "affiliate-count"))
    assert list(counts) == ["open"]
    assert sum(counts["open"]["y"]) == 2
    turnover = traces_by_name(chart(html, "affiliate-turnover-eur"))
    assert sum(Decimal(value) for value in turnover["open"]["y"]) == Decimal("3234.50")
    commission = traces_by_name(chart(html, "affiliate-commission-eur"))
    assert sum(Decimal(value) for value in commission["open"]["y"]) == Decimal("423.45")


def test_affiliate_status_filter_leaves_out_other_statuses(
    client: TestClient, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    load_affiliate(network, convert)
    sign_in(client, accounts, network.account_id, "acme")
    html = client.get("/affiliate", params={"status": "confirmed"}).text
    assert _kpis(html) == {"Transactions": "0", "Canceled transactions": "0"}
    assert chart(html, "affiliate-count")["traces"] == []


def test_affiliate_unknown_status_is_a_clear_400(
    client: TestClient, accounts: Accounts, network: Network
) -> None:
    sign_in(client, accounts, network.account_id, "acme")
    response = client.get("/affiliate", params={"status": "lost"})
    assert response.status_code == 400
    assert "Status must be open, confirmed, canceled or paid." in response.text


def test_affiliate_ranks_publishers_and_campaigns(
    client: TestClient, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    load_affiliate(network, convert)
    sign_in(client, accounts, network.account_id, "acme")
    html = client.get("/affiliate").text
    assert table_rows(html, "top-publishers") == [
        [
            f"Otto Klein #{network.other_publisher_id}",
            "1",
            "2,000.00 EUR",
            "300.00 EUR",
            "0.00 EUR",
        ],
        [
            f"Anna Berg #{network.publisher_id}annas-deals",
            "1",
            "1,234.50 EUR",
            "123.45 EUR",
            "0.00 EUR",
        ],
    ]
    assert table_rows(html, "top-campaigns") == [
        [f"Shop Kampagne #{network.campaign_id}", "2", "3,234.50 EUR", "423.45 EUR", "0.00 EUR"],
    ]


def test_affiliate_page_shows_the_traffic_of_each_day(
    client: TestClient, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    # The same visitor clicks twice (once per sale): one net click, two transactions.
    load_affiliate(network, convert)
    sign_in(client, accounts, network.account_id, "acme")
    today = local_today(accounts.get(network.account_id).timezone)
    days = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
    html = client.get("/affiliate", params=days).text
    assert table_rows(html, "traffic-daily") == [
        [days["from"], "0", "0", "0.00 %", "–"],
        [days["to"], "1", "0", "200.00 %", "0.0000 EUR"],
    ]
    assert traces_by_name(chart(html, "affiliate-traffic"))["Clicks"]["y"] == [0, 1]
    assert chart(html, "affiliate-conversion")["traces"][0]["y"] == [None, 200.0]


def test_affiliate_page_never_shows_another_accounts_transactions(
    client: TestClient,
    accounts: Accounts,
    build_network: Callable[..., Network],
    convert: Callable[..., int],
) -> None:
    first = build_network("Acme")
    second = build_network("Other")
    load_affiliate(first, convert)
    sign_in(client, accounts, second.account_id, "other")
    html = client.get("/affiliate").text
    assert _kpis(html) == {"Transactions": "0", "Canceled transactions": "0"}
    assert "top-publishers" not in html
    assert table_rows(html, "traffic-daily")[-1][1:] == ["0", "0", "0.00 %", "–"]


def test_export_route_streams_the_same_bytes_as_the_transaktions_api(
    client: TestClient, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    load_affiliate(network, convert)
    sign_in(client, accounts, network.account_id, "acme")
    page = client.get("/affiliate").text
    for export_format in ("csv", "xls", "xlsx", "xml", "json"):
        link = f"/affiliate/export.{export_format}"
        assert link in page
        mine = client.get(link)
        direct = client.get(
            network.export_url(f"get-statistic_transactions.{export_format}"),
            params={"condition[dynamicdate]": "last30d"},
        )
        assert mine.status_code == 200
        assert mine.content == direct.content
        assert mine.headers["content-type"] == direct.headers["content-type"]
    assert len(client.get("/affiliate/export.csv").text.strip().splitlines()) == 3


def test_export_route_carries_the_page_filters(
    client: TestClient, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    load_affiliate(network, convert)
    sign_in(client, accounts, network.account_id, "acme")
    everything = client.get("/affiliate/export.csv").text.strip().splitlines()
    confirmed = client.get("/affiliate/export.csv", params={"status": "confirmed"}).text
    assert len(everything) == 3
    assert confirmed.strip().splitlines() == everything[:1]


def test_export_route_only_exports_the_sessions_account(
    client: TestClient,
    accounts: Accounts,
    build_network: Callable[..., Network],
    convert: Callable[..., int],
) -> None:
    first = build_network("Acme")
    second = build_network("Other")
    load_affiliate(first, convert)
    sign_in(client, accounts, second.account_id, "other")
    response = client.get("/affiliate/export.csv")
    lines = response.text.strip().splitlines()
    assert len(lines) == 1
    assert response.status_code == 200
    assert lines[0] == ";".join(f'"{column}"' for column in TRANSACTION_COLUMNS)


def test_export_route_needs_a_session(settings: Settings) -> None:
    with TestClient(create_app(settings)) as anonymous:
        response = anonymous.get("/affiliate/export.csv", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


def test_export_route_refuses_an_unknown_format(
    client: TestClient, accounts: Accounts, network: Network
) -> None:
    sign_in(client, accounts, network.account_id, "acme")
    response = client.get("/affiliate/export.pdf")
    assert response.status_code == 404
    assert response.text == "Unknown export format; use csv, xls, xlsx, xml, json."


# -- promotions -----------------------------------------------------------------------------


def _load_promotions(shop: Shop) -> tuple[int, int]:
    coupon = shop.promotion([1], codes=["SAVE10"], name="Coupon ten")
    discount = shop.promotion([2], name="Discount two")
    for order_id, lines, codes in (
        ("o1", [(1, 1, "100.00")], ["SAVE10"]),
        ("o2", [(1, 1, "100.00")], ["SAVE10"]),
        ("o3", [(2, 1, "50.00")], None),
    ):
        response = shop.order(order_id, lines, codes)
        assert response.status_code == 201, response.text
    return coupon, discount


PROMO_DAY = {"from": "2026-05-01", "to": "2026-05-01"}


def test_promotions_page_counts_redemptions_per_promotion_and_code(
    client: TestClient, accounts: Accounts, make_shop: Callable[..., Shop]
) -> None:
    shop = make_shop("Shop A")
    coupon, discount = _load_promotions(shop)
    sign_in(client, accounts, shop.account["id"], "shop")
    html = client.get("/promotions", params=PROMO_DAY).text
    promotions = chart(html, "promotions-redemptions")["traces"][0]
    assert promotions["y"] == [f"Coupon ten (#{coupon})", f"Discount two (#{discount})"]
    assert promotions["x"] == [2, 1]
    codes = chart(html, "promotions-codes")["traces"][0]
    assert (codes["y"], codes["x"]) == (["SAVE10"], [2])


def test_promotions_page_counts_orders_per_day(
    client: TestClient, accounts: Accounts, make_shop: Callable[..., Shop]
) -> None:
    shop = make_shop("Shop A")
    _load_promotions(shop)
    sign_in(client, accounts, shop.account["id"], "shop")
    html = client.get("/promotions", params=PROMO_DAY).text
    orders = chart(html, "promotions-orders")["traces"][0]
    assert (orders["x"], orders["y"]) == (["2026-05-01"], [3])
    assert table_rows(html, "order-totals") == [["EUR", "3", "225.00 EUR"]]


def test_promotions_orders_outside_the_period_are_left_out(
    client: TestClient, accounts: Accounts, make_shop: Callable[..., Shop]
) -> None:
    shop = make_shop("Shop A")
    _load_promotions(shop)
    sign_in(client, accounts, shop.account["id"], "shop")
    html = client.get("/promotions", params={"from": "2026-05-02", "to": "2026-05-31"}).text
    assert chart(html, "promotions-orders")["traces"] == []
    assert "No orders in this period." in html


def test_promotions_page_never_shows_another_accounts_promotions(
    client: TestClient, accounts: Accounts, make_shop: Callable[..., Shop]
) -> None:
    first = make_shop("Shop A")
    second = make_shop("Shop B")
    _load_promotions(first)
    sign_in(client, accounts, second.account["id"], "other")
    html = client.get("/promotions", params=PROMO_DAY).text
    assert "Coupon ten" not in html
    assert chart(html, "promotions-orders")["traces"] == []


# -- overview and features -------------------------------------------------------------------


def test_overview_shows_only_the_accounts_features(
    client: TestClient, accounts: Accounts, video_account: VideoAccount
) -> None:
    account = video_account("Acme")
    sign_in(client, accounts, account["id"], "acme")
    html = client.get("/").text
    assert 'data-testid="overview-video"' in html
    assert 'data-testid="overview-affiliate"' not in html
    assert 'data-testid="overview-promotions"' not in html
    assert 'href="/affiliate"' not in html


def test_overview_shows_key_figures_of_each_feature(
    client: TestClient, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    load_affiliate(network, convert)
    sign_in(client, accounts, network.account_id, "acme")
    html = client.get("/").text
    block = html.split('data-testid="overview-affiliate"', 1)[1].split("</section>", 1)[0]
    assert _kpis(block) == {
        "Transactions": "2",
        "Canceled transactions": "0",
        "Turnover": "3,234.50 EUR",
        "Canceled turnover": "0.00 EUR",
        "Commission": "423.45 EUR",
        "Canceled commission": "0.00 EUR",
    }
    assert 'data-testid="overview-video"' in html
    assert 'data-testid="overview-promotions"' in html


def test_page_of_a_missing_feature_is_404(
    client: TestClient, accounts: Accounts, video_account: VideoAccount
) -> None:
    account = video_account("Acme")
    sign_in(client, accounts, account["id"], "acme")
    for path in ("/affiliate", "/promotions", "/affiliate/export.csv"):
        response = client.get(path)
        assert response.status_code == 404
        assert "This account does not have that feature." in response.text
