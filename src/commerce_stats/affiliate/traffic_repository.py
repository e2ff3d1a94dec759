"""The SQL of clicks, views and their visitors (SQLAlchemy Core); every query is scoped by
account, except the campaign lookup of a tracking URL, which finds the owning account first.

Every insert of clicks or views also counts them into their quarter hours
(``traffic_quarters_repository``) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import (
    Connection,
    Row,
    Table,
    and_,
    delete,
    insert,
    select,
)

from commerce_stats.affiliate import traffic_quarters_repository
from commerce_stats.affiliate.tables import (
    admedia,
    campaign_directory,
    campaigns,
    clicks,
    memberships,
    projects,
    publishers,
    views,
    visitor_salts,
)
from commerce_stats.db.upsert import insert_ignoring_duplicates


def insert_click(conn: Connection, values: Mapping[str, Any]) -> None:
    conn.execute(insert(clicks).values(**values))
    traffic_quarters_repository.add(conn, clicks, [values])


def campaign_anywhere(conn: Connection, campaign_id: int) -> Row[Any] | None:
    """A campaign by its server-wide id, with the account that owns it.

    The directory names the account, and the campaign is read by (account, id) like
    every other tenant row, in one statement that joins the two.
    """
    return conn.execute(
        select(campaigns)
        .join(
            campaign_directory,
            and_(
                campaign_directory.c.account_id == campaigns.c.account_id,
                campaign_directory.c.campaign_id == campaigns.c.id,
            ),
        )
        .where(campaign_directory.c.campaign_id == campaign_id)
    ).first()


@dataclass(frozen=True, slots=True)
class TrafficSource:
    """What the checks of a click's or view's source read, in one statement: whether the
    publisher exists, its group in the campaign, the project's publisher and the admedia's
    campaign (None where absent)."""

    publisher_exists: bool
    group_id: int | None
    project_publisher_id: int | None
    admedia_campaign_id: int | None


def traffic_source(
    conn: Connection,
    account_id: int,
    campaign_id: int,
    publisher_id: int,
    project_id: int,
    admedia_id: int,
) -> TrafficSource:
    """The account's rows a click or view of the campaign names, read in one round trip."""
    row = conn.execute(
        select(
            select(publishers.c.id)
            .where(publishers.c.account_id == account_id, publishers.c.id == publisher_id)
            .scalar_subquery(),
            select(memberships.c.group_id)
            .where(
                memberships.c.account_id == account_id,
                memberships.c.campaign_id == campaign_id,
                memberships.c.publisher_id == publisher_id,
            )
            .scalar_subquery(),
            select(projects.c.publisher_id)
            .where(projects.c.account_id == account_id, projects.c.id == project_id)
            .scalar_subquery(),
            select(admedia.c.campaign_id)
            .where(admedia.c.account_id == account_id, admedia.c.id == admedia_id)
            .scalar_subquery(),
        )
    ).one()
    return TrafficSource(row[0] is not None, row[1], row[2], row[3])


def click(conn: Connection, account_id: int, click_id: int) -> Row[Any] | None:
    return conn.execute(
        select(clicks).where(clicks.c.account_id == account_id, clicks.c.id == click_id)
    ).first()


def visitor_salts_since(conn: Connection, account_id: int, first_day: date) -> dict[date, bytes]:
    """The account's salts of ``first_day`` and later, by day."""
    rows = conn.execute(
        select(visitor_salts.c.day, visitor_salts.c.salt).where(
            visitor_salts.c.account_id == account_id, visitor_salts.c.day >= first_day
        )
    )
    return {row.day: bytes(row.salt) for row in rows}


def add_visitor_salt(conn: Connection, account_id: int, day: date, salt: bytes) -> None:
    """Stores ``salt`` for the day unless another writer already stored one (that one stays)."""
    statement = insert_ignoring_duplicates(conn, visitor_salts, ["account_id", "day"])
    conn.execute(statement.values(account_id=account_id, day=day, salt=salt))


def delete_visitor_salts_before(conn: Connection, account_id: int, day: date) -> None:
    conn.execute(
        delete(visitor_salts).where(
            visitor_salts.c.account_id == account_id, visitor_salts.c.day < day
        )
    )


TrafficKind = Literal["clicks", "views"]


_TRAFFIC: dict[str, Table] = {"clicks": clicks, "views": views}


def visitor_seen_since(
    conn: Connection,
    kind: TrafficKind,
    account_id: int,
    campaign_id: int,
    visitors: Sequence[str],
    since: datetime,
) -> bool:
    """Whether one of ``visitors`` (hashes) has a click or view of the campaign after ``since``."""
    table = _TRAFFIC[kind]
    found = conn.execute(
        select(table.c.id)
        .where(
            table.c.account_id == account_id,
            table.c.campaign_id == campaign_id,
            table.c.visitor.in_(list(visitors)),
            table.c.created_at > since,
        )
        .limit(1)
    ).first()
    return found is not None


SEEN_CHUNK = 500
"""Visitor hashes per ``visitors_seen_since`` statement (bound parameters stay few)."""


def visitors_seen_since(
    conn: Connection,
    kind: TrafficKind,
    account_id: int,
    campaign_id: int,
    visitors: Sequence[str],
    since: datetime,
) -> set[str]:
    """Those of ``visitors`` (hashes) that have a click or view of the campaign after
    ``since``: one statement per ``SEEN_CHUNK`` hashes instead of one per visitor."""
    table = _TRAFFIC[kind]
    distinct = sorted(set(visitors))
    seen: set[str] = set()
    for start in range(0, len(distinct), SEEN_CHUNK):
        rows = conn.execute(
            select(table.c.visitor)
            .distinct()
            .where(
                table.c.account_id == account_id,
                table.c.campaign_id == campaign_id,
                table.c.visitor.in_(distinct[start : start + SEEN_CHUNK]),
                table.c.created_at > since,
            )
        )
        seen.update(row.visitor for row in rows)
    return seen


def insert_views(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(views), rows)
        traffic_quarters_repository.add(conn, views, rows)


def insert_traffic_bulk(
    conn: Connection, kind: TrafficKind, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Inserts many clicks or views at once (demo data): ``COPY`` on PostgreSQL, else one
    driver-level executemany of plain tuples. Every row has the same columns; values pass
    through each column's own bind conversion (aware UTC times become naive UTC), which is
    what SQLAlchemy's per-row parameter handling would do at several times the cost."""
    if not rows:
        return
    table = _TRAFFIC[kind]
    _write_bulk(conn, table, rows)
    traffic_quarters_repository.add(conn, table, rows)


def _write_bulk(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    names = list(rows[0])
    dialect = conn.dialect
    processors = [table.c[name].type.bind_processor(dialect) for name in names]
    values = [
        tuple(
            value if convert is None else convert(value)
            for value, convert in zip((row[name] for name in names), processors, strict=True)
        )
        for row in rows
    ]
    columns = ", ".join(names)
    if dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        assert driver is not None
        copy_sql = f"COPY {table.name} ({columns}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in values:
                copy.write_row(row)
        return
    if dialect.name != "sqlite":
        conn.execute(insert(table), [dict(row) for row in rows])
        return
    marks = ", ".join("?" for _name in names)
    insert_sql = f"INSERT INTO {table.name} ({columns}) VALUES ({marks})"  # noqa: S608
    conn.exec_driver_sql(insert_sql, values)


def view(conn: Connection, account_id: int, view_id: int) -> Row[Any] | None:
    return conn.execute(
        select(views).where(views.c.account_id == account_id, views.c.id == view_id)
    ).first()


def latest_view_of_visitor(
    conn: Connection, account_id: int, campaign_id: int, visitors: Sequence[str], since: datetime
) -> Row[Any] | None:
    """The visitor's most recent counted view of the campaign after ``since``."""
    return conn.execute(
        select(views)
        .where(
            views.c.account_id == account_id,
            views.c.campaign_id == campaign_id,
            views.c.visitor.in_(list(visitors)),
            views.c.created_at > since,
        )
        .order_by(views.c.created_at.desc(), views.c.id.desc())
        .limit(1)
    ).first()


def insert_clicks(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(clicks), rows)
        traffic_quarters_repository.add(conn, clicks, rows)
