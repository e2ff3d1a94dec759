"""Promotion management: create, read, change (type and codes), list, delete, validation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.promotions.conftest import WINDOW, Shop


def _invalid(*names: str) -> dict[str, Any]:
    return {"errors": [{"error": 11010, "message": f"Invalid field value: {n}"} for n in names]}


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "promotion_type": "coupon",
        "promotion_name": "Summer sale",
        "status": True,
        **WINDOW,
        "coupons": {
            "coupon_type": "one-time",
            "coupon_code": ["SUMMER10", "SUMMER11"],
            "discount_percent": "10",
            "product_id": [11111, 22222],
        },
    }
    body.update(overrides)
    return body


def test_create_returns_the_promotion(shop: Shop) -> None:
    response = shop.post("/v1/promotion", _body())
    assert response.status_code == 201
    body = response.json()
    update_date = body.pop("update_date")
    assert isinstance(update_date, str)
    assert body == {
        "id": 1,
        "promotion_type": "coupon",
        "promotion_name": "Summer sale",
        "status": True,
        "date_from": "2026-01-01T00:00:00+00:00",
        "date_to": "2026-12-31T23:59:59+00:00",
        "coupons": {
            "coupon_type": "one-time",
            "coupon_code": ["SUMMER10", "SUMMER11"],
            "discount_percent": "10",
            "product_id": [11111, 22222],
        },
    }


def test_get_returns_what_create_returned(shop: Shop) -> None:
    created = shop.post("/v1/promotion", _body()).json()
    assert shop.get(f"/v1/promotion/{created['id']}").json() == created


def test_dates_are_stored_as_instants(shop: Shop) -> None:
    body = _body(date_from="2026-05-01T00:00:00+02:00")
    assert shop.post("/v1/promotion", body).json()["date_from"] == "2026-04-30T22:00:00+00:00"


def test_missing_date_to_is_the_open_end(shop: Shop) -> None:
    body = _body()
    del body["date_to"]
    assert shop.post("/v1/promotion", body).json()["date_to"] == "3000-01-01T00:00:00+00:00"


def test_discount_promotion_has_no_codes(shop: Shop) -> None:
    body = _body(promotion_type="discount")
    body["coupons"] = {"discount_percent": "5", "product_id": [1]}
    created = shop.post("/v1/promotion", body).json()
    assert created["coupons"] == {
        "coupon_type": None,
        "coupon_code": [],
        "discount_percent": "5",
        "product_id": [1],
    }


def test_missing_required_fields_are_reported_together(shop: Shop) -> None:
    response = shop.post("/v1/promotion", {"promotion_type": "coupon", "coupons": {}})
    assert response.status_code == 400
    assert response.json() == _invalid(
        "promotion_name",
        "date_from",
        "discount_percent",
        "product_id",
        "coupon_type",
        "coupon_code",
    )
    assert shop.get("/v1/promotion").json()["total"] == 0


def test_wrong_values_are_11010(shop: Shop) -> None:
    body = _body(promotion_type="gift", promotion_name="x" * 256, status="yes")
    response = shop.post("/v1/promotion", body)
    assert response.status_code == 400
    assert response.json() == _invalid("promotion_type", "status")
    assert shop.get("/v1/promotion").json()["total"] == 0
    response = shop.post("/v1/promotion", _body(promotion_name="x" * 256))
    assert response.json() == _invalid("promotion_name")
    assert response.status_code == 400
    assert shop.get("/v1/promotion").json()["total"] == 0


def test_date_from_after_date_to_is_11010_date_to(shop: Shop) -> None:
    body = _body(date_from="2026-02-01T00:00:00+00:00", date_to="2026-01-01T00:00:00+00:00")
    response = shop.post("/v1/promotion", body)
    assert response.json() == _invalid("date_to")
    assert response.status_code == 400
    assert shop.get("/v1/promotion").json()["total"] == 0


def test_date_without_offset_is_11010(shop: Shop) -> None:
    response = shop.post("/v1/promotion", _body(date_from="2026-02-01T00:00:00"))
    assert response.json() == _invalid("date_from")
    assert response.status_code == 400
    assert shop.get("/v1/promotion").json()["total"] == 0


def test_discount_percent_must_be_in_0_to_100(shop: Shop) -> None:
    for percent in ["0", "101", "-5", "ten"]:
        body = _body()
        body["coupons"]["discount_percent"] = percent
        response = shop.post("/v1/promotion", body)
        assert response.json() == _invalid("discount_percent"), percent
        assert response.status_code == 400, percent
    assert shop.get("/v1/promotion").json()["total"] == 0


def test_duplicate_codes_in_one_list_are_11010(shop: Shop) -> None:
    body = _body()
    body["coupons"]["coupon_code"] = ["A", "A"]
    response = shop.post("/v1/promotion", body)
    assert response.json() == _invalid("coupon_code")
    assert response.status_code == 400
    assert shop.get("/v1/promotion").json()["total"] == 0


def test_codes_on_a_discount_promotion_are_11010(shop: Shop) -> None:
    response = shop.post("/v1/promotion", _body(promotion_type="discount"))
    assert response.json() == _invalid("coupon_code")
    assert response.status_code == 400
    assert shop.get("/v1/promotion").json()["total"] == 0


def test_unknown_field_is_11010(shop: Shop) -> None:
    response = shop.post("/v1/promotion", _body(colour="red"))
    assert response.json() == _invalid("colour")
    assert response.status_code == 400
    assert shop.get("/v1/promotion").json()["total"] == 0


def test_null_for_a_required_field_is_11010(shop: Shop) -> None:
    response = shop.post("/v1/promotion", _body(promotion_name=None))
    assert response.json() == _invalid("promotion_name")
    assert response.status_code == 400
    assert shop.get("/v1/promotion").json()["total"] == 0


def test_patch_changes_only_the_given_fields(shop: Shop) -> None:
    created = shop.post("/v1/promotion", _body()).json()
    response = shop.patch(f"/v1/promotion/{created['id']}", {"promotion_name": "Renamed"})
    assert response.status_code == 200
    changed = response.json()
    assert changed["promotion_name"] == "Renamed"
    assert changed["coupons"] == created["coupons"]
    assert changed["date_from"] == created["date_from"]


def test_patch_coupon_to_discount_drops_the_codes(shop: Shop) -> None:
    created = shop.post("/v1/promotion", _body()).json()
    changed = shop.patch(f"/v1/promotion/{created['id']}", {"promotion_type": "discount"}).json()
    assert changed["promotion_type"] == "discount"
    assert changed["coupons"]["coupon_code"] == []
    assert changed["coupons"]["coupon_type"] is None


def test_patch_discount_to_coupon_needs_codes(shop: Shop) -> None:
    body = _body(promotion_type="discount")
    body["coupons"] = {"discount_percent": "5", "product_id": [1]}
    created = shop.post("/v1/promotion", body).json()
    response = shop.patch(f"/v1/promotion/{created['id']}", {"promotion_type": "coupon"})
    assert response.json() == _invalid("coupon_type", "coupon_code")
    assert shop.get(f"/v1/promotion/{created['id']}").json()["promotion_type"] == "discount"


def test_patch_adds_and_deletes_codes(shop: Shop) -> None:
    created = shop.post("/v1/promotion", _body()).json()
    changed = shop.patch(
        f"/v1/promotion/{created['id']}", {"coupons": {"coupon_code": ["SUMMER11", "NEW"]}}
    ).json()
    assert changed["coupons"]["coupon_code"] == ["SUMMER11", "NEW"]


def test_patch_keeps_the_id_of_a_code_that_stays(shop: Shop) -> None:
    created = shop.post("/v1/promotion", _body()).json()
    path = f"/v1/promotion/{created['id']}"
    before = {c["coupon_code"]: c["id"] for c in shop.stats(created["id"])["promotion_codes"]}
    shop.patch(path, {"coupons": {"coupon_code": ["SUMMER11", "NEW"]}})
    after = {c["coupon_code"]: c["id"] for c in shop.stats(created["id"])["promotion_codes"]}
    assert after["SUMMER11"] == before["SUMMER11"]
    assert after["NEW"] not in before.values()


def test_patch_with_null_date_to_opens_the_end(shop: Shop) -> None:
    created = shop.post("/v1/promotion", _body()).json()
    changed = shop.patch(f"/v1/promotion/{created['id']}", {"date_to": None}).json()
    assert changed["date_to"] == "3000-01-01T00:00:00+00:00"


def test_patch_unknown_promotion_is_404(shop: Shop) -> None:
    response = shop.patch("/v1/promotion/77", {"promotion_name": "x"})
    assert response.status_code == 404
    assert response.json()["errors"] == [{"error": 11200, "message": "Promotion not found: 77"}]
    assert shop.get("/v1/promotion").json()["total"] == 0


def test_non_numeric_id_in_path_is_11010(shop: Shop) -> None:
    response = shop.get("/v1/promotion/abc")
    assert response.status_code == 400
    assert response.json() == _invalid("id")


def test_delete_hides_the_promotion(shop: Shop) -> None:
    created = shop.post("/v1/promotion", _body()).json()
    path = f"/v1/promotion/{created['id']}"
    assert shop.delete(path).status_code == 204
    assert shop.get(path).status_code == 404
    assert shop.delete(path).status_code == 404
    assert shop.get("/v1/promotion").json()["promotions"] == []


def test_delete_keeps_orders_that_used_it(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10")
    created = shop.order("O-1", [(1, 1, "10.00")]).json()
    deleted = shop.delete(f"/v1/promotion/{promotion_id}")
    assert shop.get("/v1/orders/O-1").json() == created
    assert deleted.status_code == 204


def test_list_pages_and_counts(shop: Shop) -> None:
    ids = [shop.promotion([1], "10", name=f"P{n}") for n in range(5)]
    page = shop.get("/v1/promotion", limit=2, offset=1).json()
    assert page == {"promotions": ids[1:3], "total": 5, "limit": 2, "offset": 1}


def test_list_filters_by_status(shop: Shop) -> None:
    active = shop.promotion([1], "10")
    inactive = shop.promotion([1], "10", status=False)
    assert shop.get("/v1/promotion", status=1).json()["promotions"] == [active]
    assert shop.get("/v1/promotion", status=0).json()["promotions"] == [inactive]


def test_list_filters_by_expiry(shop: Shop) -> None:
    expired = shop.promotion(
        [1], "10", date_from="2020-01-01T00:00:00+00:00", date_to="2020-12-31T00:00:00+00:00"
    )
    running = shop.promotion([1], "10", date_to="2999-01-01T00:00:00+00:00")
    assert shop.get("/v1/promotion", expired=1).json()["promotions"] == [expired]
    assert shop.get("/v1/promotion", expired=0).json()["promotions"] == [running]


def test_list_searches_names_case_insensitively(shop: Shop) -> None:
    summer = shop.promotion([1], "10", name="Big Summer Sale")
    shop.promotion([1], "10", name="Winter")
    assert shop.get("/v1/promotion", search_string="summer").json()["promotions"] == [summer]


def test_list_search_percent_signs_match_only_themselves(shop: Shop) -> None:
    percent = shop.promotion([1], "10", name="50%%% off")
    shop.promotion([1], "10", name="Summer sale")
    shop.promotion([1], "10", name="50% off")
    assert shop.get("/v1/promotion", search_string="%%%").json()["promotions"] == [percent]


def test_list_search_underscore_matches_only_an_underscore(shop: Shop) -> None:
    underscored = shop.promotion([1], "10", name="flash_sale")
    shop.promotion([1], "10", name="flashysale")
    assert shop.get("/v1/promotion", search_string="h_s").json()["promotions"] == [underscored]


def test_list_search_escape_characters_are_literal(shop: Shop) -> None:
    slashed = shop.promotion([1], "10", name="a/%b and a\\%b")
    shop.promotion([1], "10", name="a%b")
    assert shop.get("/v1/promotion", search_string="a/%b").json()["promotions"] == [slashed]
    assert shop.get("/v1/promotion", search_string="a\\%b").json()["promotions"] == [slashed]


def test_list_search_needs_three_characters(shop: Shop) -> None:
    response = shop.get("/v1/promotion", search_string="su")
    assert response.status_code == 400
    assert response.json() == _invalid("search_string")


def test_list_sorts_by_update_date(shop: Shop) -> None:
    first = shop.promotion([1], "10")
    second = shop.promotion([1], "10")
    shop.patch(f"/v1/promotion/{first}", {"promotion_name": "touched"})
    assert shop.get("/v1/promotion", sort_by_update_date="desc").json()["promotions"] == [
        first,
        second,
    ]
    assert shop.get("/v1/promotion", sort_by_update_date="asc").json()["promotions"] == [
        second,
        first,
    ]


def test_list_rejects_bad_parameters_together(shop: Shop) -> None:
    response = shop.get("/v1/promotion", limit=0, offset=-1)
    assert response.status_code == 400
    assert response.json() == _invalid("limit", "offset")


def test_list_rejects_an_unknown_sort_order(shop: Shop) -> None:
    response = shop.get("/v1/promotion", sort_by_update_date="up")
    assert response.json() == _invalid("sort_by_update_date")
    assert response.status_code == 400


def test_huge_path_id_is_11010(shop: Shop) -> None:
    response = shop.get(f"/v1/promotion/{2**64}")
    assert response.status_code == 400
    assert response.json() == _invalid("id")


def test_promotions_are_per_account(make_shop: Callable[..., Shop]) -> None:
    owner = make_shop("Owner")
    stranger = make_shop("Stranger")
    promotion_id = owner.promotion([1], "10")
    path = f"/v1/promotion/{promotion_id}"
    assert stranger.get(path).status_code == 404
    assert stranger.patch(path, {"promotion_name": "mine"}).status_code == 404
    assert stranger.delete(path).status_code == 404
    assert stranger.get("/v1/promotion").json()["promotions"] == []
    assert owner.get(path).json()["promotion_name"] == "Promo"


def test_another_accounts_promotion_never_discounts(make_shop: Callable[..., Shop]) -> None:
    owner = make_shop("Owner")
    stranger = make_shop("Stranger")
    promotion_id = owner.promotion([1], "50")
    line = stranger.order("O-1", [(1, 1, "10.00")]).json()["products"][0]
    assert line["promotion_id"] is None
    assert owner.stats(promotion_id)["redemptions"] == 0


def test_every_route_needs_a_token(client: TestClient) -> None:
    calls = [
        ("POST", "/v1/promotion"),
        ("GET", "/v1/promotion"),
        ("GET", "/v1/promotion/1"),
        ("PATCH", "/v1/promotion/1"),
        ("DELETE", "/v1/promotion/1"),
        ("POST", "/v1/orders"),
        ("GET", "/v1/orders/X"),
        ("PATCH", "/v1/orders/X"),
    ]
    for method, path in calls:
        response = client.request(method, path, json={})
        assert response.status_code == 401, (method, path)
        assert response.json()["errors"][0]["error"] == 1008
