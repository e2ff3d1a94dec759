"""The seed's counting rules, one test each, observed through the statistics endpoint."""

from __future__ import annotations

from typing import Any

from tests.promotions.conftest import Shop


def _codes(stats: dict[str, Any]) -> list[tuple[str, int]]:
    return [(code["coupon_code"], code["redemptions"]) for code in stats["promotion_codes"]]


def test_quantity_is_ignored_one_line_is_one_redemption(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10")
    assert shop.order("O-1", [(1, 5, "10.00")]).status_code == 201
    assert shop.stats(promotion_id)["redemptions"] == 1


def test_two_discounted_products_are_two_redemptions(shop: Shop) -> None:
    promotion_id = shop.promotion([1, 2], "10")
    assert shop.order("O-1", [(1, 1, "10.00"), (2, 1, "20.00")]).status_code == 201
    assert shop.stats(promotion_id)["redemptions"] == 2


def test_undiscounted_product_is_not_counted(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10")
    assert shop.order("O-1", [(1, 1, "10.00"), (3, 1, "20.00")]).status_code == 201
    assert shop.stats(promotion_id)["redemptions"] == 1


def test_applied_and_eligible_but_not_applied_promotions_are_both_counted(shop: Shop) -> None:
    small = shop.promotion([1], "5")
    large = shop.promotion([1], "20")
    order = shop.order("O-1", [(1, 1, "10.00")]).json()
    assert order["products"][0]["promotion_id"] == large
    assert shop.stats(large)["redemptions"] == 1
    assert shop.stats(small)["redemptions"] == 1


def test_promotion_outside_its_dates_is_not_counted(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10")
    order = shop.order("O-1", [(1, 1, "10.00")], created_at="2027-02-01T00:00:00+00:00")
    assert order.status_code == 201
    assert shop.stats(promotion_id)["redemptions"] == 0


def test_inactive_promotion_is_not_counted(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10", status=False)
    order = shop.order("O-1", [(1, 1, "10.00")])
    assert order.status_code == 201
    assert shop.stats(promotion_id)["redemptions"] == 0


def test_coupon_promotion_counts_only_with_its_code(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10", codes=["C1"])
    order = shop.order("O-1", [(1, 1, "10.00")])
    assert order.status_code == 201
    assert shop.stats(promotion_id)["redemptions"] == 0
    shop.order("O-2", [(1, 1, "10.00")], ["C1"])
    assert shop.stats(promotion_id)["redemptions"] == 1


def test_code_counts_the_lines_where_its_promotion_was_eligible_through_it(shop: Shop) -> None:
    promotion_id = shop.promotion([1, 2], "10", codes=["C1", "C2"])
    shop.order("O-1", [(1, 1, "10.00"), (2, 3, "10.00"), (9, 1, "1.00")], ["C1"])
    stats = shop.stats(promotion_id)
    assert stats["redemptions"] == 2
    assert _codes(stats) == [("C1", 2), ("C2", 0)]


def test_code_of_a_not_applied_promotion_is_still_counted(shop: Shop) -> None:
    coupon = shop.promotion([1], "5", codes=["LOW"])
    best = shop.promotion([1], "30")
    order = shop.order("O-1", [(1, 1, "10.00")], ["LOW"]).json()
    assert order["products"][0]["promotion_id"] == best
    assert _codes(shop.stats(coupon)) == [("LOW", 1)]


def test_one_time_code_is_used_by_every_line_of_its_first_order(shop: Shop) -> None:
    promotion_id = shop.promotion([1, 2], "10", codes=["ONCE"], coupon_type="one-time")
    assert shop.order("O-1", [(1, 1, "10.00"), (2, 1, "10.00")], ["ONCE"]).status_code == 201
    assert _codes(shop.stats(promotion_id)) == [("ONCE", 2)]


def test_one_time_code_is_used_up_by_its_first_order(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10", codes=["ONCE"], coupon_type="one-time")
    assert shop.order("O-1", [(1, 1, "10.00")], ["ONCE"]).status_code == 201
    second = shop.order("O-2", [(1, 1, "10.00")], ["ONCE"])
    assert second.status_code == 422
    assert second.json() == {
        "errors": [{"error": 11300, "message": "Promotion code already used: ONCE"}]
    }
    assert shop.get("/v1/orders/O-2").status_code == 404
    assert shop.stats(promotion_id)["redemptions"] == 1


def test_one_time_code_not_redeemed_is_not_used_up(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10", codes=["ONCE"], coupon_type="one-time")
    assert shop.order("O-1", [(7, 1, "10.00")], ["ONCE"]).status_code == 201
    assert shop.order("O-2", [(1, 1, "10.00")], ["ONCE"]).status_code == 201
    assert _codes(shop.stats(promotion_id)) == [("ONCE", 1)]


def test_reusable_code_counts_across_orders(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10", codes=["MANY"])
    for number in range(3):
        assert shop.order(f"O-{number}", [(1, 1, "10.00")], ["MANY"]).status_code == 201
    assert _codes(shop.stats(promotion_id)) == [("MANY", 3)]


def test_order_status_is_ignored(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10")
    for number, status in enumerate(["unpaid", "paid", "deleted"]):
        order_id = f"O-{number}"
        shop.order(order_id, [(1, 1, "10.00")])
        response = shop.patch(f"/v1/orders/{order_id}", {"status": status})
        assert response.status_code == 200
        assert response.json()["status"] == status
    assert shop.stats(promotion_id)["redemptions"] == 3


def test_type_change_keeps_code_and_discount_redemptions(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10", codes=["C1"])
    shop.order("O-1", [(1, 1, "10.00")], ["C1"])
    changed = shop.patch(f"/v1/promotion/{promotion_id}", {"promotion_type": "discount"})
    assert changed.status_code == 200
    shop.order("O-2", [(1, 1, "10.00")])
    stats = shop.stats(promotion_id)
    assert stats["redemptions"] == 2
    assert _codes(stats) == [("C1", 1)]


def test_discount_changed_to_coupon_keeps_discount_redemptions(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10")
    shop.order("O-1", [(1, 1, "10.00")])
    changed = shop.patch(
        f"/v1/promotion/{promotion_id}",
        {"promotion_type": "coupon", "coupons": {"coupon_type": "reusable", "coupon_code": ["N"]}},
    )
    assert changed.status_code == 200
    shop.order("O-2", [(1, 1, "10.00")], ["N"])
    stats = shop.stats(promotion_id)
    assert stats["redemptions"] == 2
    assert _codes(stats) == [("N", 1)]


def test_deleted_unused_code_is_not_listed_deleted_used_code_is(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10", codes=["USED", "UNUSED", "KEPT"])
    shop.order("O-1", [(1, 1, "10.00")], ["USED"])
    response = shop.patch(f"/v1/promotion/{promotion_id}", {"coupons": {"coupon_code": ["KEPT"]}})
    assert response.status_code == 200
    assert _codes(shop.stats(promotion_id)) == [("USED", 1), ("KEPT", 0)]


def test_discount_promotion_that_had_only_unused_codes_lists_an_empty_array(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10", codes=["NEVER"])
    shop.patch(f"/v1/promotion/{promotion_id}", {"promotion_type": "discount"})
    assert shop.stats(promotion_id) == {"id": promotion_id, "redemptions": 0, "promotion_codes": []}


def test_readded_code_is_a_separate_entry_with_its_own_statistics(shop: Shop) -> None:
    promotion_id = shop.promotion([1], "10", codes=["AGAIN", "OTHER"])
    shop.order("O-1", [(1, 1, "10.00")], ["AGAIN"])
    path = f"/v1/promotion/{promotion_id}"
    assert shop.patch(path, {"coupons": {"coupon_code": ["OTHER"]}}).status_code == 200
    assert shop.patch(path, {"coupons": {"coupon_code": ["OTHER", "AGAIN"]}}).status_code == 200
    shop.order("O-2", [(1, 1, "10.00")], ["AGAIN"])
    shop.order("O-3", [(1, 1, "10.00")], ["AGAIN"])
    codes = shop.stats(promotion_id)["promotion_codes"]
    assert [(c["coupon_code"], c["redemptions"]) for c in codes] == [
        ("AGAIN", 1),
        ("OTHER", 0),
        ("AGAIN", 2),
    ]
    assert len({code["id"] for code in codes}) == 3


def test_deleting_a_promotion_leaves_other_promotions_counts(shop: Shop) -> None:
    kept = shop.promotion([1], "5")
    removed = shop.promotion([1], "10")
    shop.order("O-1", [(1, 1, "10.00")])
    assert shop.delete(f"/v1/promotion/{removed}").status_code == 204
    shop.order("O-2", [(1, 1, "10.00")])
    assert shop.stats(kept)["redemptions"] == 2
