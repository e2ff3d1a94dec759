"""Demo data for the promotions API: four promotions, codes, a few hundred orders."""

from __future__ import annotations

import json
import random
from datetime import timedelta

from commerce_stats.accounts.service import Accounts
from commerce_stats.db.engine import Database
from commerce_stats.kit.demo_links import DemoLink
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import utc_now
from commerce_stats.promotions.errors import PromotionsError
from commerce_stats.promotions.orders import OrderDraft, OrderLineDraft
from commerce_stats.promotions.service import Promotions
from commerce_stats.promotions.specs import PromotionChanges

ORDERS = 300
PRODUCTS = {11111: "19.99", 11112: "49.00", 11113: "5.50", 22221: "120.00", 22222: "9.95"}
VIP_CODES = [f"VIP-{number:04d}" for number in range(1, 41)]


def load(
    database: Database, account: Account, credentials: dict[str, str], rng: random.Random
) -> list[DemoLink]:
    service = Promotions(database, Accounts(database, cache_seconds=0))
    now = utc_now()
    starts = (now - timedelta(days=30)).isoformat()
    ends = (now + timedelta(days=60)).isoformat()
    spring = service.catalog.create(
        account,
        PromotionChanges(
            promotion_type="discount",
            promotion_name="Spring discount",
            discount_percent="10",
            product_ids=[11111, 11112, 11113],
            date_from=starts,
            date_to=ends,
        ),
    )
    summer = service.catalog.create(
        account,
        PromotionChanges(
            promotion_type="coupon",
            promotion_name="Summer coupon",
            coupon_type="reusable",
            coupon_codes=["SUMMER10", "SUMMER15"],
            discount_percent="15",
            product_ids=[11111, 22221, 22222],
            date_from=starts,
            date_to=ends,
        ),
    )
    vip = service.catalog.create(
        account,
        PromotionChanges(
            promotion_type="coupon",
            promotion_name="VIP one-time codes",
            coupon_type="one-time",
            coupon_codes=VIP_CODES,
            discount_percent="25",
            product_ids=list(PRODUCTS),
            date_from=starts,
            date_to=ends,
        ),
    )
    flash = service.catalog.create(
        account,
        PromotionChanges(
            promotion_type="coupon",
            promotion_name="Flash sale (coupon, later turned into a discount)",
            coupon_type="reusable",
            coupon_codes=["FLASH"],
            discount_percent="20",
            product_ids=[22222],
            date_from=starts,
            date_to=ends,
        ),
    )
    unused_vip = list(VIP_CODES)
    rng.shuffle(unused_vip)
    for number in range(ORDERS):
        if number == ORDERS // 2:
            service.catalog.update(account, flash.id, PromotionChanges(promotion_type="discount"))
        products = rng.sample(sorted(PRODUCTS), k=rng.randint(1, 4))
        codes: list[str] = []
        if rng.random() < 0.4:
            codes.append(rng.choice(["SUMMER10", "SUMMER15"]))
        if unused_vip and rng.random() < 0.1:
            codes.append(unused_vip.pop())
        if number < ORDERS // 2 and rng.random() < 0.3:
            codes.append("FLASH")
        draft = OrderDraft(
            order_id=f"DEMO-{number + 1:05d}",
            created_at=(now - timedelta(minutes=rng.randint(1, 60 * 24 * 29))).isoformat(),
            coupon_codes=codes,
            products=[
                OrderLineDraft(product_id=p, quantity=rng.randint(1, 3), price=PRODUCTS[p])
                for p in products
            ],
        )
        try:
            service.orders.place(account, draft)
        except PromotionsError:
            continue
    login_body = json.dumps(
        {
            "username": credentials["promotions_username"],
            "password": credentials["promotions_password"],
        }
    )
    login = (
        "curl -s {base}/v1/login_check -H 'Content-Type: application/json' -d " + f"'{login_body}'"
    )
    links = [DemoLink("Promotions API: get a token (export it as TOKEN)", login)]
    for promotion in (spring, summer, vip, flash):
        stats_body = f"'{json.dumps({'id': promotion.id})}'"
        links.append(
            DemoLink(
                f"Promotions API: statistics of '{promotion.promotion_name}'",
                "curl -s {base}/v1/promotion/statistics/ -H 'Content-Type: application/json' "
                '-H "Authorization: Bearer $TOKEN" -d ' + stats_body,
            )
        )
    return links
