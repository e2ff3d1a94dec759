"""The ClickHouse outbox's SQL on the relational backend: parts staged, listed, read back
and deleted one (batch, shard) at a time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.video import outbox_repository

DAY = date(2022, 10, 14)


def _row(account_id: int, key: str, viewed: int) -> tuple[Any, ...]:
    return (account_id, key, DAY, "Desktop", "none", viewed, 0, 0, 0, 0)


@pytest.fixture
def two(make_service_account: Callable[..., tuple[Account, dict[str, str]]]) -> tuple[int, int]:
    first, _one = make_service_account("One", features=["video_ecommerce"])
    second, _two = make_service_account("Two", features=["video_ecommerce"])
    return first.id, second.id


def test_deltas_round_trip_through_their_encoding() -> None:
    rows = [_row(7, "a", 3), _row(7, "b", 1)]

    assert outbox_repository.decode_deltas(7, outbox_repository.encode_deltas(rows)) == rows


def test_part_rows_gather_every_accounts_rows_of_the_part(
    database: Database, two: tuple[int, int]
) -> None:
    one, other = two
    with database.write() as conn:
        outbox_repository.stage(
            conn,
            11,
            [
                (one, 0, outbox_repository.encode_deltas([_row(one, "a", 3)])),
                (other, 0, outbox_repository.encode_deltas([_row(other, "b", 5)])),
                (one, 1, outbox_repository.encode_deltas([_row(one, "c", 1)])),
            ],
        )
    with database.read() as conn:
        rows = sorted(outbox_repository.part_rows(conn, 11, 0))

    assert rows == sorted([_row(one, "a", 3), _row(other, "b", 5)])


def test_pending_parts_are_listed_once_each_in_order(
    database: Database, two: tuple[int, int]
) -> None:
    one, other = two
    with database.write() as conn:
        outbox_repository.stage(conn, 20, [(one, 1, b"\x90"), (other, 1, b"\x90")])
        outbox_repository.stage(conn, 10, [(one, 0, b"\x90"), (one, 1, b"\x90")])
    with database.read() as conn:
        assert outbox_repository.pending_parts(conn, 10) == [(10, 0), (10, 1), (20, 1)]
        assert outbox_repository.pending_parts(conn, 2) == [(10, 0), (10, 1)]


def test_deleting_a_part_keeps_the_other_shards_part(
    database: Database, two: tuple[int, int]
) -> None:
    one, other = two
    with database.write() as conn:
        outbox_repository.stage(
            conn, 5, [(one, 0, b"\x90"), (other, 0, b"\x90"), (one, 1, b"\x90")]
        )
        outbox_repository.delete_part(conn, 5, 0)
    with database.read() as conn:
        assert outbox_repository.pending_parts(conn, 10) == [(5, 1)]
        assert outbox_repository.waiting_rows(conn) == 1


def test_staging_no_parts_writes_nothing(database: Database) -> None:
    with database.write() as conn:
        outbox_repository.stage(conn, 9, [])
    with database.read() as conn:
        assert outbox_repository.waiting_rows(conn) == 0
