"""Idempotency properties: a retried request never counts twice.

Hypothesis draws a sequence of sends in which any earlier request may be
repeated, in any order; the counters must equal what the distinct requests
alone produce: beacons (event_id), conversions (campaign, trigger, order
token) and orders (order_id with the same body).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.affiliate.conftest import Network, build_network, convert
from tests.promotions.conftest import Shop, login

FIXTURES_FROM_AFFILIATE = (build_network, convert)
"""Imported so pytest finds these affiliate fixtures for the conversion property."""

PROPERTY = hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
SENDS = st.lists(st.integers(min_value=0, max_value=7), min_size=1, max_size=25)


def _beacon(event_id: int, namespace: str) -> dict[str, Any]:
    return {
        "type": "ecommerce_bar_shown",
        "content_key": "v1",
        "timestamp": "2026-03-01T12:00:00Z",
        "device_type": "Desktop",
        "event_id": f"{namespace}-{event_id}",
    }


@PROPERTY
@given(sends=SENDS)
def test_retried_beacons_count_once(
    sends: list[int],
    client: TestClient,
    make_account: Callable[..., dict[str, Any]],
    admin_headers: dict[str, str],
) -> None:
    account = make_account("Beacons", features=["video_ecommerce"])
    client.put(
        f"/admin/v1/accounts/{account['id']}/videos/v1",
        json={"title": "V", "ecommerce_keys": []},
        headers=admin_headers,
    )
    key = account["credentials"]["ingest_key"]
    for start in range(0, len(sends), 4):
        batch = [_beacon(event_id, "e") for event_id in sends[start : start + 4]]
        assert (
            client.post("/prod/events", json=batch, headers={"X-Ingest-Key": key}).status_code
            == 200
        )
    report = client.get(
        "/prod/get_ecommerce_reports",
        params={
            "organization_key": account["credentials"]["organization_key"],
            "start_date": "2026-03-01",
            "end_date": "2026-03-01",
        },
    ).json()
    total = sum(row["ecommerce_bar_shown"] for row in report["data"]["ecommerce_stats"])
    assert total == len(set(sends))


@PROPERTY
@given(sends=SENDS)
def test_retried_orders_count_once(
    sends: list[int], client: TestClient, make_account: Callable[..., dict[str, Any]]
) -> None:
    shop: Shop = login(client, make_account("Orders"))
    promotion = shop.promotion([1], "10")
    for order_number in sends:
        response = shop.order(f"ORDER-{order_number}", [(1, 1, "10.00")])
        assert response.status_code == 201, response.text
        assert response.json() == shop.get(f"/v1/orders/ORDER-{order_number}").json()
    assert shop.stats(promotion)["redemptions"] == len(set(sends))


def _period_around_today(timezone: str) -> dict[str, str]:
    today = datetime.now(ZoneInfo(timezone)).date()
    return {
        "condition[period][from]": (today - timedelta(days=1)).strftime("%d.%m.%Y"),
        "condition[period][to]": (today + timedelta(days=1)).strftime("%d.%m.%Y"),
    }


@PROPERTY
@given(sends=SENDS)
def test_retried_conversions_count_once(
    sends: list[int],
    client: TestClient,
    build_network: Callable[..., Network],
    convert: Callable[..., int],
) -> None:
    net = build_network(f"Network {len(sends)}-{sends[0]}")
    for order in sends:
        convert(net, f"ORD-{order}", turnover="10.00")
    rows = client.get(
        net.export_url("get-statistic_transactions.json"),
        params=_period_around_today("Europe/Berlin"),
    ).json()
    assert sorted(row["ordertoken"] for row in rows) == sorted(
        f"ORD-{order}" for order in set(sends)
    )
