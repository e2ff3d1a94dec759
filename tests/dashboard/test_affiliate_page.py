"""The affiliate page's key figures by status against the previous period (known data)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.rules import CONFIRMED
from commerce_stats.dashboard.affiliate_page import AffiliatePage, TrafficRow, affiliate_page
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
