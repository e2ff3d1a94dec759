"""The statistic reports' SQL: one grouped read over transactions, clicks and views each.

Every report groups by one column the three tables share (campaign, publisher, project,
subid, admedia, country, device fields). Transactions are summed per status (count,
turnover, commission) and currency; clicks and views are counted net (``net = 1``) or
gross. Every read is scoped by account and the query's period, campaigns, publishers,
advertisers and projects; statuses apply to transactions only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Row, Table, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from commerce_stats.affiliate.repository import TransactionQuery
from commerce_stats.affiliate.rules import CANCELED, CONFIRMED, OPEN, PAID
from commerce_stats.affiliate.tables import campaigns, clicks, transactions, views

GROUP_KEYS = (
    "campaign_id",
    "publisher_id",
    "project_id",
    "subid",
    "admedia_id",
    "country",
    "devicetype",
    "device",
    "browser",
    "os",
)
"""The columns a report may group by: present on transactions, clicks and views alike."""
STATUS_ORDER = (OPEN, CONFIRMED, CANCELED, PAID)


def _conditions(table: Table, query: TransactionQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        table.c.account_id == query.account_id,
        table.c.created_at >= query.start,
        table.c.created_at < query.end,
    ]
    if query.campaigns:
        conditions.append(table.c.campaign_id.in_(query.campaigns))
    if query.publishers:
        conditions.append(table.c.publisher_id.in_(query.publishers))
    if query.projects:
        conditions.append(table.c.project_id.in_(query.projects))
    if query.advertisers:
        conditions.append(
            table.c.campaign_id.in_(
                select(campaigns.c.id).where(
                    campaigns.c.account_id == query.account_id,
                    campaigns.c.advertiser_id.in_(query.advertisers),
                )
            )
        )
    return conditions


def transaction_totals(
    conn: Connection, query: TransactionQuery, key: str, paid: bool | None = None
) -> Iterator[Row[Any]]:
    """Per (key, currency): count, turnover and commission per status, in that order
    (``STATUS_ORDER``), as ``key, currency, c0, t0, p0, c1, ...``. ``paid`` True keeps
    paid-out transactions only, False the others, None all."""
    if key not in GROUP_KEYS:
        raise ValueError(key)
    group = transactions.c[key]
    sums: list[ColumnElement[Any]] = []
    for status in STATUS_ORDER:
        hit = transactions.c.status == status
        sums.append(func.sum(case((hit, 1), else_=0)))
        sums.append(func.sum(case((hit, transactions.c.turnover_minor), else_=0)))
        sums.append(func.sum(case((hit, transactions.c.commission_minor), else_=0)))
    conditions = _conditions(transactions, query)
    if query.statuses:
        conditions.append(transactions.c.status.in_(query.statuses))
    if paid is True:
        conditions.append(transactions.c.status == PAID)
    elif paid is False:
        conditions.append(transactions.c.status != PAID)
    statement = (
        select(group.label("key"), transactions.c.currency, *sums)
        .where(*conditions)
        .group_by(group, transactions.c.currency)
    )
    yield from conn.execute(statement)


def traffic_counts(
    conn: Connection, query: TransactionQuery, key: str, table: Table, gross: bool
) -> Iterator[Row[Any]]:
    """Per key: how many clicks or views (``table``), net unless ``gross``."""
    if key not in GROUP_KEYS:
        raise ValueError(key)
    group = table.c[key]
    conditions = _conditions(table, query)
    if not gross:
        conditions.append(table.c.net == 1)
    statement = (
        select(group.label("key"), func.count().label("n")).where(*conditions).group_by(group)
    )
    yield from conn.execute(statement)


TRAFFIC_TABLES = {"clicks": clicks, "views": views}
