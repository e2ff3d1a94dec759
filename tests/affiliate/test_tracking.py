"""Click and conversion tracking."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select

from commerce_stats.affiliate import ingest
from commerce_stats.affiliate.tables import clicks
from commerce_stats.db.engine import Database
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import by_token, csv_rows


def _stored_clicks(database: Database) -> list[object]:
    with database.read() as conn:
        return list(conn.execute(select(clicks)).all())


def _click(client: TestClient, net: Network, **extra: str | int) -> str:
    response = client.get(
        "/trck/eclick/",
        params={
            "campaign_id": net.campaign_id,
            "publisher_id": net.publisher_id,
            "project_id": net.project_id,
            **extra,
        },
        follow_redirects=False,
    )
    assert response.status_code == 302, response.text
    location: str = response.headers["location"]
    return location


def test_click_redirects_to_target_with_emid_kept_query(
    client: TestClient, network: Network
) -> None:
    assert _click(client, network) == "https://shop.example/landing?ref=aff&emid=1"


def test_click_ids_increase(client: TestClient, network: Network) -> None:
    _click(client, network)
    assert _click(client, network).endswith("emid=2")


def test_click_for_unknown_campaign_is_404(
    client: TestClient, network: Network, database: Database
) -> None:
    response = client.get(
        "/trck/eclick/",
        params={"campaign_id": 999, "publisher_id": network.publisher_id},
        follow_redirects=False,
    )
    assert response.status_code == 404
    assert response.text == "unknown campaign"
    assert _stored_clicks(database) == []
    assert _click(client, network) == "https://shop.example/landing?ref=aff&emid=1"


def test_click_with_project_of_another_publisher_is_404(
    client: TestClient, network: Network, database: Database
) -> None:
    response = client.get(
        "/trck/eclick/",
        params={
            "campaign_id": network.campaign_id,
            "publisher_id": network.publisher_id,
            "project_id": network.other_project_id,
        },
        follow_redirects=False,
    )
    assert response.status_code == 404
    assert _stored_clicks(database) == []
    assert _click(client, network) == "https://shop.example/landing?ref=aff&emid=1"


def test_pixel_answers_gif(client: TestClient, network: Network) -> None:
    emid = _click(client, network).rsplit("=", 1)[1]
    response = client.get(
        "/trck/etrack/",
        params={
            "campaign_id": network.campaign_id,
            "trigger_id": network.sale_trigger,
            "token": "ORDER-1",
            "turnover": "80.00",
            "emid": emid,
        },
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/gif"
    assert response.content.startswith(b"GIF89a")


def test_pixel_js_answers_empty_script(client: TestClient, network: Network) -> None:
    emid = _click(client, network).rsplit("=", 1)[1]
    response = client.get(
        "/trck/etrack/",
        params={
            "campaign_id": network.campaign_id,
            "trigger_id": network.sale_trigger,
            "token": "ORDER-1",
            "emid": emid,
            "t": "js",
        },
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.content == b""


def test_conversion_carries_click_data_and_dynamic_commission(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    emid = convert(network, "ORDER-1", "123.45", subid="nl-42", descr="Winter")
    row = csv_rows(client, network.export_url())[0]
    assert row["status"] == "0"
    assert row["ordertoken"] == "ORDER-1"
    assert row["turnover"] == "123.45"
    assert row["source_turnover"] == "123.45"
    assert row["commission"] == "12.35"
    assert row["trigger_value"] == "10.00"
    assert row["trigger_type"] == "sale_dynamic"
    assert row["type"] == "sale"
    assert row["campaign_group_title"] == "Standard"
    assert row["commission_group_id"] == str(network.standard_group)
    assert row["salary_id"] == "-1"
    assert row["action_id"] == str(emid)
    assert row["subid"] == "nl-42"
    assert row["description"] == "Winter"
    assert row["referrer"] == "https://blog.example/post"
    assert row["publisher_prename"] == "Anna"
    assert row["publisher_surname"] == "Berg"
    assert row["customer_journey_status"] == "1"
    assert row["payoutdate"] == ""


def test_publisher_group_sets_commission(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "ORDER-P", "200.00", other=True)
    convert(network, "ORDER-L", "0", other=True, trigger=network.lead_trigger)
    rows = by_token(csv_rows(client, network.export_url()))
    assert rows["ORDER-P"]["commission"] == "30.00"
    assert rows["ORDER-P"]["campaign_group_title"] == "Premium"
    assert rows["ORDER-L"]["commission"] == "4.00"
    assert rows["ORDER-L"]["type"] == "lead"


def test_same_order_twice_creates_one_transaction(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "ORDER-1", "10.00")
    convert(network, "ORDER-1", "99.00")
    rows = csv_rows(client, network.export_url())
    assert [(row["ordertoken"], row["turnover"]) for row in rows] == [("ORDER-1", "10.00")]


def test_pixel_by_post_with_emid_cookie(client: TestClient, network: Network) -> None:
    _click(client, network)
    response = client.post(
        "/trck/etrack/",
        data={
            "campaign_id": str(network.campaign_id),
            "trigger_id": str(network.sale_trigger),
            "token": "POSTED",
            "turnover": "20,00",
            "basket_items": "3",
        },
    )
    assert response.status_code == 200, response.text
    row = csv_rows(client, network.export_url())[0]
    assert (row["ordertoken"], row["turnover"], row["basket_items"]) == ("POSTED", "20.00", "3")


def test_pixel_without_click_records_nothing(client: TestClient, network: Network) -> None:
    response = client.get(
        "/trck/etrack/",
        params={
            "campaign_id": network.campaign_id,
            "trigger_id": network.sale_trigger,
            "token": "X",
        },
    )
    assert response.status_code == 404
    assert csv_rows(client, network.export_url()) == []


def test_pixel_with_wrong_currency_is_refused(client: TestClient, network: Network) -> None:
    emid = _click(client, network).rsplit("=", 1)[1]
    response = client.get(
        "/trck/etrack/",
        params={
            "campaign_id": network.campaign_id,
            "trigger_id": network.sale_trigger,
            "token": "USD-1",
            "currency": "USD",
            "emid": emid,
        },
    )
    assert response.status_code == 400
    assert response.text == "currency must be the campaign's currency (EUR)"
    assert csv_rows(client, network.export_url()) == []


def test_pixel_without_token_is_400(client: TestClient, network: Network) -> None:
    response = client.get(
        "/trck/etrack/",
        params={"campaign_id": network.campaign_id, "trigger_id": network.sale_trigger},
    )
    assert response.status_code == 400
    assert response.text == "token (the order id) is required"
    assert csv_rows(client, network.export_url()) == []


def test_click_of_one_network_cannot_attribute_a_conversion_of_another(
    client: TestClient, build_network: Callable[..., Network]
) -> None:
    first = build_network("First")
    second = build_network("Second")
    emid = _click(client, first).rsplit("=", 1)[1]
    response = client.get(
        "/trck/etrack/",
        params={
            "campaign_id": second.campaign_id,
            "trigger_id": second.sale_trigger,
            "token": "CROSS",
            "emid": emid,
        },
    )
    assert response.status_code == 404
    assert csv_rows(client, second.export_url()) == []
    assert csv_rows(client, first.export_url()) == []


def test_pixel_failure_answers_500_in_plain_text_and_records_nothing(
    client: TestClient, network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ingest, "record", broken)
    response = client.get(
        "/trck/etrack/",
        params={
            "campaign_id": network.campaign_id,
            "trigger_id": network.sale_trigger,
            "token": "F",
        },
    )
    assert (response.status_code, response.text) == (500, "internal error")
    assert response.headers["content-type"].startswith("text/plain")
    assert csv_rows(client, network.export_url()) == []


def _pixel(client: TestClient, net: Network, **params: str) -> Response:
    emid = _click(client, net).rsplit("=", 1)[1]
    return client.get(
        "/trck/etrack/",
        params={
            "campaign_id": str(net.campaign_id),
            "trigger_id": str(net.sale_trigger),
            "token": "ORDER-1",
            "emid": emid,
            **params,
        },
    )


@pytest.mark.parametrize("turnover", ["1e308", "9" * 40, "10000000000000", "1e999999999"])
def test_pixel_turnover_above_the_largest_amount_is_400_and_records_nothing(
    client: TestClient, network: Network, turnover: str
) -> None:
    response = _pixel(client, network, turnover=turnover)
    assert (response.status_code, response.text) == (
        400,
        "turnover: must not exceed 9999999999999.99 EUR",
    )
    assert response.headers["content-type"].startswith("text/plain")
    assert csv_rows(client, network.export_url()) == []


def test_pixel_turnover_of_the_largest_amount_is_recorded_exactly(
    client: TestClient, network: Network
) -> None:
    response = _pixel(client, network, turnover="9999999999999.99")
    assert response.status_code == 200, response.text
    [row] = csv_rows(client, network.export_url())
    assert (row["ordertoken"], row["turnover"]) == ("ORDER-1", "9999999999999.99")


@pytest.mark.parametrize("name", ["token", "descr", "vc", "currency"])
def test_pixel_with_nul_in_a_text_parameter_is_400_naming_it_and_records_nothing(
    client: TestClient, network: Network, name: str
) -> None:
    response = _pixel(client, network, **{name: "A\x00B"})
    assert (response.status_code, response.text) == (
        400,
        f"{name} must not contain NUL characters",
    )
    assert response.headers["content-type"].startswith("text/plain")
    assert csv_rows(client, network.export_url()) == []


def test_click_with_nul_in_subid_is_400_and_records_no_click(
    client: TestClient, network: Network, database: Database
) -> None:
    response = client.get(
        "/trck/eclick/",
        params={
            "campaign_id": network.campaign_id,
            "publisher_id": network.publisher_id,
            "subid": "spring\x00sale",
        },
        follow_redirects=False,
    )
    assert (response.status_code, response.text) == (400, "subid must not contain NUL characters")
    assert response.headers["content-type"].startswith("text/plain")
    assert "set-cookie" not in response.headers
    assert _stored_clicks(database) == []


def test_pixel_id_of_thousands_of_digits_is_400_naming_it_and_records_nothing(
    client: TestClient, network: Network
) -> None:
    response = _pixel(client, network, trigger_id="9" * 30_000)
    assert (response.status_code, response.text) == (400, "trigger_id must be a whole number")
    assert csv_rows(client, network.export_url()) == []
