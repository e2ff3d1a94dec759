"""The quarter-hour counts of clicks and views: every insert counts in, per key and net flag."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from commerce_stats.affiliate import traffic_quarters_repository as quarters
from commerce_stats.affiliate.tables import clicks, traffic_quarters, views
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from tests.affiliate import traffic_rows

NOON = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def _counts(database: Database, account_id: int) -> list[tuple[int, ...]]:
    with database.read() as conn:
        rows = conn.execute(
            select(
                traffic_quarters.c.quarter,
                traffic_quarters.c.kind,
                traffic_quarters.c.campaign_id,
                traffic_quarters.c.net,
                traffic_quarters.c.n,
            ).where(traffic_quarters.c.account_id == account_id)
        )
        return sorted(tuple(row) for row in rows)


def _account(make_service_account: Callable[..., tuple[Account, dict[str, str]]]) -> int:
    return make_service_account("First")[0].id


def test_the_quarter_of_a_moment_is_seconds_since_1970_over_900() -> None:
    assert quarters.quarter_of(datetime(1970, 1, 1, 0, 14, 59, tzinfo=UTC)) == 0
    assert quarters.quarter_of(datetime(1970, 1, 1, 0, 15, tzinfo=UTC)) == 1


def test_clicks_and_views_count_apart(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account = _account(make_service_account)
    with database.write() as conn:
        traffic_rows.click(conn, account, created_at=NOON)
        traffic_rows.view(conn, account, created_at=NOON)
    quarter = quarters.quarter_of(NOON)
    assert _counts(database, account) == [(quarter, 0, 1, 1, 1), (quarter, 1, 1, 1, 1)]


def test_a_later_insert_adds_to_the_quarters_count(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account = _account(make_service_account)
    with database.write() as conn:
        traffic_rows.click(conn, account, created_at=NOON)
    with database.write() as conn:
        traffic_rows.click(conn, account, created_at=NOON.replace(minute=14))
    assert _counts(database, account) == [(quarters.quarter_of(NOON), 0, 1, 1, 2)]


def test_a_reclick_counts_under_net_zero(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account = _account(make_service_account)
    with database.write() as conn:
        traffic_rows.click(conn, account, created_at=NOON, net=0)
    assert _counts(database, account) == [(quarters.quarter_of(NOON), 0, 1, 0, 1)]


def test_one_batch_of_several_rows_is_counted_per_key(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account = _account(make_service_account)
    base = {"account_id": account, "publisher_id": 1, "project_id": 1, "created_at": NOON}
    with database.write() as conn:
        quarters.add(conn, views, [{**base, "campaign_id": 1}, {**base, "campaign_id": 1},
                                   {**base, "campaign_id": 2}])  # fmt: skip
    quarter = quarters.quarter_of(NOON)
    assert _counts(database, account) == [(quarter, 1, 1, 1, 2), (quarter, 1, 2, 1, 1)]


def test_another_accounts_traffic_stays_in_its_own_counts(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    first = _account(make_service_account)
    second = make_service_account("Second")[0].id
    with database.write() as conn:
        traffic_rows.click(conn, second, created_at=NOON)
    assert _counts(database, first) == []


def test_the_kind_of_the_clicks_table_is_zero() -> None:
    assert (quarters.kind_of(clicks), quarters.kind_of(views)) == (0, 1)
