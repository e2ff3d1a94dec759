"""The Transaktions-API: columns, formats, filters, permissions."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from decimal import Decimal

import openpyxl
import xlrd
from fastapi.testclient import TestClient
from lxml import etree

from commerce_stats.affiliate.exporting import TRANSACTION_COLUMNS
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import by_token, csv_rows

SEED_COLUMNS = [
    "id",
    "status",
    "timestamp",
    "campaign_id",
    "ordertoken",
    "source",
    "project_id",
    "type",
    "commission",
    "commission_group_id",
    "trigger_id",
    "description",
    "trigger_value",
    "trigger_type",
    "turnover",
    "action_id",
    "salary_id",
    "session_id",
    "order_currency",
    "status_change_date",
    "cancel_reason",
    "source_turnover",
    "last_change",
    "user_agent",
    "order_actions_id",
    "bonus_id",
    "customer_journey_status",
    "ebestid",
    "order_timestamp",
    "action_timestamp",
    "trigger_title",
    "payoutdate",
    "campaign_group_title",
    "campaign_title",
    "advertiser_id",
    "publisher_id",
    "publisher_prename",
    "publisher_surname",
    "publisher_searchtitle",
    "referrer",
    "country",
    "subid",
    "basket_items",
]


def test_csv_header_is_the_seed_table_in_order(client: TestClient, network: Network) -> None:
    response = client.get(network.export_url())
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    first_line = response.text.split("\n", 1)[0]
    assert first_line == ";".join(f'"{name}"' for name in SEED_COLUMNS)
    assert list(TRANSACTION_COLUMNS) == SEED_COLUMNS


def test_timestamps_use_the_seed_format(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "T-1")
    row = csv_rows(client, network.export_url())[0]
    for column in ("timestamp", "status_change_date", "last_change", "order_timestamp"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", row[column]), column


def test_wrong_token_is_403_no_permission(client: TestClient, network: Network) -> None:
    response = client.get(
        f"/api/not-a-token/admin/{network.account_id}/get-statistic_transactions.csv"
    )
    assert response.status_code == 403
    assert response.text == "NO PERMISSION"


def test_token_of_another_account_is_403(
    client: TestClient, build_network: Callable[..., Network], convert: Callable[..., int]
) -> None:
    first = build_network("First")
    second = build_network("Second")
    convert(first, "SECRET")
    token = second.credentials["affiliate_access_token"]
    response = client.get(f"/api/{token}/admin/{first.account_id}/get-statistic_transactions.csv")
    assert response.status_code == 403
    assert response.text == "NO PERMISSION"
    assert csv_rows(client, second.export_url()) == []


def test_unknown_filter_is_400_naming_it(client: TestClient, network: Network) -> None:
    response = client.get(network.export_url(), params={"condition[l:colour]": "red"})
    assert response.status_code == 400
    assert response.text.startswith("unknown filter(s): condition[l:colour];")


def test_unknown_status_value_is_400_naming_it(client: TestClient, network: Network) -> None:
    response = client.get(network.export_url(), params={"condition[l:status]": "open,lost"})
    assert response.status_code == 400
    assert response.text.startswith("condition[l:status]: unknown status lost")


def test_bad_date_is_400(client: TestClient, network: Network) -> None:
    response = client.get(network.export_url(), params={"condition[period][from]": "2015-05-01"})
    assert response.status_code == 400
    assert response.text == "condition[period][from]: '2015-05-01' is not a date DD.MM.YYYY"


def test_unknown_report_is_404(client: TestClient, network: Network) -> None:
    response = client.get(network.export_url("get-statistic_weather.csv"))
    assert response.status_code == 404


def test_status_filter_combines_statuses(
    client: TestClient, network: Network, convert: Callable[..., int], admin_headers: dict[str, str]
) -> None:
    convert(network, "OPEN")
    convert(network, "CONF")
    convert(network, "CANC")
    rows = by_token(csv_rows(client, network.export_url()))
    client.post(f"{network.admin}/transactions/{rows['CONF']['id']}/confirm", headers=admin_headers)
    client.post(
        f"{network.admin}/transactions/{rows['CANC']['id']}/cancel",
        json={"cancel_reason": "returned"},
        headers=admin_headers,
    )
    chosen = csv_rows(client, network.export_url(), **{"condition[l:status]": "confirmed,canceled"})
    assert sorted(row["ordertoken"] for row in chosen) == ["CANC", "CONF"]


def test_publisher_and_campaign_filters(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "MINE")
    convert(network, "OTHER", other=True)
    params = {"condition[l:publisher]": str(network.other_publisher_id)}
    assert [row["ordertoken"] for row in csv_rows(client, network.export_url(), **params)] == [
        "OTHER"
    ]
    params = {"condition[l:campaigns]": str(network.campaign_id + 1000)}
    assert csv_rows(client, network.export_url(), **params) == []
    params = {"condition[l:projects]": str(network.project_id)}
    assert [row["ordertoken"] for row in csv_rows(client, network.export_url(), **params)] == [
        "MINE"
    ]
    params = {"condition[l:advertiser]": str(network.advertiser_id)}
    assert len(csv_rows(client, network.export_url(), **params)) == 2


def test_period_in_the_past_excludes_todays_rows(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "TODAY")
    params = {"condition[period][from]": "01.05.2015", "condition[period][to]": "15.05.2015"}
    assert csv_rows(client, network.export_url(), **params) == []
    assert len(csv_rows(client, network.export_url(), **{"condition[dynamicdate]": "today"})) == 1
    assert len(csv_rows(client, network.export_url(), **{"condition[dynamicdate]": "last10d"})) == 1
    assert csv_rows(client, network.export_url(), **{"condition[dynamicdate]": "lastyear"}) == []


def test_timetype_payout_finds_only_paid(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "UNPAID")
    rows = csv_rows(client, network.export_url(), **{"condition[timetype]": "2"})
    assert rows == []


def test_publisher_link_shows_only_own_rows(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "MINE")
    convert(network, "OTHER", other=True)
    url = (
        f"/api/{network.publisher_token}/publisher/{network.publisher_id}/"
        "get-statistic_transactions.csv"
    )
    assert [row["ordertoken"] for row in csv_rows(client, url)] == ["MINE"]
    spying = {"condition[l:publisher]": str(network.other_publisher_id)}
    assert csv_rows(client, url, **spying) == []


def test_publisher_token_for_another_publisher_is_403(client: TestClient, network: Network) -> None:
    url = (
        f"/api/{network.publisher_token}/publisher/{network.other_publisher_id}/"
        "get-statistic_transactions.csv"
    )
    response = client.get(url)
    assert response.status_code == 403
    assert response.text == "NO PERMISSION"


def test_xls_export_reads_back_with_xlrd(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "XLS-1", "42.00")
    response = client.get(network.export_url("get-statistic_transactions.xls"))
    assert response.headers["content-type"] == "application/vnd.ms-excel"
    sheet = xlrd.open_workbook(file_contents=response.content).sheet_by_index(0)
    assert sheet.row_values(0) == SEED_COLUMNS
    row = dict(zip(SEED_COLUMNS, sheet.row_values(1), strict=True))
    assert (row["ordertoken"], row["turnover"], row["commission"]) == ("XLS-1", 42.0, 4.2)


def test_xlsx_export_reads_back_with_openpyxl(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "XLSX-1", "42.00", descr="=1+1")
    response = client.get(network.export_url("get-statistic_transactions.xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == SEED_COLUMNS
    row = dict(zip(SEED_COLUMNS, values[1], strict=True))
    assert (row["ordertoken"], row["turnover"], row["description"]) == ("XLSX-1", 42, "=1+1")
    description = sheet.cell(row=2, column=SEED_COLUMNS.index("description") + 1)
    assert description.data_type == "s"


def test_csv_export_neutralises_formulas(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "INJ", descr="=cmd|' /C calc'!A0")
    row = csv_rows(client, network.export_url())[0]
    assert row["description"] == "'=cmd|' /C calc'!A0"


def test_xml_export_reads_back_with_lxml(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "XML-1", "5.00", descr="a\x01b & c")
    response = client.get(network.export_url("get-statistic_transactions.xml"))
    root = etree.fromstring(response.content)
    items = root.findall("item")
    assert len(items) == 1
    assert [child.tag for child in items[0]] == SEED_COLUMNS
    assert items[0].findtext("description") == "ab & c"
    assert items[0].findtext("turnover") == "5.00"


def test_json_export_is_an_array_of_objects(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "JSON-1", "5.00")
    response = client.get(network.export_url("get-statistic_transactions.json"))
    rows = json.loads(response.content, parse_float=Decimal)
    assert list(rows[0]) == SEED_COLUMNS
    assert (rows[0]["ordertoken"], rows[0]["turnover"], rows[0]["status"]) == (
        "JSON-1",
        Decimal("5.00"),
        0,
    )


def test_daily_campaign_and_publisher_reports(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    convert(network, "B", "50.00", other=True)
    campaign = csv_rows(client, network.export_url("get-statistic_campaign.csv"))
    assert len(campaign) == 1
    assert (campaign[0]["transactions_open"], campaign[0]["turnover_open"]) == ("2", "150.00")
    assert campaign[0]["commission_total"] == "17.50"
    publisher = csv_rows(client, network.export_url("get-statistic_publisher.csv"))
    assert [(row["publisher_id"], row["commission_open"]) for row in publisher] == [
        (str(network.publisher_id), "10.00"),
        (str(network.other_publisher_id), "7.50"),
    ]
    daily = csv_rows(client, network.export_url("get-statistic_daily.csv"))
    assert len(daily) == 1
    assert daily[0]["transactions_total"] == "2"


def test_out_of_range_ids_are_400_not_errors(client: TestClient, network: Network) -> None:
    response = client.get(network.export_url(), params={"condition[l:campaigns]": "9" * 30})
    assert response.status_code == 400
    assert response.text == f"condition[l:campaigns]: not an id: {'9' * 30}"


def test_non_numeric_owner_id_is_no_permission(client: TestClient, network: Network) -> None:
    token = network.credentials["affiliate_access_token"]
    response = client.get(f"/api/{token}/admin/x1/get-statistic_transactions.csv")
    assert (response.status_code, response.text) == (403, "NO PERMISSION")


def test_repeated_wrong_export_tokens_are_answered_429(
    client: TestClient, network: Network
) -> None:
    statuses = [
        client.get(
            f"/api/guess-{n}/admin/{network.account_id}/get-statistic_transactions.csv"
        ).status_code
        for n in range(10)
    ]

    refused = client.get(network.export_url())

    assert statuses == [403] * 10
    assert refused.status_code == 429
    assert refused.text == "too many failed attempts; retry later"
    assert int(refused.headers["retry-after"]) > 0
