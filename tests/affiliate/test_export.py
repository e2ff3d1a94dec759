"""The Transaktions-API: columns, formats, filters, permissions."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pytest
import xlrd
from fastapi.testclient import TestClient
from httpx2 import Response
from lxml import etree

from commerce_stats.affiliate import repository
from commerce_stats.affiliate.exporting import PUBLISHER_REPORTS, REPORTS, TRANSACTION_COLUMNS
from commerce_stats.affiliate.routes import UNKNOWN_EXPORT_LINK
from commerce_stats.db.engine import Database
from commerce_stats.kit.exports import ExportFormat
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import by_token, csv_rows, parse_csv

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


def test_unknown_parameters_are_ignored_and_named_in_a_header(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "KEPT")
    response = client.get(
        network.export_url() + "?condition[mode]=mine&foo=bar&condition[groupby]=all&foo=2"
    )
    assert response.status_code == 200
    assert response.headers["X-Ignored-Parameters"] == ("condition[mode], foo, condition[groupby]")
    assert [row["ordertoken"] for row in parse_csv(response.text)] == ["KEPT"]


def test_no_ignored_parameters_header_without_unknown_parameters(
    client: TestClient, network: Network
) -> None:
    response = client.get(network.export_url(), params={"condition[dynamicdate]": "today"})
    assert response.status_code == 200
    assert "X-Ignored-Parameters" not in response.headers


def test_repeated_known_filter_is_still_400(client: TestClient, network: Network) -> None:
    response = client.get(
        network.export_url() + "?condition[l:status]=open&condition[l:status]=paid"
    )
    assert response.status_code == 400
    assert response.text == "condition[l:status] is given more than once"


def test_unknown_status_value_is_400_naming_it(client: TestClient, network: Network) -> None:
    response = client.get(network.export_url(), params={"condition[l:status]": "open,lost"})
    assert response.status_code == 400
    assert response.text.startswith("condition[l:status]: unknown status lost")


def test_bad_date_is_400(client: TestClient, network: Network) -> None:
    response = client.get(network.export_url(), params={"condition[period][from]": "2015/05/01"})
    assert response.status_code == 400
    assert response.text == (
        "condition[period][from]: '2015/05/01' is not a date DD.MM.YYYY or YYYY-MM-DD"
    )


def test_unknown_processingstate_value_is_400_naming_the_filter(
    client: TestClient, network: Network
) -> None:
    response = client.get(network.export_url(), params={"condition[I:processingstate]": "lost"})
    assert response.status_code == 400
    assert response.text.startswith("condition[I:processingstate]: unknown status lost;")


def test_unknown_report_is_404(client: TestClient, network: Network) -> None:
    response = client.get(network.export_url("get-statistic_weather.csv"))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("unknown report 'get-statistic_weather.csv'")


def test_unknown_format_is_404_plain_text(client: TestClient, network: Network) -> None:
    response = client.get(network.export_url("get-statistic_transactions.pdf"))
    assert response.status_code == 404
    assert response.text == "unknown format 'pdf'; use csv, xls, xlsx, xml or json"


@pytest.mark.parametrize(
    "tail",
    ["", "admin", "admin/1", "{token}/admin/{account}", "{token}/admin/{account}/x/y.csv"],
)
def test_other_paths_under_api_are_404_plain_text(
    client: TestClient, network: Network, tail: str
) -> None:
    token = network.credentials["affiliate_access_token"]
    response = client.get("/api/" + tail.format(token=token, account=network.account_id))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == UNKNOWN_EXPORT_LINK
    assert token not in response.text


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
    assert _publisher_ordertokens(client, network, client.get(url)) == ["MINE"]
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


def test_statistic_reports_count_the_tracked_sales(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    """Two tracked sales (one per publisher) in the campaign, publisher and daily reports;
    both clicks come from the one test client, so the second is a reclick (net 1 click)."""
    convert(network, "A", "100.00")
    convert(network, "B", "50.00", other=True)
    campaign = csv_rows(client, network.export_url("get-statistic_campaign.csv"))
    assert [(row["criterion"], row["clicks"], row["all_open_count"]) for row in campaign] == [
        (str(network.campaign_id), "1", "2")
    ]
    assert (campaign[0]["all_open_turnover"], campaign[0]["all_open_provision"]) == (
        "150.00",
        "17.50",
    )
    publisher = csv_rows(client, network.export_url("get-statistic_publisher.csv"))
    assert [(row["criterion"], row["all_open_provision"]) for row in publisher] == [
        (str(network.publisher_id), "10.00"),
        (str(network.other_publisher_id), "7.50"),
    ]
    daily = csv_rows(client, network.export_url("get-statistic_daily.csv"))
    assert [(row["clicks"], row["all_open_count"]) for row in daily] == [("1", "2")]


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


def _move(database: Database, network: Network, transaction_id: str, moment: datetime) -> None:
    """Dates a transaction back to ``moment`` (the export's period is its creation day)."""
    with database.write() as conn:
        row = repository.transaction(conn, network.account_id, int(transaction_id))
        assert row is not None
        repository.update_transaction(conn, network.account_id, row, {"created_at": moment})


@pytest.fixture
def november(
    client: TestClient,
    database: Database,
    network: Network,
    convert: Callable[..., int],
    admin_headers: dict[str, str],
) -> Network:
    """PAID-NOV (paid, 15.11.2026), OPEN-NOV (open, 20.11.2026), PAID-OCT (paid, 31.10.2026,
    12:00 UTC): the days a client's November report must tell apart."""
    for token in ("PAID-NOV", "OPEN-NOV", "PAID-OCT"):
        convert(network, token)
    ids = {
        token: row["id"] for token, row in by_token(csv_rows(client, network.export_url())).items()
    }
    for token in ("PAID-NOV", "PAID-OCT"):
        client.post(f"{network.admin}/transactions/{ids[token]}/confirm", headers=admin_headers)
    paid = client.post(
        f"{network.admin}/payouts",
        json={"publisher_id": network.publisher_id},
        headers=admin_headers,
    )
    assert paid.status_code == 201, paid.text
    _move(database, network, ids["PAID-NOV"], datetime(2026, 11, 15, 12, tzinfo=UTC))
    _move(database, network, ids["OPEN-NOV"], datetime(2026, 11, 20, 12, tzinfo=UTC))
    _move(database, network, ids["PAID-OCT"], datetime(2026, 10, 31, 12, tzinfo=UTC))
    return network


def _ordertokens(response: Response) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(row["ordertoken"] for row in parse_csv(response.text))


def _publisher_ordertokens(client: TestClient, network: Network, response: Response) -> list[str]:
    """The ordertokens of a publisher link's rows: the publisher columns name a transaction by
    its ``criterion``, which the admin export lists as ``ebestid`` beside the ordertoken."""
    assert response.status_code == 200, response.text
    admin = csv_rows(client, network.export_url(), **{"condition[dynamicdate]": "last3660d"})
    ordertoken_of = {row["ebestid"]: row["ordertoken"] for row in admin}
    return sorted(ordertoken_of[row["criterion"]] for row in parse_csv(response.text))


def test_client_url_with_double_slash_mixed_dates_and_paidout_gets_the_paid_rows(
    client: TestClient, november: Network
) -> None:
    token = november.credentials["affiliate_access_token"]
    response = client.get(
        f"/api//{token}/admin/{november.account_id}/get-statistic_transactions.csv"
        "?condition[period][from]=2026-11-01&condition[period][to]=30.11.2026"
        "&condition[mode]=mine&foo=bar&condition[l:status]=paidout"
    )
    assert _ordertokens(response) == ["PAID-NOV"]
    assert response.headers["X-Ignored-Parameters"] == "condition[mode], foo"


def test_publisher_url_with_capital_i_processingstate_gets_the_open_rows(
    client: TestClient, november: Network
) -> None:
    response = client.get(
        f"/api//{november.publisher_token}/publisher/{november.publisher_id}/"
        "get-statistic_transactions.csv?condition[period][from]=01.11.2026"
        "&condition[period][to]=2026-11-30&condition[I:processingstate]=pending"
    )
    assert _publisher_ordertokens(client, november, response) == ["OPEN-NOV"]
    assert "X-Ignored-Parameters" not in response.headers


def test_publisher_url_with_processingstate_numbers_gets_paid_and_open_rows(
    client: TestClient, november: Network
) -> None:
    response = client.get(
        f"/api/{november.publisher_token}/publisher/{november.publisher_id}/"
        "get-statistic_transactions.csv?condition[period][from]=2026-10-01"
        "&condition[period][to]=2026-11-30&condition[l:processingstate]=0,3"
    )
    assert _publisher_ordertokens(client, november, response) == [
        "OPEN-NOV",
        "PAID-NOV",
        "PAID-OCT",
    ]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("paid_out", ["PAID-NOV"]),
        ("PAYED", ["PAID-NOV"]),
        ("pending", ["OPEN-NOV"]),
        ("0", ["OPEN-NOV"]),
        ("3", ["PAID-NOV"]),
        ("valid,approved,1,cancelled,storno,rejected,2", []),
    ],
)
def test_status_words_of_clients_select_the_matching_rows(
    client: TestClient, november: Network, words: str, expected: list[str]
) -> None:
    response = client.get(
        november.export_url(),
        params={
            "condition[period][from]": "2026-11-01",
            "condition[period][to]": "2026-11-30",
            "condition[l:status]": words,
        },
    )
    assert _ordertokens(response) == expected


def test_every_report_and_format_answers_under_both_link_forms(
    client: TestClient, november: Network
) -> None:
    owners = [
        (november.credentials["affiliate_access_token"], "admin", november.account_id),
        (november.publisher_token, "publisher", november.publisher_id),
    ]
    query = "?condition[period][from]=2026-11-01&condition[period][to]=2026-11-30"
    for token, role, owner in owners:
        reports = REPORTS if role == "admin" else sorted(PUBLISHER_REPORTS)
        for report in reports:
            for export_format in ExportFormat:
                name = f"get-statistic_{report}.{export_format.value}"
                single = client.get(f"/api/{token}/{role}/{owner}/{name}{query}")
                double = client.get(f"/api//{token}/{role}/{owner}/{name}{query}")
                assert (single.status_code, double.status_code) == (200, 200), name
                assert double.headers["content-type"] == single.headers["content-type"]
                if export_format is not ExportFormat.XLSX:
                    assert double.content == single.content, name


def test_a_client_without_a_user_agent_is_served(client: TestClient, november: Network) -> None:
    for agent in ("", "python-requests/2.31", "curl/8.5.0"):
        response = client.get(
            november.export_url()
            + "?condition[period][from]=01.11.2026&condition[period][to]=30.11.2026",
            headers={"User-Agent": agent},
        )
        assert _ordertokens(response) == ["OPEN-NOV", "PAID-NOV"], agent
