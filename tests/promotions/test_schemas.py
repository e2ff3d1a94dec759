"""Each JSON answer the promotions routes build is exactly what its response model documents."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel

from commerce_stats.promotions import schemas
from commerce_stats.promotions.catalog import (
    PromotionPage,
    PromotionStatistics,
    PromotionView,
)
from commerce_stats.promotions.orders import OrderLineView, OrderView
from commerce_stats.promotions.tokens import TokenPair

MOMENT = datetime(2026, 5, 1, 8, 0, 0, 123456, tzinfo=UTC)


def _round_trip(model: type[BaseModel], body: dict[str, object]) -> dict[str, object]:
    return model.model_validate(body, strict=True).model_dump(exclude_unset=True)


def test_a_token_answer_matches_its_model() -> None:
    body = schemas.tokens_body(TokenPair("t", "r"))
    assert body == {"token": "t", "refresh_token": "r"}
    assert _round_trip(schemas.TokensOut, body) == body


def test_a_promotion_answer_matches_its_model() -> None:
    view = PromotionView(
        id=7,
        promotion_type="coupon",
        promotion_name="Summer",
        status=True,
        date_from=MOMENT,
        date_to=MOMENT,
        coupon_type="reusable",
        coupon_codes=["S1"],
        discount_percent="10",
        product_ids=[1],
        update_date=MOMENT,
    )
    body = schemas.promotion_body(view)
    assert body["date_from"] == "2026-05-01T08:00:00+00:00"
    assert _round_trip(schemas.PromotionOut, body) == body


def test_a_page_answer_matches_its_model() -> None:
    body = schemas.promotion_page_body(PromotionPage(ids=[1, 2], total=5, limit=2, offset=0))
    assert body == {"promotions": [1, 2], "total": 5, "limit": 2, "offset": 0}
    assert _round_trip(schemas.PromotionPageOut, body) == body


def test_statistics_with_codes_match_their_model() -> None:
    stats = PromotionStatistics(7, 3, [(11, "S1", "one-time", 3)])
    body = schemas.statistics_body(stats)
    assert body == {
        "id": 7,
        "redemptions": 3,
        "promotion_codes": [
            {"id": 11, "coupon_code": "S1", "coupon_type": "one-time", "redemptions": 3}
        ],
    }
    assert _round_trip(schemas.StatisticsOut, body) == body


def test_statistics_without_codes_leave_the_list_out() -> None:
    body = schemas.statistics_body(PromotionStatistics(7, 0, None))
    assert body == {"id": 7, "redemptions": 0}
    assert _round_trip(schemas.StatisticsOut, body) == body


def test_an_order_answer_matches_its_model() -> None:
    line = OrderLineView(1, 2, "10.00", None, None, None, "10.00", "20.00")
    view = OrderView("A-1", MOMENT, "unpaid", "EUR", [], [line], "20.00")
    body = schemas.order_body(view)
    assert body["products"] == [
        {
            "product_id": 1,
            "quantity": 2,
            "price": "10.00",
            "promotion_id": None,
            "coupon_code": None,
            "discount_percent": None,
            "discounted_price": "10.00",
            "line_total": "20.00",
        }
    ]
    assert _round_trip(schemas.OrderOut, body) == body
