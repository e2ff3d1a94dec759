"""The affiliate page's key figures by status against the previous period (known data)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.figures import DailyTrafficLine
from commerce_stats.affiliate.rules import CONFIRMED
from commerce_stats.dashboard.affiliate_page import (
    AffiliatePage,
    DailyTrafficRow,
    TrafficRow,
    affiliate_page,
    traffic_charts,
)
from commerce_stats.dashboard.charts import ChartSpec
from commerce_stats.dashboard.figures import Period
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import local_today
from tests.affiliate import traffic_rows
from tests.affiliate.conftest import Network
from tests.dashboard.cards import cards
from tests.dashboard.pages import load_affiliate


def test_affiliate_figures_are_compared_with_the_previous_period(
    database: Database, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    load_affiliate(network, convert)
    account = accounts.get(network.account_id)
    tomorrow = (local_today(account.timezone) + timedelta(days=1)).isoformat()
    content = affiliate_page(database, account, {"from": tomorrow, "to": tomorrow})
    assert cards(content.kpis) == {
        "Transactions": ("0", "▼ 100.0 %", "2"),
        "Canceled transactions": ("0", "= 0.0 %", "0"),
        "Turnover": ("0.00 EUR", "▼ 100.0 %", "3,234.50 EUR"),
        "Canceled turnover": ("0.00 EUR", "= 0.0 %", "0.00 EUR"),
        "Commission": ("0.00 EUR", "▼ 100.0 %", "423.45 EUR"),
        "Canceled commission": ("0.00 EUR", "= 0.0 %", "0.00 EUR"),
    }


def test_affiliate_totals_leave_canceled_transactions_apart(
    client: TestClient,
    database: Database,
    accounts: Accounts,
    network: Network,
    convert: Callable[..., int],
    admin_headers: dict[str, str],
) -> None:
    load_affiliate(network, convert)
    rows = csv.DictReader(io.StringIO(client.get(network.export_url()).text), delimiter=";")
    otto = next(row for row in rows if row["ordertoken"] == "order-2")
    canceled = client.post(
        f"{network.admin}/transactions/{otto['id']}/cancel",
        json={"cancel_reason": "returned"},
        headers=admin_headers,
    )
    assert canceled.status_code == 200, canceled.text
    account = accounts.get(network.account_id)
    content = affiliate_page(database, account, {})
    cards = {kpi.label: (kpi.value, kpi.detail) for kpi in content.kpis}
    assert cards == {
        "Transactions": ("1", "open 1 · confirmed 0 · paid 0"),
        "Canceled transactions": ("1", ""),
        "Turnover": ("1,234.50 EUR", "open 1,234.50 · confirmed 0.00 · paid 0.00"),
        "Canceled turnover": ("2,000.00 EUR", ""),
        "Commission": ("123.45 EUR", "open 123.45 · confirmed 0.00 · paid 0.00"),
        "Canceled commission": ("300.00 EUR", ""),
    }
    otto_row = next(row for row in content.top_publishers if row.label == "Otto Klein")
    assert (otto_row.transactions, otto_row.turnover, otto_row.canceled) == (
        "0",
        "0.00 EUR",
        "2,000.00 EUR",
    )


def test_a_bad_filter_keeps_the_default_figures_and_names_the_field(
    database: Database, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    load_affiliate(network, convert)
    account = accounts.get(network.account_id)
    content = affiliate_page(database, account, {"status": "lost"})
    assert content.error is not None
    assert (content.error.field, content.error.message) == (
        "status",
        "Status must be open, confirmed, canceled or paid.",
    )
    assert content.filters.status is None
    assert cards(content.kpis)["Transactions"][0] == "2"


def _traffic(database: Database, network: Network, account_id: int | None = None) -> None:
    owner = network.account_id if account_id is None else account_id
    with database.write() as conn:
        for _ in range(3):
            traffic_rows.click(
                conn, owner, campaign_id=network.campaign_id,
                publisher_id=network.other_publisher_id, admedia_id=4,
            )  # fmt: skip
        traffic_rows.view(conn, owner, campaign_id=network.campaign_id, publisher_id=9)
        traffic_rows.sale(
            conn, owner, campaign_id=network.campaign_id,
            publisher_id=network.other_publisher_id, admedia_id=4,
            status=CONFIRMED, commission_minor=450,
        )  # fmt: skip


NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


def _table(page: AffiliatePage, testid: str) -> list[TrafficRow]:
    return next(rows for _title, name, rows in page.traffic if name == testid)


def test_traffic_by_campaign_shows_clicks_views_rate_and_epc(
    database: Database, accounts: Accounts, network: Network
) -> None:
    _traffic(database, network)
    page = affiliate_page(database, accounts.get(network.account_id), NOVEMBER)
    assert _table(page, "traffic-campaigns") == [
        TrafficRow("Shop Kampagne", network.campaign_id, "EUR", "3", "1", "33.33 %", "1.5000 EUR"),
    ]


def test_traffic_by_publisher_and_admedia_rank_by_clicks(
    database: Database, accounts: Accounts, network: Network
) -> None:
    _traffic(database, network)
    page = affiliate_page(database, accounts.get(network.account_id), NOVEMBER)
    assert _table(page, "traffic-publishers") == [
        TrafficRow(
            "Otto Klein", network.other_publisher_id, "EUR", "3", "0", "33.33 %", "1.5000 EUR"
        ),
        TrafficRow("", 9, "", "0", "1", "0.00 %", "–"),
    ]
    assert _table(page, "traffic-admedia") == [
        TrafficRow("", 4, "EUR", "3", "0", "33.33 %", "1.5000 EUR"),
        TrafficRow("none", 0, "", "0", "1", "0.00 %", "–"),
    ]


def test_traffic_of_another_account_is_not_shown(
    database: Database,
    accounts: Accounts,
    network: Network,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> None:
    other = make_service_account("Rival")[0]
    _traffic(database, network, other.id)
    page = affiliate_page(database, accounts.get(network.account_id), NOVEMBER)
    assert [rows for _title, _name, rows in page.traffic] == [[], [], []]


# -- traffic per local day: charts and table ------------------------------------------------

AROUND_THE_SALE = {"from": "2026-11-09", "to": "2026-11-11"}
"""The three local days around ``traffic_rows.MOMENT`` (2026-11-10)."""
ZERO = Decimal("0.0000")


def _ys(spec: ChartSpec) -> dict[str, list[Any]]:
    return {trace["name"]: trace["y"] for trace in spec["traces"]}


def test_traffic_per_day_table_lists_every_day_of_the_period(
    database: Database, accounts: Accounts, network: Network
) -> None:
    _traffic(database, network)
    page = affiliate_page(database, accounts.get(network.account_id), AROUND_THE_SALE)
    assert page.daily_traffic == [
        DailyTrafficRow("2026-11-09", "0", "0", "0.00 %", "–"),
        DailyTrafficRow("2026-11-10", "3", "1", "33.33 %", "1.5000 EUR"),
        DailyTrafficRow("2026-11-11", "0", "0", "0.00 %", "–"),
    ]


def test_traffic_per_day_charts_draw_clicks_views_rate_and_epc(
    database: Database, accounts: Accounts, network: Network
) -> None:
    _traffic(database, network)
    page = affiliate_page(database, accounts.get(network.account_id), AROUND_THE_SALE)
    charts = page.traffic_charts
    assert (
        _ys(charts["affiliate-traffic"]),
        _ys(charts["affiliate-conversion"]),
        _ys(charts["affiliate-epc-eur"]),
    ) == (
        {"Clicks": [0, 3, 0], "Views": [0, 1, 0]},
        {"Conversion rate": [None, 33.33, None]},
        {"EPC (EUR)": [None, "1.5000", None]},
    )


def test_traffic_per_day_of_another_account_is_not_shown(
    database: Database,
    accounts: Accounts,
    network: Network,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> None:
    other = make_service_account("Rival")[0]
    _traffic(database, network, other.id)
    page = affiliate_page(database, accounts.get(network.account_id), AROUND_THE_SALE)
    assert [row.clicks for row in page.daily_traffic] == ["0", "0", "0"]
    assert [spec["traces"] for spec in page.traffic_charts.values()] == [[], []]


THREE_DAYS = Period(date(2026, 10, 24), date(2026, 10, 26))


def test_the_days_conversion_rate_counts_the_transactions_of_every_currency() -> None:
    day = date(2026, 10, 25)
    lines = [
        DailyTrafficLine(date(2026, 10, 24), "", 0, 0, 0, ZERO, ZERO),
        DailyTrafficLine(day, "EUR", 4, 0, 1, Decimal("0.2500"), Decimal("0.5000")),
        DailyTrafficLine(day, "USD", 4, 0, 2, Decimal("0.5000"), Decimal("1.2500")),
        DailyTrafficLine(date(2026, 10, 26), "", 0, 0, 0, ZERO, ZERO),
    ]
    charts = traffic_charts(lines, THREE_DAYS)
    assert (_ys(charts["affiliate-traffic"])["Clicks"], _ys(charts["affiliate-conversion"])) == (
        [0, 4, 0],
        {"Conversion rate": [None, 75.0, None]},
    )
    assert (_ys(charts["affiliate-epc-eur"]), _ys(charts["affiliate-epc-usd"])) == (
        {"EPC (EUR)": [None, "0.5000", None]},
        {"EPC (USD)": [None, "1.2500", None]},
    )


def test_a_day_with_clicks_but_no_earnings_draws_an_epc_of_zero() -> None:
    lines = [
        DailyTrafficLine(date(2026, 10, 24), "", 2, 0, 0, ZERO, ZERO),
        DailyTrafficLine(date(2026, 10, 25), "EUR", 1, 0, 1, Decimal("1.0000"), Decimal("3.0000")),
        DailyTrafficLine(date(2026, 10, 26), "", 0, 0, 0, ZERO, ZERO),
    ]
    epc = traffic_charts(lines, THREE_DAYS)["affiliate-epc-eur"]
    assert _ys(epc) == {"EPC (EUR)": ["0.0000", "3.0000", None]}


def test_a_currency_that_earned_nothing_has_an_empty_epc_chart() -> None:
    lines = [DailyTrafficLine(date(2026, 10, 25), "EUR", 3, 0, 1, Decimal("0.3333"), ZERO)]
    charts = traffic_charts(lines, Period(date(2026, 10, 25), date(2026, 10, 25)))
    assert charts["affiliate-epc-eur"]["traces"] == []
