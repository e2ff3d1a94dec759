"""Order intake: check an order, price it (``pricing``), record it with its ledger rows.

Counting rules (seed 003) as implemented here:
- one ledger row per (order line, eligible promotion), whatever the quantity;
- every promotion eligible on a line is counted, the applied one and the others;
- a code is counted on the lines where its promotion was eligible through it;
- order status never changes the ledger; changing a promotion's type or deleting
  codes never removes ledger rows or counters.

An order is written through the group committer when there is one (many orders
share a transaction), else in a transaction of its own; a retry with the same
body gets the same answer.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row
from sqlalchemy.exc import IntegrityError

from commerce_stats.db.engine import Database
from commerce_stats.kit.money import MoneyError, format_minor, is_currency_code, to_minor
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import parse_aware_in_range, utc_now
from commerce_stats.promotions import repository
from commerce_stats.promotions.committer import GroupCommitter
from commerce_stats.promotions.errors import (
    CodeAlreadyUsedError,
    CodeNotValidError,
    InvalidFieldsError,
    OrderConflictError,
    OrderNotFoundError,
    PromotionsError,
)
from commerce_stats.promotions.pricing import (
    Candidate,
    CarriedCode,
    OrderLine,
    PricedOrder,
    price_order,
)
from commerce_stats.promotions.specs import MAX_CODE_LENGTH, MAX_ID, parse_moment

ORDER_STATUSES = ("unpaid", "paid", "deleted")
MAX_ORDER_ID_LENGTH = 64
MAX_ORDER_LINES = 1000
MAX_QUANTITY = 10_000
MAX_UNIT_MINOR = 10**11
DEFAULT_CURRENCY = "EUR"


@dataclass(frozen=True, slots=True)
class OrderLineDraft:
    product_id: int
    quantity: int
    price: str


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """An order as the client sent it, before any check."""

    order_id: str
    products: Sequence[OrderLineDraft]
    coupon_codes: Sequence[str] = ()
    created_at: str | None = None
    currency: str = DEFAULT_CURRENCY


@dataclass(frozen=True, slots=True)
class OrderLineView:
    product_id: int
    quantity: int
    price: str
    promotion_id: int | None
    coupon_code: str | None
    discount_percent: str | None
    discounted_price: str
    line_total: str


@dataclass(frozen=True, slots=True)
class OrderView:
    order_id: str
    created_at: datetime
    status: str
    currency: str
    coupon_codes: list[str]
    products: list[OrderLineView]
    total: str


@dataclass(frozen=True, slots=True)
class CheckedOrder:
    """A valid order; ``fingerprint`` tells a retry (same body) from a conflict."""

    order_id: str
    created_at: datetime
    currency: str
    lines: list[OrderLine]
    coupon_codes: list[str]
    fingerprint: str


def checked_order(draft: OrderDraft) -> CheckedOrder:
    """The order with prices in minor units; refuses it with every invalid field at once."""
    errors: list[str] = []
    order_id = draft.order_id.strip()
    if not order_id or len(order_id) > MAX_ORDER_ID_LENGTH:
        errors.append("order_id")
    currency = draft.currency.upper()
    if not is_currency_code(currency):
        errors.append("currency")
        currency = DEFAULT_CURRENCY
    created_at = utc_now()
    if draft.created_at is not None:
        # An order is counted on its local day, so its instant must have one in every zone.
        parsed = parse_moment(draft.created_at, parse_aware_in_range)
        if parsed is None:
            errors.append("created_at")
        else:
            created_at = parsed
    if not 0 < len(draft.products) <= MAX_ORDER_LINES:
        errors.append("products")
    lines = _checked_lines(draft.products, currency, errors)
    codes = list(dict.fromkeys(code.strip() for code in draft.coupon_codes))
    if any(not code or len(code) > MAX_CODE_LENGTH for code in codes):
        errors.append("coupon_codes")
    if errors:
        raise InvalidFieldsError(errors)
    fingerprint = _fingerprint(
        {
            "order_id": order_id,
            "created_at": draft.created_at and created_at.isoformat(),
            "currency": currency,
            "products": [[line.product_id, line.quantity, line.unit_minor] for line in lines],
            "coupon_codes": codes,
        }
    )
    return CheckedOrder(order_id, created_at, currency, lines, codes, fingerprint)


def _checked_lines(
    drafts: Sequence[OrderLineDraft], currency: str, errors: list[str]
) -> list[OrderLine]:
    lines: list[OrderLine] = []
    for line in drafts:
        if not 0 < line.product_id <= MAX_ID:
            errors.append("product_id")
        if not 0 < line.quantity <= MAX_QUANTITY:
            errors.append("quantity")
        try:
            unit_minor = to_minor(line.price, currency)
        except MoneyError:
            errors.append("price")
            continue
        if not 0 <= unit_minor <= MAX_UNIT_MINOR:
            errors.append("price")
        lines.append(OrderLine(line.product_id, line.quantity, unit_minor))
    return lines


def _fingerprint(content: Mapping[str, object]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class PartialOrderWriteError(Exception):
    """An order was refused after some of its writes: its transaction must be rolled back."""

    def __init__(self, refusal: PromotionsError) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


class OrderBatch:
    """Rows and counter increments of the orders of one transaction, written together.

    Orders are priced one after another on the same connection; their ledger
    rows and counter increments are collected here and written by ``flush`` in a
    few multi-row statements, so a batch of 30 orders costs a handful of
    statements instead of ~8 per order. Only consuming one-time codes is written
    at once, so that the next order of the batch sees the code taken.
    """

    def __init__(self) -> None:
        self.orders: list[dict[str, Any]] = []
        self.lines: list[dict[str, Any]] = []
        self.redemptions: list[dict[str, Any]] = []
        self.promotion_counts: Counter[tuple[int, int]] = Counter()
        self.code_counts: Counter[tuple[int, int]] = Counter()
        self.pending: dict[tuple[int, str], tuple[str, OrderView]] = {}

    def add(
        self,
        account_id: int,
        order_row: dict[str, Any],
        line_rows: list[dict[str, Any]],
        priced: PricedOrder,
        view: OrderView,
    ) -> None:
        self.orders.append(order_row)
        self.lines.extend(line_rows)
        self.redemptions.extend(_redemption_rows(account_id, order_row, priced))
        for promotion_id, count in priced.promotion_counts.items():
            self.promotion_counts[(account_id, promotion_id)] += count
        for code_id, count in priced.code_counts.items():
            self.code_counts[(account_id, code_id)] += count
        self.pending[(account_id, order_row["order_id"])] = (order_row["fingerprint"], view)

    def flush(self, conn: Connection) -> None:
        """Counters first (in key order, so concurrent batches lock rows alike), then rows."""
        repository.add_promotion_redemptions(conn, self.promotion_counts)
        repository.add_code_redemptions(conn, self.code_counts)
        repository.insert_orders(conn, self.orders, self.lines, self.redemptions)


class Orders:
    """Places and reads the orders of every account over one database."""

    def __init__(
        self, database: Database, committer: GroupCommitter[OrderBatch] | None = None
    ) -> None:
        self.database = database
        self.committer = committer

    def place(self, account: Account, draft: OrderDraft) -> OrderView:
        """Price and record an order; a retry with the same body gets the same answer."""
        checked = checked_order(draft)
        for attempt in range(2):
            try:
                return self._record(account.id, checked)
            except PartialOrderWriteError as partial:
                # Rolled back with its transaction; the client gets the refusal itself.
                raise partial.refusal from None
            except IntegrityError:
                # A concurrent request inserted the same order_id first; answer as a retry.
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def _record(self, account_id: int, order: CheckedOrder) -> OrderView:
        """Through the group committer when there is one, else in a transaction of its own."""
        if self.committer is not None:
            return self.committer.run(
                lambda conn, batch: _record_order_in(conn, batch, account_id, order)
            )
        with self.database.write() as conn:
            batch = OrderBatch()
            view = _record_order_in(conn, batch, account_id, order)
            batch.flush(conn)
        return view

    def get(self, account: Account, order_id: str) -> OrderView:
        with self.database.read() as conn:
            row = repository.select_order(conn, account.id, order_id)
            if row is None:
                raise OrderNotFoundError(order_id)
            lines = repository.select_order_lines(conn, account.id, order_id)
        return _order_view(row._mapping, [line._mapping for line in lines])

    def set_status(self, account: Account, order_id: str, status: str) -> OrderView:
        """Changes the order's status; the ledger and counters do not depend on it."""
        if status not in ORDER_STATUSES:
            raise InvalidFieldsError(["status"])
        with self.database.write() as conn:
            if repository.update_order_status(conn, account.id, order_id, status) == 0:
                raise OrderNotFoundError(order_id)
        return self.get(account, order_id)


def _record_order_in(
    conn: Connection, batch: OrderBatch, account_id: int, order: CheckedOrder
) -> OrderView:
    """Price one order into ``batch``, or answer a retry of a known one.

    A refusal (PromotionsError) leaves no write behind, so the other orders of
    the batch can still commit; anything that fails after a write raises
    PartialOrderWriteError.
    """
    pending = batch.pending.get((account_id, order.order_id))
    if pending is not None:
        if pending[0] != order.fingerprint:
            raise OrderConflictError(order.order_id)
        return pending[1]
    existing = repository.select_order(conn, account_id, order.order_id)
    if existing is not None:
        if existing.fingerprint != order.fingerprint:
            raise OrderConflictError(order.order_id)
        lines = repository.select_order_lines(conn, account_id, order.order_id)
        return _order_view(existing._mapping, [line._mapping for line in lines])
    carried = _carried_codes(conn, account_id, order)
    candidates = _candidates_by_product(conn, account_id, order)
    priced = price_order(order.lines, candidates, carried)
    _consume_one_time_codes(conn, account_id, order.order_id, priced)
    order_row = {
        "account_id": account_id,
        "order_id": order.order_id,
        "created_at": order.created_at,
        "status": "unpaid",
        "currency": order.currency,
        "coupon_codes": list(order.coupon_codes),
        "fingerprint": order.fingerprint,
        "total_minor": priced.total_minor,
        "recorded_at": utc_now(),
    }
    line_rows = _line_rows(account_id, order.order_id, priced)
    view = _order_view(order_row, line_rows)
    batch.add(account_id, order_row, line_rows, priced, view)
    return view


def _carried_codes(conn: Connection, account_id: int, order: CheckedOrder) -> list[CarriedCode]:
    """The usable codes the order carries, in the order given; refuses unknown or used ones."""
    rows = repository.live_codes_by_value(conn, account_id, order.coupon_codes)
    by_value: dict[str, list[Row[Any]]] = {}
    for row in rows:
        by_value.setdefault(row.coupon_code, []).append(row)
    carried: list[CarriedCode] = []
    for value in order.coupon_codes:
        matches = by_value.get(value)
        if not matches:
            raise CodeNotValidError(value)
        usable = [
            row
            for row in matches
            if row.coupon_type != "one-time" or row.consumed_by_order in (None, order.order_id)
        ]
        if not usable:
            raise CodeAlreadyUsedError(value)
        carried.extend(
            CarriedCode(int(row.id), int(row.promotion_id), row.coupon_code, row.coupon_type)
            for row in usable
        )
    return carried


def _candidates_by_product(
    conn: Connection, account_id: int, order: CheckedOrder
) -> dict[int, list[Candidate]]:
    """Per product of the order, the promotions running at its time that cover it."""
    product_ids = sorted({line.product_id for line in order.lines})
    by_product: dict[int, list[Candidate]] = {}
    shared: dict[int, Candidate] = {}
    rows = repository.eligible_promotions(conn, account_id, product_ids, order.created_at)
    for product_id, promotion_id, promotion_type, percent in rows:
        candidate = shared.get(promotion_id)
        if candidate is None:
            candidate = Candidate(promotion_id, promotion_type, Decimal(percent), percent)
            shared[promotion_id] = candidate
        by_product.setdefault(product_id, []).append(candidate)
    return by_product


def _consume_one_time_codes(
    conn: Connection, account_id: int, order_id: str, priced: PricedOrder
) -> None:
    """Marks the order's redeemed one-time codes used; refuses one taken meanwhile.

    Another process may take a code between the read and this write (PostgreSQL);
    the conditional UPDATE then changes nothing and the order is refused.
    """
    for consumed, code_id in enumerate(sorted(priced.one_time_codes)):
        if not repository.consume_one_time_code(conn, account_id, code_id, order_id):
            refusal = CodeAlreadyUsedError(priced.one_time_codes[code_id])
            if consumed:
                raise PartialOrderWriteError(refusal)
            raise refusal


def _line_rows(account_id: int, order_id: str, priced: PricedOrder) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for priced_line in priced.lines:
        line, winner = priced_line.line, priced_line.winner
        code = winner.code if winner is not None else None
        rows.append(
            {
                "account_id": account_id,
                "order_id": order_id,
                "line_no": priced_line.line_no,
                "product_id": line.product_id,
                "quantity": line.quantity,
                "unit_price_minor": line.unit_minor,
                "promotion_id": winner.promotion.promotion_id if winner else None,
                "code_id": code.id if code else None,
                "coupon_code": code.coupon_code if code else None,
                "discount_percent": winner.promotion.discount_text if winner else None,
                "discounted_unit_minor": priced_line.discounted_unit_minor,
                "line_total_minor": priced_line.total_minor,
            }
        )
    return rows


def _redemption_rows(
    account_id: int, order_row: Mapping[Any, Any], priced: PricedOrder
) -> list[dict[str, Any]]:
    """One ledger row per (line, eligible promotion); ``applied`` marks the line's winner."""
    return [
        {
            "account_id": account_id,
            "promotion_id": option.promotion.promotion_id,
            "order_id": order_row["order_id"],
            "line_no": priced_line.line_no,
            "code_id": option.code.id if option.code else None,
            "applied": option is priced_line.winner,
            "created_at": order_row["created_at"],
        }
        for priced_line in priced.lines
        for option in priced_line.eligible
    ]


def _order_view(order: Mapping[Any, Any], lines: Sequence[Mapping[Any, Any]]) -> OrderView:
    currency = order["currency"]
    return OrderView(
        order_id=order["order_id"],
        created_at=order["created_at"],
        status=order["status"],
        currency=currency,
        coupon_codes=list(order["coupon_codes"]),
        products=[
            OrderLineView(
                product_id=int(line["product_id"]),
                quantity=int(line["quantity"]),
                price=format_minor(line["unit_price_minor"], currency),
                promotion_id=line["promotion_id"],
                coupon_code=line["coupon_code"],
                discount_percent=line["discount_percent"],
                discounted_price=format_minor(line["discounted_unit_minor"], currency),
                line_total=format_minor(line["line_total_minor"], currency),
            )
            for line in lines
        ],
        total=format_minor(order["total_minor"], currency),
    )
