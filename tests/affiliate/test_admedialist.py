"""The admedia list export: columns, formats, who sees which admedia."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import openpyxl
import pytest
import xlrd
from fastapi.testclient import TestClient
from lxml import etree

from commerce_stats.affiliate.admedialist import COLUMNS
from tests.affiliate.conftest import Network

NAME = "get-campaigns_admedialist"


def _admedia(
    client: TestClient, headers: dict[str, str], network: Network, campaign_id: int, title: str
) -> int:
    response = client.post(
        f"{network.admin}/campaigns/{campaign_id}/admedia",
        json={"title": title, "kind": "banner"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    admedia_id: int = response.json()["id"]
    return admedia_id


def _closed_campaign(client: TestClient, headers: dict[str, str], network: Network) -> int:
    """A campaign without groups: no publisher takes part in it."""
    response = client.post(
        network.admin + "/campaigns",
        json={
            "advertiser_id": network.advertiser_id,
            "title": "Geschlossen",
            "target_url": "https://shop.example/c",
            "currency": "EUR",
        },
        headers=headers,
    )
    campaign_id: int = response.json()["id"]
    return campaign_id


def _csv(client: TestClient, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text, newline=""), delimiter=";"))


@pytest.fixture
def admedia_id(client: TestClient, admin_headers: dict[str, str], network: Network) -> int:
    return _admedia(client, admin_headers, network, network.campaign_id, "Banner 300x250")


def _publisher_url(network: Network, extension: str) -> str:
    return f"/api/{network.publisher_token}/publisher/{network.publisher_id}/{NAME}.{extension}"


def test_the_csv_lists_the_admedia_with_the_publishers_tracking_links(
    client: TestClient, network: Network, admedia_id: int
) -> None:
    rows = _csv(client, _publisher_url(network, "csv"))
    query = f"campaign_id={network.campaign_id}&publisher_id={network.publisher_id}"
    assert [
        (row["id"], row["title"], row["mediatype"], row["status"], row["campaign_title"])
        for row in rows
    ] == [(str(admedia_id), "Banner 300x250", "banner", "1", "Shop Kampagne")]
    assert rows[0]["clicklink"] == (
        f"http://testserver/trck/eclick/?{query}&admedia_id={admedia_id}"
    )
    assert rows[0]["viewlink"] == f"http://testserver/trck/eview/?{query}&admedia_id={admedia_id}"


def test_the_admins_links_leave_the_publisher_empty(
    client: TestClient, network: Network, admedia_id: int
) -> None:
    rows = _csv(client, network.export_url(f"{NAME}.csv"))
    assert rows[0]["clicklink"] == (
        f"http://testserver/trck/eclick/?campaign_id={network.campaign_id}"
        f"&publisher_id=&admedia_id={admedia_id}"
    )


def test_the_double_slash_link_works_too(
    client: TestClient, network: Network, admedia_id: int
) -> None:
    token = network.credentials["affiliate_access_token"]
    rows = _csv(client, f"/api//{token}/admin/{network.account_id}/{NAME}.csv")
    assert [row["id"] for row in rows] == [str(admedia_id)]


def test_a_publisher_sees_no_admedia_of_a_campaign_it_takes_no_part_in(
    client: TestClient, admin_headers: dict[str, str], network: Network, admedia_id: int
) -> None:
    closed = _closed_campaign(client, admin_headers, network)
    _admedia(client, admin_headers, network, closed, "Geheim")
    assert [row["id"] for row in _csv(client, _publisher_url(network, "csv"))] == [str(admedia_id)]
    assert len(_csv(client, network.export_url(f"{NAME}.csv"))) == 2


def test_another_accounts_token_sees_none_of_the_admedia(
    client: TestClient,
    build_network: Callable[..., Network],
    network: Network,
    admedia_id: int,
) -> None:
    other = build_network("Other")
    token = other.credentials["affiliate_access_token"]
    assert _csv(client, f"/api/{token}/admin/{other.account_id}/{NAME}.csv") == []


def test_the_xls_reads_back_with_xlrd(
    client: TestClient, network: Network, admedia_id: int
) -> None:
    response = client.get(network.export_url(f"{NAME}.xls"))
    sheet = xlrd.open_workbook(file_contents=response.content).sheet_by_index(0)
    assert (sheet.row_values(0), sheet.row_values(1)[:3]) == (
        list(COLUMNS),
        [admedia_id, "Banner 300x250", "banner"],
    )


def test_the_xlsx_reads_back_with_openpyxl(
    client: TestClient, network: Network, admedia_id: int
) -> None:
    response = client.get(network.export_url(f"{NAME}.xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert (values[0], values[1][:3]) == (list(COLUMNS), [admedia_id, "Banner 300x250", "banner"])


def test_the_xml_reads_back_with_lxml(
    client: TestClient, network: Network, admedia_id: int
) -> None:
    response = client.get(network.export_url(f"{NAME}.xml"))
    items = etree.fromstring(response.content).findall("item")
    assert [child.tag for child in items[0]] == list(COLUMNS)
    assert (items[0].findtext("id"), items[0].findtext("mediatype")) == (str(admedia_id), "banner")


def test_the_json_is_an_array_of_objects(
    client: TestClient, network: Network, admedia_id: int
) -> None:
    rows = json.loads(client.get(network.export_url(f"{NAME}.json")).content)
    assert (list(rows[0]), rows[0]["id"], rows[0]["title"]) == (
        list(COLUMNS),
        admedia_id,
        "Banner 300x250",
    )


def test_another_campaigns_list_is_an_unknown_report(client: TestClient, network: Network) -> None:
    response = client.get(network.export_url("get-campaigns_list.csv"))
    assert (response.status_code, response.text) == (
        404,
        "unknown report 'get-campaigns_list.csv'; known: get-campaigns_admedialist",
    )
