"""The promotions domain's public face for the dashboard: typed figures of one account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import local_days_to_utc, to_local
from commerce_stats.promotions import repository


@dataclass(frozen=True, slots=True)
class PromotionRedemptions:
    """A live promotion and how often it was redeemed (all time)."""

    promotion_id: int
    name: str
    active: bool
    redemptions: int


@dataclass(frozen=True, slots=True)
class CodeRedemptions:
    """A code of a live promotion and how often it was redeemed (all time)."""

    promotion_id: int
    promotion_name: str
    coupon_code: str
    redemptions: int


@dataclass(frozen=True, slots=True)
class DayOrders:
    """The orders of one local day in one currency."""

    day: date
    currency: str
    orders: int
    total_minor: int


@dataclass(frozen=True, slots=True)
class PromotionFigures:
    """What the dashboard shows of one account's promotions.

    ``orders_by_day`` holds one entry per (local day, currency) that had orders,
    in the order of the days' first orders.
    """

    promotions: list[PromotionRedemptions]
    codes: list[CodeRedemptions]
    orders_by_day: list[DayOrders]


def promotion_figures(
    database: Database, account: Account, first: date, last: date, limit: int = 20
) -> PromotionFigures:
    """Redemptions per live promotion and per code (the ``limit`` most redeemed codes),
    orders per local day (the account's time zone) in ``first..last``."""
    start, end = local_days_to_utc(first, last, account.timezone)
    # dashboard figures may lag the primary by the replica limit: read on a replica
    with database.read_replica() as conn:
        summaries = repository.promotion_summaries(conn, account.id)
        codes = repository.code_redemptions(conn, account.id, limit)
        orders = repository.orders_between(conn, account.id, start, end)
    by_day: dict[tuple[date, str], tuple[int, int]] = {}
    for row in orders:
        key = (to_local(row.created_at, account.timezone).date(), row.currency)
        count, total = by_day.get(key, (0, 0))
        by_day[key] = (count + 1, total + int(row.total_minor))
    return PromotionFigures(
        promotions=[
            PromotionRedemptions(
                int(row.id), row.promotion_name, bool(row.status), int(row.redemptions)
            )
            for row in summaries
            if not row.deleted
        ],
        codes=[
            CodeRedemptions(
                int(row.promotion_id), row.promotion_name, row.coupon_code, int(row.redemptions)
            )
            for row in codes
        ],
        orders_by_day=[
            DayOrders(day, currency, count, total)
            for (day, currency), (count, total) in by_day.items()
        ],
    )
