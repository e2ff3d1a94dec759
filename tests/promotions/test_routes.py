"""The promotions surface's body limits: the bearer token before the body, caps per route."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient

from commerce_stats.app import create_app
from commerce_stats.config import Settings
from tests.live_server import live_server, send_head_only
from tests.promotions.conftest import Shop


@pytest.fixture
def live_port(settings: Settings) -> Iterator[int]:
    with live_server(create_app(settings)) as port:
        yield port


def test_wrong_token_with_a_1_gb_declared_body_is_401_before_the_body_is_read(
    live_port: int, shop: Shop
) -> None:
    answer = send_head_only(
        live_port,
        "POST",
        "/v1/promotion",
        {
            "Authorization": "Bearer wrong",
            "Content-Type": "application/json",
            "Content-Length": str(10**9),
        },
    )
    assert answer.status == 401
    assert orjson.loads(answer.body) == {
        "errors": [{"error": 1007, "message": "Your token is invalid."}]
    }
    listed = shop.client.get("/v1/promotion", headers=shop.headers)
    assert listed.status_code == 200
    assert listed.json()["total"] == 0


def test_login_body_over_64_kib_is_413_11413(client: TestClient) -> None:
    body = orjson.dumps({"username": "u" * (64 * 1024), "password": "p"})
    response = client.post(
        "/v1/login_check", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {
        "errors": [{"error": 11413, "message": "Request body is larger than 65536 bytes."}]
    }
