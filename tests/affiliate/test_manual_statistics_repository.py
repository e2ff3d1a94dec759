"""The manual statistics' SQL: rows scoped by account, day ranges, per-day totals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from commerce_stats.affiliate import manual_statistics_repository as repository
from commerce_stats.affiliate.tables import MANUAL_STATUSES
from commerce_stats.db.engine import Database
from tests.affiliate.conftest import Network

NOW = datetime(2026, 11, 6, 8, 0, tzinfo=UTC)


def _values(network: Network, row_id: int, day: date, views: int, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "account_id": network.account_id,
        "id": row_id,
        "day": day,
        "campaign_id": network.campaign_id,
        "publisher_id": network.publisher_id,
        "project_id": 0,
        "admedia_id": 0,
        "views": views,
        "clicks": 1,
        "currency": "EUR",
        "note": "",
        "created_at": NOW,
    }
    for status in MANUAL_STATUSES:
        for metric in ("count", "turnover_minor", "commission_minor"):
            values[f"{status}_{metric}"] = 0
    values["open_commission_minor"] = 250
    values.update(fields)
    return values


def _cells(row: Any, *positions: int) -> tuple[Any, ...]:
    """Some columns of a totals row, amounts as plain integers (PostgreSQL sums give
    Decimal)."""
    return tuple(int(row[p]) if isinstance(row[p], Decimal) else row[p] for p in positions)


@pytest.fixture
def network(build_network: Callable[..., Network], database: Database) -> Network:
    """A network with three rows: 5 Nov (two publishers) and 7 Nov."""
    built = build_network()
    with database.write() as conn:
        for values in (
            _values(built, 1, date(2026, 11, 5), 100),
            _values(built, 2, date(2026, 11, 5), 20, publisher_id=built.other_publisher_id),
            _values(built, 3, date(2026, 11, 7), 7),
        ):
            repository.insert_row(conn, values)
    return built


@pytest.fixture
def other(build_network: Callable[..., Network], database: Database) -> Network:
    """A second network with a row numbered 1 too."""
    built = build_network("Other")
    with database.write() as conn:
        repository.insert_row(conn, _values(built, 1, date(2026, 11, 5), 999))
    return built


def test_row_reads_one_row_of_the_account(database: Database, network: Network) -> None:
    with database.read() as conn:
        found = repository.row(conn, network.account_id, 3)

    assert found is not None
    assert (found.day, found.views) == (date(2026, 11, 7), 7)


def test_row_of_another_account_is_not_seen(
    database: Database, network: Network, other: Network
) -> None:
    with database.read() as conn:
        found = repository.row(conn, other.account_id, 3)

    assert found is None


def test_rows_in_a_range_are_ordered_by_day_then_id(database: Database, network: Network) -> None:
    with database.read() as conn:
        found = repository.rows(conn, network.account_id, date(2026, 11, 5), date(2026, 11, 6))

    assert [row.id for row in found] == [1, 2]


def test_rows_with_open_ends_are_all_the_accounts_rows(
    database: Database, network: Network, other: Network
) -> None:
    with database.read() as conn:
        found = repository.rows(conn, network.account_id, None, None)

    assert [row.views for row in found] == [100, 20, 7]


def test_deleting_another_accounts_row_deletes_nothing(
    database: Database, network: Network, other: Network
) -> None:
    with database.write() as conn:
        deleted = repository.delete_row(conn, other.account_id, 3)
    with database.read() as conn:
        kept = repository.row(conn, network.account_id, 3)

    assert deleted is False
    assert kept is not None


def test_deleting_an_own_row_answers_true(database: Database, network: Network) -> None:
    with database.write() as conn:
        deleted = repository.delete_row(conn, network.account_id, 3)
    with database.read() as conn:
        gone = repository.row(conn, network.account_id, 3)

    assert (deleted, gone) == (True, None)


def test_day_totals_sum_each_day_and_end_before_the_end_day(
    database: Database, network: Network
) -> None:
    with database.read() as conn:
        totals = repository.day_totals(
            conn, network.account_id, date(2026, 11, 1), date(2026, 11, 7)
        )

    assert [_cells(row, 0, 1, 2, 3, 6) for row in totals] == [
        (date(2026, 11, 5), "EUR", 120, 2, 500)
    ]


def test_day_totals_filter_by_publisher(database: Database, network: Network) -> None:
    with database.read() as conn:
        totals = repository.day_totals(
            conn,
            network.account_id,
            date(2026, 11, 1),
            date(2026, 12, 1),
            publisher_ids=[network.other_publisher_id],
        )

    assert [_cells(row, 0, 2) for row in totals] == [(date(2026, 11, 5), 20)]


def test_day_totals_filter_by_advertiser_of_the_campaign(
    database: Database, network: Network
) -> None:
    with database.read() as conn:
        mine = repository.day_totals(
            conn,
            network.account_id,
            date(2026, 11, 1),
            date(2026, 12, 1),
            advertiser_ids=[network.advertiser_id],
        )
        theirs = repository.day_totals(
            conn,
            network.account_id,
            date(2026, 11, 1),
            date(2026, 12, 1),
            advertiser_ids=[network.advertiser_id + 1000],
        )

    assert ([_cells(row, 2) for row in mine], list(theirs)) == ([(120,), (7,)], [])


def test_day_totals_of_another_account_leave_these_rows_out(
    database: Database, network: Network, other: Network
) -> None:
    with database.read() as conn:
        totals = repository.day_totals(conn, other.account_id, date(2026, 11, 1), date(2026, 12, 1))

    assert [_cells(row, 0, 2) for row in totals] == [(date(2026, 11, 5), 999)]


def test_a_publisher_of_the_campaign_is_a_member(database: Database, network: Network) -> None:
    with database.read() as conn:
        member = repository.is_member(
            conn, network.account_id, network.campaign_id, network.other_publisher_id
        )

    assert member is True


def test_a_publisher_who_did_not_join_is_no_member(database: Database, network: Network) -> None:
    with database.read() as conn:
        member = repository.is_member(
            conn, network.account_id, network.campaign_id, network.publisher_id
        )

    assert member is False


def test_membership_is_not_seen_from_another_account(
    database: Database, network: Network, other: Network
) -> None:
    with database.read() as conn:
        member = repository.is_member(
            conn, other.account_id, network.campaign_id, network.other_publisher_id
        )

    assert member is False


def test_unknown_admedia_has_no_campaign(database: Database, network: Network) -> None:
    with database.read() as conn:
        assert repository.admedia_campaign(conn, network.account_id, 424242) is None
