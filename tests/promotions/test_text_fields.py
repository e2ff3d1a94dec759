"""Text with NUL characters is refused as an invalid value on every backend."""

from __future__ import annotations

from sqlalchemy import select

from commerce_stats.db.engine import Database
from commerce_stats.promotions.tables import promo_orders, promo_tokens
from tests.promotions.conftest import Shop


def _invalid(name: str) -> dict[str, object]:
    return {"errors": [{"error": 11010, "message": f"Invalid field value: {name}"}]}


def test_nul_in_order_id_is_11010(shop: Shop, database: Database) -> None:
    response = shop.order("A\x00B", [(1, 1, "1.00")])
    assert response.json() == _invalid("order_id")
    assert response.status_code == 400
    with database.read() as conn:
        assert conn.execute(select(promo_orders)).all() == []


def test_nul_in_code_is_11010(shop: Shop) -> None:
    response = shop.order("A", [(1, 1, "1.00")], ["C\x00"])
    assert response.json() == _invalid("coupon_codes")
    assert response.status_code == 400
    assert shop.get("/v1/orders/A").status_code == 404


def test_nul_in_promotion_name_is_11010(shop: Shop) -> None:
    body = {
        "promotion_type": "discount",
        "promotion_name": "a\x00b",
        "date_from": "2026-01-01T00:00:00+00:00",
        "coupons": {"discount_percent": "5", "product_id": [1]},
    }
    response = shop.post("/v1/promotion", body)
    assert response.json() == _invalid("promotion_name")
    assert response.status_code == 400
    assert shop.get("/v1/promotion").json()["total"] == 0


def test_nul_in_search_string_is_11010(shop: Shop) -> None:
    response = shop.get("/v1/promotion", search_string="ab\x00c")
    assert response.json() == _invalid("search_string")
    assert response.status_code == 400


def test_nul_in_path_order_id_is_11010(shop: Shop) -> None:
    response = shop.get("/v1/orders/a%00b")
    assert response.json() == _invalid("order_id")
    assert response.status_code == 400


def test_nul_in_login_is_11010(shop: Shop, database: Database) -> None:
    with database.read() as conn:
        before = len(conn.execute(select(promo_tokens)).all())
    response = shop.client.post("/v1/login_check", json={"username": "a\x00", "password": "b"})
    assert response.status_code == 400
    assert response.json() == _invalid("username")
    with database.read() as conn:
        assert len(conn.execute(select(promo_tokens)).all()) == before
