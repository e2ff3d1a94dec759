"""Extreme input on the promotions API: dates at the edges of the calendar, and every field
of every route (from the OpenAPI description) with extreme values."""

from __future__ import annotations

from typing import Any

import pytest
from httpx2 import Response
from hypothesis import given
from hypothesis import strategies as st

from commerce_stats.db.engine import Database
from tests.extreme import (
    EXAMPLES,
    Operation,
    all_targets,
    check_answer,
    extreme_values,
    operations,
    send_operation,
    snapshot,
    sweep_value,
)
from tests.promotions.conftest import IN_WINDOW, WINDOW, Shop

OUTSIDE_UTC = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"]


def _invalid(name: str) -> dict[str, Any]:
    return {"errors": [{"error": 11010, "message": f"Invalid field value: {name}"}]}


def _promotion(**overrides: Any) -> dict[str, Any]:
    return {
        "promotion_type": "discount",
        "promotion_name": "Edge",
        **WINDOW,
        "coupons": {"discount_percent": "10", "product_id": [11111]},
        **overrides,
    }


@pytest.mark.parametrize("moment", OUTSIDE_UTC)
@pytest.mark.parametrize("field", ["date_from", "date_to"])
def test_create_with_a_date_outside_utc_years_is_400_naming_it_and_stores_nothing(
    shop: Shop, database: Database, field: str, moment: str
) -> None:
    before = snapshot(database)
    response = shop.post("/v1/promotion", _promotion(**{field: moment}))
    assert response.status_code == 400
    assert response.json() == _invalid(field)
    assert snapshot(database) == before


@pytest.mark.parametrize("moment", OUTSIDE_UTC)
@pytest.mark.parametrize("field", ["date_from", "date_to"])
def test_patch_with_a_date_outside_utc_years_is_400_naming_it_and_changes_nothing(
    shop: Shop, database: Database, field: str, moment: str
) -> None:
    promotion_id = shop.promotion([11111])
    before = snapshot(database)
    response = shop.patch(f"/v1/promotion/{promotion_id}", {field: moment})
    assert response.status_code == 400
    assert response.json() == _invalid(field)
    assert snapshot(database) == before


def test_date_to_at_the_last_second_of_year_9999_in_utc_is_accepted(shop: Shop) -> None:
    response = shop.post("/v1/promotion", _promotion(date_to="9999-12-31T23:59:59+00:00"))
    assert response.status_code == 201
    assert response.json()["date_to"] == "9999-12-31T23:59:59+00:00"


@pytest.mark.parametrize(
    "moment", [*OUTSIDE_UTC, "0001-01-01T12:00:00+00:00", "9999-12-31T12:00:00+00:00"]
)
def test_order_created_at_without_a_local_day_everywhere_is_400_and_no_order_is_stored(
    shop: Shop, database: Database, moment: str
) -> None:
    before = snapshot(database)
    response = shop.order("edge-1", [(11111, 1, "10.00")], created_at=moment)
    assert response.status_code == 400
    assert response.json() == _invalid("created_at")
    assert snapshot(database) == before


# -- every field, extreme values ---------------------------------------------------------------

_OPERATIONS = operations(lambda method, path: path.startswith("/v1/"))
TARGETS = all_targets(_OPERATIONS)


def _envelope(response: Response) -> None:
    errors = response.json()["errors"]
    assert errors
    for entry in errors:
        assert isinstance(entry["error"], int)
        assert isinstance(entry["message"], str)


class Surface:
    """A shop with one promotion and one order, and a valid request for each route."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.promotion_id = shop.promotion([11111], codes=["EDGE10"])
        placed = shop.order("edge-order", [(11111, 1, "10.00")], created_at=IN_WINDOW)
        assert placed.status_code in (200, 201), placed.text
        credentials = shop.account["credentials"]
        self.bodies: dict[tuple[str, str], Any] = {
            ("POST", "/v1/login_check"): {
                "username": credentials["promotions_username"],
                "password": credentials["promotions_password"],
            },
            ("POST", "/v1/token/refresh"): {"refresh_token": shop.refresh_token},
            ("POST", "/v1/promotion/statistics/"): {"id": self.promotion_id},
            ("POST", "/v1/promotion"): _promotion(),
            ("PATCH", "/v1/promotion/{id}"): {"promotion_name": "Renamed"},
            ("POST", "/v1/orders"): {
                "order_id": "edge-new",
                "created_at": IN_WINDOW,
                "products": [{"product_id": 11111, "quantity": 1, "price": "10.00"}],
                "coupon_codes": ["EDGE10"],
            },
            ("PATCH", "/v1/orders/{order_id}"): {"status": "paid"},
        }

    def send(self, operation: Operation, target: tuple[str, Any], value: Any) -> Response:
        return send_operation(
            self.shop.client,
            operation,
            target,
            value,
            {"id": self.promotion_id, "order_id": "edge-order"},
            self.bodies.get((operation.method, operation.path)),
            {"limit": "10", "offset": "0"},
            self.shop.headers,
        )


@pytest.fixture
def surface(shop: Shop) -> Surface:
    return Surface(shop)


def test_every_field_refuses_each_extreme_class_without_a_500(
    surface: Surface, database: Database
) -> None:
    for position, (operation, target) in enumerate(TARGETS):
        value = sweep_value(position)
        before = snapshot(database)
        response = surface.send(operation, target, value)
        label = f"{operation.method} {operation.path} {target} <- {value!r:.60}"
        check_answer(response, before, database, _envelope, label)


@EXAMPLES
@given(pair=st.sampled_from(TARGETS), value=extreme_values())
def test_extreme_values_anywhere_never_give_a_500(
    surface: Surface, database: Database, pair: tuple[Operation, tuple[str, Any]], value: Any
) -> None:
    operation, target = pair
    before = snapshot(database)
    response = surface.send(operation, target, value)
    label = f"{operation.method} {operation.path} {target} <- {value!r:.60}"
    check_answer(response, before, database, _envelope, label)
