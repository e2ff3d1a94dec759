"""Inserts that meet an existing key, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from commerce_stats.db.engine import Database
from commerce_stats.db.upsert import insert_ignoring_duplicates, upsert
from commerce_stats.kit.tenancy import Account
from commerce_stats.promotions.tables import promo_sequences
from commerce_stats.video.tables import ecommerce_items

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
SEQUENCE_KEY = ["account_id", "name"]
ITEM_KEY = ["account_id", "ecommerce_key"]


@pytest.fixture
def account_id(make_service_account: Callable[..., tuple[Account, dict[str, str]]]) -> int:
    account, _credentials = make_service_account()
    return account.id


def _sequences(database: Database) -> list[tuple[str, int]]:
    with database.read() as conn:
        rows = conn.execute(
            select(promo_sequences.c.name, promo_sequences.c.last_value).order_by(
                promo_sequences.c.name
            )
        )
        return [(row.name, row.last_value) for row in rows]


def _item(account_id: int, name: str, at: datetime) -> dict[str, object]:
    return {
        "account_id": account_id,
        "ecommerce_key": "sku-1",
        "ecommerce_name": name,
        "ecommerce_link": f"https://shop.example/{name}",
        "created_at": at,
        "updated_at": at,
    }


def test_add_creates_the_row_with_the_new_values(database: Database, account_id: int) -> None:
    with database.write() as conn:
        statement = upsert(conn, promo_sequences, SEQUENCE_KEY, add=["last_value"])
        conn.execute(statement.values(account_id=account_id, name="orders", last_value=3))

    assert _sequences(database) == [("orders", 3)]


def test_add_grows_an_existing_row_by_the_new_values(database: Database, account_id: int) -> None:
    with database.write() as conn:
        statement = upsert(conn, promo_sequences, SEQUENCE_KEY, add=["last_value"])
        conn.execute(statement.values(account_id=account_id, name="orders", last_value=3))
        returned = conn.execute(
            statement.values(account_id=account_id, name="orders", last_value=4).returning(
                promo_sequences.c.last_value
            )
        ).scalar_one()

    assert returned == 7
    assert _sequences(database) == [("orders", 7)]


def test_add_sums_many_rows_of_one_statement_into_their_own_keys(
    database: Database, account_id: int
) -> None:
    rows = [
        {"account_id": account_id, "name": name, "last_value": value}
        for name, value in (("a", 1), ("b", 10))
    ]
    with database.write() as conn:
        statement = upsert(conn, promo_sequences, SEQUENCE_KEY, add=["last_value"])
        conn.execute(statement, rows)
        conn.execute(statement, rows)

    assert _sequences(database) == [("a", 2), ("b", 20)]


def test_replace_takes_the_new_values_and_keeps_the_other_columns(
    database: Database, account_id: int
) -> None:
    with database.write() as conn:
        statement = upsert(
            conn, ecommerce_items, ITEM_KEY, replace=["ecommerce_name", "updated_at"]
        )
        conn.execute(statement, [_item(account_id, "old", MONDAY)])
        conn.execute(statement, [_item(account_id, "new", TUESDAY)])

    with database.read() as conn:
        row = conn.execute(select(ecommerce_items)).one()
    assert (row.ecommerce_name, row.ecommerce_link) == ("new", "https://shop.example/old")
    assert (row.created_at, row.updated_at) == (MONDAY, TUESDAY)


def test_where_leaves_an_existing_row_that_does_not_match_unchanged_and_unreturned(
    database: Database, account_id: int
) -> None:
    with database.write() as conn:
        statement = upsert(
            conn,
            promo_sequences,
            SEQUENCE_KEY,
            replace=["last_value"],
            where=promo_sequences.c.last_value < 5,
        ).returning(promo_sequences.c.name)
        conn.execute(statement.values(account_id=account_id, name="low", last_value=1))
        conn.execute(statement.values(account_id=account_id, name="high", last_value=9))
        returned = conn.execute(
            statement,
            [
                {"account_id": account_id, "name": "low", "last_value": 2},
                {"account_id": account_id, "name": "high", "last_value": 3},
            ],
        )
        assert [row.name for row in returned] == ["low"]

    assert _sequences(database) == [("high", 9), ("low", 2)]


def test_insert_ignoring_duplicates_keeps_the_existing_row(
    database: Database, account_id: int
) -> None:
    with database.write() as conn:
        statement = insert_ignoring_duplicates(conn, promo_sequences, SEQUENCE_KEY)
        conn.execute(statement.values(account_id=account_id, name="orders", last_value=1))
        conn.execute(statement.values(account_id=account_id, name="orders", last_value=2))

    assert _sequences(database) == [("orders", 1)]


def test_an_upsert_that_changes_nothing_is_refused(database: Database) -> None:
    with database.write() as conn, pytest.raises(ValueError, match="at least one column"):
        upsert(conn, promo_sequences, SEQUENCE_KEY)
