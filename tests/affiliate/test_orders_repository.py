"""The Orders API's grouped read on the backend under test: one row per order, its status
from its positions, standing sums, the status filter on orders, tenancy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from commerce_stats.affiliate import orders_repository
from commerce_stats.affiliate.repository import TransactionQuery
from commerce_stats.affiliate.rules import CANCELED, CONFIRMED, OPEN, PAID
from commerce_stats.affiliate.tables import advertisers, campaigns
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from tests.affiliate import traffic_rows

Accounts = Callable[..., tuple[Account, dict[str, str]]]


def _query(account_id: int, **values: Any) -> TransactionQuery:
    return TransactionQuery(
        account_id=account_id,
        start=datetime(2026, 11, 1, tzinfo=UTC),
        end=datetime(2026, 12, 1, tzinfo=UTC),
        time_column="created_at",
        **values,
    )


def _campaign(conn: Connection, account_id: int, campaign_id: int = 1) -> None:
    moment = traffic_rows.MOMENT
    conn.execute(
        advertisers.insert().values(
            account_id=account_id, id=campaign_id, name="Shop", created_at=moment
        )
    )
    conn.execute(
        campaigns.insert().values(
            account_id=account_id,
            id=campaign_id,
            advertiser_id=campaign_id,
            title=f"Kampagne {campaign_id}",
            target_url="https://shop.example/",
            currency="EUR",
            created_at=moment,
        )
    )


def _position(conn: Connection, account_id: int, token: str, **values: Any) -> None:
    """One transaction of order ``token``; each position of an order has its own trigger."""
    traffic_rows.sale(conn, account_id, ordertoken=token, **values)


def _orders(database: Database, query: TransactionQuery) -> list[tuple[Any, ...]]:
    with database.read() as conn:
        return [
            (
                row.ordertoken,
                row.status,
                row.positions,
                row.turnover_standing,
                row.commission_standing,
            )
            for row in orders_repository.stream_orders(conn, query)
        ]


def _network(database: Database, make_service_account: Accounts) -> int:
    account = make_service_account("First")[0].id
    with database.write() as conn:
        _campaign(conn, account)
    return account


def test_the_positions_of_one_order_are_one_row_with_their_sums(
    database: Database, make_service_account: Accounts
) -> None:
    account = _network(database, make_service_account)
    with database.write() as conn:
        _position(conn, account, "A1", trigger_id=1, turnover_minor=10000, commission_minor=1000)
        _position(conn, account, "A1", trigger_id=2, turnover_minor=0, commission_minor=250)
        _position(conn, account, "B2", trigger_id=1, turnover_minor=4000, commission_minor=400)
    assert _orders(database, _query(account)) == [
        ("A1", OPEN, 2, 10000, 1250),
        ("B2", OPEN, 1, 4000, 400),
    ]


def test_an_order_with_an_open_position_is_open(
    database: Database, make_service_account: Accounts
) -> None:
    account = _network(database, make_service_account)
    with database.write() as conn:
        _position(conn, account, "A1", trigger_id=1, status=PAID, commission_minor=100)
        _position(conn, account, "A1", trigger_id=2, status=OPEN, commission_minor=50)
    assert [row[1] for row in _orders(database, _query(account))] == [OPEN]


def test_an_order_confirmed_in_part_and_paid_in_part_is_confirmed(
    database: Database, make_service_account: Accounts
) -> None:
    account = _network(database, make_service_account)
    with database.write() as conn:
        _position(conn, account, "A1", trigger_id=1, status=PAID)
        _position(conn, account, "A1", trigger_id=2, status=CONFIRMED)
    assert [row[1] for row in _orders(database, _query(account))] == [CONFIRMED]


def test_a_canceled_position_does_not_count_in_the_standing_sums(
    database: Database, make_service_account: Accounts
) -> None:
    account = _network(database, make_service_account)
    with database.write() as conn:
        _position(
            conn,
            account,
            "A1",
            trigger_id=1,
            status=CONFIRMED,
            turnover_minor=10000,
            commission_minor=1000,
        )
        _position(conn, account, "A1", trigger_id=2, status=CANCELED, commission_minor=250)
    assert _orders(database, _query(account)) == [("A1", CONFIRMED, 2, 10000, 1000)]


def test_an_order_canceled_in_full_is_canceled(
    database: Database, make_service_account: Accounts
) -> None:
    account = _network(database, make_service_account)
    with database.write() as conn:
        _position(conn, account, "A1", trigger_id=1, status=CANCELED)
        _position(conn, account, "A1", trigger_id=2, status=CANCELED)
    assert [row[1] for row in _orders(database, _query(account))] == [CANCELED]


def test_the_status_filter_selects_orders_by_their_status(
    database: Database, make_service_account: Accounts
) -> None:
    account = _network(database, make_service_account)
    with database.write() as conn:
        _position(conn, account, "MIXED", trigger_id=1, status=CONFIRMED)
        _position(conn, account, "MIXED", trigger_id=2, status=CANCELED)
        _position(conn, account, "GONE", trigger_id=1, status=CANCELED)
    rows = _orders(database, _query(account, statuses=(CANCELED,)))
    assert [(row[0], row[2]) for row in rows] == [("GONE", 1)]


def test_an_order_credited_to_two_publishers_is_one_row_each(
    database: Database, make_service_account: Accounts
) -> None:
    account = _network(database, make_service_account)
    with database.write() as conn:
        _position(conn, account, "A1", trigger_id=1, publisher_id=1)
        _position(conn, account, "A1", trigger_id=2, publisher_id=2)
    with database.read() as conn:
        rows = [
            (row.ordertoken, row.publisher_id, row.positions)
            for row in orders_repository.stream_orders(conn, _query(account))
        ]
    assert rows == [("A1", 1, 1), ("A1", 2, 1)]


def test_the_same_order_number_in_two_campaigns_is_two_orders(
    database: Database, make_service_account: Accounts
) -> None:
    account = _network(database, make_service_account)
    with database.write() as conn:
        _campaign(conn, account, campaign_id=2)
        _position(conn, account, "A1", campaign_id=1)
        _position(conn, account, "A1", campaign_id=2)
    with database.read() as conn:
        rows = [
            (row.ordertoken, row.campaign_id, row.campaign_title)
            for row in orders_repository.stream_orders(conn, _query(account))
        ]
    assert rows == [("A1", 1, "Kampagne 1"), ("A1", 2, "Kampagne 2")]


def test_the_largest_reported_basket_is_the_orders_basket(
    database: Database, make_service_account: Accounts
) -> None:
    account = _network(database, make_service_account)
    with database.write() as conn:
        _position(conn, account, "A1", trigger_id=1, basket_items=3)
        _position(conn, account, "A1", trigger_id=2, basket_items=0)
    with database.read() as conn:
        rows = [row.basket_items for row in orders_repository.stream_orders(conn, _query(account))]
    assert rows == [3]


def test_a_transaction_outside_the_period_is_no_position(
    database: Database, make_service_account: Accounts
) -> None:
    account = _network(database, make_service_account)
    with database.write() as conn:
        _position(conn, account, "A1", trigger_id=1)
        _position(conn, account, "A1", trigger_id=2, created_at=datetime(2026, 12, 2, tzinfo=UTC))
    assert [row[2] for row in _orders(database, _query(account))] == [1]


def test_another_accounts_orders_never_appear(
    database: Database, make_service_account: Accounts
) -> None:
    account = _network(database, make_service_account)
    other = make_service_account("Second")[0].id
    with database.write() as conn:
        _campaign(conn, other, campaign_id=7)
        _position(conn, other, "THEIRS", campaign_id=7)
        _position(conn, account, "OURS")
    assert [row[0] for row in _orders(database, _query(account))] == ["OURS"]
