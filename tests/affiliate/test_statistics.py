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
    campaign_and_admedia,
    cells,
    channel,
    epc,
    journey,
    local_day,
    ratio,
    referrer_host,
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


def _quarter(moment: datetime) -> tuple[int]:
    return (int(moment.timestamp()) // 900,)


def test_a_quarter_hour_before_berlin_midnight_is_the_day_before() -> None:
    assert local_day(_quarter(datetime(2026, 11, 10, 22, 45, tzinfo=UTC)), "Europe/Berlin") == (
        "2026-11-10"
    )


def test_a_quarter_hour_at_berlin_midnight_is_the_new_day() -> None:
    assert local_day(_quarter(datetime(2026, 11, 10, 23, 0, tzinfo=UTC)), "Europe/Berlin") == (
        "2026-11-11"
    )


def test_a_quarter_hour_zone_folds_exactly() -> None:
    """Kathmandu is UTC+05:45: its midnight is 18:15 UTC, a quarter hour boundary."""
    assert local_day(_quarter(datetime(2026, 11, 10, 18, 15, tzinfo=UTC)), "Asia/Kathmandu") == (
        "2026-11-11"
    )


def test_the_referrer_report_names_the_host_in_lower_case() -> None:
    assert referrer_host(("https://WWW.Example.ORG/a?b=c",), "UTC") == "www.example.org"


def test_no_referrer_is_none() -> None:
    assert [referrer_host((text,), "UTC") for text in ("", "://NONE")] == ["NONE", "NONE"]


def test_channels_of_referrers() -> None:
    referrers = (
        "",
        "https://mail.google.com/mail/u/0",
        "https://www.google.co.uk/search?q=a",
        "https://t.co/x",
        "https://blog.example/post",
    )
    assert [channel((text,), "UTC") for text in referrers] == [
        "direct",
        "email",
        "search",
        "social",
        "referral",
    ]


def test_a_transaction_without_click_or_view_has_the_journey_none() -> None:
    assert [journey((kind,), "UTC") for kind in ("click", "view", "")] == ["click", "view", "none"]


def test_the_abtest_criterion_joins_campaign_and_admedia() -> None:
    assert campaign_and_admedia((3, 17), "UTC") == "3:17"


def test_the_daily_report_splits_the_dst_change_day_by_local_midnight(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    """2026-10-25 in Berlin has 25 hours: 22:00 UTC on the 24th to 23:00 UTC on the 25th."""
    account = make_service_account("First")[0].id
    with database.write() as conn:
        for moment in (
            datetime(2026, 10, 24, 21, 59, tzinfo=UTC),
            datetime(2026, 10, 24, 22, 0, tzinfo=UTC),
            datetime(2026, 10, 25, 22, 59, tzinfo=UTC),
            datetime(2026, 10, 25, 23, 0, tzinfo=UTC),
        ):
            traffic_rows.click(conn, account, created_at=moment)
    query = TransactionQuery(
        account_id=account,
        start=datetime(2026, 10, 1, tzinfo=UTC),
        end=datetime(2026, 11, 1, tzinfo=UTC),
        time_column="created_at",
    )
    with database.read() as conn:
        rows = list(report_rows(conn, query, DEFINITIONS["daily"], tz="Europe/Berlin"))
    assert [(row.criterion, row.clicks) for row in rows] == [
        ("2026-10-24", 1),
        ("2026-10-25", 2),
        ("2026-10-26", 1),
    ]
