"""The affiliate repository's SQL on the backend under test: the campaign directory (server-wide
campaign ids, each finding its own account), items scoped by account, ids reserved."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import repository
from commerce_stats.affiliate.demo import build_catalog, fill_transactions
from commerce_stats.affiliate.model import NetworkModel
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from tests.conftest import BACKEND

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _campaign(conn: Any, account_id: int, title: str) -> int:
    """Inserts a campaign under the next server-wide id; returns the id."""
    campaign_id = repository.next_campaign_id(conn)
    repository.insert_campaign(
        conn,
        {
            "account_id": account_id,
            "id": campaign_id,
            "advertiser_id": 1,
            "title": title,
            "target_url": "https://shop.example/",
            "currency": "EUR",
            "default_group_id": None,
            "created_at": NOW,
        },
    )
    return campaign_id


def _networks(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> tuple[int, int]:
    first, _ = make_service_account("First")
    second, _ = make_service_account("Second")
    with database.write() as conn:
        for account in (first, second):
            repository.insert_item(
                conn,
                "advertisers",
                {"account_id": account.id, "id": 1, "name": "Shop", "created_at": NOW},
            )
    return first.id, second.id


def test_campaign_ids_run_on_across_accounts(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    first, second = _networks(database, make_service_account)
    with database.write() as conn:
        ids = [
            _campaign(conn, first, "A"),
            _campaign(conn, second, "B"),
            _campaign(conn, first, "C"),
        ]
    assert ids == [1, 2, 3]


Maker = Callable[..., tuple[Account, dict[str, str]]]


def test_allocate_ids_reserves_consecutive_ids_per_account_and_sequence(
    database: Database, make_service_account: Maker
) -> None:
    first, _ = make_service_account("A")
    second, _ = make_service_account("B")
    with database.write() as conn:
        taken = [
            repository.allocate_ids(conn, first.id, "click", 3),
            repository.allocate_ids(conn, first.id, "click"),
            repository.allocate_ids(conn, second.id, "click"),
            repository.allocate_ids(conn, first.id, "salary"),
        ]
    assert taken == [1, 4, 1, 1]


def test_an_item_is_found_only_under_its_own_account(
    database: Database, make_service_account: Maker
) -> None:
    owner, _ = make_service_account("A")
    stranger, _ = make_service_account("B")
    with database.write() as conn:
        values = {"account_id": owner.id, "id": 1, "name": "Shop", "created_at": NOW}
        repository.insert_item(conn, "advertisers", values)
    with database.read() as conn:
        found = repository.item(conn, "advertisers", owner.id, 1)
        assert found is not None
        assert (found.name, found.created_at) == ("Shop", NOW)
        assert repository.item(conn, "advertisers", stranger.id, 1) is None
        assert repository.items(conn, "advertisers", stranger.id) == []


def _campaign_with_group(database: Database, account: Account) -> tuple[int, int, int, int]:
    """(campaign id, trigger id, group id, publisher id) of a small network."""
    model = NetworkModel(database)
    advertiser = model.create_advertiser(account, "Shop")
    campaign = model.create_campaign(account, advertiser.id, "K", "https://shop.example/", "EUR")
    trigger = model.create_trigger(account, campaign.id, "Sale")
    group = model.create_group(account, campaign.id, "G", [], default=True).group
    publisher, _token = model.create_publisher(account, "Ina", "Berg", "")
    return campaign.id, trigger.id, group.id, publisher.id


def test_items_come_in_id_order(database: Database, make_service_account: Maker) -> None:
    account, _ = make_service_account("A")
    _campaign_id, _trigger_id, _group_id, publisher_id = _campaign_with_group(database, account)
    with database.write() as conn:
        for item_id, title in ((3, "C"), (1, "A"), (2, "B")):
            values = {"account_id": account.id, "id": item_id, "publisher_id": publisher_id}
            repository.insert_item(conn, "projects", {**values, "title": title})
    with database.read() as conn:
        titles = [row.title for row in repository.items(conn, "projects", account.id)]
    assert titles == ["A", "B", "C"]


def test_upsert_rate_replaces_the_rate_of_a_group_and_trigger(
    database: Database, make_service_account: Maker
) -> None:
    account, _ = make_service_account("A")
    _campaign_id, trigger_id, group_id, _publisher_id = _campaign_with_group(database, account)
    with database.write() as conn:
        repository.upsert_rate(conn, account.id, group_id, trigger_id, "sale_fixed", 500)
        repository.upsert_rate(conn, account.id, group_id, trigger_id, "sale_dynamic", 750)
    with database.read() as conn:
        rates = [
            (rate.trigger_id, rate.trigger_type, rate.value_scaled)
            for rate in repository.rates_of_group(conn, account.id, group_id)
        ]
    assert rates == [(trigger_id, "sale_dynamic", 750)]


def test_membership_group_is_none_until_assigned_then_the_latest(
    database: Database, make_service_account: Maker
) -> None:
    account, _ = make_service_account("A")
    campaign_id, _trigger_id, group_id, publisher_id = _campaign_with_group(database, account)
    model = NetworkModel(database)
    second = model.create_group(account, campaign_id, "H", [], default=False).group
    with database.write() as conn:
        before = repository.membership_group(conn, account.id, campaign_id, publisher_id)
        repository.upsert_membership(conn, account.id, campaign_id, publisher_id, group_id)
        repository.upsert_membership(conn, account.id, campaign_id, publisher_id, second.id)
        after = repository.membership_group(conn, account.id, campaign_id, publisher_id)
    assert (before, after) == (None, second.id)


@pytest.mark.skipif(
    BACKEND != "sqlite", reason="SQLite's fixed plan; PostgreSQL plans by statistics"
)
def test_a_publisher_links_read_walks_the_publishers_own_index_in_id_order(
    database: Database, make_service_account: Maker
) -> None:
    """Not the period's every row along the primary key, and no sort before the first row."""
    account, _credentials = make_service_account("Plans")
    network = AffiliateNetwork(database, Accounts(database))
    plan = build_catalog(network, account)
    fill_transactions(database, account.id, plan, 20, random.Random(3), now=NOW, days=10)
    publisher_id = plan.members[0].publisher_id
    query = repository.TransactionQuery(
        account.id, NOW - timedelta(days=30), NOW, "created_at", publishers=(publisher_id,)
    )
    with database.read() as conn:
        statement = repository._publisher_select(
            conn, query, repository.STORED_PUBLISHER_LINE_COLUMNS
        )
        compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
        steps = [str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")]
    walk = "SEARCH affiliate_transactions USING INDEX ix_affiliate_transactions_publisher_id"
    assert next(step for step in steps if "affiliate_transactions " in step).startswith(walk)
    assert not [step for step in steps if "TEMP B-TREE" in step]
