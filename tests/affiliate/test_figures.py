"""The affiliate figures the dashboard reads: totals per day, campaign and publisher."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.figures import (
    CANCELED,
    DayLine,
    RankedLine,
    Selection,
    SelectionError,
    StatusSums,
    TrafficFigures,
    TrafficLine,
    affiliate_figures,
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
