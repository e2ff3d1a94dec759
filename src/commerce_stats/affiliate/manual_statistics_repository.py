"""SQL of the manual statistics: rows an operator entered, scoped by account."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select

from commerce_stats.affiliate.tables import admedia, manual_statistics, memberships

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
