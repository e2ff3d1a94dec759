"""Statistic report definitions and the pure formatting of their rows (CR, EPC, money)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from commerce_stats.affiliate.export_lines import Money
from commerce_stats.affiliate.repository import TransactionQuery
from commerce_stats.affiliate.rules import CONFIRMED
from commerce_stats.affiliate.statistics import (
    DEFINITIONS,
    PUBLISHER,
    ReportRow,
    cells,
    epc,
    ratio,
    report_rows,
)
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from tests.affiliate import traffic_rows


def _row(clicks: int, totals: tuple[int, ...], currency: str = "EUR") -> ReportRow:
    return ReportRow(7, currency, 3, clicks, totals)


TOTALS = (1, 1000, 100, 2, 500, 50, 1, 300, 30, 1, 200, 25)


def test_the_publisher_report_is_for_admins_only() -> None:
    assert PUBLISHER not in DEFINITIONS["publisher"].sides


def test_conversion_rate_is_transactions_per_click() -> None:
    assert ratio(_row(10, TOTALS).transactions, 10) == Decimal("0.5000")


def test_no_clicks_give_a_zero_rate() -> None:
    assert ratio(5, 0) == Decimal("0.0000")


def test_epc_is_confirmed_and_paid_commission_per_click() -> None:
    assert epc(_row(3, TOTALS), Money()) == Decimal("0.2500")


def test_cells_put_money_in_currency_digits() -> None:
    values = cells(_row(10, TOTALS), Money())
    assert values[:7] == (7, "EUR", 3, 10, 1, Decimal("10.00"), Decimal("1.00"))
    assert values[-2:] == (Decimal("0.5000"), Decimal("0.0750"))


def test_report_rows_merge_traffic_and_transactions_by_key(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account = make_service_account("First")[0].id
    with database.write() as conn:
        traffic_rows.click(conn, account, subid="a")
        traffic_rows.click(conn, account, subid="a")
        traffic_rows.view(conn, account, subid="b")
        traffic_rows.sale(conn, account, subid="a", status=CONFIRMED, commission_minor=300)
    query = TransactionQuery(
        account_id=account,
        start=datetime(2026, 11, 1, tzinfo=UTC),
        end=datetime(2026, 12, 1, tzinfo=UTC),
        time_column="created_at",
    )
    with database.read() as conn:
        rows = list(report_rows(conn, query, DEFINITIONS["subid"]))
    assert rows == [
        ReportRow("a", "EUR", 0, 2, (0, 0, 0, 1, 0, 300, 0, 0, 0, 0, 0, 0)),
        ReportRow("b", "", 1, 0, (0,) * 12),
    ]
