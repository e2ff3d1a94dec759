"""The Orders API over HTTP: ``get-orders`` rows in every format, ``get-orders_baskets`` per
basket size, the filters (``l:mandant`` among them), who may read which orders."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest
import xlrd
from fastapi.testclient import TestClient
from lxml import etree

from commerce_stats.affiliate.orders_export import BASKET_COLUMNS, ORDER_COLUMNS
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import parse_csv

ORDERS = "get-orders"
BASKETS = "get-orders_baskets"


@dataclass
class Shop:
    """Three orders: A1 (sale and lead, Anna, basket 3), B2 (sale, Anna, basket 1) and
    C3 (sale, Otto, basket 3); ``ids`` by (order, trigger)."""

    network: Network
    ids: dict[tuple[str, int], int]


def _track(
    client: TestClient,
    net: Network,
    token: str,
    turnover: str,
    trigger: int,
    basket_items: int,
    other: bool = False,
) -> None:
    click = client.get(
        "/trck/eclick/",
        params={
            "campaign_id": net.campaign_id,
            "publisher_id": net.other_publisher_id if other else net.publisher_id,
            "project_id": net.other_project_id if other else net.project_id,
        },
        headers={"User-Agent": "TestAgent/1.0"},
        follow_redirects=False,
    )
    assert click.status_code == 302, click.text
    emid = click.headers["location"].rsplit("emid=", 1)[1]
    pixel = client.get(
        "/trck/etrack/",
        params={
            "campaign_id": net.campaign_id,
            "trigger_id": trigger,
            "token": token,
            "turnover": turnover,
            "basket_items": basket_items,
            "emid": emid,
        },
    )
    assert pixel.status_code == 200, pixel.text


def _transaction_ids(client: TestClient, net: Network) -> dict[tuple[str, int], int]:
    response = client.get(net.export_url())
    assert response.status_code == 200, response.text
    return {
        (row["ordertoken"], int(row["trigger_id"])): int(row["id"])
        for row in parse_csv(response.text)
    }


@pytest.fixture
def shop(client: TestClient, network: Network) -> Shop:
    _track(client, network, "A1", "100.00", network.sale_trigger, 3)
    _track(client, network, "A1", "0.00", network.lead_trigger, 0)
    _track(client, network, "B2", "40.00", network.sale_trigger, 1)
    _track(client, network, "C3", "200.00", network.sale_trigger, 3, other=True)
    return Shop(network, _transaction_ids(client, network))


def _admin_url(net: Network, name: str, extension: str = "csv") -> str:
    return net.export_url(f"{name}.{extension}")


def _publisher_url(net: Network, name: str, extension: str = "csv") -> str:
    return f"/api/{net.publisher_token}/publisher/{net.publisher_id}/{name}.{extension}"


def _csv(client: TestClient, url: str, **params: str) -> list[dict[str, str]]:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return parse_csv(response.text)


def _summary(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
    """Each order's key fields and figures (the times are checked on their own)."""
    return [
        (
            row["ordertoken"],
            row["publisher_id"],
            row["status"],
            row["positions"],
            row["basket_items"],
            row["turnover"],
            row["provision"],
            row["currency"],
        )
        for row in rows
    ]


def _post(client: TestClient, headers: dict[str, str], net: Network, path: str) -> None:
    body = {"cancel_reason": "returned"} if path.endswith("cancel") else None
    response = client.post(f"{net.admin}/transactions/{path}", json=body, headers=headers)
    assert response.status_code == 200, response.text


def test_the_csv_has_one_row_per_order_with_its_sums(client: TestClient, shop: Shop) -> None:
    net = shop.network
    rows = _csv(client, _admin_url(net, ORDERS))
    anna, otto = str(net.publisher_id), str(net.other_publisher_id)
    assert _summary(rows) == [
        ("A1", anna, "0", "2", "3", "100.00", "12.50", "EUR"),
        ("B2", anna, "0", "1", "1", "40.00", "4.00", "EUR"),
        ("C3", otto, "0", "1", "3", "200.00", "30.00", "EUR"),
    ]


def test_the_header_is_the_order_columns(client: TestClient, shop: Shop) -> None:
    response = client.get(_admin_url(shop.network, ORDERS))
    assert next(csv.reader(io.StringIO(response.text), delimiter=";")) == list(ORDER_COLUMNS)


def test_an_order_names_its_campaign_publisher_project_and_first_transaction(
    client: TestClient, shop: Shop
) -> None:
    net = shop.network
    row = _csv(client, _admin_url(net, ORDERS))[0]
    assert (
        row["campaign_id"],
        row["campaign_title"],
        row["advertiser_id"],
        row["project_id"],
        row["positions_open"],
        row["first_transaction_id"],
    ) == (
        str(net.campaign_id),
        "Shop Kampagne",
        str(net.advertiser_id),
        str(net.project_id),
        "2",
        str(shop.ids[("A1", net.sale_trigger)]),
    )


def test_the_orders_times_are_those_of_its_first_transaction(
    client: TestClient, shop: Shop
) -> None:
    net = shop.network
    first = parse_csv(client.get(net.export_url()).text)[0]
    row = _csv(client, _admin_url(net, ORDERS))[0]
    assert (row["trackingtime"], row["order_timestamp"]) == (
        first["timestamp"],
        first["order_timestamp"],
    )


def test_a_canceled_position_leaves_the_sums_and_the_order_stays(
    client: TestClient, admin_headers: dict[str, str], shop: Shop
) -> None:
    net = shop.network
    _post(client, admin_headers, net, f"{shop.ids[('A1', net.sale_trigger)]}/confirm")
    _post(client, admin_headers, net, f"{shop.ids[('A1', net.lead_trigger)]}/cancel")
    row = _csv(client, _admin_url(net, ORDERS))[0]
    assert (row["status"], row["positions_confirmed"], row["positions_canceled"]) == ("1", "1", "1")
    assert (row["turnover"], row["provision"]) == ("100.00", "10.00")


def test_an_order_canceled_in_full_shows_what_was_canceled(
    client: TestClient, admin_headers: dict[str, str], shop: Shop
) -> None:
    net = shop.network
    _post(client, admin_headers, net, f"{shop.ids[('B2', net.sale_trigger)]}/cancel")
    rows = {row["ordertoken"]: row for row in _csv(client, _admin_url(net, ORDERS))}
    assert (rows["B2"]["status"], rows["B2"]["turnover"], rows["B2"]["provision"]) == (
        "2",
        "40.00",
        "4.00",
    )


def test_the_status_filter_selects_orders_by_their_status(
    client: TestClient, admin_headers: dict[str, str], shop: Shop
) -> None:
    net = shop.network
    _post(client, admin_headers, net, f"{shop.ids[('B2', net.sale_trigger)]}/cancel")
    rows = _csv(client, _admin_url(net, ORDERS), **{"condition[l:status]": "canceled"})
    assert [row["ordertoken"] for row in rows] == ["B2"]


def test_the_publisher_filter(client: TestClient, shop: Shop) -> None:
    net = shop.network
    params = {"condition[l:publisher]": str(net.other_publisher_id)}
    assert [row["ordertoken"] for row in _csv(client, _admin_url(net, ORDERS), **params)] == ["C3"]


def test_the_project_filter(client: TestClient, shop: Shop) -> None:
    net = shop.network
    params = {"condition[l:projects]": str(net.project_id)}
    assert [row["ordertoken"] for row in _csv(client, _admin_url(net, ORDERS), **params)] == [
        "A1",
        "B2",
    ]


def test_the_campaign_and_advertiser_filters_of_another_campaign_select_nothing(
    client: TestClient, shop: Shop
) -> None:
    net = shop.network
    params = {
        "condition[l:campaigns]": str(net.campaign_id + 1000),
        "condition[l:advertiser]": str(net.advertiser_id),
    }
    assert _csv(client, _admin_url(net, ORDERS), **params) == []


def test_a_period_in_the_past_selects_nothing(client: TestClient, shop: Shop) -> None:
    params = {"condition[period][from]": "01.01.2020", "condition[period][to]": "31.01.2020"}
    assert _csv(client, _admin_url(shop.network, ORDERS), **params) == []


def test_datemode_payout_selects_only_paid_out_orders(client: TestClient, shop: Shop) -> None:
    params = {"condition[datemode]": "payout"}
    assert _csv(client, _admin_url(shop.network, ORDERS), **params) == []


def test_an_unknown_datemode_is_400_naming_it(client: TestClient, shop: Shop) -> None:
    response = client.get(
        _admin_url(shop.network, ORDERS), params={"condition[datemode]": "yesterday"}
    )
    assert (response.status_code, response.text) == (
        400,
        "condition[datemode]: unknown value 'yesterday'; use incoming, processing or payout",
    )


@pytest.mark.parametrize("mandant", ["-1", "own"])
def test_mandant_minus_one_or_the_own_id_selects_the_network(
    client: TestClient, shop: Shop, mandant: str
) -> None:
    net = shop.network
    value = str(net.account_id) if mandant == "own" else mandant
    rows = _csv(client, _admin_url(net, ORDERS), **{"condition[l:mandant]": value})
    assert [row["ordertoken"] for row in rows] == ["A1", "B2", "C3"]


def test_another_mandant_is_400_naming_filter_and_value(
    client: TestClient, build_network: Callable[..., Network], shop: Shop
) -> None:
    foreign = build_network("Other")
    net = shop.network
    response = client.get(
        _admin_url(net, ORDERS), params={"condition[l:mandant]": str(foreign.account_id)}
    )
    assert (response.status_code, response.text) == (
        400,
        f"condition[l:mandant]: {foreign.account_id} is not this network; "
        f"use -1 or {net.account_id}",
    )


def test_a_mandant_list_naming_a_foreign_network_is_400(client: TestClient, shop: Shop) -> None:
    net = shop.network
    value = f"-1,{net.account_id + 5}"
    response = client.get(_admin_url(net, ORDERS), params={"condition[l:mandant]": value})
    assert (response.status_code, response.text) == (
        400,
        f"condition[l:mandant]: {net.account_id + 5} is not this network; "
        f"use -1 or {net.account_id}",
    )


def test_a_repeated_mandant_is_400(client: TestClient, shop: Shop) -> None:
    url = _admin_url(shop.network, ORDERS) + "?condition[l:mandant]=-1&condition[l:mandant]=-1"
    response = client.get(url)
    assert (response.status_code, response.text) == (
        400,
        "condition[l:mandant] is given more than once",
    )


def test_datemode_and_timetype_together_are_400(client: TestClient, shop: Shop) -> None:
    params = {"condition[datemode]": "payout", "condition[timetype]": "2"}
    response = client.get(_admin_url(shop.network, ORDERS), params=params)
    assert (response.status_code, response.text) == (
        400,
        "condition[datemode] and condition[timetype] are the same filter; give one",
    )


def test_another_mandant_is_refused_on_the_baskets_too(client: TestClient, shop: Shop) -> None:
    net = shop.network
    response = client.get(
        _admin_url(net, BASKETS), params={"condition[l:mandant]": str(net.account_id + 1)}
    )
    assert response.status_code == 400
    assert response.text.startswith(f"condition[l:mandant]: {net.account_id + 1} ")


def test_another_accounts_link_sees_none_of_the_orders(
    client: TestClient, build_network: Callable[..., Network], shop: Shop
) -> None:
    other = build_network("Other")
    assert _csv(client, _admin_url(other, ORDERS)) == []
    assert _csv(client, _admin_url(other, BASKETS)) == []


def test_a_wrong_token_is_no_permission(client: TestClient, shop: Shop) -> None:
    net = shop.network
    response = client.get(f"/api/wrong-token/admin/{net.account_id}/{ORDERS}.csv")
    assert (response.status_code, response.text) == (403, "NO PERMISSION")


def test_another_accounts_token_for_this_account_is_no_permission(
    client: TestClient, build_network: Callable[..., Network], shop: Shop
) -> None:
    other = build_network("Other")
    token = other.credentials["affiliate_access_token"]
    response = client.get(f"/api/{token}/admin/{shop.network.account_id}/{ORDERS}.csv")
    assert (response.status_code, response.text) == (403, "NO PERMISSION")


def test_a_publisher_link_asking_for_the_orders_is_no_permission(
    client: TestClient, shop: Shop
) -> None:
    response = client.get(_publisher_url(shop.network, ORDERS))
    assert (response.status_code, response.text) == (403, "NO PERMISSION")


def test_the_double_slash_link_works(client: TestClient, shop: Shop) -> None:
    net = shop.network
    token = net.credentials["affiliate_access_token"]
    rows = _csv(client, f"/api//{token}/admin/{net.account_id}/{ORDERS}.csv")
    assert len(rows) == 3


def test_an_unknown_orders_report_is_404_plain_text(client: TestClient, shop: Shop) -> None:
    response = client.get(_admin_url(shop.network, "get-orders_items"))
    assert response.status_code == 404
    assert response.text.startswith("unknown report 'get-orders_items.csv'")


def test_unknown_parameters_are_ignored_and_named(client: TestClient, shop: Shop) -> None:
    response = client.get(_admin_url(shop.network, ORDERS), params={"foo": "bar"})
    assert (response.status_code, response.headers["X-Ignored-Parameters"]) == (200, "foo")


def test_the_xls_reads_back_with_xlrd(client: TestClient, shop: Shop) -> None:
    response = client.get(_admin_url(shop.network, ORDERS, "xls"))
    sheet = xlrd.open_workbook(file_contents=response.content).sheet_by_index(0)
    turnover, provision = ORDER_COLUMNS.index("turnover"), ORDER_COLUMNS.index("provision")
    assert sheet.row_values(0) == list(ORDER_COLUMNS)
    assert [
        sheet.cell_value(1, 0),
        sheet.cell_value(1, turnover),
        sheet.cell_value(1, provision),
    ] == [
        "A1",
        100.0,
        12.5,
    ]


def test_the_xlsx_reads_back_with_openpyxl(client: TestClient, shop: Shop) -> None:
    response = client.get(_admin_url(shop.network, ORDERS, "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    positions = ORDER_COLUMNS.index("positions")
    assert values[0] == list(ORDER_COLUMNS)
    assert [(row[0], row[positions]) for row in values[1:]] == [("A1", 2), ("B2", 1), ("C3", 1)]


def test_the_xml_has_one_item_per_order(client: TestClient, shop: Shop) -> None:
    response = client.get(_admin_url(shop.network, ORDERS, "xml"))
    items = etree.fromstring(response.content).findall("item")
    assert [child.tag for child in items[0]] == list(ORDER_COLUMNS)
    assert [(item.findtext("ordertoken"), item.findtext("provision")) for item in items] == [
        ("A1", "12.50"),
        ("B2", "4.00"),
        ("C3", "30.00"),
    ]


def test_the_json_is_an_array_of_orders(client: TestClient, shop: Shop) -> None:
    content = client.get(_admin_url(shop.network, ORDERS, "json")).content
    body = json.loads(content, parse_float=Decimal)
    assert [(order["ordertoken"], order["turnover"], order["positions"]) for order in body] == [
        ("A1", Decimal("100.00"), 2),
        ("B2", Decimal("40.00"), 1),
        ("C3", Decimal("200.00"), 1),
    ]


def _baskets(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
    return [
        (
            row["criterion"],
            row["currency"],
            row["orders"],
            row["all_open_count"],
            row["all_open_turnover"],
            row["all_open_provision"],
            row["all_canceled_count"],
        )
        for row in rows
    ]


def test_the_baskets_sum_the_orders_per_basket_size(client: TestClient, shop: Shop) -> None:
    rows = _csv(client, _admin_url(shop.network, BASKETS))
    assert _baskets(rows) == [
        ("1", "EUR", "1", "1", "40.00", "4.00", "0"),
        ("3", "EUR", "2", "2", "300.00", "42.50", "0"),
    ]


def test_the_baskets_header_is_criterion_currency_orders_and_the_status_figures(
    client: TestClient, shop: Shop
) -> None:
    response = client.get(_admin_url(shop.network, BASKETS))
    assert next(csv.reader(io.StringIO(response.text), delimiter=";")) == list(BASKET_COLUMNS)


def test_the_baskets_count_an_order_under_its_status(
    client: TestClient, admin_headers: dict[str, str], shop: Shop
) -> None:
    net = shop.network
    _post(client, admin_headers, net, f"{shop.ids[('B2', net.sale_trigger)]}/cancel")
    row = _csv(client, _admin_url(net, BASKETS))[0]
    assert (
        row["criterion"],
        row["all_open_count"],
        row["all_canceled_count"],
        row["all_canceled_turnover"],
        row["all_canceled_provision"],
    ) == ("1", "0", "1", "40.00", "4.00")


def test_a_publishers_baskets_are_its_own_orders_only(client: TestClient, shop: Shop) -> None:
    rows = _csv(client, _publisher_url(shop.network, BASKETS))
    assert _baskets(rows) == [
        ("1", "EUR", "1", "1", "40.00", "4.00", "0"),
        ("3", "EUR", "1", "1", "100.00", "12.50", "0"),
    ]


def test_the_other_publishers_baskets_are_its_own_orders_only(
    client: TestClient, shop: Shop
) -> None:
    net = shop.network
    url = f"/api/{net.other_publisher_token}/publisher/{net.other_publisher_id}/{BASKETS}.csv"
    assert _baskets(_csv(client, url)) == [("3", "EUR", "1", "1", "200.00", "30.00", "0")]


def test_a_publisher_filtering_for_another_publisher_gets_no_baskets(
    client: TestClient, shop: Shop
) -> None:
    net = shop.network
    params = {"condition[l:publisher]": str(net.other_publisher_id)}
    assert _csv(client, _publisher_url(net, BASKETS), **params) == []


def test_a_publisher_token_for_another_publisher_is_no_permission(
    client: TestClient, shop: Shop
) -> None:
    net = shop.network
    url = f"/api/{net.publisher_token}/publisher/{net.other_publisher_id}/{BASKETS}.csv"
    response = client.get(url)
    assert (response.status_code, response.text) == (403, "NO PERMISSION")


def test_the_baskets_json_reads_back(client: TestClient, shop: Shop) -> None:
    content = client.get(_admin_url(shop.network, BASKETS, "json")).content
    body = json.loads(content, parse_float=Decimal)
    assert [(line["criterion"], line["orders"], line["all_open_provision"]) for line in body] == [
        (1, 1, Decimal("4.00")),
        (3, 2, Decimal("42.50")),
    ]


def test_the_baskets_xml_reads_back(client: TestClient, shop: Shop) -> None:
    response = client.get(_admin_url(shop.network, BASKETS, "xml"))
    items = etree.fromstring(response.content).findall("item")
    assert [(item.findtext("criterion"), item.findtext("orders")) for item in items] == [
        ("1", "1"),
        ("3", "2"),
    ]


def test_the_baskets_xlsx_reads_back(client: TestClient, shop: Shop) -> None:
    response = client.get(_admin_url(shop.network, BASKETS, "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[:3] for row in values] == [
        ["criterion", "currency", "orders"],
        [1, "EUR", 1],
        [3, "EUR", 2],
    ]


def test_the_baskets_xls_reads_back(client: TestClient, shop: Shop) -> None:
    response = client.get(_admin_url(shop.network, BASKETS, "xls"))
    sheet = xlrd.open_workbook(file_contents=response.content).sheet_by_index(0)
    assert [sheet.row_values(row)[:3] for row in range(sheet.nrows)] == [
        ["criterion", "currency", "orders"],
        [1, "EUR", 1],
        [3, "EUR", 2],
    ]


def test_the_csv_reads_back_with_the_csv_module(client: TestClient, shop: Shop) -> None:
    response = client.get(_admin_url(shop.network, BASKETS))
    rows = list(csv.reader(io.StringIO(response.text, newline=""), delimiter=";"))
    assert [row[:3] for row in rows] == [
        ["criterion", "currency", "orders"],
        ["1", "EUR", "1"],
        ["3", "EUR", "2"],
    ]
