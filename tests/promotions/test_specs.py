"""What a valid promotion is (specs.py): changes merged over the current promotion, checked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commerce_stats.promotions.errors import InvalidFieldsError
from commerce_stats.promotions.specs import (
    OPEN_END,
    PromotionChanges,
    PromotionQuery,
    checked_search,
    merged_spec,
    normalized_percent,
)

COUPON = PromotionChanges(
    promotion_type="coupon",
    promotion_name=" Summer ",
    date_from="2026-05-01T00:00:00+02:00",
    date_to="2026-05-31T00:00:00+00:00",
    coupon_type="reusable",
    coupon_codes=[" SUMMER10 ", "SUN"],
    discount_percent="10.50",
    product_ids=[3, 1, 3],
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10", "10"), ("10.50", "10.5"), ("100", "100"), ("0", None), ("100.01", None), ("x", None)],
)
def test_normalized_percent(text: str, expected: str | None) -> None:
    assert normalized_percent(text) == expected


def test_a_new_coupon_promotion_is_stored_cleaned_up() -> None:
    spec = merged_spec(None, COUPON)
    assert spec.promotion_type == "coupon"
    assert spec.promotion_name == "Summer"
    assert spec.status is True
    assert spec.date_from == datetime(2026, 4, 30, 22, 0, tzinfo=UTC)
    assert spec.date_to == datetime(2026, 5, 31, tzinfo=UTC)
    assert spec.coupon_type == "reusable"
    assert spec.coupon_codes == ["SUMMER10", "SUN"]
    assert spec.discount_percent == "10.5"
    assert spec.product_ids == [3, 1]


def test_every_missing_field_of_a_new_promotion_is_named_in_field_order() -> None:
    with pytest.raises(InvalidFieldsError) as refused:
        merged_spec(None, PromotionChanges())
    assert refused.value.names == [
        "promotion_type",
        "promotion_name",
        "date_from",
        "discount_percent",
        "product_id",
        "coupon_type",
        "coupon_code",
    ]


def test_a_new_promotion_without_date_to_runs_to_the_open_end() -> None:
    changes = PromotionChanges(
        promotion_type="discount",
        promotion_name="Always",
        date_from="2026-01-01T00:00:00+00:00",
        discount_percent="5",
        product_ids=[1],
    )
    assert merged_spec(None, changes).date_to == OPEN_END


def test_date_to_before_date_from_is_refused_as_date_to() -> None:
    changes = PromotionChanges(
        promotion_type="discount",
        promotion_name="Back",
        date_from="2026-02-01T00:00:00+00:00",
        date_to="2026-01-01T00:00:00+00:00",
        discount_percent="5",
        product_ids=[1],
    )
    with pytest.raises(InvalidFieldsError) as refused:
        merged_spec(None, changes)
    assert refused.value.names == ["date_to"]


def test_a_discount_promotion_with_codes_is_refused_as_coupon_code() -> None:
    changes = PromotionChanges(
        promotion_type="discount",
        promotion_name="D",
        date_from="2026-01-01T00:00:00+00:00",
        discount_percent="5",
        product_ids=[1],
        coupon_codes=["X"],
    )
    with pytest.raises(InvalidFieldsError) as refused:
        merged_spec(None, changes)
    assert refused.value.names == ["coupon_code"]


def test_duplicate_codes_are_refused() -> None:
    changes = PromotionChanges(promotion_type="coupon", coupon_codes=["A", " A"])
    with pytest.raises(InvalidFieldsError) as refused:
        merged_spec(merged_spec(None, COUPON), changes)
    assert refused.value.names == ["coupon_code"]


def test_a_change_keeps_every_field_it_does_not_give() -> None:
    current = merged_spec(None, COUPON)
    changed = merged_spec(current, PromotionChanges(promotion_name="Autumn", status=False))
    assert changed.promotion_name == "Autumn"
    assert changed.status is False
    assert changed.coupon_codes == current.coupon_codes
    assert changed.date_from == current.date_from
    assert changed.product_ids == current.product_ids


def test_a_change_to_discount_drops_the_codes() -> None:
    current = merged_spec(None, COUPON)
    changed = merged_spec(current, PromotionChanges(promotion_type="discount"))
    assert changed.coupon_type is None
    assert changed.coupon_codes == []


def test_clearing_date_to_sets_the_open_end() -> None:
    current = merged_spec(None, COUPON)
    assert merged_spec(current, PromotionChanges(date_to_cleared=True)).date_to == OPEN_END


def test_checked_search_strips_the_search_text() -> None:
    assert checked_search(PromotionQuery(search_string="  summer ")) == "summer"


def test_checked_search_names_every_field_out_of_bounds() -> None:
    query = PromotionQuery(limit=0, offset=-1, search_string=" ab ", sort_by_update_date="up")
    with pytest.raises(InvalidFieldsError) as refused:
        checked_search(query)
    assert refused.value.names == ["limit", "offset", "search_string", "sort_by_update_date"]
