"""The promotions page: promotions and codes ranked by redemptions, orders per day."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from commerce_stats.dashboard.charts import (
    ChartSpec,
    bar,
    chart,
    day_chart,
    day_labels,
    ranking_bar,
    trend,
)
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
from commerce_stats.promotions.service import PromotionFigures, promotion_figures


def _orders_per_day(figures: PromotionFigures, period: Period) -> list[int]:
    """Orders of every day of the period, all currencies together (0 on a day without)."""
    per_day = dict.fromkeys(period.days, 0)
    for (day, _), (count, _) in figures.orders_by_day.items():
        if day in per_day:
            per_day[day] += count
    return list(per_day.values())


def _order_totals(figures: PromotionFigures) -> dict[str, tuple[int, int]]:
    """(orders, total in minor units) per currency."""
    totals: dict[str, tuple[int, int]] = {}
    for (_, currency), (count, total) in figures.orders_by_day.items():
        orders, amount = totals.get(currency, (0, 0))
        totals[currency] = (orders + count, amount + total)
    return totals


def promotion_kpis(
    figures: PromotionFigures, before: PromotionFigures, period: Period
) -> list[Kpi]:
    """Promotions and redemptions (all time, not compared), orders against ``before``."""
    redemptions = sum(row[3] for row in figures.promotions)
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
    figures: PromotionFigures, promotions: list[tuple[int, str, bool, int]], period: Period
) -> dict[str, ChartSpec]:
    ranking_axes = {
        "yaxis": {"automargin": True, "autorange": "reversed"},
        "xaxis": {"tickformat": ",d", "rangemode": "tozero"},
    }
    redeemed = [row for row in promotions if row[3]]
    codes = figures.codes[:10]
    return {
        "promotions-redemptions": chart(
            [
                ranking_bar(
                    [f"{row[1]} (#{row[0]})" for row in redeemed], [row[3] for row in redeemed]
                )
            ],
            **ranking_axes,
        ),
        "promotions-codes": chart(
            [ranking_bar([row[2] for row in codes], [row[3] for row in codes])], **ranking_axes
        ),
        "promotions-orders": day_chart(
            [bar("Orders", day_labels(period), _orders_per_day(figures, period))], period
        ),
    }


def promotions_page(
    database: Database, account: Account, params: Mapping[str, str]
) -> dict[str, Any]:
    """The promotions page's content; a bad filter yields ``error`` and the default view."""
    require_section(account, "promotions")
    today = local_today(account.timezone)
    period, error = with_error(lambda: parse_period(params, today), lambda: parse_period({}, today))
    figures = promotion_figures(database, account, period.first, period.last, limit=10)
    previous = period.previous()
    before = promotion_figures(database, account, previous.first, previous.last, limit=10)
    promotions = sorted(figures.promotions, key=lambda row: (-row[3], row[0]))
    totals = _order_totals(figures)
    return {
        "params": params,
        "error": error,
        "period": period,
        "kpis": promotion_kpis(figures, before, period),
        "charts": _promotion_charts(figures, promotions, period),
        "trend": trend(period, [("Orders", _orders_per_day(figures, period))]),
        "promotions": [
            {"id": row[0], "name": row[1], "active": row[2], "redemptions": count_text(row[3])}
            for row in promotions
        ],
        "codes": [
            {"promotion": row[1], "code": row[2], "redemptions": count_text(row[3])}
            for row in figures.codes
        ],
        "order_totals": [
            (currency, count_text(count), money_text(total, currency))
            for currency, (count, total) in sorted(totals.items())
        ],
    }
