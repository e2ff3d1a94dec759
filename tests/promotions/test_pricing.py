"""Which promotion wins on a line and what the line costs (pricing.py): pure, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commerce_stats.promotions.pricing import (
    Candidate,
    CarriedCode,
    Eligible,
    OrderLine,
    discounted_minor,
    eligible_on_line,
    first_code_per_promotion,
    price_order,
    winning_promotion,
)


def _discount(promotion_id: int, percent: str) -> Candidate:
    return Candidate(promotion_id, "discount", Decimal(percent), percent)


def _coupon(promotion_id: int, percent: str) -> Candidate:
    return Candidate(promotion_id, "coupon", Decimal(percent), percent)


def _code(code_id: int, promotion_id: int, value: str, kind: str = "reusable") -> CarriedCode:
    return CarriedCode(code_id, promotion_id, value, kind)


@pytest.mark.parametrize(
    ("unit", "percent", "expected"),
    [(1999, "10", 1799), (20, "12.5", 18), (5, "10", 5), (15, "10", 14), (1000, "100", 0)],
)
def test_discounted_minor_rounds_half_up(unit: int, percent: str, expected: int) -> None:
    assert discounted_minor(unit, Decimal(percent)) == expected


def test_the_greatest_discount_wins() -> None:
    small, large = Eligible(_discount(1, "10"), None), Eligible(_discount(2, "25"), None)
    assert winning_promotion([small, large]) is large


def test_on_equal_discounts_the_lowest_promotion_id_wins() -> None:
    later, earlier = Eligible(_discount(9, "10"), None), Eligible(_discount(3, "10.0"), None)
    assert winning_promotion([later, earlier]) is earlier


def test_no_eligible_promotion_means_no_winner() -> None:
    assert winning_promotion([]) is None


def test_a_discount_is_eligible_without_a_code() -> None:
    discount = _discount(1, "10")
    assert eligible_on_line([discount], {}) == [Eligible(discount, None)]


def test_a_coupon_is_eligible_only_through_a_carried_code() -> None:
    coupon = _coupon(2, "20")
    code = _code(70, 2, "SAVE")
    assert eligible_on_line([coupon], {}) == []
    assert eligible_on_line([coupon], {2: code}) == [Eligible(coupon, code)]


def test_the_first_code_of_a_promotion_is_the_one_counted() -> None:
    first, second, other = _code(7, 2, "A"), _code(8, 2, "B"), _code(9, 3, "C")
    assert first_code_per_promotion([first, second, other]) == {2: first, 3: other}


def test_price_order_applies_the_winner_on_each_line_and_sums_the_total() -> None:
    lines = [OrderLine(100, 2, 1000), OrderLine(200, 1, 999)]
    candidates = {100: [_discount(1, "10"), _coupon(2, "25")], 200: [_discount(1, "10")]}
    priced = price_order(lines, candidates, [_code(70, 2, "SAVE")])
    assert [line.winner.promotion.promotion_id for line in priced.lines if line.winner] == [2, 1]
    assert [line.discounted_unit_minor for line in priced.lines] == [750, 899]
    assert [line.total_minor for line in priced.lines] == [1500, 899]
    assert priced.total_minor == 2399


def test_price_order_counts_every_eligible_promotion_once_per_line() -> None:
    lines = [OrderLine(100, 5, 1000), OrderLine(100, 1, 1000), OrderLine(300, 1, 500)]
    candidates = {100: [_discount(1, "10"), _coupon(2, "25")]}
    priced = price_order(lines, candidates, [_code(70, 2, "SAVE")])
    assert dict(priced.promotion_counts) == {1: 2, 2: 2}
    assert dict(priced.code_counts) == {70: 2}
    assert priced.one_time_codes == {}


def test_price_order_names_the_one_time_codes_it_redeems() -> None:
    lines = [OrderLine(100, 1, 1000)]
    priced = price_order(lines, {100: [_coupon(2, "5")]}, [_code(71, 2, "ONCE", "one-time")])
    assert priced.one_time_codes == {71: "ONCE"}


def test_a_line_without_a_promotion_keeps_its_price() -> None:
    priced = price_order([OrderLine(400, 3, 250)], {}, [])
    assert priced.lines[0].winner is None
    assert priced.lines[0].eligible == []
    assert priced.total_minor == 750


def test_lines_are_numbered_from_one_in_the_order_given() -> None:
    priced = price_order([OrderLine(1, 1, 1), OrderLine(2, 1, 1)], {}, [])
    assert [(line.line_no, line.line.product_id) for line in priced.lines] == [(1, 1), (2, 2)]
