"""The statistic reports' grouped reads on the backend under test: exact sums per status,
net and gross traffic, paid filter and tenancy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from commerce_stats.affiliate import statistics_repository as stats_sql
from commerce_stats.affiliate.repository import TransactionQuery
from commerce_stats.affiliate.rules import CONFIRMED, OPEN, PAID
from commerce_stats.affiliate.tables import clicks
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from tests.affiliate import traffic_rows


def _query(account_id: int, **values: tuple[int, ...]) -> TransactionQuery:
    return TransactionQuery(
        account_id=account_id,
        start=datetime(2026, 11, 1, tzinfo=UTC),
        end=datetime(2026, 12, 1, tzinfo=UTC),
        time_column="created_at",
        **values,
    )


def _accounts(
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> tuple[int, int]:
    return make_service_account("First")[0].id, make_service_account("Second")[0].id


def test_transactions_are_summed_per_status_and_currency(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    first, _ = _accounts(make_service_account)
    with database.write() as conn:
        traffic_rows.sale(
            conn, first, campaign_id=1, status=OPEN, turnover_minor=1000, commission_minor=100
        )
        traffic_rows.sale(
            conn, first, campaign_id=1, status=OPEN, turnover_minor=500, commission_minor=50
        )
        traffic_rows.sale(
            conn, first, campaign_id=1, status=PAID, turnover_minor=200, commission_minor=20
        )
        traffic_rows.sale(
            conn, first, campaign_id=2, status=CONFIRMED, turnover_minor=7, commission_minor=1
        )
    with database.read() as conn:
        rows = sorted(
            tuple(row) for row in stats_sql.transaction_totals(conn, _query(first), "campaign_id")
        )
    assert rows == [
        (1, "EUR", 2, 1500, 150, 0, 0, 0, 0, 0, 0, 1, 200, 20),
        (2, "EUR", 0, 0, 0, 1, 7, 1, 0, 0, 0, 0, 0, 0),
    ]


def test_a_status_filter_leaves_out_the_other_statuses(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    first, _ = _accounts(make_service_account)
    with database.write() as conn:
        traffic_rows.sale(conn, first, status=OPEN, commission_minor=100)
        traffic_rows.sale(conn, first, status=PAID, commission_minor=20)
    with database.read() as conn:
        rows = [
            tuple(row)
            for row in stats_sql.transaction_totals(
                conn, _query(first, statuses=(OPEN, CONFIRMED)), "campaign_id"
            )
        ]
    assert rows == [(1, "EUR", 1, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0)]


def test_clicks_count_net_unless_gross(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    first, _ = _accounts(make_service_account)
    with database.write() as conn:
        traffic_rows.click(conn, first, subid="a", net=1)
        traffic_rows.click(conn, first, subid="a", net=0)
        traffic_rows.click(conn, first, subid="b", net=1)
    with database.read() as conn:
        net = sorted(
            tuple(r) for r in stats_sql.traffic_counts(conn, _query(first), "subid", clicks, False)
        )
        gross = sorted(
            tuple(r) for r in stats_sql.traffic_counts(conn, _query(first), "subid", clicks, True)
        )
    assert net == [("a", 1), ("b", 1)]
    assert gross == [("a", 2), ("b", 1)]


def test_another_accounts_rows_are_never_counted(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    first, second = _accounts(make_service_account)
    with database.write() as conn:
        traffic_rows.click(conn, second)
        traffic_rows.sale(conn, second, commission_minor=5)
    with database.read() as conn:
        assert (
            list(stats_sql.traffic_counts(conn, _query(first), "campaign_id", clicks, True)) == []
        )
        assert list(stats_sql.transaction_totals(conn, _query(first), "campaign_id")) == []


def test_the_publisher_filter_narrows_traffic(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    first, _ = _accounts(make_service_account)
    with database.write() as conn:
        traffic_rows.click(conn, first, publisher_id=1)
        traffic_rows.click(conn, first, publisher_id=2)
    with database.read() as conn:
        rows = [
            tuple(r)
            for r in stats_sql.traffic_counts(
                conn, _query(first, publishers=(2,)), "publisher_id", clicks, True
            )
        ]
    assert rows == [(2, 1)]
