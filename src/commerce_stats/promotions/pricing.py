"""Which promotion wins on an order line, and what the line then costs. Pure: no database.

The rules (seed 003):
- a *discount* promotion is eligible on every line of a product it covers;
- a *coupon* promotion is eligible on such a line only when the order carries
  one of its codes (the first of them the order gives is the one counted);
- of the eligible promotions the one with the greatest discount wins
  (``winning_promotion``); on equal discounts the lowest promotion id;
- the winner's percentage comes off the unit price, rounded half up to the minor unit;
- every eligible promotion is counted on the line (the winner and the others),
  and every code through which one was eligible.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True, slots=True)
class Candidate:
    """A promotion running at the order's time that covers a product of the order."""

    promotion_id: int
    promotion_type: str
    discount: Decimal
    discount_text: str


@dataclass(frozen=True, slots=True)
class CarriedCode:
    """A usable code the order carries."""

    id: int
    promotion_id: int
    coupon_code: str
    coupon_type: str


@dataclass(frozen=True, slots=True)
class Eligible:
    """A promotion eligible on a line, and the code it is eligible through (coupons)."""

    promotion: Candidate
    code: CarriedCode | None


@dataclass(frozen=True, slots=True)
class OrderLine:
    """A line as the order gives it: the unit price in minor units."""

    product_id: int
    quantity: int
    unit_minor: int


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A line after pricing: what was eligible, what won, and what it costs."""

    line_no: int
    line: OrderLine
    eligible: list[Eligible]
    winner: Eligible | None
    discounted_unit_minor: int

    @property
    def total_minor(self) -> int:
        return self.discounted_unit_minor * self.line.quantity


@dataclass(slots=True)
class PricedOrder:
    """Every priced line, the order's total and the counter increments it causes."""

    lines: list[PricedLine] = field(default_factory=list)
    total_minor: int = 0
    promotion_counts: Counter[int] = field(default_factory=Counter)
    code_counts: Counter[int] = field(default_factory=Counter)
    one_time_codes: dict[int, str] = field(default_factory=dict)
    """The one-time codes the order redeems, by code id: the order uses them up."""


def discounted_minor(unit_minor: int, percent: Decimal) -> int:
    """Unit price after ``percent`` off, rounded half up to the minor unit."""
    exact = Decimal(unit_minor) * (Decimal(100) - percent) / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def eligible_on_line(
    candidates: Sequence[Candidate], code_of: Mapping[int, CarriedCode]
) -> list[Eligible]:
    """The line's candidates that apply: every discount, and each coupon whose code
    the order carries (``code_of`` maps a promotion id to that code)."""
    eligible: list[Eligible] = []
    for candidate in candidates:
        if candidate.promotion_type == "discount":
            eligible.append(Eligible(candidate, None))
        elif candidate.promotion_id in code_of:
            eligible.append(Eligible(candidate, code_of[candidate.promotion_id]))
    return eligible


def winning_promotion(eligible: Sequence[Eligible]) -> Eligible | None:
    """The promotion applied on a line: the greatest discount, on a tie the lowest id."""
    if not eligible:
        return None
    return min(
        eligible, key=lambda option: (-option.promotion.discount, option.promotion.promotion_id)
    )


def first_code_per_promotion(carried: Sequence[CarriedCode]) -> dict[int, CarriedCode]:
    """For each promotion, the first code of the order that belongs to it."""
    code_of: dict[int, CarriedCode] = {}
    for code in carried:
        code_of.setdefault(code.promotion_id, code)
    return code_of


def price_order(
    lines: Sequence[OrderLine],
    candidates: Mapping[int, Sequence[Candidate]],
    carried: Sequence[CarriedCode],
) -> PricedOrder:
    """Prices every line (``candidates`` by product id) and counts what was eligible."""
    code_of = first_code_per_promotion(carried)
    priced = PricedOrder()
    for line_no, line in enumerate(lines, start=1):
        eligible = eligible_on_line(candidates.get(line.product_id, ()), code_of)
        winner = winning_promotion(eligible)
        unit = (
            line.unit_minor
            if winner is None
            else discounted_minor(line.unit_minor, winner.promotion.discount)
        )
        priced_line = PricedLine(line_no, line, eligible, winner, unit)
        priced.lines.append(priced_line)
        priced.total_minor += priced_line.total_minor
        _count(priced, eligible)
    return priced


def _count(priced: PricedOrder, eligible: Sequence[Eligible]) -> None:
    for option in eligible:
        priced.promotion_counts[option.promotion.promotion_id] += 1
        code = option.code
        if code is not None:
            priced.code_counts[code.id] += 1
            if code.coupon_type == "one-time":
                priced.one_time_codes[code.id] = code.coupon_code
