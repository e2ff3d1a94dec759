"""Wire format of the promotions API: request parsing, validation into 11010s, responses.

Bodies are parsed here rather than by FastAPI so that the seed's order of
checks holds: Content-Type (111), then JSON syntax (110), then one 11010 per
invalid or unknown field, all reported together.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

import orjson
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
)

from commerce_stats.promotions.catalog import PromotionPage, PromotionStatistics, PromotionView
from commerce_stats.promotions.errors import (
    InvalidContentTypeError,
    InvalidFieldsError,
    InvalidJsonError,
)
from commerce_stats.promotions.orders import MAX_QUANTITY, OrderDraft, OrderLineDraft, OrderView
from commerce_stats.promotions.specs import MAX_ID, PromotionChanges
from commerce_stats.promotions.tokens import MAX_USERNAME_LENGTH, TokenPair

JSON_MEDIA_TYPE = "application/json"
NO_NUL = r"^[^\x00]*$"
"""Text never holds NUL characters (PostgreSQL cannot store them)."""
MAX_PRICE_DIGITS = 16


# --- raw body handling ----------------------------------------------------------------


def json_object(content_type: str | None, body: bytes) -> dict[str, Any]:
    """The request body as a JSON object, or 111 / 110 as the seed orders them."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != JSON_MEDIA_TYPE:
        raise InvalidContentTypeError()
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict):
        raise InvalidJsonError()
    return parsed


def _field_name(error: Mapping[str, Any]) -> str:
    """The field an error is about: the innermost known field name of its location.

    Locations also hold list indexes and union member tags ("str", "int"); an
    unknown (forbidden) field is named as the client spelled it.
    """
    names = [part for part in error["loc"] if isinstance(part, str)]
    if error["type"] == "extra_forbidden" and names:
        return names[-1]
    known = [name for name in names if name in _FIELD_NAMES]
    return known[-1] if known else (names[0] if names else "body")


M = TypeVar("M", bound=BaseModel)


def _validated(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidFieldsError([_field_name(error) for error in exc.errors()]) from exc


Text = Annotated[str, StringConstraints(strict=True, pattern=NO_NUL)]


# --- requests --------------------------------------------------------------------------


class LoginRequest(BaseModel):
    """The username's length is checked here, while the body is parsed, so that an
    over-long one never travels on to a worker thread (400 11010 username)."""

    model_config = ConfigDict(extra="forbid")

    username: Annotated[Text, Field(max_length=MAX_USERNAME_LENGTH)]
    password: Text


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: Text


class StatisticsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: StrictInt = Field(ge=0, le=MAX_ID, examples=[12345])


class CouponsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    coupon_type: Literal["one-time", "reusable"] | None = None
    coupon_code: list[Text] | None = None
    discount_percent: Text | StrictInt | None = Field(default=None, examples=["10"])
    product_id: list[Annotated[StrictInt, Field(le=MAX_ID)]] | None = None


class PromotionIn(BaseModel):
    """Create (all required fields) or change (any subset) a promotion."""

    model_config = ConfigDict(extra="forbid")

    promotion_type: Literal["coupon", "discount"] | None = None
    promotion_name: Text | None = None
    status: StrictBool | None = None
    date_from: Text | None = Field(default=None, examples=["2026-05-01T00:00:00+02:00"])
    date_to: Text | None = Field(default=None, examples=["2026-05-31T23:59:59+02:00"])
    coupons: CouponsIn | None = None


class OrderLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: StrictInt = Field(le=MAX_ID, examples=[11111])
    quantity: StrictInt = Field(le=MAX_QUANTITY, examples=[2])
    price: (
        Annotated[Text, Field(max_length=MAX_PRICE_DIGITS)]
        | Annotated[StrictInt, Field(ge=0, lt=10**MAX_PRICE_DIGITS)]
    ) = Field(examples=["19.99"])


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: Text = Field(examples=["A-1001"])
    created_at: Text | None = Field(default=None, examples=["2026-05-01T10:00:00+02:00"])
    currency: Text = Field(default="EUR")
    products: list[OrderLineIn]
    coupon_codes: list[Text] = Field(default_factory=list, examples=[["SUMMER10"]])


class OrderStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["unpaid", "paid", "deleted"]


_FIELD_NAMES = frozenset(
    name
    for model in (
        LoginRequest,
        RefreshRequest,
        StatisticsRequest,
        CouponsIn,
        PromotionIn,
        OrderLineIn,
        OrderIn,
        OrderStatusIn,
    )
    for name in model.model_fields
)

# Nullable on the wire only where null has a meaning (date_to: open end).
_NOT_NULLABLE = ("promotion_type", "promotion_name", "status", "date_from", "coupons")
_NOT_NULLABLE_COUPONS = ("coupon_type", "coupon_code", "discount_percent", "product_id")


def parse_login(content_type: str | None, body: bytes) -> LoginRequest:
    return _validated(LoginRequest, json_object(content_type, body))


def parse_refresh(content_type: str | None, body: bytes) -> RefreshRequest:
    return _validated(RefreshRequest, json_object(content_type, body))


def parse_statistics(content_type: str | None, body: bytes) -> int:
    """The promotion id asked for; missing, null, non-integer or negative → 11010 id."""
    return _validated(StatisticsRequest, json_object(content_type, body)).id


def parse_promotion(content_type: str | None, body: bytes) -> PromotionChanges:
    data = json_object(content_type, body)
    model = _validated(PromotionIn, data)
    nulls = [name for name in _NOT_NULLABLE if name in data and data[name] is None]
    coupons_raw = data.get("coupons")
    if isinstance(coupons_raw, dict):
        nulls += [
            name
            for name in _NOT_NULLABLE_COUPONS
            if name in coupons_raw and coupons_raw[name] is None
        ]
    if nulls:
        raise InvalidFieldsError(nulls)
    coupons = model.coupons or CouponsIn()
    percent = coupons.discount_percent
    return PromotionChanges(
        promotion_type=model.promotion_type,
        promotion_name=model.promotion_name,
        status=model.status,
        date_from=model.date_from,
        date_to=model.date_to,
        date_to_cleared="date_to" in data and data["date_to"] is None,
        coupon_type=coupons.coupon_type,
        coupon_codes=coupons.coupon_code,
        discount_percent=str(percent) if percent is not None else None,
        product_ids=coupons.product_id,
    )


def parse_order(content_type: str | None, body: bytes) -> OrderDraft:
    model = _validated(OrderIn, json_object(content_type, body))
    return OrderDraft(
        order_id=model.order_id,
        created_at=model.created_at,
        currency=model.currency,
        coupon_codes=model.coupon_codes,
        products=[
            OrderLineDraft(
                product_id=line.product_id, quantity=line.quantity, price=str(line.price)
            )
            for line in model.products
        ],
    )


def parse_order_status(content_type: str | None, body: bytes) -> str:
    return _validated(OrderStatusIn, json_object(content_type, body)).status


class ErrorEntry(BaseModel):
    error: int = Field(examples=[11200])
    message: str = Field(examples=["Promotion not found: 123"])


class ErrorsEnvelope(BaseModel):
    """Every error of the promotions API: one or more entries."""

    errors: list[ErrorEntry]


# --- responses -------------------------------------------------------------------------
#
# The models document each JSON answer (``response_model`` of its route); the answers
# themselves are built as plain dicts by the ``*_body`` functions below and serialised
# by orjson, so that a statistics answer with 100,000 codes costs no model per code.


class TokensOut(BaseModel):
    token: str
    refresh_token: str


class CouponsOut(BaseModel):
    coupon_type: Literal["one-time", "reusable"] | None = Field(examples=["reusable"])
    coupon_code: list[str] = Field(examples=[["SUMMER10"]])
    discount_percent: str = Field(examples=["10"])
    product_id: list[int] = Field(examples=[[11111]])


class PromotionOut(BaseModel):
    id: int = Field(examples=[12345])
    promotion_type: Literal["coupon", "discount"]
    promotion_name: str
    status: bool
    date_from: str = Field(examples=["2026-04-30T22:00:00+00:00"])
    date_to: str = Field(examples=["2026-05-31T21:59:59+00:00"])
    coupons: CouponsOut
    update_date: str = Field(examples=["2026-04-20T08:00:00+00:00"])


class PromotionPageOut(BaseModel):
    promotions: list[int] = Field(examples=[[12345, 12346]])
    total: int
    limit: int
    offset: int


class CodeStatisticsOut(BaseModel):
    id: int
    coupon_code: str
    coupon_type: Literal["one-time", "reusable"]
    redemptions: int


class StatisticsOut(BaseModel):
    id: int = Field(examples=[12345])
    redemptions: int
    promotion_codes: list[CodeStatisticsOut] = Field(
        default_factory=list,
        description="Left out for a discount promotion that never had codes.",
    )


class OrderLineOut(BaseModel):
    product_id: int
    quantity: int
    price: str = Field(examples=["19.99"])
    promotion_id: int | None
    coupon_code: str | None
    discount_percent: str | None
    discounted_price: str
    line_total: str


class OrderOut(BaseModel):
    order_id: str = Field(examples=["A-1001"])
    created_at: str = Field(examples=["2026-05-01T08:00:00+00:00"])
    status: Literal["unpaid", "paid", "deleted"]
    currency: str = Field(examples=["EUR"])
    coupon_codes: list[str]
    products: list[OrderLineOut]
    total: str = Field(examples=["35.98"])


def wire_time(moment: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ss+00:00``, the seed API's date format, in UTC."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def tokens_body(pair: TokenPair) -> dict[str, Any]:
    return {"token": pair.token, "refresh_token": pair.refresh_token}


def promotion_body(view: PromotionView) -> dict[str, Any]:
    return {
        "id": view.id,
        "promotion_type": view.promotion_type,
        "promotion_name": view.promotion_name,
        "status": view.status,
        "date_from": wire_time(view.date_from),
        "date_to": wire_time(view.date_to),
        "coupons": {
            "coupon_type": view.coupon_type,
            "coupon_code": view.coupon_codes,
            "discount_percent": view.discount_percent,
            "product_id": view.product_ids,
        },
        "update_date": wire_time(view.update_date),
    }


def promotion_page_body(page: PromotionPage) -> dict[str, Any]:
    return {"promotions": page.ids, "total": page.total, "limit": page.limit, "offset": page.offset}


def statistics_body(stats: PromotionStatistics) -> dict[str, Any]:
    body: dict[str, Any] = {"id": stats.id, "redemptions": stats.redemptions}
    if stats.promotion_codes is not None:
        body["promotion_codes"] = [
            {"id": code_id, "coupon_code": value, "coupon_type": kind, "redemptions": count}
            for code_id, value, kind, count in stats.promotion_codes
        ]
    return body


def order_body(view: OrderView) -> dict[str, Any]:
    return {
        "order_id": view.order_id,
        "created_at": wire_time(view.created_at),
        "status": view.status,
        "currency": view.currency,
        "coupon_codes": view.coupon_codes,
        "products": [
            {
                "product_id": line.product_id,
                "quantity": line.quantity,
                "price": line.price,
                "promotion_id": line.promotion_id,
                "coupon_code": line.coupon_code,
                "discount_percent": line.discount_percent,
                "discounted_price": line.discounted_price,
                "line_total": line.line_total,
            }
            for line in view.products
        ],
        "total": view.total,
    }


def errors_body(entries: list[tuple[int, str]]) -> dict[str, Any]:
    return {"errors": [{"error": code, "message": message} for code, message in entries]}


def _inlined(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str):
            return _inlined(definitions[reference.rsplit("/", 1)[-1]], definitions)
        return {key: _inlined(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inlined(item, definitions) for item in node]
    return node


def request_schema(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI ``requestBody`` (nested models inlined) for a route that parses its own body."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})
    return {
        "requestBody": {
            "required": True,
            "content": {JSON_MEDIA_TYPE: {"schema": _inlined(schema, definitions)}},
        }
    }
