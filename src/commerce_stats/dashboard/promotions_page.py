"""The promotions page: promotions and codes ranked by redemptions, orders per day."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from commerce_stats.dashboard.charts import (
    ChartSpec,
    bar,
    chart,
    day_chart,
    day_labels,
    ranking_bar,
    trend,
)
from commerce_stats.dashboard.errors import DashboardError
from commerce_stats.dashboard.figures import Kpi, Period, compared
from commerce_stats.dashboard.pages import (
    count_text,
    money_text,
    parse_period,
    require_section,
    with_error,
)
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import local_today
from commerce_stats.promotions.figures import (
    PromotionFigures,
    PromotionRedemptions,
    promotion_figures,
)


@dataclass(frozen=True, slots=True)
class PromotionRow:
    """One line of the promotions table, its redemptions as shown."""

    id: int
    name: str
    active: bool
    redemptions: str


@dataclass(frozen=True, slots=True)
class CodeRow:
    """One line of the coupon codes table, its redemptions as shown."""

    promotion: str
    code: str
    redemptions: str


@dataclass(frozen=True, slots=True)
class OrderTotal:
    """Orders and their total of one currency over the period, as shown."""

    currency: str
    orders: str
    total: str


@dataclass(frozen=True, slots=True)
class PromotionsPage:
    """What the promotions page shows; ``error`` names a refused filter (then the default
    view is shown)."""

    params: Mapping[str, str]
    error: DashboardError | None
    period: Period
    kpis: list[Kpi]
    charts: dict[str, ChartSpec]
    trend: ChartSpec
    promotions: list[PromotionRow]
    codes: list[CodeRow]
    order_totals: list[OrderTotal]


def _orders_per_day(figures: PromotionFigures, period: Period) -> list[int]:
    """Orders of every day of the period, all currencies together (0 on a day without)."""
    per_day = dict.fromkeys(period.days, 0)
    for day_orders in figures.orders_by_day:
        if day_orders.day in per_day:
            per_day[day_orders.day] += day_orders.orders
    return list(per_day.values())


def _order_totals(figures: PromotionFigures) -> dict[str, tuple[int, int]]:
    """(orders, total in minor units) per currency."""
    totals: dict[str, tuple[int, int]] = {}
    for day_orders in figures.orders_by_day:
        orders, amount = totals.get(day_orders.currency, (0, 0))
        totals[day_orders.currency] = (
            orders + day_orders.orders,
            amount + day_orders.total_minor,
        )
    return totals


def promotion_kpis(
    figures: PromotionFigures, before: PromotionFigures, period: Period
) -> list[Kpi]:
    """Promotions and redemptions (all time, not compared), orders against ``before``."""
    redemptions = sum(promotion.redemptions for promotion in figures.promotions)
    now, was = _order_totals(figures), _order_totals(before)
    kpis = [
        Kpi("Promotions", count_text(len(figures.promotions))),
        Kpi("Redemptions (all time)", count_text(redemptions)),
        compared(
            "Orders",
            sum(_orders_per_day(figures, period)),
            sum(_orders_per_day(before, period.previous())),
            count_text,
        ),
    ]
    for currency in sorted({*now, *was}):

        def text(minor: int, currency: str = currency) -> str:
            return money_text(minor, currency)

        kpis.append(
            compared(
                f"Order total ({currency})",
                now.get(currency, (0, 0))[1],
                was.get(currency, (0, 0))[1],
                text,
            )
        )
    return kpis


def _promotion_charts(
    figures: PromotionFigures, promotions: list[PromotionRedemptions], period: Period
) -> dict[str, ChartSpec]:
    ranking_axes = {
        "yaxis": {"automargin": True, "autorange": "reversed"},
        "xaxis": {"tickformat": ",d", "rangemode": "tozero"},
    }
    redeemed = [promotion for promotion in promotions if promotion.redemptions]
    codes = figures.codes[:10]
    return {
        "promotions-redemptions": chart(
            [
                ranking_bar(
                    [f"{promotion.name} (#{promotion.promotion_id})" for promotion in redeemed],
                    [promotion.redemptions for promotion in redeemed],
                )
            ],
            **ranking_axes,
        ),
        "promotions-codes": chart(
            [
                ranking_bar(
                    [code.coupon_code for code in codes], [code.redemptions for code in codes]
                )
            ],
            **ranking_axes,
        ),
        "promotions-orders": day_chart(
            [bar("Orders", day_labels(period), _orders_per_day(figures, period))], period
        ),
    }


def promotions_page(
    database: Database, account: Account, params: Mapping[str, str]
) -> PromotionsPage:
    """The promotions page's content; a bad filter yields ``error`` and the default view."""
    require_section(account, "promotions")
    today = local_today(account.timezone)
    period, error = with_error(lambda: parse_period(params, today), lambda: parse_period({}, today))
    figures = promotion_figures(database, account, period.first, period.last, limit=10)
    previous = period.previous()
    before = promotion_figures(database, account, previous.first, previous.last, limit=10)
    promotions = sorted(
        figures.promotions, key=lambda promotion: (-promotion.redemptions, promotion.promotion_id)
    )
    totals = _order_totals(figures)
    return PromotionsPage(
        params=params,
        error=error,
        period=period,
        kpis=promotion_kpis(figures, before, period),
        charts=_promotion_charts(figures, promotions, period),
        trend=trend(period, [("Orders", _orders_per_day(figures, period))]),
        promotions=[
            PromotionRow(
                id=promotion.promotion_id,
                name=promotion.name,
                active=promotion.active,
                redemptions=count_text(promotion.redemptions),
            )
            for promotion in promotions
        ],
        codes=[
            CodeRow(
                promotion=code.promotion_name,
                code=code.coupon_code,
                redemptions=count_text(code.redemptions),
            )
            for code in figures.codes
        ],
        order_totals=[
            OrderTotal(currency, count_text(count), money_text(total, currency))
            for currency, (count, total) in sorted(totals.items())
        ],
    )
