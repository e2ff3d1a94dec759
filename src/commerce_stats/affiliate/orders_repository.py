"""The Orders API's SQL: transactions grouped into orders, read in batches.

An order is what the shop reported under one order number (``ordertoken``) in one
campaign: its transactions are the order's positions (one per trigger). The
transactions the filters select are grouped by campaign, order number, publisher,
project and currency, so an order credited to two publishers is two rows, one per
publisher, each with that publisher's positions only. Every read is scoped by the
query's account; the status filter applies to the order's status (``ORDER_STATUS``),
every other filter to its transactions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Result, Row, and_, case, func, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import NullType

from commerce_stats.affiliate.repository import TransactionQuery, transaction_filters
from commerce_stats.affiliate.rules import CANCELED, CONFIRMED, OPEN, PAID
from commerce_stats.affiliate.tables import campaigns, transactions

STREAM_BATCH = 2_000
"""Orders fetched from the database at a time (a server-side cursor on PostgreSQL)."""
STATUS_ORDER = (OPEN, CONFIRMED, CANCELED, PAID)


def _positions(status: int) -> ColumnElement[Any]:
    return func.sum(case((transactions.c.status == status, 1), else_=0))


def _sum_unless_canceled(column: ColumnElement[int]) -> ColumnElement[Any]:
    return func.sum(case((transactions.c.status != CANCELED, column), else_=0))


ORDER_STATUS: ColumnElement[Any] = case(
    (_positions(OPEN) > 0, OPEN),
    (_positions(CONFIRMED) > 0, CONFIRMED),
    (_positions(PAID) > 0, PAID),
    else_=CANCELED,
)
"""An order is open while one of its positions is open, else confirmed while one is
confirmed (not yet paid out), else paid out while one is paid out; an order whose every
position is canceled is canceled."""


def _raw(aggregate: ColumnElement[Any], name: str) -> ColumnElement[Any]:
    """A timestamp aggregate read as the driver's raw value (SQLite text, a naive UTC datetime
    from PostgreSQL): the export turns it into local text without an aware datetime first."""
    return type_coerce(aggregate, NullType()).label(name)


ORDER_COLUMNS: tuple[ColumnElement[Any], ...] = (
    transactions.c.ordertoken,
    transactions.c.campaign_id,
    func.max(campaigns.c.title).label("campaign_title"),
    func.max(transactions.c.advertiser_id).label("advertiser_id"),
    transactions.c.publisher_id,
    transactions.c.project_id,
    ORDER_STATUS.label("status"),
    func.count().label("positions"),
    *(_positions(status).label(f"positions_{status}") for status in STATUS_ORDER),
    func.max(transactions.c.basket_items).label("basket_items"),
    func.sum(transactions.c.turnover_minor).label("turnover_all"),
    func.sum(transactions.c.commission_minor).label("commission_all"),
    _sum_unless_canceled(transactions.c.turnover_minor).label("turnover_standing"),
    _sum_unless_canceled(transactions.c.commission_minor).label("commission_standing"),
    transactions.c.currency,
    _raw(func.min(transactions.c.created_at), "first_tracked"),
    _raw(func.min(transactions.c.order_timestamp), "order_timestamp"),
    _raw(func.max(transactions.c.last_change), "last_change"),
    func.min(transactions.c.id).label("first_id"),
)
"""One order: its key, campaign, publisher, status, positions (in all and per status in
``STATUS_ORDER``), the shop's basket size, sums in minor units and its times (raw UTC
values, see ``_raw``). ``orders_export.order_cells`` unpacks them in this order."""


def orders_statement(query: TransactionQuery) -> Any:
    """The selected orders, in the order of their first transaction."""
    joined = transactions.join(
        campaigns,
        and_(
            campaigns.c.account_id == transactions.c.account_id,
            campaigns.c.id == transactions.c.campaign_id,
        ),
    )
    statement = (
        select(*ORDER_COLUMNS)
        .select_from(joined)
        .where(*transaction_filters(query, with_status=False))
        .group_by(
            transactions.c.campaign_id,
            transactions.c.ordertoken,
            transactions.c.publisher_id,
            transactions.c.project_id,
            transactions.c.currency,
        )
        .order_by(func.min(transactions.c.id))
    )
    if query.statuses:
        statement = statement.having(ORDER_STATUS.in_(query.statuses))
    return statement


def stream_orders(conn: Connection, query: TransactionQuery) -> Iterator[Row[Any]]:
    """The selected orders (``ORDER_COLUMNS``), fetched ``STREAM_BATCH`` at a time."""
    result: Result[Any] = conn.execution_options(yield_per=STREAM_BATCH).execute(
        orders_statement(query)
    )
    yield from result
