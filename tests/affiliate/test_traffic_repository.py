"""Clicks, views and their lookups on the backend under test: the campaign of a tracking URL,
bulk inserts equal to single ones, and the quarter-hour counts they keep."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from commerce_stats.affiliate import traffic_repository
from commerce_stats.affiliate.tables import traffic_quarters
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from tests.affiliate.test_repository import _campaign, _networks

Maker = Callable[..., tuple[Account, dict[str, str]]]


def test_a_campaign_is_found_by_its_id_with_its_own_account(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    first, second = _networks(database, make_service_account)
    with database.write() as conn:
        _campaign(conn, first, "A")
        campaign_id = _campaign(conn, second, "B")
    with database.read() as conn:
        found = traffic_repository.campaign_anywhere(conn, campaign_id)
    assert found is not None
    assert (found.account_id, found.id, found.title) == (second, campaign_id, "B")


def test_an_unknown_campaign_id_finds_nothing(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    first, _ = _networks(database, make_service_account)
    with database.write() as conn:
        _campaign(conn, first, "A")
    with database.read() as conn:
        assert traffic_repository.campaign_anywhere(conn, 2) is None


def _traffic_row(account_id: int, row_id: int) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "id": row_id,
        "campaign_id": 4,
        "publisher_id": 2,
        "project_id": 3,
        "subid": "sidebar",
        "admedia_id": 5,
        "created_at": datetime(2026, 11, 30, 23, 59, 58, 123456, tzinfo=UTC),
        "referrer": "https://publisher2.example/",
        "country": "AT",
        "visitor": "ab" * 16,
        "net": 0,
        "devicetype": "Mobile",
        "device": "iPhone",
        "browser": "Mobile Safari",
        "os": "iOS",
    }


def _without_id(row: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    del values["id"]
    return values


def test_a_bulk_click_is_stored_as_a_single_insert_stores_it(
    database: Database, make_service_account: Maker
) -> None:
    account, _credentials = make_service_account("Bulk")
    single = {**_traffic_row(account.id, 1), "user_agent": "Mozilla/5.0 (iPhone)"}
    with database.write() as conn:
        traffic_repository.insert_clicks(conn, [single])
        traffic_repository.insert_traffic_bulk(conn, "clicks", [{**single, "id": 2}])
    with database.read() as conn:
        first = traffic_repository.click(conn, account.id, 1)
        second = traffic_repository.click(conn, account.id, 2)
    assert first is not None
    assert second is not None
    assert _without_id(second) == _without_id(first)
    assert second.created_at == single["created_at"]


def test_a_bulk_view_is_stored_as_a_single_insert_stores_it(
    database: Database, make_service_account: Maker
) -> None:
    account, _credentials = make_service_account("Bulk")
    with database.write() as conn:
        traffic_repository.insert_views(conn, [_traffic_row(account.id, 1)])
        traffic_repository.insert_traffic_bulk(conn, "views", [_traffic_row(account.id, 2)])
    with database.read() as conn:
        first = traffic_repository.view(conn, account.id, 1)
        second = traffic_repository.view(conn, account.id, 2)
    assert first is not None
    assert second is not None
    assert _without_id(second) == _without_id(first)


def test_a_bulk_insert_of_nothing_stores_nothing(
    database: Database, make_service_account: Maker
) -> None:
    account, _credentials = make_service_account("Bulk")
    with database.write() as conn:
        traffic_repository.insert_traffic_bulk(conn, "views", [])
    with database.read() as conn:
        assert traffic_repository.view(conn, account.id, 1) is None


def test_a_bulk_insert_counts_its_rows_into_the_quarter_hours(
    database: Database, make_service_account: Maker
) -> None:
    account, _credentials = make_service_account("Bulk")
    rows = [_traffic_row(account.id, 1), _traffic_row(account.id, 2)]
    with database.write() as conn:
        traffic_repository.insert_traffic_bulk(conn, "views", rows)
    with database.read() as conn:
        counted = conn.execute(
            select(traffic_quarters.c.kind, traffic_quarters.c.n).where(
                traffic_quarters.c.account_id == account.id
            )
        ).all()
    assert [tuple(row) for row in counted] == [(1, 2)]
