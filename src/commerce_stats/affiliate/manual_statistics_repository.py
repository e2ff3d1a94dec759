"""SQL of the manual statistics: rows an operator entered, scoped by account."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select

from commerce_stats.affiliate.tables import (
    MANUAL_STATUSES,
    admedia,
    campaigns,
    manual_statistics,
    memberships,
)

SEQUENCE = "manual_statistic"
"""The ``affiliate_counters`` name the row ids are numbered under."""


def insert_row(conn: Connection, values: Mapping[str, Any]) -> None:
    conn.execute(insert(manual_statistics).values(**values))


def row(conn: Connection, account_id: int, row_id: int) -> Row[Any] | None:
    table = manual_statistics
    return conn.execute(
        select(table).where(table.c.account_id == account_id, table.c.id == row_id)
    ).first()


def rows(
    conn: Connection, account_id: int, start: date | None, end: date | None
) -> Sequence[Row[Any]]:
    """The account's rows whose day lies in ``start``..``end`` (inclusive; None = open)."""
    table = manual_statistics
    conditions = [table.c.account_id == account_id]
    if start is not None:
        conditions.append(table.c.day >= start)
    if end is not None:
        conditions.append(table.c.day <= end)
    return conn.execute(select(table).where(*conditions).order_by(table.c.day, table.c.id)).all()


def delete_row(conn: Connection, account_id: int, row_id: int) -> bool:
    """Deletes one row of the account; False when it has no such row."""
    table = manual_statistics
    result = conn.execute(
        delete(table).where(table.c.account_id == account_id, table.c.id == row_id)
    )
    return result.rowcount == 1


def is_member(conn: Connection, account_id: int, campaign_id: int, publisher_id: int) -> bool:
    found = conn.execute(
        select(memberships.c.group_id).where(
            memberships.c.account_id == account_id,
            memberships.c.campaign_id == campaign_id,
            memberships.c.publisher_id == publisher_id,
        )
    ).first()
    return found is not None


def admedia_campaign(conn: Connection, account_id: int, admedia_id: int) -> int | None:
    """The campaign of an admedia of the account; None when it has no such admedia."""
    campaign_id: int | None = conn.execute(
        select(admedia.c.campaign_id).where(
            admedia.c.account_id == account_id, admedia.c.id == admedia_id
        )
    ).scalar()
    return campaign_id


def day_totals(
    conn: Connection,
    account_id: int,
    first_day: date,
    end_day: date,
    campaign_ids: Sequence[int] = (),
    publisher_ids: Sequence[int] = (),
    project_ids: Sequence[int] = (),
    advertiser_ids: Sequence[int] = (),
) -> Sequence[Row[Any]]:
    """Per (day, currency) with ``first_day <= day < end_day``: views, clicks, then count,
    turnover and commission for open, confirmed, canceled and paid, in that order."""
    table = manual_statistics
    conditions = [table.c.account_id == account_id, table.c.day >= first_day]
    conditions.append(table.c.day < end_day)
    if campaign_ids:
        conditions.append(table.c.campaign_id.in_(campaign_ids))
    if publisher_ids:
        conditions.append(table.c.publisher_id.in_(publisher_ids))
    if project_ids:
        conditions.append(table.c.project_id.in_(project_ids))
    if advertiser_ids:
        conditions.append(
            table.c.campaign_id.in_(
                select(campaigns.c.id).where(
                    campaigns.c.account_id == account_id,
                    campaigns.c.advertiser_id.in_(advertiser_ids),
                )
            )
        )
    sums = [func.sum(table.c.views), func.sum(table.c.clicks)]
    for status in MANUAL_STATUSES:
        for metric in ("count", "turnover_minor", "commission_minor"):
            sums.append(func.sum(table.c[f"{status}_{metric}"]))
    statement = (
        select(table.c.day, table.c.currency, *sums)
        .where(*conditions)
        .group_by(table.c.day, table.c.currency)
        .order_by(table.c.day, table.c.currency)
    )
    return conn.execute(statement).all()
