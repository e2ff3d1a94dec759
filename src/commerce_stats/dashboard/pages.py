"""What every dashboard page shares: its sections, the period filter, how figures read.

A page builder (``video_page``, ``affiliate_page``, ...) returns a frozen view model;
``context`` turns it into the names its template reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from commerce_stats.dashboard.errors import (
    DashboardError,
    FeatureNotEnabledError,
    InvalidFilterError,
)
from commerce_stats.dashboard.figures import Period
from commerce_stats.kit.money import from_minor
from commerce_stats.kit.tenancy import Account, Feature
from commerce_stats.kit.timeutil import FIRST_DAY, LAST_DAY, check_day

DEFAULT_DAYS = 30
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_DAYS = 366

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    label: str
    path: str
    feature: Feature


SECTIONS = (
    Section("video", "Video commerce", "/video", Feature.VIDEO_ECOMMERCE),
    Section("affiliate", "Affiliate", "/affiliate", Feature.AFFILIATE),
    Section("promotions", "Promotions", "/promotions", Feature.PROMOTIONS),
)


def sections_of(account: Account) -> list[Section]:
    """The navigation entries: only the features the account has."""
    return [section for section in SECTIONS if account.has(section.feature)]


def require_section(account: Account, key: str) -> Section:
    for section in sections_of(account):
        if section.key == key:
            return section
    raise FeatureNotEnabledError()


def context(view: object) -> dict[str, Any]:
    """A view model's fields by name, as its template reads them (values kept as they are)."""
    if isinstance(view, Mapping):
        return dict(view)
    return {item.name: getattr(view, item.name) for item in fields(view)}  # type: ignore[arg-type]


def count_text(value: int) -> str:
    """1234567 -> "1,234,567"."""
    return f"{value:,}"


def money_text(minor: int, currency: str) -> str:
    """Exact amount with thousands separators and the currency: 123456 EUR -> "1,234.56 EUR"."""
    return f"{from_minor(minor, currency):,} {currency}"


def rate_text(part: int, whole: int) -> str:
    """A percentage with two decimals, "–" when there is nothing to divide by."""
    if whole == 0:
        return "–"
    return f"{percent(part, whole)} %"


def percent(part: int, whole: int) -> Decimal:
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _day(params: Mapping[str, str], name: str, label: str) -> date | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    problem = InvalidFilterError(f"{label} must be a date like 2026-01-31.", name)
    if not _ISO_DAY.fullmatch(text):
        raise problem
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise problem from None
    try:
        return check_day(day)
    except ValueError:
        raise InvalidFilterError(
            f"{label} must lie between {FIRST_DAY} and {LAST_DAY}.", name
        ) from None


def parse_period(params: Mapping[str, str], today: date) -> Period:
    """``from``/``to`` (YYYY-MM-DD), default: the last 30 days up to ``today``."""
    first = _day(params, "from", "From")
    last = _day(params, "to", "To")
    if last is None:
        last = today if first is None or first <= today else first
    if first is None:
        first = last - timedelta(days=min(DEFAULT_DAYS - 1, (last - FIRST_DAY).days))
    if last < first:
        raise InvalidFilterError("To must not be before From.", "to")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidFilterError(f"Choose at most {MAX_DAYS} days.", "to")
    return Period(first, last)


def with_error(parse: Callable[[], T], default: Callable[[], T]) -> tuple[T, DashboardError | None]:
    """The parsed filters, or the defaults and the refusal: a bad filter keeps the page."""
    try:
        return parse(), None
    except DashboardError as error:
        return default(), error
