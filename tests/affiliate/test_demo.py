"""The affiliate demo data agrees with docs/affiliate.md: clicks, journeys and groups."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import repository
from commerce_stats.affiliate.demo import build_catalog, fill_transactions
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from tests.affiliate.helpers import csv_rows

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def demo_rows(
    database: Database,
    accounts: Accounts,
    client: TestClient,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> tuple[Account, list[dict[str, str]]]:
    """400 demo transactions, 90% of them after a click, read back from the CSV export."""
    account, credentials = make_service_account("Demo")
    network = AffiliateNetwork(database, accounts)
    plan = build_catalog(network, account)
    fill_transactions(
        database, account.id, plan, 400, random.Random(5), days=10, now=NOW, click_share=0.9
    )
    url = f"/api/{credentials['affiliate_access_token']}/admin/{account.id}"
    rows = csv_rows(
        client,
        f"{url}/get-statistic_transactions.csv",
        **{"condition[period][from]": "01.11.2026", "condition[period][to]": "30.11.2026"},
    )
    return account, rows


def test_every_demo_transaction_is_exported(
    demo_rows: tuple[Account, list[dict[str, str]]],
) -> None:
    _account, rows = demo_rows
    assert len(rows) == 400


def test_a_transaction_after_a_click_names_it_and_its_journey(
    demo_rows: tuple[Account, list[dict[str, str]]],
) -> None:
    _account, rows = demo_rows
    clicked = [row for row in rows if row["action_id"] != "0"]
    assert 300 < len(clicked) < 400
    assert {row["customer_journey_status"] for row in clicked} == {"1"}
    assert all(row["session_id"] == row["action_id"] for row in clicked)
    assert all(row["action_timestamp"] for row in clicked)


def test_a_transaction_without_a_click_has_no_action_time(
    demo_rows: tuple[Account, list[dict[str, str]]],
) -> None:
    _account, rows = demo_rows
    unclicked = [row for row in rows if row["action_id"] == "0"]
    assert unclicked
    assert {row["customer_journey_status"] for row in unclicked} == {"0"}
    assert {row["action_timestamp"] for row in unclicked} == {""}
    assert {row["session_id"] for row in unclicked} == {""}


def test_the_action_id_is_a_stored_click_of_the_same_publisher_before_the_order(
    database: Database,
    demo_rows: tuple[Account, list[dict[str, str]]],
) -> None:
    account, rows = demo_rows
    for row in (row for row in rows if row["action_id"] != "0"):
        with database.read() as conn:
            click = repository.click(conn, account.id, int(row["action_id"]))
        assert click is not None
        assert (click.publisher_id, click.project_id) == (
            int(row["publisher_id"]),
            int(row["project_id"]),
        )
        local = click.created_at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M:%S")
        assert local == row["action_timestamp"]
        assert row["action_timestamp"] < row["order_timestamp"]


def test_each_click_leads_to_one_transaction(
    demo_rows: tuple[Account, list[dict[str, str]]],
) -> None:
    _account, rows = demo_rows
    ids = [row["action_id"] for row in rows if row["action_id"] != "0"]
    assert len(ids) == len(set(ids))


def test_each_publisher_earns_under_one_group_of_the_campaign(
    demo_rows: tuple[Account, list[dict[str, str]]],
) -> None:
    _account, rows = demo_rows
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        groups[(row["campaign_id"], row["publisher_id"])].add(row["commission_group_id"])
    assert len(groups) == 5
    assert all(len(found) == 1 for found in groups.values())


def test_publishers_are_spread_over_both_groups(
    demo_rows: tuple[Account, list[dict[str, str]]],
) -> None:
    _account, rows = demo_rows
    titles = {(row["publisher_id"], row["campaign_group_title"]) for row in rows}
    assert sorted(title for _publisher, title in titles) == [
        "Premium",
        "Premium",
        "Standard",
        "Standard",
        "Standard",
    ]


def test_without_a_click_share_no_click_is_stored(
    database: Database,
    accounts: Accounts,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> None:
    account, _credentials = make_service_account("Bench")
    network = AffiliateNetwork(database, accounts)
    plan = build_catalog(network, account)
    fill_transactions(database, account.id, plan, 20, random.Random(5), now=NOW)
    with database.read() as conn:
        assert repository.click(conn, account.id, 1) is None
