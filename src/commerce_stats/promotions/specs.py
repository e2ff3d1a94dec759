"""What a valid promotion is: a client's changes merged over the stored promotion, checked.

Pure rules, no database: ``merged_spec`` turns a create or a change into the
complete promotion to store, or refuses it with every invalid field at once
(11010 per field); ``checked_search`` does the same for a list query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

from commerce_stats.kit.timeutil import parse_aware
from commerce_stats.promotions.errors import InvalidFieldsError

PROMOTION_TYPES = ("coupon", "discount")
COUPON_TYPES = ("one-time", "reusable")
OPEN_END = datetime(3000, 1, 1, tzinfo=UTC)
"""The end of a promotion given no ``date_to`` (or whose ``date_to`` was set to null)."""
MAX_NAME_LENGTH = 255
MAX_CODE_LENGTH = 64
MAX_ID = 2**63 - 1
"""Identifiers (promotions, codes, products) are 64-bit; larger numbers are invalid values."""
MAX_CODES_PER_PROMOTION = 100_000
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MIN_SEARCH_LENGTH = 3

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PromotionChanges:
    """What a client sent for a promotion; ``None`` means "not given"."""

    promotion_type: str | None = None
    promotion_name: str | None = None
    status: bool | None = None
    date_from: str | None = None
    date_to: str | None = None
    date_to_cleared: bool = False
    coupon_type: str | None = None
    coupon_codes: Sequence[str] | None = None
    discount_percent: str | None = None
    product_ids: Sequence[int] | None = None


@dataclass(frozen=True, slots=True)
class PromotionSpec:
    """A complete, validated promotion as it will be stored."""

    promotion_type: str
    promotion_name: str
    status: bool
    date_from: datetime
    date_to: datetime
    coupon_type: str | None
    coupon_codes: list[str]
    discount_percent: str
    product_ids: list[int]


@dataclass(frozen=True, slots=True)
class PromotionQuery:
    """A page of the promotion list as a client asked for it."""

    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0
    status: bool | None = None
    expired: bool | None = None
    search_string: str | None = None
    sort_by_update_date: str | None = None


def normalized_percent(text: str) -> str | None:
    """Canonical text of a discount percentage in (0, 100], or None when not one."""
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        return None
    if not value.is_finite() or value <= 0 or value > 100 or value.as_tuple().exponent < -4:  # type: ignore[operator]
        return None
    return format(value.normalize(), "f")


def parse_moment(text: str, parse: Callable[[str], datetime] = parse_aware) -> datetime | None:
    """The instant ``text`` names (with its offset), or None when it names none."""
    try:
        return parse(text)
    except ValueError:
        return None


def merged_spec(current: PromotionSpec | None, changes: PromotionChanges) -> PromotionSpec:
    """The promotion after ``changes`` (over ``current``, or new when None).

    Every invalid or missing field is reported at once, in the order of the fields.
    """
    errors: list[str] = []

    def pick(name: str, given: T | None, default: T | None) -> T | None:
        if given is not None:
            return given
        if current is not None:
            kept: T = getattr(current, name)
            return kept
        return default

    promotion_type = pick("promotion_type", changes.promotion_type, None)
    if promotion_type not in PROMOTION_TYPES:
        errors.append("promotion_type")

    name = pick("promotion_name", changes.promotion_name, None)
    if name is None or not name.strip() or len(name) > MAX_NAME_LENGTH:
        errors.append("promotion_name")

    status = bool(pick("status", changes.status, True))
    date_from, date_to = _merged_dates(current, changes, errors)

    percent_text = pick("discount_percent", changes.discount_percent, None)
    percent = normalized_percent(percent_text) if percent_text is not None else None
    if percent is None:
        errors.append("discount_percent")

    product_ids = _merged_products(pick("product_ids", changes.product_ids, []) or [], errors)
    coupon_type, codes = _merged_codes(promotion_type, current, changes, errors)

    if errors:
        raise InvalidFieldsError(errors)
    assert promotion_type is not None
    assert name is not None
    assert percent is not None
    assert date_from is not None
    assert date_to is not None
    return PromotionSpec(
        promotion_type=promotion_type,
        promotion_name=name.strip(),
        status=status,
        date_from=date_from,
        date_to=date_to,
        coupon_type=coupon_type,
        coupon_codes=codes,
        discount_percent=percent,
        product_ids=product_ids,
    )


def _merged_dates(
    current: PromotionSpec | None, changes: PromotionChanges, errors: list[str]
) -> tuple[datetime | None, datetime | None]:
    """``date_from`` and ``date_to`` after the change; a cleared ``date_to`` is the open end."""
    date_from = _pick_moment(changes.date_from, current.date_from if current else None)
    if date_from is None:
        errors.append("date_from")
    date_to: datetime | None
    if changes.date_to_cleared:
        date_to = OPEN_END
    else:
        date_to = _pick_moment(changes.date_to, current.date_to if current else OPEN_END)
        if date_to is None:
            errors.append("date_to")
    if date_from is not None and date_to is not None and date_from > date_to:
        errors.append("date_to")
    return date_from, date_to


def _merged_products(product_ids: Sequence[int], errors: list[str]) -> list[int]:
    """The product ids, each once in the order first given; at least one, each 64-bit."""
    if not product_ids or any(not 0 < pid <= MAX_ID for pid in product_ids):
        errors.append("product_id")
    return list(dict.fromkeys(product_ids))


def _pick_moment(given: str | None, fallback: datetime | None) -> datetime | None:
    if given is None:
        return fallback
    return parse_moment(given)


def _merged_codes(
    promotion_type: str | None,
    current: PromotionSpec | None,
    changes: PromotionChanges,
    errors: list[str],
) -> tuple[str | None, list[str]]:
    """Coupon type and code list after the change; a discount promotion keeps no codes."""
    if promotion_type == "discount":
        if changes.coupon_codes:
            errors.append("coupon_code")
        return None, []
    coupon_type = changes.coupon_type
    if coupon_type is None and current is not None:
        coupon_type = current.coupon_type
    if coupon_type not in COUPON_TYPES:
        errors.append("coupon_type")
        coupon_type = None
    if changes.coupon_codes is not None:
        codes = [code.strip() for code in changes.coupon_codes]
    else:
        codes = list(current.coupon_codes) if current is not None else []
    valid = (
        0 < len(codes) <= MAX_CODES_PER_PROMOTION
        and all(0 < len(code) <= MAX_CODE_LENGTH for code in codes)
        and len(set(codes)) == len(codes)
    )
    if not valid:
        errors.append("coupon_code")
    return coupon_type, codes


def checked_search(query: PromotionQuery) -> str | None:
    """The query's search text, stripped; refuses (11010 per field) a query out of bounds."""
    errors: list[str] = []
    if not 1 <= query.limit <= MAX_PAGE_SIZE:
        errors.append("limit")
    if query.offset < 0:
        errors.append("offset")
    search = query.search_string.strip() if query.search_string is not None else None
    if search is not None and len(search) < MIN_SEARCH_LENGTH:
        errors.append("search_string")
    if query.sort_by_update_date not in (None, "asc", "desc"):
        errors.append("sort_by_update_date")
    if errors:
        raise InvalidFieldsError(errors)
    return search
