"""The affiliate repository's SQL on the backend under test: scoped by account, ids reserved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from commerce_stats.affiliate import repository
from commerce_stats.affiliate.model import NetworkModel
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account

Maker = Callable[..., tuple[Account, dict[str, str]]]
NOW = datetime(2026, 5, 4, 12, 30, tzinfo=UTC)


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
