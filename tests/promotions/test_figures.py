"""The dashboard's figures of an account's promotions (figures.py), with named fields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.promotions.catalog import Catalog
from commerce_stats.promotions.figures import (
    CodeRedemptions,
    DayOrders,
    PromotionRedemptions,
    promotion_figures,
)
from commerce_stats.promotions.orders import OrderDraft, OrderLineDraft, Orders
from commerce_stats.promotions.specs import PromotionChanges

MakeServiceAccount = Callable[..., tuple[Account, dict[str, str]]]


def _coupon(name: str, codes: list[str]) -> PromotionChanges:
    return PromotionChanges(
        promotion_type="coupon",
        promotion_name=name,
        date_from="2026-01-01T00:00:00+00:00",
        date_to="2026-12-31T00:00:00+00:00",
        coupon_type="reusable",
        coupon_codes=codes,
        discount_percent="10",
        product_ids=[1],
    )


def _order(order_id: str, created_at: str, code: str, currency: str = "EUR") -> OrderDraft:
    return OrderDraft(
        order_id=order_id,
        created_at=created_at,
        currency=currency,
        coupon_codes=[code],
        products=[OrderLineDraft(product_id=1, quantity=2, price="10.00")],
    )


def test_figures_name_each_promotion_code_and_local_day(
    database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account(timezone="Europe/Berlin")
    catalog, orders = Catalog(database), Orders(database)
    spring = catalog.create(account, _coupon("Spring", ["S1"]))
    gone = catalog.create(account, _coupon("Gone", ["G1"]))
    # 23:30 UTC on 30 April is 1 May in Berlin.
    orders.place(account, _order("O-1", "2026-04-30T23:30:00+00:00", "S1"))
    orders.place(account, _order("O-2", "2026-05-01T09:00:00+00:00", "S1", "USD"))
    orders.place(account, _order("O-3", "2026-05-02T09:00:00+00:00", "S1"))
    catalog.delete(account, gone.id)
    figures = promotion_figures(database, account, date(2026, 5, 1), date(2026, 5, 1))
    assert figures.promotions == [PromotionRedemptions(spring.id, "Spring", True, 3)]
    assert figures.codes == [CodeRedemptions(spring.id, "Spring", "S1", 3)]
    assert sorted(figures.orders_by_day, key=lambda entry: entry.currency) == [
        DayOrders(date(2026, 5, 1), "EUR", 1, 1800),
        DayOrders(date(2026, 5, 1), "USD", 1, 1800),
    ]


def test_figures_of_another_account_are_empty(
    database: Database, make_service_account: MakeServiceAccount
) -> None:
    owner, _ = make_service_account("Owner")
    other, _ = make_service_account("Other")
    Catalog(database).create(owner, _coupon("Mine", ["M1"]))
    Orders(database).place(owner, _order("O-1", "2026-05-01T09:00:00+00:00", "M1"))
    figures = promotion_figures(database, other, date(2026, 5, 1), date(2026, 5, 1))
    assert figures.promotions == []
    assert figures.codes == []
    assert figures.orders_by_day == []


def test_codes_are_limited_to_the_most_redeemed(
    database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    promotion = Catalog(database).create(account, _coupon("Two", ["A", "B"]))
    orders = Orders(database)
    orders.place(account, _order("O-1", "2026-05-01T09:00:00+00:00", "B"))
    orders.place(account, _order("O-2", "2026-05-01T10:00:00+00:00", "B"))
    orders.place(account, _order("O-3", "2026-05-01T11:00:00+00:00", "A"))
    figures = promotion_figures(database, account, date(2026, 5, 1), date(2026, 5, 1), limit=1)
    assert figures.codes == [CodeRedemptions(promotion.id, "Two", "B", 2)]
