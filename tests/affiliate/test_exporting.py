"""The Transaktions-API as a publisher's client reads it: the publisher column set, its
values, and XML bytes that common XML-to-array conversions read as 0, 1 or many rows."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from lxml import etree

from commerce_stats.affiliate.export_lines import PUBLISHER_COLUMNS, TRANSACTION_COLUMNS
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import parse_csv

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _publisher_url(network: Network, name: str = "get-statistic_transactions.csv") -> str:
    return f"/api//{network.publisher_token}/publisher/{network.publisher_id}/{name}"


def _get(client: TestClient, url: str) -> bytes:
    response = client.get(url, params={"condition[dynamicdate]": "today"})
    assert response.status_code == 200, response.text
    return response.content


def simplexml_array(document: bytes) -> Any:
    """What PHP's ``json_decode(json_encode(simplexml_load_string($xml)), true)`` gives: an
    element with children becomes a map (a repeated child name a list), an element with
    only text its text, an empty element an empty map; the root's own text, when it has no
    child elements, sits under key "0"."""
    root = etree.fromstring(document)
    if len(root) == 0:
        return {"0": root.text} if root.text else {}
    return _element_array(root)


def _element_array(element: Any) -> Any:
    if len(element) == 0:
        return element.text if element.text else {}
    result: dict[str, Any] = {}
    for child in element:
        value = _element_array(child)
        if child.tag in result:
            if not isinstance(result[child.tag], list):
                result[child.tag] = [result[child.tag]]
            result[child.tag].append(value)
        else:
            result[child.tag] = value
    return result


def php_client_transactions(document: bytes) -> list[dict[str, Any]]:
    """The publisher client's reading of an answer (rows by ``item/criterion``); raises
    as that client does on an answer it does not recognise."""
    answer = simplexml_array(document)
    if "item" in answer:
        if "criterion" in answer["item"]:
            return [answer["item"]]
        return list(answer["item"])
    if "0" in answer and "\n" in answer["0"]:
        return []
    raise ValueError(f"not a transactions answer: {answer!r}")


def test_publisher_link_answers_the_publisher_columns_in_order(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "ORDER-1")
    header = _get(client, _publisher_url(network)).decode().splitlines()[0]

    assert header == ";".join(f'"{name}"' for name in PUBLISHER_COLUMNS)


def test_admin_link_keeps_the_seeds_43_columns(client: TestClient, network: Network) -> None:
    header = _get(client, network.export_url()).decode().splitlines()[0]

    assert header == ";".join(f'"{name}"' for name in TRANSACTION_COLUMNS)


def test_publisher_row_carries_commission_turnover_and_defaults(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "ORDER-1", "80.00")
    [row] = parse_csv(_get(client, _publisher_url(network)).decode())

    timed = ("criterion", "trackingtime", "clicktime")  # checked by the tests below
    assert {name: row[name] for name in PUBLISHER_COLUMNS if name not in timed} == {
        "advertiser_id": str(network.advertiser_id),
        "campaign_title": "Shop Kampagne",
        "campaign_id": str(network.campaign_id),
        "project_id": str(network.project_id),
        "project_title": "Blog",
        "event": "sale",
        "payoutdate": "",
        "processingdate": "",
        "salary_id": "-1",
        "salary": "",
        "subid": "NONE",
        "referrer": "https://blog.example/post",
        "admedia_id": "0",
        "status": "0",
        "reason_of_cancellation": "",
        "provision": "8.00",
        "turnover": "80.00",
        "attributed_turnover": "80.00",
        "trigger_id": str(network.sale_trigger),
        "trigger_title": "Sale",
        "basket_count": "0",
    }


def test_publisher_times_are_the_transaction_and_its_click(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "ORDER-1")
    [row] = parse_csv(_get(client, _publisher_url(network)).decode())
    [admin] = parse_csv(_get(client, network.export_url()).decode())

    assert (row["trackingtime"], row["clicktime"]) == (
        admin["timestamp"],
        admin["action_timestamp"],
    )


def test_criterion_is_the_opaque_reference_not_the_id(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "ORDER-1")
    convert(network, "ORDER-2")
    rows = parse_csv(_get(client, _publisher_url(network)).decode())
    admin = parse_csv(_get(client, network.export_url()).decode())

    assert [row["criterion"] for row in rows] == [row["ebestid"] for row in admin]
    assert {row["criterion"] for row in rows}.isdisjoint({row["id"] for row in admin})
    assert len({row["criterion"] for row in rows}) == 2


def test_criterion_is_stable_between_exports(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "ORDER-1")
    first = parse_csv(_get(client, _publisher_url(network)).decode())
    second = parse_csv(_get(client, _publisher_url(network)).decode())

    assert first[0]["criterion"] == second[0]["criterion"]


def test_xml_with_no_rows_is_the_root_holding_one_new_line(
    client: TestClient, network: Network
) -> None:
    body = _get(client, _publisher_url(network, "get-statistic_transactions.xml"))

    assert body == XML_DECLARATION + b"<items>\n</items>\n"


def test_xml_with_no_rows_reads_as_no_transactions_in_the_php_client(
    client: TestClient, network: Network
) -> None:
    body = _get(client, _publisher_url(network, "get-statistic_transactions.xml"))

    assert php_client_transactions(body) == []


def test_xml_with_one_row_is_one_item_with_the_publisher_fields(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "ORDER-1")
    body = _get(client, _publisher_url(network, "get-statistic_transactions.xml"))
    [row] = parse_csv(_get(client, _publisher_url(network)).decode())
    fields = "".join(
        f"<{name}></{name}>" if row[name] == "" else f"<{name}>{row[name]}</{name}>"
        for name in PUBLISHER_COLUMNS
    )

    assert body == XML_DECLARATION + f"<items>\n<item>{fields}</item>\n</items>\n".encode()


def test_xml_with_one_row_is_found_by_item_criterion_in_the_php_client(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "ORDER-1")
    body = _get(client, _publisher_url(network, "get-statistic_transactions.xml"))
    [transaction] = php_client_transactions(body)

    assert (transaction["provision"], transaction["clicktime"] != {}) == ("10.00", True)


def test_xml_with_two_rows_reads_as_a_list_of_two_in_the_php_client(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "ORDER-1")
    convert(network, "ORDER-2", "50.00")
    body = _get(client, _publisher_url(network, "get-statistic_transactions.xml"))

    assert [row["turnover"] for row in php_client_transactions(body)] == ["100.00", "50.00"]


def test_json_rows_are_keyed_by_the_publisher_columns(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "ORDER-1")
    [row] = json.loads(_get(client, _publisher_url(network, "get-statistic_transactions.json")))

    assert (list(row), row["provision"]) == (list(PUBLISHER_COLUMNS), 10)


def test_xlsx_sheet_has_the_publisher_header_and_numbers(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "ORDER-1")
    body = _get(client, _publisher_url(network, "get-statistic_transactions.xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    header, values = list(sheet.iter_rows(values_only=True))

    assert (header, values[PUBLISHER_COLUMNS.index("turnover")]) == (PUBLISHER_COLUMNS, 100)


def test_a_publisher_never_sees_another_publishers_transactions(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "MINE", "30.00")
    convert(network, "THEIRS", "70.00", other=True)
    rows = parse_csv(_get(client, _publisher_url(network)).decode())

    assert [row["turnover"] for row in rows] == ["30.00"]
