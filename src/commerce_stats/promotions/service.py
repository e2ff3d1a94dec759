"""Promotion rules: tokens, promotion management, order pricing, the ledger and statistics.

Counting rules (seed 003) as implemented by ``place_order``:
- one ledger row per (order line, eligible promotion), whatever the quantity;
- every promotion eligible on a line is counted, the applied one and the others;
- a code is counted on the lines where its promotion was eligible through it;
- order status never changes the ledger; changing a promotion's type or deleting
  codes never removes ledger rows or counters.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Connection, Row
from sqlalchemy.exc import IntegrityError

from commerce_stats.accounts.service import Accounts
from commerce_stats.db.engine import Database
from commerce_stats.kit.errors import AdminError
from commerce_stats.kit.keys import hash_secret, new_secret
from commerce_stats.kit.money import MoneyError, format_minor, is_currency_code, to_minor
from commerce_stats.kit.ratelimit import FailureLimiter, Verdict
from commerce_stats.kit.tenancy import Account, Feature
from commerce_stats.kit.throttle import Surface, Throttle
from commerce_stats.kit.timeutil import (
    local_days_to_utc,
    parse_aware,
    parse_aware_in_range,
    to_local,
    utc_now,
)
from commerce_stats.promotions import repository
from commerce_stats.promotions.committer import GroupCommitter
from commerce_stats.promotions.errors import (
    CODE_NOT_VALID,
    INVALID_CREDENTIALS,
    ORDER_CONFLICT,
    ORDER_NOT_FOUND,
    TOO_MANY_ATTEMPTS,
    PromotionsError,
    invalid_fields,
    no_access,
    promotion_not_found,
    token_expired,
    token_invalid,
    token_missing,
)

PROMOTION_TYPES = ("coupon", "discount")
COUPON_TYPES = ("one-time", "reusable")
ORDER_STATUSES = ("unpaid", "paid", "deleted")
OPEN_END = datetime(3000, 1, 1, tzinfo=UTC)
MAX_NAME_LENGTH = 255
MAX_CODE_LENGTH = 64
MAX_ORDER_ID_LENGTH = 64
MAX_ORDER_LINES = 1000
MAX_QUANTITY = 10_000
MAX_UNIT_MINOR = 10**11
MAX_ID = 2**63 - 1
"""Identifiers (promotions, codes, products) are 64-bit; larger numbers are invalid values."""
MAX_CODES_PER_PROMOTION = 100_000
DEFAULT_CURRENCY = "EUR"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MIN_SEARCH_LENGTH = 3
MAX_USERNAME_LENGTH = 255
"""Longest username accepted at ``POST /v1/login_check`` (issued ones have 15 characters)."""
PROMOTION_SEQUENCE = "promotion"
CODE_SEQUENCE = "promotion_code"


# --- values crossing the service boundary ------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenPair:
    token: str
    refresh_token: str


@dataclass(frozen=True, slots=True)
class PromotionChanges:
    """What a client sent for a promotion; ``None`` means "not given"."""

    promotion_type: str | None = None
    promotion_name: str | None = None
    status: bool | None = None
    date_from: str | None = None
    date_to: str | None = None
    date_to_cleared: bool = False
    coupon_type: str | None = None
    coupon_codes: Sequence[str] | None = None
    discount_percent: str | None = None
    product_ids: Sequence[int] | None = None


@dataclass(frozen=True, slots=True)
class PromotionView:
    id: int
    promotion_type: str
    promotion_name: str
    status: bool
    date_from: datetime
    date_to: datetime
    coupon_type: str | None
    coupon_codes: list[str]
    discount_percent: str
    product_ids: list[int]
    update_date: datetime


@dataclass(frozen=True, slots=True)
class PromotionQuery:
    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0
    status: bool | None = None
    expired: bool | None = None
    search_string: str | None = None
    sort_by_update_date: str | None = None


@dataclass(frozen=True, slots=True)
class PromotionPage:
    ids: list[int]
    total: int
    limit: int
    offset: int


CodeStatistics = tuple[int, str, str, int]
"""One code's line of the statistics: (id, coupon_code, coupon_type, redemptions).

A plain tuple, straight from the database: a promotion may hold 100,000 codes.
"""


@dataclass(frozen=True, slots=True)
class PromotionStatistics:
    id: int
    redemptions: int
    promotion_codes: list[CodeStatistics] | None


@dataclass(frozen=True, slots=True)
class OrderLineDraft:
    product_id: int
    quantity: int
    price: str


@dataclass(frozen=True, slots=True)
class OrderDraft:
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
class _Spec:
    """A complete, validated promotion as it will be stored."""

    promotion_type: str
    promotion_name: str
    status: bool
    date_from: datetime
    date_to: datetime
    coupon_type: str | None
    coupon_codes: list[str]
    discount_percent: str
    product_ids: list[int]


@dataclass(slots=True)
class _Candidate:
    promotion_id: int
    promotion_type: str
    discount: Decimal
    discount_text: str


@dataclass(slots=True)
class _CarriedCode:
    id: int
    promotion_id: int
    coupon_code: str
    coupon_type: str


@dataclass(slots=True)
class _Priced:
    """The outcome of pricing one order: its rows and the counter increments."""

    lines: list[dict[str, Any]] = field(default_factory=list)
    redemptions: list[dict[str, Any]] = field(default_factory=list)
    promotion_counts: Counter[int] = field(default_factory=Counter)
    code_counts: Counter[int] = field(default_factory=Counter)
    one_time_codes: dict[int, str] = field(default_factory=dict)
    total_minor: int = 0


# --- small pure helpers ----------------------------------------------------------------


def normalized_percent(text: str) -> str | None:
    """Canonical text of a discount percentage in (0, 100], or None when not one."""
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        return None
    if not value.is_finite() or value <= 0 or value > 100 or value.as_tuple().exponent < -4:  # type: ignore[operator]
        return None
    return format(value.normalize(), "f")


def discounted_minor(unit_minor: int, percent: Decimal) -> int:
    """Unit price after ``percent`` off, rounded half up to the minor unit."""
    exact = Decimal(unit_minor) * (Decimal(100) - percent) / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _parse_moment(text: str, parse: Callable[[str], datetime] = parse_aware) -> datetime | None:
    try:
        return parse(text)
    except ValueError:
        return None


def _require_feature(account: Account) -> Account:
    if not account.has(Feature.PROMOTIONS):
        raise no_access()
    return account


def _order_not_found(order_id: str) -> PromotionsError:
    return PromotionsError([(ORDER_NOT_FOUND, f"Order not found: {order_id}")], status=404)


def _code_refused(code: str, reason: str) -> PromotionsError:
    return PromotionsError([(CODE_NOT_VALID, f"{reason}: {code}")], status=422)


# --- the service ---------------------------------------------------------------------


class Promotions:
    """The promotions domain over one database; one per process."""

    def __init__(
        self,
        database: Database,
        accounts: Accounts,
        *,
        token_hours: float = 24.0,
        refresh_days: float = 30.0,
        committer: GroupCommitter[OrderBatch] | None = None,
    ) -> None:
        self.database = database
        self.committer = committer
        self.accounts = accounts
        self.token_lifetime = timedelta(hours=token_hours)
        self.refresh_lifetime = timedelta(days=refresh_days)

    # --- tokens -------------------------------------------------------------------
    #
    # A token is stored (hashed) with the generation of the account's promotions
    # password it was issued under. Rotating the password or disabling the account
    # moves the generation on, which voids every token and refresh token issued
    # before; each check reads the account's state in the token's own query, so
    # this holds at once in every process (no token is remembered in memory).

    def login(
        self,
        username: str | None,
        password: str | None,
        *,
        failures: FailureLimiter | None = None,
        client: str = "unknown",
    ) -> TokenPair:
        """A token pair for the account's promotions username and password.

        With ``failures``, wrong attempts are counted per client address and per
        username (see ``kit.throttle``); past a limit every attempt is refused (429)
        until the window ends. A username longer than ``MAX_USERNAME_LENGTH`` is
        refused (400 11010) before it is counted or compared.
        """
        if username is not None and len(username) > MAX_USERNAME_LENGTH:
            raise invalid_fields(["username"])
        throttle, name = Throttle(failures), username or ""
        _refuse_if_limited(throttle.check(Surface.PROMOTIONS_SIGN_IN, client=client, name=name))
        account = self.accounts.authenticate_pair(
            "promotions_username", username, "promotions_password", password
        )
        if account is None or password is None:
            throttle.record_failure(Surface.PROMOTIONS_SIGN_IN, client=client, name=name)
            raise _invalid_credentials()
        with self.database.write() as conn:
            generation = repository.password_generation(conn, account.id, hash_secret(password))
            if generation is None:
                raise _invalid_credentials()
            return self._issue_tokens(conn, account.id, generation)

    def refresh(
        self,
        refresh_token: str | None,
        *,
        failures: FailureLimiter | None = None,
        client: str = "unknown",
    ) -> TokenPair:
        """A new token pair for a valid refresh token, which is used up.

        Unknown and revoked tokens are counted per client address like unknown
        bearer tokens.
        """
        if not refresh_token:
            raise token_missing()
        throttle = Throttle(failures)
        _refuse_if_limited(throttle.check(Surface.PROMOTIONS_TOKEN, client=client))
        digest = hash_secret(refresh_token)
        with self.database.write() as conn:
            found = repository.live_token(conn, digest, "refresh")
            if found is None:
                throttle.record_failure(Surface.PROMOTIONS_TOKEN, client=client)
                raise token_invalid()
            account_id, expires_at, generation = found
            if expires_at <= utc_now():
                raise token_expired()
            repository.delete_token(conn, account_id, digest)
            return self._issue_tokens(conn, account_id, generation)

    def _issue_tokens(self, conn: Connection, account_id: int, generation: int) -> TokenPair:
        """A new pair under ``generation``, which the caller read in this transaction
        together with the proof (the password, the refresh token) that was checked."""
        now = utc_now()
        pair = TokenPair(token=new_secret(), refresh_token=new_secret())
        repository.delete_expired_tokens(conn, account_id, now)
        repository.delete_revoked_tokens(conn, account_id, generation)
        repository.insert_tokens(conn, self._token_rows(account_id, pair, generation, now))
        return pair

    def _token_rows(
        self, account_id: int, pair: TokenPair, generation: int, now: datetime
    ) -> list[dict[str, Any]]:
        return [
            {
                "account_id": account_id,
                "token_hash": hash_secret(secret),
                "kind": kind,
                "expires_at": now + lifetime,
                "created_at": now,
                "generation": generation,
            }
            for secret, kind, lifetime in (
                (pair.token, "access", self.token_lifetime),
                (pair.refresh_token, "refresh", self.refresh_lifetime),
            )
        ]

    def _enabled_account(self, account_id: int) -> Account | None:
        try:
            account = self.accounts.get(account_id)
        except AdminError:
            return None
        return None if account.disabled else account

    def authenticate(
        self,
        token: str | None,
        *,
        failures: FailureLimiter | None = None,
        client: str = "unknown",
    ) -> Account:
        """The account behind a bearer token (401 1008/1007/1009), with the feature (11000).

        A token of a disabled account, or issued before the account's promotions
        password was last rotated or the account last disabled, is invalid (1007).
        With ``failures``, unknown tokens are counted per client address; past the
        limit the address is answered 429 until the window ends.
        """
        if not token:
            raise token_missing()
        throttle = Throttle(failures)
        _refuse_if_limited(throttle.check(Surface.PROMOTIONS_TOKEN, client=client))
        digest = hash_secret(token)
        with self.database.read() as conn:
            found = repository.live_token(conn, digest, "access")
        if found is None:
            throttle.record_failure(Surface.PROMOTIONS_TOKEN, client=client)
            raise token_invalid()
        account_id, expires_at, _generation = found
        if expires_at <= utc_now():
            raise token_expired()
        account = self._enabled_account(account_id)
        if account is None:
            raise token_invalid()
        return _require_feature(account)

    # --- promotion management ----------------------------------------------------------

    def create_promotion(self, account: Account, changes: PromotionChanges) -> PromotionView:
        spec = _merged_spec(None, changes)
        now = utc_now()
        with self.database.write() as conn:
            (promotion_id,) = repository.allocate_ids(conn, account.id, PROMOTION_SEQUENCE, 1)
            repository.insert_promotion(
                conn,
                {
                    "account_id": account.id,
                    "id": promotion_id,
                    **_stored_fields(spec),
                    "deleted": False,
                    "redemptions": 0,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            repository.replace_promotion_products(conn, account.id, promotion_id, spec.product_ids)
            self._sync_codes(conn, account.id, promotion_id, spec, now, live_rows=[])
            return _view(promotion_id, now, spec)

    def update_promotion(
        self, account: Account, promotion_id: int, changes: PromotionChanges
    ) -> PromotionView:
        now = utc_now()
        with self.database.write() as conn:
            row = repository.select_promotion(conn, account.id, promotion_id, for_update=True)
            if row is None:
                raise promotion_not_found(promotion_id)
            live_rows = repository.live_codes_of(conn, account.id, promotion_id)
            current = _spec_of(row, live_rows)
            spec = _merged_spec(current, changes)
            repository.update_promotion(
                conn, account.id, promotion_id, {**_stored_fields(spec), "updated_at": now}
            )
            if spec.product_ids != current.product_ids:
                repository.replace_promotion_products(
                    conn, account.id, promotion_id, spec.product_ids
                )
            self._sync_codes(
                conn, account.id, promotion_id, spec, now, live_rows, current.coupon_type
            )
            return _view(promotion_id, now, spec)

    @staticmethod
    def _sync_codes(
        conn: Connection,
        account_id: int,
        promotion_id: int,
        spec: _Spec,
        now: datetime,
        live_rows: Sequence[Row[Any]],
        previous_type: str | None = None,
    ) -> None:
        """Make the live codes equal the spec's list: delete the dropped, add the new.

        ``live_rows`` are the promotion's live codes as read in this transaction, and
        ``previous_type`` the coupon type they carry. A code that stays keeps its id and
        statistics; a value that comes back after deletion becomes a new code with a new id.
        """
        live = {row.coupon_code: row for row in live_rows}
        wanted = spec.coupon_codes
        wanted_set = set(wanted)
        dropped = [int(row.id) for value, row in live.items() if value not in wanted_set]
        repository.delete_codes(conn, account_id, dropped)
        added = [value for value in wanted if value not in live]
        if spec.coupon_type is not None:
            if live and spec.coupon_type != previous_type:
                repository.set_live_code_type(conn, account_id, promotion_id, spec.coupon_type)
            ids = repository.allocate_ids(conn, account_id, CODE_SEQUENCE, len(added))
            repository.insert_codes(
                conn,
                [
                    {
                        "account_id": account_id,
                        "id": code_id,
                        "promotion_id": promotion_id,
                        "coupon_code": value,
                        "coupon_type": spec.coupon_type,
                        "deleted": False,
                        "consumed_by_order": None,
                        "redemptions": 0,
                        "created_at": now,
                    }
                    for code_id, value in zip(ids, added, strict=True)
                ],
            )

    def get_promotion(self, account: Account, promotion_id: int) -> PromotionView:
        with self.database.read() as conn:
            row = repository.select_promotion(conn, account.id, promotion_id)
            if row is None:
                raise promotion_not_found(promotion_id)
            spec = _spec_of(row, repository.live_codes_of(conn, account.id, promotion_id))
            return _view(int(row.id), row.updated_at, spec)

    def delete_promotion(self, account: Account, promotion_id: int) -> None:
        """Marks the promotion deleted and deletes its codes; the ledger stays as it is."""
        with self.database.write() as conn:
            if repository.select_promotion(conn, account.id, promotion_id, for_update=True) is None:
                raise promotion_not_found(promotion_id)
            repository.update_promotion(
                conn, account.id, promotion_id, {"deleted": True, "updated_at": utc_now()}
            )
            repository.delete_all_codes_of(conn, account.id, promotion_id)

    def list_promotions(self, account: Account, query: PromotionQuery) -> PromotionPage:
        errors: list[str] = []
        if not 1 <= query.limit <= MAX_PAGE_SIZE:
            errors.append("limit")
        if query.offset < 0:
            errors.append("offset")
        search = query.search_string.strip() if query.search_string is not None else None
        if search is not None and len(search) < MIN_SEARCH_LENGTH:
            errors.append("search_string")
        if query.sort_by_update_date not in (None, "asc", "desc"):
            errors.append("sort_by_update_date")
        if errors:
            raise invalid_fields(errors)
        now = utc_now()
        with self.database.read() as conn:
            ids, total = repository.list_promotion_ids(
                conn,
                account.id,
                limit=query.limit,
                offset=query.offset,
                status=query.status,
                expired_before=now if query.expired is True else None,
                active_at=now if query.expired is False else None,
                search=search,
                sort_by_update=query.sort_by_update_date,
            )
        return PromotionPage(ids=ids, total=total, limit=query.limit, offset=query.offset)

    # --- statistics ----------------------------------------------------------------------

    def statistics(self, account: Account, promotion_id: int) -> PromotionStatistics:
        """Redemptions of a live promotion and of its codes, read from the counters."""
        with self.database.read() as conn:
            row = repository.select_promotion(conn, account.id, promotion_id)
            if row is None:
                raise promotion_not_found(promotion_id)
            codes = repository.statistics_codes(conn, account.id, promotion_id)
            with_codes = (
                row.promotion_type == "coupon"
                or bool(codes)
                or repository.promotion_ever_had_codes(conn, account.id, promotion_id)
            )
        return PromotionStatistics(
            id=promotion_id,
            redemptions=int(row.redemptions),
            promotion_codes=codes if with_codes else None,
        )

    def counter_drift(self, account_id: int) -> list[str]:
        """Every counter that disagrees with the ledger, described; empty when consistent."""
        with self.database.read() as conn:
            promotion_rows = repository.promotion_counter_drift(conn, account_id)
            code_rows = repository.code_counter_drift(conn, account_id)
        return [
            f"promotion {row.id}: counter {row.redemptions}, ledger {row.ledger}"
            for row in promotion_rows
        ] + [f"code {row.id}: counter {row.redemptions}, ledger {row.ledger}" for row in code_rows]

    def summaries(self, account_id: int) -> list[Row[Any]]:
        with self.database.read() as conn:
            return repository.promotion_summaries(conn, account_id)

    # --- orders ----------------------------------------------------------------------------

    def place_order(self, account: Account, draft: OrderDraft) -> OrderView:
        """Price and record an order; a retry with the same body gets the same answer."""
        checked = _checked_order(draft)
        for attempt in range(2):
            try:
                return self._record_order(account.id, checked)
            except PartialOrderWriteError as partial:
                # Rolled back with its transaction; the client gets the refusal itself.
                raise partial.refusal from None
            except IntegrityError:
                # A concurrent request inserted the same order_id first; answer as a retry.
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def _record_order(self, account_id: int, order: _CheckedOrder) -> OrderView:
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

    def get_order(self, account: Account, order_id: str) -> OrderView:
        with self.database.read() as conn:
            row = repository.select_order(conn, account.id, order_id)
            if row is None:
                raise _order_not_found(order_id)
            lines = repository.select_order_lines(conn, account.id, order_id)
        return _order_view(row._mapping, [line._mapping for line in lines])

    def set_order_status(self, account: Account, order_id: str, status: str) -> OrderView:
        """Changes the order's status; the ledger and counters do not depend on it."""
        if status not in ORDER_STATUSES:
            raise invalid_fields(["status"])
        with self.database.write() as conn:
            if repository.update_order_status(conn, account.id, order_id, status) == 0:
                raise _order_not_found(order_id)
        return self.get_order(account, order_id)


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
        self, account_id: int, order_row: dict[str, Any], priced: _Priced, view: OrderView
    ) -> None:
        self.orders.append(order_row)
        self.lines.extend(priced.lines)
        self.redemptions.extend(priced.redemptions)
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


def _conflict(order_id: str) -> PromotionsError:
    return PromotionsError(
        [(ORDER_CONFLICT, f"Order already exists with a different body: {order_id}")],
        status=409,
    )


def _record_order_in(
    conn: Connection, batch: OrderBatch, account_id: int, order: _CheckedOrder
) -> OrderView:
    """Price one order into ``batch``, or answer a retry of a known one.

    A refusal (PromotionsError) leaves no write behind, so the other orders of
    the batch can still commit; anything that fails after a write raises
    PartialOrderWriteError.
    """
    pending = batch.pending.get((account_id, order.order_id))
    if pending is not None:
        if pending[0] != order.fingerprint:
            raise _conflict(order.order_id)
        return pending[1]
    existing = repository.select_order(conn, account_id, order.order_id)
    if existing is not None:
        if existing.fingerprint != order.fingerprint:
            raise _conflict(order.order_id)
        lines = repository.select_order_lines(conn, account_id, order.order_id)
        return _order_view(existing._mapping, [line._mapping for line in lines])
    carried = _carried_codes(conn, account_id, order)
    candidates = _candidates_by_product(conn, account_id, order)
    priced = _price(account_id, order, candidates, carried)
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
    view = _order_view(order_row, priced.lines)
    batch.add(account_id, order_row, priced, view)
    return view


def _consume_one_time_codes(
    conn: Connection, account_id: int, order_id: str, priced: _Priced
) -> None:
    """Marks the order's redeemed one-time codes used; refuses one taken meanwhile.

    Another process may take a code between the read and this write (PostgreSQL);
    the conditional UPDATE then changes nothing and the order is refused.
    """
    for consumed, code_id in enumerate(sorted(priced.one_time_codes)):
        if not repository.consume_one_time_code(conn, account_id, code_id, order_id):
            refusal = _code_refused(priced.one_time_codes[code_id], "Promotion code already used")
            if consumed:
                raise PartialOrderWriteError(refusal)
            raise refusal


# --- promotion specs -------------------------------------------------------------------


def _stored_fields(spec: _Spec) -> dict[str, Any]:
    return {
        "promotion_type": spec.promotion_type,
        "promotion_name": spec.promotion_name,
        "status": spec.status,
        "date_from": spec.date_from,
        "date_to": spec.date_to,
        "coupon_type": spec.coupon_type,
        "discount_percent": spec.discount_percent,
        "product_ids": spec.product_ids,
    }


def _spec_of(row: Row[Any], codes: Sequence[Row[Any]]) -> _Spec:
    return _Spec(
        promotion_type=row.promotion_type,
        promotion_name=row.promotion_name,
        status=bool(row.status),
        date_from=row.date_from,
        date_to=row.date_to,
        coupon_type=row.coupon_type,
        coupon_codes=[code.coupon_code for code in codes],
        discount_percent=row.discount_percent,
        product_ids=[int(product_id) for product_id in row.product_ids],
    )


def _view(promotion_id: int, updated_at: datetime, spec: _Spec) -> PromotionView:
    return PromotionView(
        id=promotion_id,
        promotion_type=spec.promotion_type,
        promotion_name=spec.promotion_name,
        status=spec.status,
        date_from=spec.date_from,
        date_to=spec.date_to,
        coupon_type=spec.coupon_type,
        coupon_codes=list(spec.coupon_codes),
        discount_percent=spec.discount_percent,
        product_ids=list(spec.product_ids),
        update_date=updated_at,
    )


def _merged_spec(current: _Spec | None, changes: PromotionChanges) -> _Spec:
    """The promotion after ``changes``; every invalid or missing field is reported at once."""
    errors: list[str] = []

    def pick(name: str, given: Any, default: Any) -> Any:
        if given is not None:
            return given
        if current is not None:
            return getattr(current, name)
        return default

    promotion_type = pick("promotion_type", changes.promotion_type, None)
    if promotion_type not in PROMOTION_TYPES:
        errors.append("promotion_type")

    name = pick("promotion_name", changes.promotion_name, None)
    if name is None or not name.strip() or len(name) > MAX_NAME_LENGTH:
        errors.append("promotion_name")

    status = bool(pick("status", changes.status, True))

    date_from = _pick_moment(changes.date_from, current.date_from if current else None)
    if date_from is None:
        errors.append("date_from")
    if changes.date_to_cleared:
        date_to: datetime | None = OPEN_END
    else:
        date_to = _pick_moment(changes.date_to, current.date_to if current else OPEN_END)
        if date_to is None:
            errors.append("date_to")
    if date_from is not None and date_to is not None and date_from > date_to:
        errors.append("date_to")

    percent_text = pick("discount_percent", changes.discount_percent, None)
    percent = normalized_percent(percent_text) if percent_text is not None else None
    if percent is None:
        errors.append("discount_percent")

    product_ids = list(pick("product_ids", changes.product_ids, []))
    if not product_ids or any(not 0 < pid <= MAX_ID for pid in product_ids):
        errors.append("product_id")
    product_ids = list(dict.fromkeys(product_ids))

    coupon_type, codes = _merged_codes(promotion_type, current, changes, errors)

    if errors:
        raise invalid_fields(errors)
    assert date_from is not None
    assert date_to is not None
    assert percent is not None
    return _Spec(
        promotion_type=promotion_type,
        promotion_name=name.strip(),
        status=status,
        date_from=date_from,
        date_to=date_to,
        coupon_type=coupon_type,
        coupon_codes=codes,
        discount_percent=percent,
        product_ids=product_ids,
    )


def _pick_moment(given: str | None, fallback: datetime | None) -> datetime | None:
    if given is None:
        return fallback
    return _parse_moment(given)


def _merged_codes(
    promotion_type: str | None,
    current: _Spec | None,
    changes: PromotionChanges,
    errors: list[str],
) -> tuple[str | None, list[str]]:
    """Coupon type and code list after the change; a discount promotion keeps no codes."""
    if promotion_type == "discount":
        if changes.coupon_codes:
            errors.append("coupon_code")
        return None, []
    coupon_type = changes.coupon_type
    if coupon_type is None and current is not None:
        coupon_type = current.coupon_type
    if coupon_type not in COUPON_TYPES:
        errors.append("coupon_type")
        coupon_type = None
    if changes.coupon_codes is not None:
        codes = [code.strip() for code in changes.coupon_codes]
    else:
        codes = list(current.coupon_codes) if current is not None else []
    valid = (
        0 < len(codes) <= MAX_CODES_PER_PROMOTION
        and all(0 < len(code) <= MAX_CODE_LENGTH for code in codes)
        and len(set(codes)) == len(codes)
    )
    if not valid:
        errors.append("coupon_code")
    return coupon_type, codes


# --- order checking and pricing ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CheckedLine:
    product_id: int
    quantity: int
    unit_minor: int


@dataclass(frozen=True, slots=True)
class _CheckedOrder:
    order_id: str
    created_at: datetime
    currency: str
    lines: list[_CheckedLine]
    coupon_codes: list[str]
    fingerprint: str


def _checked_order(draft: OrderDraft) -> _CheckedOrder:
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
        parsed = _parse_moment(draft.created_at, parse_aware_in_range)
        if parsed is None:
            errors.append("created_at")
        else:
            created_at = parsed
    if not 0 < len(draft.products) <= MAX_ORDER_LINES:
        errors.append("products")
    lines: list[_CheckedLine] = []
    for line in draft.products:
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
        lines.append(_CheckedLine(line.product_id, line.quantity, unit_minor))
    codes = list(dict.fromkeys(code.strip() for code in draft.coupon_codes))
    if any(not code or len(code) > MAX_CODE_LENGTH for code in codes):
        errors.append("coupon_codes")
    if errors:
        raise invalid_fields(errors)
    fingerprint = _fingerprint(
        {
            "order_id": order_id,
            "created_at": draft.created_at and created_at.isoformat(),
            "currency": currency,
            "products": [[line.product_id, line.quantity, line.unit_minor] for line in lines],
            "coupon_codes": codes,
        }
    )
    return _CheckedOrder(order_id, created_at, currency, lines, codes, fingerprint)


def _fingerprint(content: Mapping[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _carried_codes(conn: Connection, account_id: int, order: _CheckedOrder) -> list[_CarriedCode]:
    """The usable codes the order carries, in the order given; refuses unknown or used ones."""
    rows = repository.live_codes_by_value(conn, account_id, order.coupon_codes)
    by_value: dict[str, list[Row[Any]]] = {}
    for row in rows:
        by_value.setdefault(row.coupon_code, []).append(row)
    carried: list[_CarriedCode] = []
    for value in order.coupon_codes:
        matches = by_value.get(value)
        if not matches:
            raise _code_refused(value, "Promotion code not valid")
        usable = [
            row
            for row in matches
            if row.coupon_type != "one-time" or row.consumed_by_order in (None, order.order_id)
        ]
        if not usable:
            raise _code_refused(value, "Promotion code already used")
        carried.extend(
            _CarriedCode(int(row.id), int(row.promotion_id), row.coupon_code, row.coupon_type)
            for row in usable
        )
    return carried


def _candidates_by_product(
    conn: Connection, account_id: int, order: _CheckedOrder
) -> dict[int, list[_Candidate]]:
    """Per product of the order, the promotions running at its time that cover it.

    A promotion covering several of the order's products is one shared object.
    """
    product_ids = sorted({line.product_id for line in order.lines})
    by_product: dict[int, list[_Candidate]] = {}
    shared: dict[int, _Candidate] = {}
    rows = repository.eligible_promotions(conn, account_id, product_ids, order.created_at)
    for product_id, promotion_id, promotion_type, percent in rows:
        candidate = shared.get(promotion_id)
        if candidate is None:
            candidate = _Candidate(promotion_id, promotion_type, Decimal(percent), percent)
            shared[promotion_id] = candidate
        by_product.setdefault(product_id, []).append(candidate)
    return by_product


def _price(
    account_id: int,
    order: _CheckedOrder,
    candidates: Mapping[int, list[_Candidate]],
    carried: Sequence[_CarriedCode],
) -> _Priced:
    """Per line: the eligible promotions, the best one applied, the ledger rows."""
    first_code_of: dict[int, _CarriedCode] = {}
    for carried_code in carried:
        first_code_of.setdefault(carried_code.promotion_id, carried_code)
    priced = _Priced()
    for line_no, line in enumerate(order.lines, start=1):
        eligible: list[tuple[_Candidate, _CarriedCode | None]] = []
        for candidate in candidates.get(line.product_id, []):
            if candidate.promotion_type == "discount":
                eligible.append((candidate, None))
            elif candidate.promotion_id in first_code_of:
                eligible.append((candidate, first_code_of[candidate.promotion_id]))
        best = (
            min(eligible, key=lambda pair: (-pair[0].discount, pair[0].promotion_id))
            if eligible
            else None
        )
        unit = (
            line.unit_minor if best is None else discounted_minor(line.unit_minor, best[0].discount)
        )
        priced.lines.append(
            {
                "account_id": account_id,
                "order_id": order.order_id,
                "line_no": line_no,
                "product_id": line.product_id,
                "quantity": line.quantity,
                "unit_price_minor": line.unit_minor,
                "promotion_id": best[0].promotion_id if best else None,
                "code_id": best[1].id if best and best[1] else None,
                "coupon_code": best[1].coupon_code if best and best[1] else None,
                "discount_percent": best[0].discount_text if best else None,
                "discounted_unit_minor": unit,
                "line_total_minor": unit * line.quantity,
            }
        )
        priced.total_minor += unit * line.quantity
        for candidate, code in eligible:
            priced.redemptions.append(
                {
                    "account_id": account_id,
                    "promotion_id": candidate.promotion_id,
                    "order_id": order.order_id,
                    "line_no": line_no,
                    "code_id": code.id if code else None,
                    "applied": best is not None and candidate is best[0],
                    "created_at": order.created_at,
                }
            )
            priced.promotion_counts[candidate.promotion_id] += 1
            if code is not None:
                priced.code_counts[code.id] += 1
                if code.coupon_type == "one-time":
                    priced.one_time_codes[code.id] = code.coupon_code
    return priced


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


def _invalid_credentials() -> PromotionsError:
    return PromotionsError([(INVALID_CREDENTIALS, "Invalid credentials.")], status=401)


def _refuse_if_limited(verdict: Verdict) -> None:
    """429 1010 with ``Retry-After`` when the throttle refused the attempt."""
    if verdict.allowed:
        return
    raise PromotionsError(
        [
            (
                TOO_MANY_ATTEMPTS,
                f"Too many failed attempts. Try again in {verdict.retry_after} seconds.",
            )
        ],
        status=429,
        headers={"Retry-After": str(verdict.retry_after)},
    )


@dataclass(frozen=True, slots=True)
class PromotionFigures:
    """What the dashboard shows of one account's promotions.

    ``orders_by_day`` maps (local day, currency) to (orders, total in minor units).
    """

    promotions: list[tuple[int, str, bool, int]]
    codes: list[tuple[int, str, str, int]]
    orders_by_day: dict[tuple[date, str], tuple[int, int]]


def promotion_figures(
    database: Database, account: Account, first: date, last: date, limit: int = 20
) -> PromotionFigures:
    """Redemptions per live promotion and per code, orders per local day in ``first..last``."""
    start, end = local_days_to_utc(first, last, account.timezone)
    with database.read() as conn:
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
            (int(row.id), row.promotion_name, bool(row.status), int(row.redemptions))
            for row in summaries
            if not row.deleted
        ],
        codes=[
            (int(row.promotion_id), row.promotion_name, row.coupon_code, int(row.redemptions))
            for row in codes
        ],
        orders_by_day=by_day,
    )
