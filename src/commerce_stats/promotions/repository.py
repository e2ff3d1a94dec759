"""All SQL of the promotions domain (SQLAlchemy Core); every query is scoped by account."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from commerce_stats.accounts.tables import account_credentials, accounts
from commerce_stats.db.types import UTCDateTime
from commerce_stats.db.upsert import upsert
from commerce_stats.promotions.tables import (
    promo_order_lines,
    promo_orders,
    promo_redemptions,
    promo_sequences,
    promo_tokens,
    promotion_codes,
    promotion_products,
    promotions,
)

# --- identifiers ---------------------------------------------------------------


def allocate_ids(conn: Connection, account_id: int, name: str, count: int) -> list[int]:
    """``count`` fresh identifiers of sequence ``name``; the row lock serialises allocators."""
    if count <= 0:
        return []
    allocate = (
        upsert(conn, promo_sequences, ["account_id", "name"], add=["last_value"])
        .values(account_id=account_id, name=name, last_value=count)
        .returning(promo_sequences.c.last_value)
    )
    last = int(conn.execute(allocate).scalar_one())
    return list(range(last - count + 1, last + 1))


# --- tokens ----------------------------------------------------------------------


def insert_tokens(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    conn.execute(insert(promo_tokens), list(rows))


PASSWORD_CREDENTIAL = "promotions_password"  # noqa: S105 (a credential name, not a secret)


_LIVE_TOKEN = (
    select(promo_tokens.c.account_id, promo_tokens.c.expires_at, promo_tokens.c.generation)
    .join(accounts, accounts.c.id == promo_tokens.c.account_id)
    .join(
        account_credentials,
        (account_credentials.c.account_id == promo_tokens.c.account_id)
        & (account_credentials.c.name == PASSWORD_CREDENTIAL),
    )
    .where(promo_tokens.c.token_hash == bindparam("b_token_hash"))
    .where(promo_tokens.c.kind == bindparam("b_kind"))
    .where(promo_tokens.c.generation == account_credentials.c.generation)
    .where(accounts.c.disabled.is_(False))
)
"""Built once: every request of the API runs it, and building the statement cost about as
much as running it."""


def live_token(conn: Connection, token_hash: str, kind: str) -> tuple[int, datetime, int] | None:
    """(account id, expiry, generation) of a stored token of ``kind`` that is still live.

    Live means: its account is enabled and the account's promotions password is
    still at the generation the token was issued under (no rotation or disabling
    since). The account's state is read in this same query, so a change made by
    any process counts at once. Expiry is left to the caller (1009, not 1007).
    """
    row = conn.execute(_LIVE_TOKEN, {"b_token_hash": token_hash, "b_kind": kind}).first()
    if row is None:
        return None
    return int(row.account_id), row.expires_at, int(row.generation)


def password_generation(conn: Connection, account_id: int, secret_hash: str) -> int | None:
    """The generation of the account's promotions password if its hash is still
    ``secret_hash`` (None once it was rotated)."""
    query = (
        select(account_credentials.c.generation)
        .where(account_credentials.c.account_id == account_id)
        .where(account_credentials.c.name == PASSWORD_CREDENTIAL)
        .where(account_credentials.c.secret_hash == secret_hash)
    )
    generation: int | None = conn.execute(query).scalar_one_or_none()
    return generation


def delete_revoked_tokens(conn: Connection, account_id: int, generation: int) -> None:
    """Drops the account's tokens issued under an older password generation."""
    conn.execute(
        delete(promo_tokens)
        .where(promo_tokens.c.account_id == account_id)
        .where(promo_tokens.c.generation < generation)
    )


def delete_token(conn: Connection, account_id: int, token_hash: str) -> int:
    result = conn.execute(
        delete(promo_tokens)
        .where(promo_tokens.c.account_id == account_id)
        .where(promo_tokens.c.token_hash == token_hash)
    )
    return int(result.rowcount)


def delete_expired_tokens(conn: Connection, account_id: int, now: datetime) -> None:
    conn.execute(
        delete(promo_tokens)
        .where(promo_tokens.c.account_id == account_id)
        .where(promo_tokens.c.expires_at < now)
    )


# --- promotions ------------------------------------------------------------------


def insert_promotion(conn: Connection, values: Mapping[str, Any]) -> None:
    conn.execute(insert(promotions).values(**values))


def update_promotion(
    conn: Connection, account_id: int, promotion_id: int, values: Mapping[str, Any]
) -> None:
    conn.execute(
        update(promotions)
        .where(promotions.c.account_id == account_id)
        .where(promotions.c.id == promotion_id)
        .values(**values)
    )


def select_promotion(
    conn: Connection, account_id: int, promotion_id: int, *, for_update: bool = False
) -> Row[Any] | None:
    query = (
        select(promotions)
        .where(promotions.c.account_id == account_id)
        .where(promotions.c.id == promotion_id)
        .where(promotions.c.deleted.is_(False))
    )
    if for_update:
        query = query.with_for_update()
    return conn.execute(query).first()


def replace_promotion_products(
    conn: Connection, account_id: int, promotion_id: int, product_ids: Iterable[int]
) -> None:
    conn.execute(
        delete(promotion_products)
        .where(promotion_products.c.account_id == account_id)
        .where(promotion_products.c.promotion_id == promotion_id)
    )
    rows = [
        {"account_id": account_id, "promotion_id": promotion_id, "product_id": product_id}
        for product_id in product_ids
    ]
    if rows:
        conn.execute(insert(promotion_products), rows)


def list_promotion_ids(
    conn: Connection,
    account_id: int,
    *,
    limit: int,
    offset: int,
    status: bool | None,
    expired_before: datetime | None,
    active_at: datetime | None,
    search: str | None,
    sort_by_update: str | None,
) -> tuple[list[int], int]:
    """One page of live promotion ids matching the filters, and the total match count."""
    conditions = [promotions.c.account_id == account_id, promotions.c.deleted.is_(False)]
    if status is not None:
        conditions.append(promotions.c.status.is_(status))
    if expired_before is not None:
        conditions.append(promotions.c.date_to < expired_before)
    if active_at is not None:
        conditions.append(promotions.c.date_to >= active_at)
    if search is not None:
        # autoescape: %, _ and the escape character itself match only themselves
        name = func.lower(promotions.c.promotion_name)
        conditions.append(name.contains(search.lower(), autoescape=True))
    where = and_(*conditions)
    total = int(
        conn.execute(select(func.count()).select_from(promotions).where(where)).scalar_one()
    )
    if sort_by_update == "asc":
        order = [promotions.c.updated_at.asc(), promotions.c.id.asc()]
    elif sort_by_update == "desc":
        order = [promotions.c.updated_at.desc(), promotions.c.id.desc()]
    else:
        order = [promotions.c.id.asc()]
    query = select(promotions.c.id).where(where).order_by(*order).limit(limit).offset(offset)
    return [int(row.id) for row in conn.execute(query)], total


# --- codes -----------------------------------------------------------------------


def insert_codes(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        conn.execute(insert(promotion_codes), list(rows))


def live_codes_of(conn: Connection, account_id: int, promotion_id: int) -> list[Row[Any]]:
    query = (
        select(promotion_codes)
        .where(promotion_codes.c.account_id == account_id)
        .where(promotion_codes.c.promotion_id == promotion_id)
        .where(promotion_codes.c.deleted.is_(False))
        .order_by(promotion_codes.c.id)
    )
    return list(conn.execute(query))


def delete_codes(conn: Connection, account_id: int, code_ids: Sequence[int]) -> None:
    if code_ids:
        conn.execute(
            update(promotion_codes)
            .where(promotion_codes.c.account_id == account_id)
            .where(promotion_codes.c.id.in_(list(code_ids)))
            .values(deleted=True)
        )


def set_live_code_type(
    conn: Connection, account_id: int, promotion_id: int, coupon_type: str
) -> None:
    conn.execute(
        update(promotion_codes)
        .where(promotion_codes.c.account_id == account_id)
        .where(promotion_codes.c.promotion_id == promotion_id)
        .where(promotion_codes.c.deleted.is_(False))
        .values(coupon_type=coupon_type)
    )


def delete_all_codes_of(conn: Connection, account_id: int, promotion_id: int) -> None:
    conn.execute(
        update(promotion_codes)
        .where(promotion_codes.c.account_id == account_id)
        .where(promotion_codes.c.promotion_id == promotion_id)
        .values(deleted=True)
    )


_LIVE_CODES_BY_VALUE = (
    select(
        promotion_codes.c.id,
        promotion_codes.c.promotion_id,
        promotion_codes.c.coupon_code,
        promotion_codes.c.coupon_type,
        promotion_codes.c.consumed_by_order,
    )
    .where(promotion_codes.c.account_id == bindparam("b_account"))
    .where(promotion_codes.c.coupon_code.in_(bindparam("b_values", expanding=True)))
    .where(promotion_codes.c.deleted.is_(False))
    .order_by(promotion_codes.c.id)
)


def live_codes_by_value(conn: Connection, account_id: int, values: Sequence[str]) -> list[Row[Any]]:
    """Live codes carrying any of ``values`` (the same value may exist in several promotions)."""
    if not values:
        return []
    return list(
        conn.execute(_LIVE_CODES_BY_VALUE, {"b_account": account_id, "b_values": list(values)})
    )


def consume_one_time_code(conn: Connection, account_id: int, code_id: int, order_id: str) -> bool:
    """Marks a one-time code used by ``order_id``; False when another order holds it.

    The conditional UPDATE takes the row lock on PostgreSQL: a racing order waits,
    re-reads the row after the first commits and then finds it taken.
    """
    result = conn.execute(
        update(promotion_codes)
        .where(promotion_codes.c.account_id == account_id)
        .where(promotion_codes.c.id == code_id)
        .where(promotion_codes.c.deleted.is_(False))
        .where(
            or_(
                promotion_codes.c.consumed_by_order.is_(None),
                promotion_codes.c.consumed_by_order == order_id,
            )
        )
        .values(consumed_by_order=order_id)
    )
    return int(result.rowcount) == 1


def statistics_codes(
    conn: Connection, account_id: int, promotion_id: int
) -> list[tuple[int, str, str, int]]:
    """(id, coupon_code, coupon_type, redemptions) of current codes and of deleted codes
    that were redeemed, oldest first."""
    query = (
        select(
            promotion_codes.c.id,
            promotion_codes.c.coupon_code,
            promotion_codes.c.coupon_type,
            promotion_codes.c.redemptions,
        )
        .where(promotion_codes.c.account_id == account_id)
        .where(promotion_codes.c.promotion_id == promotion_id)
        .where(or_(promotion_codes.c.deleted.is_(False), promotion_codes.c.redemptions > 0))
        .order_by(promotion_codes.c.id)
    )
    rows: list[tuple[int, str, str, int]] = list(conn.execute(query).all())
    return rows


def promotion_ever_had_codes(conn: Connection, account_id: int, promotion_id: int) -> bool:
    query = (
        select(promotion_codes.c.id)
        .where(promotion_codes.c.account_id == account_id)
        .where(promotion_codes.c.promotion_id == promotion_id)
        .limit(1)
    )
    return conn.execute(query).first() is not None


# --- pricing inputs ----------------------------------------------------------------


_ELIGIBLE_PROMOTIONS = (
    select(
        promotion_products.c.product_id,
        promotions.c.id,
        promotions.c.promotion_type,
        promotions.c.discount_percent,
    )
    .join(
        promotions,
        and_(
            promotions.c.account_id == promotion_products.c.account_id,
            promotions.c.id == promotion_products.c.promotion_id,
        ),
    )
    .where(promotion_products.c.account_id == bindparam("b_account"))
    .where(promotion_products.c.product_id.in_(bindparam("b_products", expanding=True)))
    .where(promotions.c.deleted.is_(False))
    .where(promotions.c.status.is_(True))
    .where(promotions.c.date_from <= bindparam("b_moment", type_=UTCDateTime))
    .where(promotions.c.date_to >= bindparam("b_moment", type_=UTCDateTime))
)


def eligible_promotions(
    conn: Connection, account_id: int, product_ids: Sequence[int], moment: datetime
) -> list[tuple[int, int, str, str]]:
    """(product id, promotion id, promotion type, discount percent) of the active live
    promotions running at ``moment`` that cover any of ``product_ids``."""
    parameters = {"b_account": account_id, "b_products": list(product_ids), "b_moment": moment}
    rows: list[tuple[int, int, str, str]] = list(
        conn.execute(_ELIGIBLE_PROMOTIONS, parameters).all()
    )
    return rows


# --- orders and ledger ---------------------------------------------------------------


_SELECT_ORDER = (
    select(promo_orders)
    .where(promo_orders.c.account_id == bindparam("b_account"))
    .where(promo_orders.c.order_id == bindparam("b_order"))
)


def select_order(conn: Connection, account_id: int, order_id: str) -> Row[Any] | None:
    return conn.execute(_SELECT_ORDER, {"b_account": account_id, "b_order": order_id}).first()


def select_order_lines(conn: Connection, account_id: int, order_id: str) -> list[Row[Any]]:
    query = (
        select(promo_order_lines)
        .where(promo_order_lines.c.account_id == account_id)
        .where(promo_order_lines.c.order_id == order_id)
        .order_by(promo_order_lines.c.line_no)
    )
    return list(conn.execute(query))


_INSERT_ORDER = insert(promo_orders)
_INSERT_LINES = insert(promo_order_lines)
_INSERT_REDEMPTIONS = insert(promo_redemptions)


def insert_orders(
    conn: Connection,
    orders: Sequence[Mapping[str, Any]],
    lines: Sequence[Mapping[str, Any]],
    redemptions: Sequence[Mapping[str, Any]],
) -> None:
    """Order, line and ledger rows (each already carrying its account id)."""
    if orders:
        conn.execute(_INSERT_ORDER, list(orders))
    if lines:
        conn.execute(_INSERT_LINES, list(lines))
    if redemptions:
        conn.execute(_INSERT_REDEMPTIONS, list(redemptions))


def update_order_status(conn: Connection, account_id: int, order_id: str, status: str) -> int:
    result = conn.execute(
        update(promo_orders)
        .where(promo_orders.c.account_id == account_id)
        .where(promo_orders.c.order_id == order_id)
        .values(status=status)
    )
    return int(result.rowcount)


_ADD_PROMOTION_REDEMPTIONS = (
    update(promotions)
    .where(promotions.c.account_id == bindparam("b_account"))
    .where(promotions.c.id == bindparam("b_id"))
    .values(redemptions=promotions.c.redemptions + bindparam("b_count"))
)
_ADD_CODE_REDEMPTIONS = (
    update(promotion_codes)
    .where(promotion_codes.c.account_id == bindparam("b_account"))
    .where(promotion_codes.c.id == bindparam("b_id"))
    .values(redemptions=promotion_codes.c.redemptions + bindparam("b_count"))
)


def _counter_params(counts: Mapping[tuple[int, int], int]) -> list[dict[str, int]]:
    """Parameters in (account, id) order, so concurrent writers lock rows in the same order."""
    return [
        {"b_account": account_id, "b_id": row_id, "b_count": counts[(account_id, row_id)]}
        for account_id, row_id in sorted(counts)
    ]


def add_promotion_redemptions(conn: Connection, counts: Mapping[tuple[int, int], int]) -> None:
    """Adds to promotion counters keyed by (account id, promotion id)."""
    if counts:
        conn.execute(_ADD_PROMOTION_REDEMPTIONS, _counter_params(counts))


def add_code_redemptions(conn: Connection, counts: Mapping[tuple[int, int], int]) -> None:
    """Adds to code counters keyed by (account id, code id)."""
    if counts:
        conn.execute(_ADD_CODE_REDEMPTIONS, _counter_params(counts))


# --- consistency ---------------------------------------------------------------------


def promotion_counter_drift(conn: Connection, account_id: int) -> list[Row[Any]]:
    """Promotions whose counter differs from their ledger row count: (id, counter, ledger)."""
    ledger = (
        select(
            promo_redemptions.c.account_id,
            promo_redemptions.c.promotion_id,
            func.count().label("n"),
        )
        .where(promo_redemptions.c.account_id == account_id)
        .group_by(promo_redemptions.c.account_id, promo_redemptions.c.promotion_id)
        .subquery()
    )
    counted = func.coalesce(ledger.c.n, 0)
    query = (
        select(promotions.c.id, promotions.c.redemptions, counted.label("ledger"))
        .outerjoin(
            ledger,
            and_(
                ledger.c.account_id == promotions.c.account_id,
                ledger.c.promotion_id == promotions.c.id,
            ),
        )
        .where(promotions.c.account_id == account_id)
        .where(promotions.c.redemptions != counted)
    )
    return list(conn.execute(query))


def code_counter_drift(conn: Connection, account_id: int) -> list[Row[Any]]:
    """Codes whose counter differs from their ledger row count: (id, counter, ledger)."""
    ledger = (
        select(promo_redemptions.c.account_id, promo_redemptions.c.code_id, func.count().label("n"))
        .where(promo_redemptions.c.account_id == account_id)
        .where(promo_redemptions.c.code_id.is_not(None))
        .group_by(promo_redemptions.c.account_id, promo_redemptions.c.code_id)
        .subquery()
    )
    counted = func.coalesce(ledger.c.n, 0)
    query = (
        select(promotion_codes.c.id, promotion_codes.c.redemptions, counted.label("ledger"))
        .outerjoin(
            ledger,
            and_(
                ledger.c.account_id == promotion_codes.c.account_id,
                ledger.c.code_id == promotion_codes.c.id,
            ),
        )
        .where(promotion_codes.c.account_id == account_id)
        .where(promotion_codes.c.redemptions != counted)
    )
    return list(conn.execute(query))


def promotion_summaries(conn: Connection, account_id: int) -> list[Row[Any]]:
    query = (
        select(
            promotions.c.id,
            promotions.c.promotion_name,
            promotions.c.promotion_type,
            promotions.c.status,
            promotions.c.deleted,
            promotions.c.redemptions,
        )
        .where(promotions.c.account_id == account_id)
        .order_by(promotions.c.id)
    )
    return list(conn.execute(query))


# --- dashboard -----------------------------------------------------------------


def code_redemptions(conn: Connection, account_id: int, limit: int) -> list[Row[Any]]:
    """(promotion_id, promotion_name, coupon_code, redemptions) of the most redeemed codes."""
    query = (
        select(
            promotion_codes.c.promotion_id,
            promotions.c.promotion_name,
            promotion_codes.c.coupon_code,
            promotion_codes.c.redemptions,
        )
        .select_from(
            promotion_codes.join(
                promotions,
                and_(
                    promotions.c.account_id == promotion_codes.c.account_id,
                    promotions.c.id == promotion_codes.c.promotion_id,
                ),
            )
        )
        .where(promotion_codes.c.account_id == account_id, promotion_codes.c.redemptions > 0)
        .order_by(promotion_codes.c.redemptions.desc(), promotion_codes.c.coupon_code)
        .limit(limit)
    )
    return list(conn.execute(query))


def orders_between(
    conn: Connection, account_id: int, start: datetime, end: datetime
) -> list[Row[Any]]:
    """(created_at, currency, total_minor) of the orders created in [start, end)."""
    query = (
        select(promo_orders.c.created_at, promo_orders.c.currency, promo_orders.c.total_minor)
        .where(
            promo_orders.c.account_id == account_id,
            promo_orders.c.created_at >= start,
            promo_orders.c.created_at < end,
        )
        .order_by(promo_orders.c.created_at)
    )
    return list(conn.execute(query))
