"""The affiliate demo data agrees with docs/affiliate.md: admedia, clicks, views, journeys and
groups; a smaller demo (200 transactions over ten days) with a fixed seed, so the counts are
exact."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Row, Table, select

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import repository
from commerce_stats.affiliate.demo import (
    DEMO_ADMEDIA,
    add_admedia,
    build_catalog,
    fill_network,
    fill_transactions,
)
from commerce_stats.affiliate.figures import Selection, traffic_figures
from commerce_stats.affiliate.model import Admedia
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.affiliate.tables import clicks, transactions, views
from commerce_stats.affiliate.visitors import RECLICK_WINDOW
from commerce_stats.db.engine import Database
from commerce_stats.demo import load_demo
from commerce_stats.kit.tenancy import Account
from tests.affiliate.helpers import csv_rows

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
UNCONVERTED = {"clicks": 2_500, "views": 4_500}
NOVEMBER = Selection(date(2026, 11, 1), date(2026, 11, 30))
DOCS = Path(__file__).parents[2] / "docs" / "affiliate.md"


@dataclass(frozen=True, slots=True)
class Demo:
    account: Account
    rows: list[dict[str, str]]
    """The transactions, as the CSV export shows them."""
    clicks: list[Row[Any]]
    views: list[Row[Any]]


def _stored(database: Database, table: Table, account_id: int) -> list[Row[Any]]:
    with database.read() as conn:
        statement = select(table).where(table.c.account_id == account_id).order_by(table.c.id)
        return list(conn.execute(statement).all())


def _load(
    database: Database, accounts: Accounts, account: Account, plan_seed: int = 5
) -> AffiliateNetwork:
    network = AffiliateNetwork(database, accounts)
    plan = add_admedia(network, account, build_catalog(network, account))
    fill_network(
        database,
        account.id,
        plan,
        random.Random(plan_seed),
        now=NOW,
        days=10,
        transactions=200,
        unconverted=dict(UNCONVERTED),  # type: ignore[arg-type]
    )
    return network


@pytest.fixture
def demo(
    database: Database,
    accounts: Accounts,
    client: TestClient,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> Demo:
    account, credentials = make_service_account("Demo")
    _load(database, accounts, account)
    url = f"/api/{credentials['affiliate_access_token']}/admin/{account.id}"
    rows = csv_rows(
        client,
        f"{url}/get-statistic_transactions.csv",
        **{"condition[period][from]": "01.11.2026", "condition[period][to]": "30.11.2026"},
    )
    return Demo(
        account, rows, _stored(database, clicks, account.id), _stored(database, views, account.id)
    )


def test_every_demo_transaction_is_exported(demo: Demo) -> None:
    assert len(demo.rows) == 200


def test_the_campaign_has_the_demo_admedia(
    database: Database, accounts: Accounts, demo: Demo
) -> None:
    listed = AffiliateNetwork(database, accounts).model.listing(demo.account, "admedia")
    media = [item for item in listed if isinstance(item, Admedia)]
    assert [(item.title, item.kind, item.target_url) for item in media] == list(DEMO_ADMEDIA)
    assert len(media) == len(listed)


def test_stored_click_and_view_counts(demo: Demo) -> None:
    assert (len(demo.clicks), sum(click.net for click in demo.clicks)) == (2_976, 2_775)
    assert (len(demo.views), sum(view.net for view in demo.views)) == (5_817, 4_934)


def test_views_outnumber_clicks(demo: Demo) -> None:
    assert len(demo.views) > len(demo.clicks)


def test_net_clicks_are_fewer_than_gross_clicks(demo: Demo) -> None:
    assert 0 < sum(click.net for click in demo.clicks) < len(demo.clicks)


def test_every_transaction_came_from_a_click_or_a_view(demo: Demo) -> None:
    assert Counter(row["action_id"] != "0" for row in demo.rows) == {True: 200}
    assert Counter(row["session_id"] != "" for row in demo.rows) == {True: 179, False: 21}


def _by_id(rows: list[Row[Any]]) -> dict[int, Row[Any]]:
    return {row.id: row for row in rows}


def _same_source(touch: Row[Any], row: dict[str, str]) -> bool:
    """Whether the click or view names the transaction's campaign, publisher, project and
    subid, and its time is the transaction's ``action_timestamp``, before the order."""
    local = touch.created_at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M:%S")
    return (
        (touch.campaign_id, touch.publisher_id, touch.project_id, touch.subid)
        == (int(row["campaign_id"]), int(row["publisher_id"]), int(row["project_id"]), row["subid"])
        and local == row["action_timestamp"]
        and row["action_timestamp"] < row["order_timestamp"]
    )


def test_a_clicked_transaction_names_a_stored_click_of_its_source(demo: Demo) -> None:
    stored = _by_id(demo.clicks)
    clicked = [row for row in demo.rows if row["session_id"]]
    assert all(_same_source(stored[int(row["action_id"])], row) for row in clicked)
    assert {row["customer_journey_status"] for row in clicked} == {"1"}
    assert all(row["session_id"] == row["action_id"] for row in clicked)


def test_a_postview_transaction_names_a_stored_view_of_its_source(demo: Demo) -> None:
    stored = _by_id(demo.views)
    viewed = [row for row in demo.rows if not row["session_id"]]
    assert all(_same_source(stored[int(row["action_id"])], row) for row in viewed)
    assert {row["customer_journey_status"] for row in viewed} == {"0"}


def test_a_postview_transaction_came_within_the_postview_window(
    database: Database, demo: Demo
) -> None:
    stored = _by_id(demo.views)
    with database.read() as conn:
        for view_id, row in ((int(row["action_id"]), row) for row in demo.rows):
            transaction = repository.transaction(conn, demo.account.id, int(row["id"]))
            assert transaction is not None
            if transaction.action_type == "view":
                assert transaction.view_id == view_id
                gap = transaction.created_at - stored[view_id].created_at
                assert timedelta(0) < gap < timedelta(hours=24)


def test_a_transaction_takes_the_admedia_and_device_of_its_click_or_view(
    database: Database, demo: Demo
) -> None:
    touches = {"click": _by_id(demo.clicks), "view": _by_id(demo.views)}
    with database.read() as conn:
        for row in demo.rows:
            transaction = repository.transaction(conn, demo.account.id, int(row["id"]))
            assert transaction is not None
            touch = touches[transaction.action_type][int(row["action_id"])]
            assert (transaction.admedia_id, transaction.devicetype, transaction.browser) == (
                touch.admedia_id,
                touch.devicetype,
                touch.browser,
            )


def test_each_click_and_view_leads_to_one_transaction_at_most(demo: Demo) -> None:
    named = [(bool(row["session_id"]), row["action_id"]) for row in demo.rows]
    assert len(named) == len(set(named))


def test_views_name_only_banner_and_newsletter_admedia(demo: Demo) -> None:
    assert {view.admedia_id for view in demo.views} == {1, 2, 5}


def test_clicks_name_every_admedia_or_none(demo: Demo) -> None:
    assert {click.admedia_id for click in demo.clicks} == {0, 1, 2, 3, 4, 5}


def test_every_click_and_view_has_visitor_device_country_and_referrer(demo: Demo) -> None:
    for touch in [*demo.clicks, *demo.views]:
        assert len(touch.visitor) == 32
        assert touch.devicetype in {"Desktop", "Mobile", "Tablet"}
        assert touch.browser
        assert touch.os
        assert touch.country in {"DE", "AT", "CH"}
        assert touch.referrer.startswith(f"https://publisher{touch.publisher_id}.example/")


def test_a_click_not_net_follows_a_click_of_the_same_visitor_within_four_hours(
    demo: Demo,
) -> None:
    """Within one UTC day a visitor keeps one hash, so each repeat has an earlier click of
    the same hash in the window (across midnight the hash changes with the salt)."""
    seen: dict[str, list[datetime]] = defaultdict(list)
    for click in sorted(demo.clicks, key=lambda click: click.created_at):
        earlier = seen[click.visitor]
        repeated = any(click.created_at - moment < RECLICK_WINDOW for moment in earlier)
        if repeated:
            assert click.net == 0
        seen[click.visitor].append(click.created_at)


def test_the_dashboard_traffic_figures_show_the_demo(
    database: Database, accounts: Accounts, demo: Demo
) -> None:
    figures = traffic_figures(database, demo.account, NOVEMBER)
    (campaign,) = figures.campaigns
    assert (campaign.clicks, campaign.views) == (
        sum(click.net for click in demo.clicks),
        sum(view.net for view in demo.views),
    )
    assert campaign.conversion_rate == Decimal("0.0721")
    assert [line.id for line in figures.publishers] == [1, 2, 3, 4, 5]
    assert [line.id for line in figures.admedia] == [0, 1, 2, 3, 4, 5]


def test_another_account_sees_none_of_the_demo_traffic(
    database: Database,
    demo: Demo,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> None:
    other, _credentials = make_service_account("Other")
    figures = traffic_figures(database, other, NOVEMBER)
    assert (figures.campaigns, figures.publishers, figures.admedia) == ([], [], [])
    assert _stored(database, clicks, other.id) == []
    assert _stored(database, views, other.id) == []


def test_each_publisher_earns_under_one_group_of_the_campaign(demo: Demo) -> None:
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in demo.rows:
        groups[(row["campaign_id"], row["publisher_id"])].add(row["commission_group_id"])
    assert len(groups) == 5
    assert all(len(found) == 1 for found in groups.values())


def test_publishers_are_spread_over_both_groups(demo: Demo) -> None:
    titles = {(row["publisher_id"], row["campaign_group_title"]) for row in demo.rows}
    assert sorted(title for _publisher, title in titles) == [
        "Premium",
        "Premium",
        "Standard",
        "Standard",
        "Standard",
    ]


def test_the_same_seed_makes_the_same_traffic(
    database: Database,
    accounts: Accounts,
    demo: Demo,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> None:
    again, _credentials = make_service_account("Again")
    _load(database, accounts, again)
    columns = ("id", "publisher_id", "admedia_id", "created_at", "net", "visitor")
    first = [tuple(getattr(click, name) for name in columns) for click in demo.clicks]
    stored = _stored(database, clicks, again.id)
    assert [tuple(getattr(click, name) for name in columns) for click in stored] == first


def test_without_a_click_share_no_click_is_stored(
    database: Database,
    accounts: Accounts,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> None:
    account, _credentials = make_service_account("Bench")
    network = AffiliateNetwork(database, accounts)
    plan = build_catalog(network, account)
    fill_transactions(database, account.id, plan, 20, random.Random(5), now=NOW)
    assert _stored(database, clicks, account.id) == []
    assert _stored(database, views, account.id) == []


def test_the_full_demo_holds_the_documented_numbers(database: Database, accounts: Accounts) -> None:
    """The figures docs/affiliate.md quotes: 2,000 transactions, their clicks and views,
    the unconverted traffic, and every publisher converting 2 to 10 % of its net clicks."""
    account_id = load_demo(database, accounts).account_id
    stored_clicks = _stored(database, clicks, account_id)
    stored_views = _stored(database, views, account_id)
    sales = _stored(database, transactions, account_id)
    assert Counter(sale.action_type for sale in sales) == {"click": 1_811, "view": 189}
    assert (len(stored_clicks), sum(click.net for click in stored_clicks)) == (29_846, 27_873)
    assert (len(stored_views), sum(view.net for view in stored_views)) == (58_645, 49_685)
    net_clicks = Counter(click.publisher_id for click in stored_clicks if click.net)
    rates = {
        publisher: count / net_clicks[publisher]
        for publisher, count in Counter(sale.publisher_id for sale in sales).items()
    }
    assert all(0.02 <= rate <= 0.10 for rate in rates.values()), rates


def test_the_docs_quote_the_full_demos_numbers() -> None:
    """The figures test_the_full_demo_holds_the_documented_numbers pins, as the docs write them."""
    text = " ".join(DOCS.read_text(encoding="utf-8").split())
    for figure in (
        "**2,000 transactions**",
        "1,811 after a click",
        "189 postview sales",
        "**29,846 clicks, 27,873 net** and **58,645 views, 49,685 net**",
    ):
        assert figure in text


def test_the_demo_links_to_its_admedia_list(
    database: Database, accounts: Accounts, client: TestClient
) -> None:
    info = load_demo(database, accounts)
    (listed,) = [link.target for link in info.links if link.label == "Affiliate admedia list (CSV)"]
    titles = [row["title"] for row in csv_rows(client, listed.replace("{base}", ""))]
    assert titles == [title for title, _kind, _url in DEMO_ADMEDIA]
