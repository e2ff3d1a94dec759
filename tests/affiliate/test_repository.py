"""The campaign directory: server-wide campaign ids, each finding its own account."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from commerce_stats.affiliate import repository
from commerce_stats.affiliate.tables import advertisers
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account

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
            repository.insert_row(
                conn,
                advertisers,
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


def test_a_campaign_is_found_by_its_id_with_its_own_account(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    first, second = _networks(database, make_service_account)
    with database.write() as conn:
        _campaign(conn, first, "A")
        campaign_id = _campaign(conn, second, "B")
    with database.read() as conn:
        found = repository.campaign_anywhere(conn, campaign_id)
    assert found is not None
    assert (found.account_id, found.id, found.title) == (second, campaign_id, "B")


def test_an_unknown_campaign_id_finds_nothing(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    first, _ = _networks(database, make_service_account)
    with database.write() as conn:
        _campaign(conn, first, "A")
    with database.read() as conn:
        assert repository.campaign_anywhere(conn, 2) is None
