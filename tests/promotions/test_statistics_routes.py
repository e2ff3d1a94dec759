"""POST /v1/promotion/statistics/: the seed's response shape and every error code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from commerce_stats.db.engine import Database
from tests.promotions.conftest import Shop

PATH = "/v1/promotion/statistics/"


def _invalid(name: str) -> dict[str, Any]:
    return {"error": 11010, "message": f"Invalid field value: {name}"}


def test_unused_discount_promotion_has_zero_and_no_code_list(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10")
    assert shop.stats(promotion_id) == {"id": promotion_id, "redemptions": 0}


def test_unused_coupon_promotion_lists_its_codes_with_zero(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10", codes=["A1", "B2"], coupon_type="one-time")
    body = shop.stats(promotion_id)
    assert body["id"] == promotion_id
    assert body["redemptions"] == 0
    assert [
        (c["coupon_code"], c["coupon_type"], c["redemptions"]) for c in body["promotion_codes"]
    ] == [
        ("A1", "one-time", 0),
        ("B2", "one-time", 0),
    ]
    assert all(isinstance(code["id"], int) for code in body["promotion_codes"])


def test_path_without_trailing_slash_answers_too(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10")
    response = shop.post("/v1/promotion/statistics", {"id": promotion_id})
    assert response.status_code == 200
    assert response.json() == {"id": promotion_id, "redemptions": 0}


def test_invalid_json_is_110(client: TestClient, shop: Shop) -> None:
    response = client.post(
        PATH, content=b'{"id": ', headers={**shop.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"errors": [{"error": 110, "message": "JSON is not valid."}]}


def test_json_that_is_not_an_object_is_110(client: TestClient, shop: Shop) -> None:
    response = client.post(
        PATH, content=b"[1]", headers={**shop.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert [e["error"] for e in response.json()["errors"]] == [110]


def test_wrong_content_type_is_111(client: TestClient, shop: Shop) -> None:
    response = client.post(
        PATH, content=b'{"id": 1}', headers={**shop.headers, "Content-Type": "text/plain"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"error": 111, "message": "Invalid data format (Content-type)."}]
    }


def test_missing_content_type_is_111(client: TestClient, shop: Shop) -> None:
    response = client.post(PATH, content=b'{"id": 1}', headers=shop.headers)
    assert response.status_code == 400
    assert [e["error"] for e in response.json()["errors"]] == [111]


def test_content_type_with_charset_is_accepted(client: TestClient, shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10")
    response = client.post(
        PATH,
        content=f'{{"id": {promotion_id}}}'.encode(),
        headers={**shop.headers, "Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200


def test_account_without_promotions_feature_is_11000(make_shop: Callable[..., Shop]) -> None:
    other = make_shop("Video only", features=["video_ecommerce"])
    response = other.post(PATH, {"id": 1})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "error": 11000,
                "message": "No access to promotion management. Please contact technical support.",
            }
        ]
    }


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"id": None},
        {"id": "12"},
        {"id": 1.5},
        {"id": True},
        {"id": -1},
        {"id": [1]},
        {"id": 2**64},
    ],
    ids=["missing", "null", "string", "float", "bool", "negative", "list", "beyond-64-bit"],
)
def test_invalid_id_is_11010(shop: Shop, body: dict[str, Any]) -> None:
    response = shop.post(PATH, body)
    assert response.status_code == 400
    assert response.json() == {"errors": [_invalid("id")]}


def test_several_11010_come_together(shop: Shop) -> None:
    response = shop.post(PATH, {"id": -5, "promo": 1})
    assert response.status_code == 400
    assert response.json() == {"errors": [_invalid("id"), _invalid("promo")]}


def test_unknown_promotion_is_404_11200(shop: Shop) -> None:
    response = shop.post(PATH, {"id": 123})
    assert response.status_code == 404
    assert response.json() == {"errors": [{"error": 11200, "message": "Promotion not found: 123"}]}


def test_another_accounts_promotion_is_404(make_shop: Callable[..., Shop]) -> None:
    owner = make_shop("Owner")
    stranger = make_shop("Stranger")
    promotion_id = owner.promotion([1], "10")
    owner.order("O-1", [(1, 1, "10.00")])
    response = stranger.post(PATH, {"id": promotion_id})
    assert response.status_code == 404
    assert response.json()["errors"][0]["error"] == 11200
    assert owner.stats(promotion_id)["redemptions"] == 1


def test_deleted_promotion_is_404(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10")
    assert shop.delete(f"/v1/promotion/{promotion_id}").status_code == 204
    response = shop.post(PATH, {"id": promotion_id})
    assert response.status_code == 404
    assert response.json() == {
        "errors": [{"error": 11200, "message": f"Promotion not found: {promotion_id}"}]
    }


def test_internal_error_is_500_without_internals(shop: Shop, database: Database) -> None:
    promotion_id = shop.promotion([1], "10", codes=["X1"])
    with database.write() as conn:
        conn.execute(text("ALTER TABLE promotion_codes RENAME TO promotion_codes_away"))
    try:
        response = shop.post(PATH, {"id": promotion_id})
    finally:
        with database.write() as conn:
            conn.execute(text("ALTER TABLE promotion_codes_away RENAME TO promotion_codes"))
    assert response.status_code == 500
    assert response.json() == {
        "errors": [
            {
                "error": 500,
                "message": "Internal Server Error. Please try again later or contact support.",
            }
        ]
    }
    assert "promotion_codes" not in response.text


def test_body_that_is_not_utf8_is_110(client: TestClient, shop: Shop) -> None:
    response = client.post(
        PATH,
        content=b'{"id": "\xff"}',
        headers={**shop.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json() == {"errors": [{"error": 110, "message": "JSON is not valid."}]}
