"""The affiliate figures the dashboard reads: totals per day, campaign and publisher."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.figures import (
    CANCELED,
    DailyTrafficLine,
    DayLine,
    RankedLine,
    Selection,
    SelectionError,
    StatusSums,
    TrafficFigures,
    TrafficLine,
    affiliate_figures,
    daily_traffic,
    traffic_figures,
    transactions_download,
)
from commerce_stats.affiliate.rules import CONFIRMED, OPEN
from commerce_stats.db.engine import Database
from commerce_stats.kit.exports import ExportFormat
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import local_today
from tests.affiliate import traffic_rows
from tests.affiliate.conftest import Network


def _sums(status: int, turnover: int, commission: int) -> StatusSums:
    sums = StatusSums()
    sums.add(status, turnover, commission)
    return sums


def _today(accounts: Accounts, network: Network) -> date:
    return local_today(accounts.get(network.account_id).timezone)


def _two_sales(network: Network, convert: Callable[..., int]) -> None:
    convert(network, "order-1", "1234.50")
    convert(network, "order-2", "2000.00", other=True)


def test_selection_is_written_in_the_export_conditions() -> None:
    selection = Selection(date(2026, 3, 1), date(2026, 3, 31), "paid")
    assert selection.conditions() == [
        ("condition[period][from]", "01.03.2026"),
        ("condition[period][to]", "31.03.2026"),
        ("condition[l:status]", "paid"),
    ]


def test_daily_lines_add_up_the_days_sales(
    database: Database, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    _two_sales(network, convert)
    today = _today(accounts, network)
    account = accounts.get(network.account_id)
    figures = affiliate_figures(database, account, Selection(today, today))
    both = StatusSums()
    both.add(OPEN, 123_450, 12_345)
    both.add(OPEN, 200_000, 30_000)
    assert figures.daily == [DayLine(today, "EUR", both)]


def test_campaign_lines_carry_the_campaign_title(
    database: Database, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    _two_sales(network, convert)
    today = _today(accounts, network)
    account = accounts.get(network.account_id)
    figures = affiliate_figures(database, account, Selection(today, today))
    assert [(line.id, line.name, line.detail) for line in figures.campaigns] == [
        (network.campaign_id, "Shop Kampagne", "")
    ]


def test_publisher_lines_carry_the_name_and_search_title(
    database: Database, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    _two_sales(network, convert)
    today = _today(accounts, network)
    account = accounts.get(network.account_id)
    figures = affiliate_figures(database, account, Selection(today, today))
    assert figures.publishers == [
        RankedLine(
            network.publisher_id, "Anna Berg", "annas-deals", "EUR", _sums(OPEN, 123_450, 12_345)
        ),
        RankedLine(
            network.other_publisher_id, "Otto Klein", "", "EUR", _sums(OPEN, 200_000, 30_000)
        ),
    ]


def test_a_status_selection_leaves_the_others_out(
    database: Database, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    _two_sales(network, convert)
    today = _today(accounts, network)
    account = accounts.get(network.account_id)
    figures = affiliate_figures(database, account, Selection(today, today, "paid"))
    assert (figures.daily, figures.campaigns, figures.publishers) == ([], [], [])


def test_days_outside_the_selection_are_left_out(
    database: Database, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    _two_sales(network, convert)
    tomorrow = _today(accounts, network) + timedelta(days=1)
    account = accounts.get(network.account_id)
    figures = affiliate_figures(database, account, Selection(tomorrow, tomorrow))
    assert (figures.first_day, figures.last_day, figures.daily) == (tomorrow, tomorrow, [])


def test_figures_never_count_another_accounts_transactions(
    database: Database,
    accounts: Accounts,
    build_network: Callable[..., Network],
    convert: Callable[..., int],
) -> None:
    acme = build_network("Acme")
    other = build_network("Other")
    _two_sales(acme, convert)
    today = _today(accounts, other)
    figures = affiliate_figures(database, accounts.get(other.account_id), Selection(today, today))
    assert figures.daily == []


def test_a_selection_the_network_refuses_says_why(
    database: Database, accounts: Accounts, network: Network
) -> None:
    account = accounts.get(network.account_id)
    with pytest.raises(SelectionError) as refused:
        affiliate_figures(database, account, Selection(date(2026, 3, 1), date(2026, 3, 1), "lost"))
    assert refused.value.message != ""


def test_canceled_sums_stay_apart_in_their_status() -> None:
    sums = _sums(CANCELED, 500, 50)
    assert (sums.counts[CANCELED], sums.turnover[CANCELED], sums.counts[OPEN]) == (1, 500, 0)


def test_the_download_is_the_accounts_transactions_export(
    database: Database, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    _two_sales(network, convert)
    today = _today(accounts, network)
    account = accounts.get(network.account_id)
    download = transactions_download(
        database, accounts, account, ExportFormat.CSV, Selection(today, today)
    )
    lines = b"".join(download.body).decode().splitlines()
    assert (download.filename, download.export_format, len(lines)) == (
        "get-statistic_transactions.csv",
        ExportFormat.CSV,
        3,
    )


# -- traffic: clicks, views, conversion rate and EPC through the statistic reports ----------

NOVEMBER = Selection(date(2026, 11, 1), date(2026, 11, 30))


def _traffic(database: Database, accounts: Accounts, account_id: int) -> TrafficFigures:
    return traffic_figures(database, accounts.get(account_id), NOVEMBER)


def _some_traffic(database: Database, account_id: int) -> None:
    with database.write() as conn:
        traffic_rows.click(conn, account_id, campaign_id=1, publisher_id=2, admedia_id=5)
        traffic_rows.click(conn, account_id, campaign_id=1, publisher_id=2, admedia_id=5)
        traffic_rows.click(conn, account_id, campaign_id=1, publisher_id=3, admedia_id=0)
        traffic_rows.click(conn, account_id, campaign_id=1, publisher_id=3, net=0)
        traffic_rows.view(conn, account_id, campaign_id=1, publisher_id=2, admedia_id=5)
        traffic_rows.sale(
            conn, account_id, campaign_id=1, publisher_id=2, admedia_id=5,
            status=CONFIRMED, commission_minor=300,
        )  # fmt: skip


def test_traffic_per_campaign_counts_net_clicks_views_rate_and_epc(
    database: Database,
    accounts: Accounts,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> None:
    account_id = make_service_account("First")[0].id
    _some_traffic(database, account_id)
    assert _traffic(database, accounts, account_id).campaigns == [
        TrafficLine(1, "EUR", 3, 1, Decimal("0.3333"), Decimal("1.0000")),
    ]


def test_traffic_per_publisher_splits_the_campaigns_clicks(
    database: Database,
    accounts: Accounts,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> None:
    account_id = make_service_account("First")[0].id
    _some_traffic(database, account_id)
    assert _traffic(database, accounts, account_id).publishers == [
        TrafficLine(2, "EUR", 2, 1, Decimal("0.5000"), Decimal("1.5000")),
        TrafficLine(3, "", 1, 0, Decimal("0.0000"), Decimal("0.0000")),
    ]


def test_traffic_per_admedia_keeps_clicks_without_admedia_apart(
    database: Database,
    accounts: Accounts,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> None:
    account_id = make_service_account("First")[0].id
    _some_traffic(database, account_id)
    assert _traffic(database, accounts, account_id).admedia == [
        TrafficLine(0, "", 1, 0, Decimal("0.0000"), Decimal("0.0000")),
        TrafficLine(5, "EUR", 2, 1, Decimal("0.5000"), Decimal("1.5000")),
    ]


def test_traffic_holds_only_the_accounts_own_rows(
    database: Database,
    accounts: Accounts,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> None:
    first = make_service_account("First")[0].id
    second = make_service_account("Second")[0].id
    _some_traffic(database, second)
    assert _traffic(database, accounts, first) == TrafficFigures([], [], [])


# -- traffic per local day: the daily statistic report, every day of the selection ---------

BERLIN = "Europe/Berlin"
CLOCKS_GO_BACK = Selection(date(2026, 10, 24), date(2026, 10, 26))
"""Berlin's 2026-10-25 has 25 hours: 2026-10-24T22:00Z to 2026-10-25T23:00Z."""
ZERO = Decimal("0.0000")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _berlin_account(
    make_service_account: Callable[..., tuple[Account, dict[str, str]]], name: str = "First"
) -> Account:
    return make_service_account(name, timezone=BERLIN)[0]


def _clicks_around_the_change(database: Database, account_id: int) -> None:
    """One click just before and one just after each edge of Berlin's 2026-10-25."""
    with database.write() as conn:
        for moment in (
            "2026-10-24T21:59:59", "2026-10-24T22:00:00",
            "2026-10-25T22:59:59", "2026-10-25T23:00:00",
        ):  # fmt: skip
            traffic_rows.click(conn, account_id, created_at=_at(moment))


def test_daily_traffic_counts_the_clicks_of_local_days_of_25_hours(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account = _berlin_account(make_service_account)
    _clicks_around_the_change(database, account.id)
    lines = daily_traffic(database, account, CLOCKS_GO_BACK)
    assert [(line.day, line.clicks) for line in lines] == [
        (date(2026, 10, 24), 1),
        (date(2026, 10, 25), 2),
        (date(2026, 10, 26), 1),
    ]


def test_daily_traffic_counts_the_clicks_of_local_days_of_23_hours(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account = _berlin_account(make_service_account)
    with database.write() as conn:  # Berlin's 2026-03-29: 2026-03-28T23:00Z to 03-29T22:00Z
        for moment in ("2026-03-28T22:59:59", "2026-03-28T23:00:00", "2026-03-29T21:59:59"):
            traffic_rows.click(conn, account.id, created_at=_at(moment))
        traffic_rows.click(conn, account.id, created_at=_at("2026-03-29T22:00:00"))
    lines = daily_traffic(database, account, Selection(date(2026, 3, 28), date(2026, 3, 30)))
    assert [(line.day, line.clicks) for line in lines] == [
        (date(2026, 3, 28), 1),
        (date(2026, 3, 29), 2),
        (date(2026, 3, 30), 1),
    ]


def test_daily_traffic_gives_rate_and_epc_of_the_days_sales(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account = _berlin_account(make_service_account)
    with database.write() as conn:
        for _ in range(4):
            traffic_rows.click(conn, account.id, created_at=_at("2026-10-25T12:00:00"))
        traffic_rows.click(conn, account.id, created_at=_at("2026-10-25T12:00:00"), net=0)
        for _ in range(3):
            traffic_rows.view(conn, account.id, created_at=_at("2026-10-25T22:30:00"))
        traffic_rows.sale(
            conn, account.id, created_at=_at("2026-10-24T22:30:00"),
            status=CONFIRMED, commission_minor=250,
        )  # fmt: skip
        traffic_rows.sale(conn, account.id, created_at=_at("2026-10-25T08:00:00"), status=OPEN)
    lines = daily_traffic(database, account, CLOCKS_GO_BACK)
    assert lines[1] == DailyTrafficLine(
        date(2026, 10, 25), "EUR", 4, 3, 2, Decimal("0.5000"), Decimal("0.6250")
    )


def test_daily_traffic_fills_days_without_anything_with_zeros(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account = _berlin_account(make_service_account)
    with database.write() as conn:
        traffic_rows.view(conn, account.id, created_at=_at("2026-10-25T12:00:00"))
    lines = daily_traffic(database, account, CLOCKS_GO_BACK)
    assert lines == [
        DailyTrafficLine(date(2026, 10, 24), "", 0, 0, 0, ZERO, ZERO),
        DailyTrafficLine(date(2026, 10, 25), "", 0, 1, 0, ZERO, ZERO),
        DailyTrafficLine(date(2026, 10, 26), "", 0, 0, 0, ZERO, ZERO),
    ]


def test_daily_traffic_has_one_line_per_currency_of_the_days_sales(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account = _berlin_account(make_service_account)
    noon = _at("2026-10-25T12:00:00")
    with database.write() as conn:
        for _ in range(2):
            traffic_rows.click(conn, account.id, created_at=noon)
        traffic_rows.sale(conn, account.id, created_at=noon, status=CONFIRMED, commission_minor=100)
        traffic_rows.sale(
            conn, account.id, created_at=noon, currency="USD", status=CONFIRMED,
            commission_minor=300,
        )  # fmt: skip
    lines = daily_traffic(database, account, Selection(date(2026, 10, 25), date(2026, 10, 25)))
    assert lines == [
        DailyTrafficLine(date(2026, 10, 25), "EUR", 2, 0, 1, Decimal("0.5000"), Decimal("0.5000")),
        DailyTrafficLine(date(2026, 10, 25), "USD", 2, 0, 1, Decimal("0.5000"), Decimal("1.5000")),
    ]


def test_daily_traffic_status_selection_narrows_the_sales_not_the_clicks(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account = _berlin_account(make_service_account)
    noon = _at("2026-10-25T12:00:00")
    with database.write() as conn:
        traffic_rows.click(conn, account.id, created_at=noon)
        traffic_rows.sale(conn, account.id, created_at=noon, status=OPEN)
    selection = Selection(date(2026, 10, 25), date(2026, 10, 25), "confirmed")
    assert daily_traffic(database, account, selection) == [
        DailyTrafficLine(date(2026, 10, 25), "", 1, 0, 0, ZERO, ZERO),
    ]


def test_daily_traffic_never_counts_another_accounts_rows(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    first = _berlin_account(make_service_account, "First")
    second = _berlin_account(make_service_account, "Second")
    _clicks_around_the_change(database, second.id)
    with database.write() as conn:
        traffic_rows.view(conn, second.id, created_at=_at("2026-10-25T12:00:00"))
        traffic_rows.sale(conn, second.id, created_at=_at("2026-10-25T12:00:00"))
    lines = daily_traffic(database, first, CLOCKS_GO_BACK)
    assert lines == [
        DailyTrafficLine(day, "", 0, 0, 0, ZERO, ZERO)
        for day in (date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26))
    ]
