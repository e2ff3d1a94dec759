"""The promotions page's key figures against the previous period (known data, real APIs)."""

from __future__ import annotations

from collections.abc import Callable

from commerce_stats.accounts.service import Accounts
from commerce_stats.dashboard.promotions_page import (
    CodeRow,
    OrderTotal,
    PromotionRow,
    promotions_page,
)
from commerce_stats.db.engine import Database
from tests.dashboard.cards import cards
from tests.promotions.conftest import Shop


def test_promotion_orders_are_compared_with_the_previous_period(
    database: Database, accounts: Accounts, make_shop: Callable[..., Shop]
) -> None:
    shop = make_shop("Shop A")
    shop.promotion([1], codes=["SAVE10"], name="Coupon ten")
    for order_id in ("o1", "o2"):
        assert shop.order(order_id, [(1, 1, "100.00")], ["SAVE10"]).status_code == 201
    account = accounts.get(shop.account["id"])
    content = promotions_page(database, account, {"from": "2026-05-02", "to": "2026-05-02"})
    assert cards(content.kpis) == {
        "Promotions": ("1", None, None),
        "Redemptions (all time)": ("2", None, None),
        "Orders": ("0", "▼ 100.0 %", "2"),
        "Order total (EUR)": ("0.00 EUR", "▼ 100.0 %", "180.00 EUR"),
    }


def test_promotions_page_rows_are_shown_as_text(
    database: Database, accounts: Accounts, make_shop: Callable[..., Shop]
) -> None:
    shop = make_shop("Shop A")
    shop.promotion([1], codes=["SAVE10"], name="Coupon ten")
    assert shop.order("o1", [(1, 1, "100.00")], ["SAVE10"]).status_code == 201
    account = accounts.get(shop.account["id"])
    content = promotions_page(database, account, {"from": "2026-05-01", "to": "2026-05-01"})
    promotion_id = content.promotions[0].id
    assert (content.promotions, content.codes, content.order_totals) == (
        [PromotionRow(id=promotion_id, name="Coupon ten", active=True, redemptions="1")],
        [CodeRow(promotion="Coupon ten", code="SAVE10", redemptions="1")],
        [OrderTotal(currency="EUR", orders="1", total="90.00 EUR")],
    )
