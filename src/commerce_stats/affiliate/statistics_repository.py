"""The statistic reports' SQL: one grouped read over transactions, clicks and views each.

A report groups by a *key* (``KEYS``): for each of the three tables the SQL expressions that
name a row's group, or none when the table has no such key (clicks and views carry no
trigger). Transactions are summed per status (count, turnover, commission) and currency;
clicks and views are counted net (``net = 1``) or gross. Every read is scoped by account and
the query's period, campaigns, publishers, advertisers and projects; statuses apply to
transactions only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    FromClause,
    Integer,
    Row,
    Select,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

from commerce_stats.affiliate import traffic_quarters_repository as quarters
from commerce_stats.affiliate.repository import TransactionQuery
from commerce_stats.affiliate.rules import CANCELED, CONFIRMED, OPEN, PAID
from commerce_stats.affiliate.tables import (
    campaigns,
    clicks,
    memberships,
    traffic_quarters,
    transactions,
    views,
)

STATUS_ORDER = (OPEN, CONFIRMED, CANCELED, PAID)
QUARTER_SECONDS = quarters.QUARTER_SECONDS
"""The daily report reads UTC quarter hours; every time zone's midnight falls on one."""
TRAFFIC_TABLES = {"clicks": clicks, "views": views}

Expressions = list[ColumnElement[Any]]


@dataclass(frozen=True, slots=True)
class Grouping:
    """What one table's rows are grouped by, and the table joined with what to read it."""

    columns: Expressions
    source: FromClause


KeyReader = Callable[[Table, str], Grouping | None]
"""(table, dialect name) -> the grouping of that table's rows, or None: no rows of it count."""


def _column(name: str) -> KeyReader:
    def read(table: Table, dialect: str) -> Grouping:
        return Grouping([table.c[name]], table)

    return read


def _quarter(table: Table, dialect: str) -> Grouping:
    """The UTC quarter hour of ``created_at`` as a number (seconds since 1970 // 900)."""
    moment = table.c.created_at
    seconds: ColumnElement[Any]
    if dialect == "sqlite":
        # naive UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]': strftime reads the first 19 characters
        seconds = cast(func.strftime("%s", func.substr(moment, 1, 19)), Integer)
        return Grouping([seconds // QUARTER_SECONDS], table)
    seconds = func.date_part("epoch", moment)  # naive UTC: seconds since 1970 UTC
    return Grouping([cast(func.floor(seconds / QUARTER_SECONDS), BigInteger)], table)


def _advertiser(table: Table, dialect: str) -> Grouping:
    if table is transactions:
        return Grouping([transactions.c.advertiser_id], transactions)
    joined = table.join(
        campaigns,
        and_(campaigns.c.account_id == table.c.account_id, campaigns.c.id == table.c.campaign_id),
    )
    return Grouping([campaigns.c.advertiser_id], joined)


def _commission_group(table: Table, dialect: str) -> Grouping:
    """A transaction's group is the one it was credited under; a click's or view's the
    publisher's group in the campaign (membership), else the campaign's default, else 0."""
    if table is transactions:
        return Grouping([transactions.c.commission_group_id], transactions)
    joined = table.join(
        campaigns,
        and_(campaigns.c.account_id == table.c.account_id, campaigns.c.id == table.c.campaign_id),
    ).outerjoin(
        memberships,
        and_(
            memberships.c.account_id == table.c.account_id,
            memberships.c.campaign_id == table.c.campaign_id,
            memberships.c.publisher_id == table.c.publisher_id,
        ),
    )
    group = func.coalesce(memberships.c.group_id, campaigns.c.default_group_id, 0)
    return Grouping([group], joined)


def _trigger(table: Table, dialect: str) -> Grouping | None:
    return Grouping([transactions.c.trigger_id], transactions) if table is transactions else None


def _journey(table: Table, dialect: str) -> Grouping:
    """What led to the row: a transaction's ``action_type`` (click, view or ''); a click
    is a click and a view a view."""
    if table is transactions:
        return Grouping([transactions.c.action_type], transactions)
    kind = "click" if table is clicks else "view"
    return Grouping([literal(kind)], table)


def _campaign_and_admedia(table: Table, dialect: str) -> Grouping:
    return Grouping([table.c.campaign_id, table.c.admedia_id], table)


KEYS: dict[str, KeyReader] = {
    **{
        name: _column(name)
        for name in (
            "campaign_id",
            "publisher_id",
            "project_id",
            "subid",
            "admedia_id",
            "referrer",
            "country",
            "devicetype",
            "device",
            "browser",
            "os",
        )
    },
    "quarter": _quarter,
    "advertiser_id": _advertiser,
    "commission_group_id": _commission_group,
    "trigger_id": _trigger,
    "journey": _journey,
    "campaign_admedia": _campaign_and_admedia,
}
"""Every key a report may group by."""


def _grouping(key: str, table: Table, conn: Connection) -> Grouping | None:
    if key not in KEYS:
        raise ValueError(key)
    return KEYS[key](table, conn.dialect.name)


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


def _labelled(grouping: Grouping) -> Expressions:
    return [column.label(f"k{index}") for index, column in enumerate(grouping.columns)]


def transaction_totals(conn: Connection, query: TransactionQuery, key: str) -> Iterator[Row[Any]]:
    """Per (key..., currency): count, turnover and commission per status, in that order
    (``STATUS_ORDER``), as ``k0[, k1], currency, c0, t0, p0, c1, ...``."""
    grouping = _grouping(key, transactions, conn)
    assert grouping is not None  # every key reads transactions
    sums: Expressions = []
    for status in STATUS_ORDER:
        hit = transactions.c.status == status
        sums.append(func.sum(case((hit, 1), else_=0)))
        sums.append(func.sum(case((hit, transactions.c.turnover_minor), else_=0)))
        sums.append(func.sum(case((hit, transactions.c.commission_minor), else_=0)))
    conditions = _conditions(transactions, query)
    if query.statuses:
        conditions.append(transactions.c.status.in_(query.statuses))
    statement: Select[Any] = (
        select(*_labelled(grouping), transactions.c.currency, *sums)
        .select_from(grouping.source)
        .where(*conditions)
        .group_by(*grouping.columns, transactions.c.currency)
    )
    yield from conn.execute(statement)


def traffic_counts(
    conn: Connection, query: TransactionQuery, key: str, table: Table, gross: bool
) -> Iterator[Row[Any]]:
    """Per key: how many clicks or views (``table``), net unless ``gross``, as
    ``k0[, k1], n``; nothing when the table has no such key. Read from the quarter-hour
    counts when they carry the key and the period starts and ends on a quarter hour."""
    if key in ROLLED_UP_KEYS and _on_quarters(query):
        yield from _quarter_counts(conn, query, key, table, gross)
        return
    grouping = _grouping(key, table, conn)
    if grouping is None:
        return
    conditions = _conditions(table, query)
    if not gross:
        conditions.append(table.c.net == 1)
    statement: Select[Any] = (
        select(*_labelled(grouping), func.count().label("n"))
        .select_from(grouping.source)
        .where(*conditions)
        .group_by(*grouping.columns)
    )
    yield from conn.execute(statement)


ROLLED_UP_KEYS = frozenset(
    {
        "quarter",
        "campaign_id",
        "publisher_id",
        "project_id",
        "advertiser_id",
        "commission_group_id",
        "journey",
    }
)
"""The keys ``affiliate_traffic_quarters`` can group by."""


def _on_quarters(query: TransactionQuery) -> bool:
    return all(
        moment.microsecond == 0 and int(moment.timestamp()) % QUARTER_SECONDS == 0
        for moment in (query.start, query.end)
    )


def _quarter_counts(
    conn: Connection, query: TransactionQuery, key: str, table: Table, gross: bool
) -> Iterator[Row[Any]]:
    counts = traffic_quarters
    conditions: list[ColumnElement[bool]] = [
        counts.c.account_id == query.account_id,
        counts.c.kind == quarters.kind_of(table),
        counts.c.quarter >= quarters.quarter_of(query.start),
        counts.c.quarter < quarters.quarter_of(query.end),
    ]
    if not gross:
        conditions.append(counts.c.net == 1)
    if query.campaigns:
        conditions.append(counts.c.campaign_id.in_(query.campaigns))
    if query.publishers:
        conditions.append(counts.c.publisher_id.in_(query.publishers))
    if query.projects:
        conditions.append(counts.c.project_id.in_(query.projects))
    with_campaign = key in ("advertiser_id", "commission_group_id") or bool(query.advertisers)
    source: FromClause = counts
    if with_campaign:
        source = counts.join(
            campaigns,
            and_(
                campaigns.c.account_id == counts.c.account_id,
                campaigns.c.id == counts.c.campaign_id,
            ),
        )
    if query.advertisers:
        conditions.append(campaigns.c.advertiser_id.in_(query.advertisers))
    group: ColumnElement[Any]
    if key == "advertiser_id":
        group = campaigns.c.advertiser_id
    elif key == "commission_group_id":
        source = source.outerjoin(
            memberships,
            and_(
                memberships.c.account_id == counts.c.account_id,
                memberships.c.campaign_id == counts.c.campaign_id,
                memberships.c.publisher_id == counts.c.publisher_id,
            ),
        )
        group = func.coalesce(memberships.c.group_id, campaigns.c.default_group_id, 0)
    elif key == "journey":
        group = literal("click" if table is clicks else "view")
    else:
        group = counts.c[key]
    statement: Select[Any] = (
        select(group.label("k0"), func.sum(counts.c.n).label("n"))
        .select_from(source)
        .where(*conditions)
        .group_by(group)
    )
    yield from conn.execute(statement)
