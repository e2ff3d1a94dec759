"""Every statistic report through ``/api/``: exact rows from known clicks, views and
transactions, on the admin and the publisher link, with the formats and the refusals."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pytest
from fastapi.testclient import TestClient
from lxml import etree

from commerce_stats.affiliate.rules import CONFIRMED, OPEN
from commerce_stats.affiliate.statistics import DEFINITIONS, METRIC_COLUMNS
from commerce_stats.db.engine import Database
from tests.affiliate import traffic_rows
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import csv_rows, parse_csv

NOVEMBER = {"condition[period][from]": "01.11.2026", "condition[period][to]": "30.11.2026"}
GOOGLE = "https://www.google.de/search?q=shoes"
T_CO = "https://t.co/abc"
FIRST_DEVICE = {"devicetype": "desktop", "device": "Other", "browser": "Firefox", "os": "Linux"}
OTHER_DEVICE = {
    "devicetype": "smartphone",
    "device": "Pixel 7",
    "browser": "Chrome Mobile",
    "os": "Android",
}


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def _first_publishers_traffic(database: Database, net: Network, account_id: int) -> None:
    """Anna (publisher_id): a view, a click and its repeat (net 0), a confirmed sale of
    100.00 with 10.00 commission, all on 2026-11-10 (Berlin)."""
    place = {
        "campaign_id": net.campaign_id,
        "publisher_id": net.publisher_id,
        "project_id": net.project_id,
        "subid": "s1",
        "admedia_id": 5,
        "referrer": GOOGLE,
        "country": "DE",
        **FIRST_DEVICE,
    }
    with database.write() as conn:
        traffic_rows.view(conn, account_id, created_at=_at(10, 11), **place)
        traffic_rows.click(conn, account_id, created_at=_at(10, 12), **place)
        traffic_rows.click(conn, account_id, created_at=_at(10, 12, 30), net=0, **place)
        traffic_rows.sale(
            conn,
            account_id,
            created_at=_at(10, 12, 5),
            status=CONFIRMED,
            turnover_minor=10000,
            commission_minor=1000,
            trigger_id=net.sale_trigger,
            commission_group_id=net.standard_group,
            advertiser_id=net.advertiser_id,
            action_type="click",
            **place,
        )


def _other_publishers_traffic(database: Database, net: Network, account_id: int) -> None:
    """Otto (other_publisher_id): a click at 23:30 UTC on the 10th (00:30 on the 11th in
    Berlin), a view and an open lead of 50.00 with 7.50 commission on the 11th."""
    place = {
        "campaign_id": net.campaign_id,
        "publisher_id": net.other_publisher_id,
        "project_id": net.other_project_id,
        "subid": "s2",
        "admedia_id": 6,
        "referrer": T_CO,
        "country": "AT",
        **OTHER_DEVICE,
    }
    with database.write() as conn:
        traffic_rows.click(conn, account_id, created_at=_at(10, 23, 30), **place)
        traffic_rows.view(conn, account_id, created_at=_at(11, 8), **place)
        traffic_rows.sale(
            conn,
            account_id,
            created_at=_at(11, 9),
            status=OPEN,
            turnover_minor=5000,
            commission_minor=750,
            trigger_id=net.lead_trigger,
            commission_group_id=net.premium_group,
            advertiser_id=net.advertiser_id,
            action_type="view",
            **place,
        )


@pytest.fixture
def traffic(database: Database, network: Network) -> Network:
    _first_publishers_traffic(database, network, network.account_id)
    _other_publishers_traffic(database, network, network.account_id)
    return network


FIRST = ("1", "1", "0", "0.00", "0.00", "1", "100.00", "10.00", "1.0000", "10.0000")
"""views, clicks, open count/turnover/provision, confirmed count/turnover/provision, CR, EPC
of Anna's traffic (canceled and paid out are zero)."""
OTHER = ("1", "1", "1", "50.00", "7.50", "0", "0.00", "0.00", "1.0000", "0.0000")


def _brief(row: dict[str, str]) -> tuple[str, ...]:
    return (
        row["criterion"],
        row["views"],
        row["clicks"],
        row["all_open_count"],
        row["all_open_turnover"],
        row["all_open_provision"],
        row["all_confirmed_count"],
        row["all_confirmed_turnover"],
        row["all_confirmed_provision"],
        row["conversion_rate"],
        row["epc"],
    )


def _admin(client: TestClient, net: Network, report: str, **params: str) -> list[dict[str, str]]:
    return csv_rows(client, net.export_url(f"get-statistic_{report}.csv"), **NOVEMBER, **params)


def _publisher_url(net: Network, report: str, fmt: str = "csv") -> str:
    return f"/api//{net.publisher_token}/publisher/{net.publisher_id}/get-statistic_{report}.{fmt}"


def test_daily_folds_utc_quarter_hours_into_berlin_days(
    client: TestClient, traffic: Network
) -> None:
    rows = _admin(client, traffic, "daily")
    assert [_brief(row) for row in rows] == [("2026-11-10", *FIRST), ("2026-11-11", *OTHER)]


def test_daily_gross_counts_the_repeat_click(client: TestClient, traffic: Network) -> None:
    rows = _admin(client, traffic, "daily", **{"condition[bruttodata]": "true"})
    assert [row["clicks"] for row in rows] == ["2", "1"]


def test_campaign_sums_both_publishers(client: TestClient, traffic: Network) -> None:
    rows = _admin(client, traffic, "campaign")
    assert [_brief(row) for row in rows] == [
        (str(traffic.campaign_id), "2", "2", "1", "50.00", "7.50", "1", "100.00", "10.00",
         "1.0000", "5.0000")
    ]  # fmt: skip


def test_advertiser_groups_clicks_by_the_campaigns_advertiser(
    client: TestClient, traffic: Network
) -> None:
    rows = _admin(client, traffic, "advertiser")
    assert [(row["criterion"], row["views"], row["clicks"]) for row in rows] == [
        (str(traffic.advertiser_id), "2", "2")
    ]


def _split(traffic: Network, first: str, other: str) -> list[tuple[str, ...]]:
    """The two publishers' figures under their criteria, in criterion order."""
    return sorted([(first, *FIRST), (other, *OTHER)])


@pytest.mark.parametrize(
    ("report", "first", "other"),
    [
        ("subid", "s1", "s2"),
        ("media", "5", "6"),
        ("geocountry", "DE", "AT"),
        ("devicetype", "desktop", "smartphone"),
        ("device", "Other", "Pixel 7"),
        ("browser", "Firefox", "Chrome Mobile"),
        ("os", "Linux", "Android"),
        ("referrer", "www.google.de", "t.co"),
        ("channel", "search", "social"),
    ],
)
def test_reports_keyed_by_a_traffic_field(
    client: TestClient, traffic: Network, report: str, first: str, other: str
) -> None:
    rows = _admin(client, traffic, report)
    assert [_brief(row) for row in rows] == _split(traffic, first, other)


def test_publisher_report_rows_are_per_publisher(client: TestClient, traffic: Network) -> None:
    rows = _admin(client, traffic, "publisher")
    assert [_brief(row) for row in rows] == _split(
        traffic, str(traffic.publisher_id), str(traffic.other_publisher_id)
    )


def test_project_report_rows_are_per_project(client: TestClient, traffic: Network) -> None:
    rows = _admin(client, traffic, "project")
    assert [_brief(row) for row in rows] == _split(
        traffic, str(traffic.project_id), str(traffic.other_project_id)
    )


def test_provisionsgroup_puts_traffic_in_the_publishers_group(
    client: TestClient, traffic: Network
) -> None:
    """Anna has no membership of her own: the campaign's default group (Standard)."""
    rows = _admin(client, traffic, "provisionsgroup")
    assert [_brief(row) for row in rows] == _split(
        traffic, str(traffic.standard_group), str(traffic.premium_group)
    )


def test_trigger_counts_transactions_only(client: TestClient, traffic: Network) -> None:
    rows = _admin(client, traffic, "trigger")
    assert sorted((row["criterion"], row["views"], row["clicks"]) for row in rows) == sorted(
        [(str(traffic.sale_trigger), "0", "0"), (str(traffic.lead_trigger), "0", "0")]
    )
    assert {row["criterion"]: row["all_open_count"] for row in rows}[
        str(traffic.lead_trigger)
    ] == "1"


def test_journey_parts_clicks_views_and_what_they_led_to(
    client: TestClient, traffic: Network
) -> None:
    rows = _admin(client, traffic, "journey")
    assert [
        (row["criterion"], row["views"], row["clicks"], row["all_open_count"],
         row["all_confirmed_count"])
        for row in rows
    ] == [("click", "0", "2", "0", "1"), ("view", "2", "0", "1", "0")]  # fmt: skip


def test_abtest_criterion_is_campaign_and_admedia(client: TestClient, traffic: Network) -> None:
    rows = _admin(client, traffic, "abtest")
    campaign = traffic.campaign_id
    assert [_brief(row) for row in rows] == [(f"{campaign}:5", *FIRST), (f"{campaign}:6", *OTHER)]


def test_every_report_has_the_criterion_currency_and_metric_columns(
    client: TestClient, traffic: Network
) -> None:
    for report in DEFINITIONS:
        response = client.get(traffic.export_url(f"get-statistic_{report}.csv"), params=NOVEMBER)
        assert response.status_code == 200, report
        header = next(csv.reader(io.StringIO(response.text), delimiter=";"))
        assert header == ["criterion", "currency", *METRIC_COLUMNS], report


def test_paymentstatus_one_keeps_only_paid_out_transactions(
    client: TestClient, traffic: Network
) -> None:
    rows = _admin(client, traffic, "campaign", **{"condition[paymentstatus]": "1"})
    assert (rows[0]["all_open_count"], rows[0]["all_confirmed_count"]) == ("0", "0")
    assert (rows[0]["views"], rows[0]["clicks"]) == ("2", "2")


def test_a_bad_bruttodata_value_is_400_naming_it(client: TestClient, traffic: Network) -> None:
    response = client.get(
        traffic.export_url("get-statistic_daily.csv"),
        params={**NOVEMBER, "condition[bruttodata]": "maybe"},
    )
    assert (response.status_code, response.text) == (
        400,
        "condition[bruttodata]: unknown value 'maybe'; use true, false, 1 or 0",
    )


PUBLISHER_SIDE = sorted(
    name for name, definition in DEFINITIONS.items() if "publisher" in definition.sides
)


@pytest.mark.parametrize("report", PUBLISHER_SIDE)
def test_a_publisher_sees_only_its_own_traffic_and_transactions(
    client: TestClient, traffic: Network, report: str
) -> None:
    response = client.get(_publisher_url(traffic, report), params=NOVEMBER)
    assert response.status_code == 200, response.text
    rows = parse_csv(response.text)
    totals = [
        sum(int(row[column]) for row in rows)
        for column in ("views", "clicks", "all_open_count", "all_confirmed_count")
    ]
    traffic_counted = report != "trigger"  # triggers have transactions only
    assert totals == [int(traffic_counted), int(traffic_counted), 0, 1]


@pytest.mark.parametrize("report", ["publisher", "manualstatistics"])
def test_network_wide_reports_refuse_a_publisher_link(
    client: TestClient, traffic: Network, report: str
) -> None:
    response = client.get(_publisher_url(traffic, report), params=NOVEMBER)
    assert (response.status_code, response.text) == (403, "NO PERMISSION")


def test_a_foreign_token_gets_no_permission(client: TestClient, traffic: Network) -> None:
    url = f"/api/{traffic.other_publisher_token}/publisher/{traffic.publisher_id}/"
    response = client.get(url + "get-statistic_daily.csv", params=NOVEMBER)
    assert (response.status_code, response.text) == (403, "NO PERMISSION")


def test_another_accounts_rows_never_count(
    client: TestClient,
    database: Database,
    traffic: Network,
    build_network: Callable[..., Network],
) -> None:
    """A second account's rows under the same campaign and publisher ids stay its own."""
    other_account = build_network("Other").account_id
    _other_publishers_traffic(database, traffic, other_account)
    rows = _admin(client, traffic, "campaign")
    assert (rows[0]["views"], rows[0]["clicks"], rows[0]["all_open_count"]) == ("2", "2", "1")


def test_json_rows_are_objects_with_numbers(client: TestClient, traffic: Network) -> None:
    response = client.get(traffic.export_url("get-statistic_daily.json"), params=NOVEMBER)
    rows = json.loads(response.content, parse_float=Decimal)
    assert rows[0]["criterion"] == "2026-11-10"
    assert (rows[0]["clicks"], rows[0]["all_confirmed_provision"], rows[0]["epc"]) == (
        1,
        Decimal("10.00"),
        Decimal("10.0000"),
    )


def test_xml_has_one_item_per_row(client: TestClient, traffic: Network) -> None:
    response = client.get(traffic.export_url("get-statistic_daily.xml"), params=NOVEMBER)
    items = etree.fromstring(response.content).findall("item")
    assert [item.findtext("criterion") for item in items] == ["2026-11-10", "2026-11-11"]
    assert items[1].findtext("all_open_provision") == "7.50"


def test_xlsx_reads_back_with_openpyxl(client: TestClient, traffic: Network) -> None:
    response = client.get(traffic.export_url("get-statistic_subid.xlsx"), params=NOVEMBER)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    assert sheet is not None
    values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:4] == ("criterion", "currency", "views", "clicks")
    assert values[1][:4] == ("s1", "EUR", 1, 1)
