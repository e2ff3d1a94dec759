"""The SQL of clicks, views and their visitors (SQLAlchemy Core); every query is scoped by
account, except the campaign lookup of a tracking URL, which finds the owning account first.

Every insert of clicks or views also counts them into their quarter hours
(``traffic_quarters_repository``) in the same transaction. The statements of the pixels'
per-batch lookups are built once, at import: building a statement (and its cache key) cost
more than running it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import (
    Connection,
    Row,
    Select,
    Table,
    TextClause,
    and_,
    bindparam,
    delete,
    insert,
    select,
    text,
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


_CAMPAIGN_ANYWHERE = (
    select(campaigns)
    .join(
        campaign_directory,
        and_(
            campaign_directory.c.account_id == campaigns.c.account_id,
            campaign_directory.c.campaign_id == campaigns.c.id,
        ),
    )
    .where(campaign_directory.c.campaign_id == bindparam("b_campaign"))
)


def campaign_anywhere(conn: Connection, campaign_id: int) -> Row[Any] | None:
    """A campaign by its server-wide id, with the account that owns it.

    The directory names the account, and the campaign is read by (account, id) like
    every other tenant row, in one statement that joins the two.
    """
    return conn.execute(_CAMPAIGN_ANYWHERE, {"b_campaign": campaign_id}).first()


@dataclass(frozen=True, slots=True)
class TrafficSource:
    """What the checks of a click's or view's source read, in one statement: whether the
    publisher exists, its group in the campaign, the project's publisher and the admedia's
    campaign (None where absent)."""

    publisher_exists: bool
    group_id: int | None
    project_publisher_id: int | None
    admedia_campaign_id: int | None


_TRAFFIC_SOURCE = select(
    select(publishers.c.id)
    .where(publishers.c.account_id == bindparam("b_account"))
    .where(publishers.c.id == bindparam("b_publisher"))
    .scalar_subquery(),
    select(memberships.c.group_id)
    .where(memberships.c.account_id == bindparam("b_account"))
    .where(memberships.c.campaign_id == bindparam("b_campaign"))
    .where(memberships.c.publisher_id == bindparam("b_publisher"))
    .scalar_subquery(),
    select(projects.c.publisher_id)
    .where(projects.c.account_id == bindparam("b_account"))
    .where(projects.c.id == bindparam("b_project"))
    .scalar_subquery(),
    select(admedia.c.campaign_id)
    .where(admedia.c.account_id == bindparam("b_account"))
    .where(admedia.c.id == bindparam("b_admedia"))
    .scalar_subquery(),
)


def traffic_source(
    conn: Connection,
    account_id: int,
    campaign_id: int,
    publisher_id: int,
    project_id: int,
    admedia_id: int,
) -> TrafficSource:
    """The account's rows a click or view of the campaign names, read in one round trip."""
    parameters = {
        "b_account": account_id,
        "b_campaign": campaign_id,
        "b_publisher": publisher_id,
        "b_project": project_id,
        "b_admedia": admedia_id,
    }
    row = conn.execute(_TRAFFIC_SOURCE, parameters).one()
    return TrafficSource(row[0] is not None, row[1], row[2], row[3])


def click(conn: Connection, account_id: int, click_id: int) -> Row[Any] | None:
    return conn.execute(
        select(clicks).where(clicks.c.account_id == account_id, clicks.c.id == click_id)
    ).first()


_SALTS_SINCE = select(visitor_salts.c.day, visitor_salts.c.salt).where(
    visitor_salts.c.account_id == bindparam("b_account"),
    visitor_salts.c.day >= bindparam("b_day"),
)


def visitor_salts_since(conn: Connection, account_id: int, first_day: date) -> dict[date, bytes]:
    """The account's salts of ``first_day`` and later, by day."""
    rows = conn.execute(_SALTS_SINCE, {"b_account": account_id, "b_day": first_day})
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


def _seen_statement(table: Table) -> Select[tuple[str]]:
    return (
        select(table.c.visitor)
        .distinct()
        .where(
            table.c.account_id == bindparam("b_account"),
            table.c.campaign_id == bindparam("b_campaign"),
            table.c.visitor.in_(bindparam("b_visitors", expanding=True)),
            table.c.created_at > bindparam("b_since", type_=table.c.created_at.type),
        )
    )


_SEEN = {kind: _seen_statement(table) for kind, table in _TRAFFIC.items()}


def _seen_statement_postgres(table: Table) -> TextClause:
    """PostgreSQL: one index probe per hash (a lateral subquery with ``LIMIT 1``). With
    ``IN (...)`` the planner of a table without statistics yet (a new install, the first
    minutes of traffic) chose to scan every visitor of the campaign and filter the hashes,
    40 ms per batch at 42,000 views; the lateral form leaves it no such plan."""
    return text(
        f"SELECT u.h AS visitor FROM unnest(CAST(:b_visitors AS varchar[])) AS u(h) "  # noqa: S608
        f"CROSS JOIN LATERAL (SELECT 1 FROM {table.name} t WHERE t.account_id = :b_account "
        "AND t.campaign_id = :b_campaign AND t.visitor = u.h AND t.created_at > :b_since "
        "LIMIT 1) AS seen"
    ).bindparams(bindparam("b_since", type_=table.c.created_at.type))


_SEEN_POSTGRES = {kind: _seen_statement_postgres(table) for kind, table in _TRAFFIC.items()}


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
    distinct = sorted(set(visitors))
    statements = _SEEN_POSTGRES if conn.dialect.name == "postgresql" else _SEEN
    seen: set[str] = set()
    for start in range(0, len(distinct), SEEN_CHUNK):
        parameters = {
            "b_account": account_id,
            "b_campaign": campaign_id,
            "b_visitors": distinct[start : start + SEEN_CHUNK],
            "b_since": since,
        }
        seen.update(row.visitor for row in conn.execute(statements[kind], parameters))
    return seen


def insert_views(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Inserts a batch of views (all with the same columns) through the driver's own
    executemany, as ``insert_traffic_bulk``: the view pixel's writer inserts every batch."""
    if rows:
        _write_bulk(conn, views, rows)
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
    conversions = [(at, convert) for at, convert in enumerate(processors) if convert is not None]
    values: list[tuple[Any, ...]] = []
    for row in rows:
        value = [row[name] for name in names]
        for at, convert in conversions:
            value[at] = convert(value[at])
        values.append(tuple(value))
    columns = ", ".join(names)
    if dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        assert driver is not None
        copy_sql = f"COPY {table.name} ({columns}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for line in values:
                copy.write_row(line)
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
