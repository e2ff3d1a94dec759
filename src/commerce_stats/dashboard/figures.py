"""Building blocks of the dashboard's figures: periods and key figures with their change.

Domain-free: the page builders feed them numbers the domains' figures already computed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from commerce_stats.kit.timeutil import FIRST_DAY


@dataclass(frozen=True, slots=True)
class Period:
    """A run of calendar days, ``first`` and ``last`` included."""

    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.length)]

    @property
    def length(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts.

        Near the start of the calendar (``FIRST_DAY``, the first day every surface can ask
        for) it is cut short there; a period starting on that very day is compared with
        that day alone, as no earlier day exists to compare with."""
        room = (self.first - FIRST_DAY).days
        first = self.first - timedelta(days=min(self.length, room))
        last = self.first - timedelta(days=min(1, room))
        return Period(first, last)


@dataclass(frozen=True, slots=True)
class Change:
    """How a figure moved against the previous period: ``direction`` is up, down or flat.

    ``better`` says whether that move is good news (more hides or cancellations is not).
    """

    direction: str
    text: str
    previous: str
    better: bool | None


@dataclass(frozen=True, slots=True)
class Kpi:
    """One key-figure card: the value, its change (None: not compared) and a detail line."""

    label: str
    value: str
    change: Change | None = None
    detail: str = ""


def change(
    current: int | Decimal, previous: int | Decimal, previous_text: str, up_is_good: bool = True
) -> Change:
    """``current`` against ``previous`` as "▲ 12.5 %", "▼ 100.0 %", "= 0.0 %" or "▲ new"."""
    if current == previous:
        return Change("flat", "= 0.0 %", previous_text, None)
    direction = "up" if current > previous else "down"
    better = (direction == "up") == up_is_good
    arrow = "▲" if direction == "up" else "▼"
    if previous == 0:
        return Change(direction, f"{arrow} new", previous_text, better)
    difference = Decimal(current) - Decimal(previous)
    percent = (abs(difference) * 100 / Decimal(previous)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return Change(direction, f"{arrow} {percent:,} %", previous_text, better)


def compared(
    label: str,
    current: int | Decimal,
    previous: int | Decimal,
    text: Callable[[Any], str],
    up_is_good: bool = True,
    detail: str = "",
) -> Kpi:
    """A card for ``current`` with its change against ``previous``; ``text`` formats both."""
    return Kpi(label, text(current), change(current, previous, text(previous), up_is_good), detail)
