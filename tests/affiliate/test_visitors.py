"""Visitor hashes under daily salts, and the reclick filter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from commerce_stats.affiliate import traffic_repository
from commerce_stats.affiliate.visitors import VisitorSalts, visitor_hash
from commerce_stats.db.engine import Database
from tests.affiliate.conftest import Network


def _at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def _salt_days(database: Database, account_id: int) -> list[date]:
    with database.read() as conn:
        return sorted(traffic_repository.visitor_salts_since(conn, account_id, date(2000, 1, 1)))


def test_the_hash_is_32_hex_characters_and_depends_on_the_salt() -> None:
    first = visitor_hash(b"a" * 32, "192.0.2.1", "UA")
    assert (len(first), int(first, 16) >= 0) == (32, True)
    assert visitor_hash(b"b" * 32, "192.0.2.1", "UA") != first


def test_a_day_gets_one_salt_on_first_use(database: Database, network: Network) -> None:
    with database.write() as conn:
        first = VisitorSalts(conn).visitor(network.account_id, _at(10, 1), "192.0.2.1", "UA")
    with database.write() as conn:
        again = VisitorSalts(conn).visitor(network.account_id, _at(10, 23), "192.0.2.1", "UA")
    assert (first, _salt_days(database, network.account_id)) == (again, [date(2026, 3, 10)])


def test_salts_rotate_and_salts_older_than_yesterday_are_deleted(
    database: Database, network: Network
) -> None:
    for day in (10, 11, 12):
        with database.write() as conn:
            VisitorSalts(conn).visitor(network.account_id, _at(day), "192.0.2.1", "UA")
    assert _salt_days(database, network.account_id) == [date(2026, 3, 11), date(2026, 3, 12)]


def test_a_visitor_is_known_under_yesterdays_salt_too(database: Database, network: Network) -> None:
    with database.write() as conn:
        yesterday = VisitorSalts(conn).visitor(network.account_id, _at(10), "192.0.2.1", "UA")
    with database.write() as conn:
        today = VisitorSalts(conn).visitor(network.account_id, _at(11), "192.0.2.1", "UA")
    assert (today.stored != yesterday.stored, today.known_as[1]) == (True, yesterday.stored)


def test_salts_are_per_account(
    database: Database, network: Network, build_network: Callable[..., Network]
) -> None:
    other = build_network("Other")
    with database.write() as conn:
        salts = VisitorSalts(conn)
        mine = salts.visitor(network.account_id, _at(10), "192.0.2.1", "UA")
        theirs = salts.visitor(other.account_id, _at(10), "192.0.2.1", "UA")
    assert mine.stored != theirs.stored
