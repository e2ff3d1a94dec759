"""POST/GET/PATCH /v1/orders: pricing, refusals that record nothing, idempotent retries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.promotions.conftest import IN_WINDOW, Shop


def test_order_answer_has_lines_discounts_and_total(shop: Shop) -> None:
    coupon = shop.promotion([11111], "10", codes=["SUMMER10"])
    response = shop.order(
        "A-1001", [(11111, 2, "19.99"), (22222, 1, "5.00")], ["SUMMER10"], IN_WINDOW
    )
    assert response.status_code == 201
    assert response.json() == {
        "order_id": "A-1001",
        "created_at": "2026-05-01T08:00:00+00:00",
        "status": "unpaid",
        "currency": "EUR",
        "coupon_codes": ["SUMMER10"],
        "products": [
            {
                "product_id": 11111,
                "quantity": 2,
                "price": "19.99",
                "promotion_id": coupon,
                "coupon_code": "SUMMER10",
                "discount_percent": "10",
                "discounted_price": "17.99",
                "line_total": "35.98",
            },
            {
                "product_id": 22222,
                "quantity": 1,
                "price": "5.00",
                "promotion_id": None,
                "coupon_code": None,
                "discount_percent": None,
                "discounted_price": "5.00",
                "line_total": "5.00",
            },
        ],
        "total": "40.98",
    }


def test_discounted_price_rounds_half_up(shop: Shop) -> None:
    shop.promotion([1], "12.5")
    line = shop.order("O-1", [(1, 1, "0.20")]).json()["products"][0]
    assert line["discounted_price"] == "0.18"
    assert line["discount_percent"] == "12.5"


def test_largest_discount_wins(shop: Shop) -> None:
    shop.promotion([1], "10")
    best = shop.promotion([1], "25")
    shop.promotion([1], "15")
    line = shop.order("O-1", [(1, 1, "100.00")]).json()["products"][0]
    assert line["promotion_id"] == best
    assert line["discounted_price"] == "75.00"


def test_tie_goes_to_the_oldest_promotion(shop: Shop) -> None:
    oldest = shop.promotion([1], "10")
    shop.promotion([1], "10.0")
    line = shop.order("O-1", [(1, 1, "10.00")]).json()["products"][0]
    assert line["promotion_id"] == oldest


def test_discounts_are_not_cumulative(shop: Shop) -> None:
    shop.promotion([1], "10")
    shop.promotion([1], "20")
    assert shop.order("O-1", [(1, 1, "100.00")]).json()["total"] == "80.00"


def test_unknown_code_is_422_and_nothing_is_recorded(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10")
    response = shop.order("O-1", [(1, 1, "10.00")], ["NOPE"])
    assert response.status_code == 422
    assert response.json() == {
        "errors": [{"error": 11300, "message": "Promotion code not valid: NOPE"}]
    }
    assert shop.get("/v1/orders/O-1").status_code == 404
    assert shop.stats(promotion_id)["redemptions"] == 0


def test_deleted_code_is_422(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10", codes=["OLD", "NEW"])
    shop.patch(f"/v1/promotion/{promotion_id}", {"coupons": {"coupon_code": ["NEW"]}})
    response = shop.order("O-1", [(1, 1, "10.00")], ["OLD"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "Promotion code not valid: OLD"
    assert shop.stats(promotion_id)["redemptions"] == 0
    assert shop.get("/v1/orders/O-1").status_code == 404


def test_code_of_a_deleted_promotion_is_422(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10", codes=["GONE"])
    shop.delete(f"/v1/promotion/{promotion_id}")
    assert shop.order("O-1", [(1, 1, "10.00")], ["GONE"]).status_code == 422
    assert shop.get("/v1/orders/O-1").status_code == 404


def test_refused_code_among_good_ones_records_nothing(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10", codes=["GOOD"])
    assert shop.order("O-1", [(1, 1, "10.00")], ["GOOD", "BAD"]).status_code == 422
    stats = shop.stats(promotion_id)
    assert stats["redemptions"] == 0
    assert stats["promotion_codes"][0]["redemptions"] == 0
    assert shop.get("/v1/orders/O-1").status_code == 404


def test_retry_with_the_same_body_gets_the_same_answer(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10", codes=["ONCE"], coupon_type="one-time")
    first = shop.order("O-1", [(1, 1, "10.00")], ["ONCE"])
    again = shop.order("O-1", [(1, 1, "10.00")], ["ONCE"])
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert shop.stats(promotion_id)["redemptions"] == 1


def test_retry_without_created_at_gets_the_same_answer(shop: Shop) -> None:
    body = {"order_id": "O-1", "products": [{"product_id": 1, "quantity": 1, "price": "1.00"}]}
    first = shop.post("/v1/orders", body)
    again = shop.post("/v1/orders", body)
    assert first.status_code == 201
    assert again.json() == first.json()


def test_different_body_for_a_known_order_is_409(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10")
    shop.order("O-1", [(1, 1, "10.00")])
    response = shop.order("O-1", [(1, 2, "10.00")])
    assert response.status_code == 409
    assert response.json()["errors"][0]["error"] == 11400
    assert shop.get("/v1/orders/O-1").json()["products"][0]["quantity"] == 1
    assert shop.stats(promotion_id)["redemptions"] == 1


def test_get_order_returns_what_post_answered(shop: Shop) -> None:
    shop.promotion([1], "10")
    created = shop.order("O-1", [(1, 3, "9.99")]).json()
    assert shop.get("/v1/orders/O-1").json() == created


def test_patch_order_status(shop: Shop) -> None:
    shop.order("O-1", [(1, 1, "1.00")])
    response = shop.patch("/v1/orders/O-1", {"status": "paid"})
    assert response.status_code == 200
    assert response.json()["status"] == "paid"
    assert shop.get("/v1/orders/O-1").json()["status"] == "paid"


def test_patch_order_with_unknown_status_is_11010(shop: Shop) -> None:
    shop.order("O-1", [(1, 1, "1.00")])
    response = shop.patch("/v1/orders/O-1", {"status": "shipped"})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"error": 11010, "message": "Invalid field value: status"}]
    }
    assert shop.get("/v1/orders/O-1").json()["status"] == "unpaid"


def test_unknown_order_is_404(shop: Shop) -> None:
    response = shop.get("/v1/orders/NOPE")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"error": 11404, "message": "Order not found: NOPE"}]}


def test_invalid_order_fields_are_reported_together(shop: Shop) -> None:
    response = shop.post(
        "/v1/orders",
        {
            "order_id": "O-1",
            "created_at": "yesterday",
            "products": [{"product_id": 1, "quantity": 0, "price": "1.999"}],
        },
    )
    assert response.status_code == 400
    assert [entry["message"] for entry in response.json()["errors"]] == [
        "Invalid field value: created_at",
        "Invalid field value: quantity",
        "Invalid field value: price",
    ]
    assert shop.get("/v1/orders/O-1").status_code == 404


def test_float_price_is_refused(shop: Shop) -> None:
    response = shop.post(
        "/v1/orders",
        {"order_id": "O-1", "products": [{"product_id": 1, "quantity": 1, "price": 19.99}]},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"error": 11010, "message": "Invalid field value: price"}]
    assert shop.get("/v1/orders/O-1").status_code == 404


def test_orders_are_per_account(make_shop: Callable[..., Shop]) -> None:
    owner = make_shop("Owner")
    stranger = make_shop("Stranger")
    owner.order("O-1", [(1, 1, "1.00")])
    assert stranger.get("/v1/orders/O-1").status_code == 404
    assert stranger.patch("/v1/orders/O-1", {"status": "paid"}).status_code == 404
    assert owner.get("/v1/orders/O-1").json()["status"] == "unpaid"
    assert stranger.order("O-1", [(1, 5, "2.00")]).status_code == 201


def test_another_accounts_code_is_unknown(make_shop: Callable[..., Shop]) -> None:
    owner = make_shop("Owner")
    stranger = make_shop("Stranger")
    promotion_id = owner.promotion([1], "10", codes=["MINE"])
    assert stranger.order("O-1", [(1, 1, "1.00")], ["MINE"]).status_code == 422
    assert stranger.get("/v1/orders/O-1").status_code == 404
    assert owner.stats(promotion_id)["redemptions"] == 0


def _one_line(quantity: int, price: str) -> dict[str, Any]:
    return {
        "order_id": "O-1",
        "products": [{"product_id": 1, "quantity": quantity, "price": price}],
    }


def test_quantity_beyond_10000_is_11010(shop: Shop) -> None:
    response = shop.post("/v1/orders", _one_line(10_001, "1.00"))
    assert response.json() == {
        "errors": [{"error": 11010, "message": "Invalid field value: quantity"}]
    }
    assert response.status_code == 400
    assert shop.get("/v1/orders/O-1").status_code == 404


def test_unit_price_beyond_one_billion_is_11010(shop: Shop) -> None:
    response = shop.post("/v1/orders", _one_line(1, "1000000000.01"))
    assert response.json() == {
        "errors": [{"error": 11010, "message": "Invalid field value: price"}]
    }
    assert shop.get("/v1/orders/O-1").status_code == 404
    assert response.status_code == 400


def test_body_over_16_mib_is_413_and_records_nothing(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10")
    padding = "x" * (16 * 1024 * 1024)
    body = (
        '{"order_id": "BIG-1", "created_at": "2026-05-01T10:00:00+02:00", '
        f'"products": [{{"product_id": 1, "quantity": 1, "price": "10.00"}}], "note": "{padding}"}}'
    )
    response = shop.client.post(
        "/v1/orders",
        content=body.encode(),
        headers=shop.headers | {"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json() == {
        "errors": [{"error": 11413, "message": "Request body is larger than 16777216 bytes."}]
    }
    assert shop.get("/v1/orders/BIG-1").status_code == 404
    assert shop.stats(promotion_id)["redemptions"] == 0


def test_order_of_1001_lines_is_refused_and_records_nothing(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10")
    response = shop.order("LONG-1", [(1, 1, "1.00")] * 1001)
    assert response.status_code == 400
    assert [entry["error"] for entry in response.json()["errors"]] == [11010]
    assert shop.get("/v1/orders/LONG-1").status_code == 404
    assert shop.stats(promotion_id)["redemptions"] == 0
