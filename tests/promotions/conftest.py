"""Helpers for the promotions tests: a logged-in API client per account."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

WINDOW = {"date_from": "2026-01-01T00:00:00+00:00", "date_to": "2026-12-31T23:59:59+00:00"}
IN_WINDOW = "2026-05-01T10:00:00+02:00"


@dataclass
class Shop:
    """One account speaking the promotions API with a valid token."""

    client: TestClient
    token: str
    refresh_token: str
    account: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def post(self, path: str, body: Any) -> Response:
        return self.client.post(path, json=body, headers=self.headers)

    def patch(self, path: str, body: Any) -> Response:
        return self.client.patch(path, json=body, headers=self.headers)

    def get(self, path: str, **params: Any) -> Response:
        return self.client.get(path, params=params, headers=self.headers)

    def delete(self, path: str) -> Response:
        return self.client.delete(path, headers=self.headers)

    def promotion(
        self,
        products: list[int],
        percent: str = "10",
        codes: list[str] | None = None,
        coupon_type: str = "reusable",
        **fields: Any,
    ) -> int:
        """Creates a promotion (a coupon one when ``codes`` is given); returns its id."""
        coupons: dict[str, Any] = {"discount_percent": percent, "product_id": products}
        body: dict[str, Any] = {
            "promotion_type": "coupon" if codes else "discount",
            "promotion_name": fields.pop("name", "Promo"),
            **WINDOW,
            "coupons": coupons,
            **fields,
        }
        if codes:
            coupons["coupon_type"] = coupon_type
            coupons["coupon_code"] = codes
        response = self.post("/v1/promotion", body)
        assert response.status_code == 201, response.text
        promotion_id: int = response.json()["id"]
        return promotion_id

    def order(
        self,
        order_id: str,
        lines: list[tuple[int, int, str]],
        codes: list[str] | None = None,
        created_at: str = IN_WINDOW,
    ) -> Response:
        body: dict[str, Any] = {
            "order_id": order_id,
            "created_at": created_at,
            "products": [
                {"product_id": product, "quantity": quantity, "price": price}
                for product, quantity, price in lines
            ],
        }
        if codes is not None:
            body["coupon_codes"] = codes
        return self.post("/v1/orders", body)

    def stats(self, promotion_id: int) -> dict[str, Any]:
        response = self.post("/v1/promotion/statistics/", {"id": promotion_id})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def login(client: TestClient, account: dict[str, Any]) -> Shop:
    credentials = account["credentials"]
    response = client.post(
        "/v1/login_check",
        json={
            "username": credentials["promotions_username"],
            "password": credentials["promotions_password"],
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return Shop(client, body["token"], body["refresh_token"], account)


@pytest.fixture
def make_shop(
    client: TestClient, make_account: Callable[..., dict[str, Any]]
) -> Callable[..., Shop]:
    def create(name: str = "Shop", **fields: Any) -> Shop:
        return login(client, make_account(name, **fields))

    return create


@pytest.fixture
def shop(make_shop: Callable[..., Shop]) -> Shop:
    return make_shop("Shop A")
