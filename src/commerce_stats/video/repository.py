"""All SQL of the video domain (SQLAlchemy Core); every statement is scoped by account_id."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, String, and_, bindparam, cast, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from commerce_stats.video.tables import counters, ecommerce_items, seen_events, video_items, videos

UPSERT_CHUNK = 500
"""Rows per multi-row statement: below SQLite's variable limit with room to spare."""


def _insert(conn: Connection, table: Any) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _chunks(rows: Sequence[dict[str, Any]], size: int) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


# Catalog -----------------------------------------------------------------------------------


def upsert_items(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or replace ecommerce items; ``created_at`` of an existing item is kept."""
    if not rows:
        return
    stmt = _insert(conn, ecommerce_items)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ecommerce_items.c.account_id, ecommerce_items.c.ecommerce_key],
        set_={
            "ecommerce_name": stmt.excluded.ecommerce_name,
            "ecommerce_link": stmt.excluded.ecommerce_link,
            "updated_at": stmt.excluded.updated_at,
        },
    )
    conn.execute(stmt, list(rows))


def upsert_videos(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or replace videos; ``created_at`` of an existing video is kept."""
    if not rows:
        return
    stmt = _insert(conn, videos)
    replaced = [
        column.name
        for column in videos.columns
        if column.name not in {"account_id", "content_key", "created_at"}
    ]
    stmt = stmt.on_conflict_do_update(
        index_elements=[videos.c.account_id, videos.c.content_key],
        set_={name: stmt.excluded[name] for name in replaced},
    )
    conn.execute(stmt, list(rows))


def replace_video_items(
    conn: Connection, account_id: int, attachments: dict[str, list[str]]
) -> None:
    """Make each video's attached items exactly the given list (in that order)."""
    if not attachments:
        return
    for chunk in _key_chunks(list(attachments)):
        conn.execute(
            delete(video_items).where(
                video_items.c.account_id == account_id, video_items.c.content_key.in_(chunk)
            )
        )
    rows = [
        {
            "account_id": account_id,
            "content_key": content_key,
            "ecommerce_key": key,
            "position": position,
        }
        for content_key, keys in attachments.items()
        for position, key in enumerate(keys)
    ]
    if rows:
        conn.execute(video_items.insert(), rows)


def _key_chunks(keys: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(keys), UPSERT_CHUNK):
        yield keys[start : start + UPSERT_CHUNK]


def existing_item_keys(conn: Connection, account_id: int, keys: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _key_chunks(sorted(set(keys))):
        found.update(
            conn.execute(
                select(ecommerce_items.c.ecommerce_key).where(
                    ecommerce_items.c.account_id == account_id,
                    ecommerce_items.c.ecommerce_key.in_(chunk),
                )
            ).scalars()
        )
    return found


def select_video(conn: Connection, account_id: int, content_key: str) -> Row[Any] | None:
    return conn.execute(
        select(videos).where(videos.c.account_id == account_id, videos.c.content_key == content_key)
    ).first()


def select_item(conn: Connection, account_id: int, ecommerce_key: str) -> Row[Any] | None:
    return conn.execute(
        select(ecommerce_items).where(
            ecommerce_items.c.account_id == account_id,
            ecommerce_items.c.ecommerce_key == ecommerce_key,
        )
    ).first()


def attached_items(conn: Connection, account_id: int, content_key: str) -> list[str]:
    return list(
        conn.execute(
            select(video_items.c.ecommerce_key)
            .where(video_items.c.account_id == account_id, video_items.c.content_key == content_key)
            .order_by(video_items.c.position)
        ).scalars()
    )


def content_keys(conn: Connection, account_id: int) -> list[str]:
    return list(
        conn.execute(
            select(videos.c.content_key).where(videos.c.account_id == account_id)
        ).scalars()
    )


def ecommerce_keys(conn: Connection, account_id: int) -> list[str]:
    return list(
        conn.execute(
            select(ecommerce_items.c.ecommerce_key).where(
                ecommerce_items.c.account_id == account_id
            )
        ).scalars()
    )


def videos_by_keys(conn: Connection, account_id: int, keys: Iterable[str]) -> list[Row[Any]]:
    rows: list[Row[Any]] = []
    for chunk in _key_chunks(sorted(set(keys))):
        rows.extend(
            conn.execute(
                select(videos).where(
                    videos.c.account_id == account_id, videos.c.content_key.in_(chunk)
                )
            ).all()
        )
    return sorted(rows, key=lambda row: row.content_key)


def items_by_keys(conn: Connection, account_id: int, keys: Iterable[str]) -> list[Row[Any]]:
    rows: list[Row[Any]] = []
    for chunk in _key_chunks(sorted(set(keys))):
        rows.extend(
            conn.execute(
                select(ecommerce_items).where(
                    ecommerce_items.c.account_id == account_id,
                    ecommerce_items.c.ecommerce_key.in_(chunk),
                )
            ).all()
        )
    return sorted(rows, key=lambda row: row.ecommerce_key)


# Counters ----------------------------------------------------------------------------------


COUNTER_COLUMNS = (
    "account_id",
    "content_key",
    "day",
    "device_type",
    "ecommerce_key",
    "viewed",
    "clicked",
    "hidden",
    "bar_shown",
    "bar_hidden",
)
"""The order of the values in each row handed to ``add_to_counters``."""
_compiled_sqlite_upserts: dict[int, tuple[str, tuple[int, ...]]] = {}


def _counter_upsert(conn: Connection) -> Any:
    stmt = _insert(conn, counters)
    return stmt.on_conflict_do_update(
        index_elements=[counters.c[name] for name in COUNTER_COLUMNS[:5]],
        set_={name: counters.c[name] + stmt.excluded[name] for name in COUNTER_COLUMNS[5:]},
    )


def _sqlite_upsert_sql(conn: Connection) -> tuple[str, tuple[int, ...]]:
    """The upsert compiled once for SQLite, with the order of its ``?`` parameters.

    Handing plain tuples to the driver's executemany skips SQLAlchemy's per-row
    parameter processing, which was a fifth of the flusher's time when measured.
    """
    cached = _compiled_sqlite_upserts.get(id(conn.dialect))
    if cached is None:
        stmt = _counter_upsert(conn).values({name: bindparam(name) for name in COUNTER_COLUMNS})
        compiled = stmt.compile(dialect=conn.dialect)
        order = tuple(COUNTER_COLUMNS.index(name) for name in compiled.positiontup or ())
        cached = _compiled_sqlite_upserts[id(conn.dialect)] = (str(compiled), order)
    return cached


def add_to_counters(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Add each row's five counts to its counter, creating the counter when new.

    Each row holds the values of ``COUNTER_COLUMNS`` in that order.
    """
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        sql, order = _sqlite_upsert_sql(conn)
        day = COUNTER_COLUMNS.index("day")
        params = [tuple(row[i].isoformat() if i == day else row[i] for i in order) for row in rows]
        conn.exec_driver_sql(sql, params)
        return
    conn.execute(
        _counter_upsert(conn), [dict(zip(COUNTER_COLUMNS, row, strict=True)) for row in rows]
    )


def claim_event_ids(
    conn: Connection, rows: Sequence[dict[str, Any]], cutoff: datetime
) -> set[tuple[int, str]]:
    """Record (account_id, event_id, seen_at) rows; returns the ids that were not seen since
    ``cutoff`` (new ids, and ids whose memory had expired), i.e. the events that count.

    ``rows`` must not repeat an (account_id, event_id) pair.
    """
    claimed: set[tuple[int, str]] = set()
    for chunk in _chunks(rows, UPSERT_CHUNK):
        stmt = _insert(conn, seen_events).values(list(chunk))
        stmt = stmt.on_conflict_do_update(
            index_elements=[seen_events.c.account_id, seen_events.c.event_id],
            set_={"seen_at": stmt.excluded.seen_at},
            where=seen_events.c.seen_at < cutoff,
        ).returning(seen_events.c.account_id, seen_events.c.event_id)
        claimed.update((row.account_id, row.event_id) for row in conn.execute(stmt))
    return claimed


def prune_seen_events(conn: Connection, cutoff: datetime) -> int:
    """Forget event ids seen before ``cutoff`` (the maintenance of every tenant's memory)."""
    return conn.execute(delete(seen_events).where(seen_events.c.seen_at < cutoff)).rowcount


# Report ------------------------------------------------------------------------------------


def _report_filter(account_id: int, first: date, last: date, content_key: str | None) -> Any:
    condition = and_(
        counters.c.account_id == account_id, counters.c.day >= first, counters.c.day <= last
    )
    if content_key is not None:
        condition = and_(condition, counters.c.content_key == content_key)
    return condition


def report_content_keys(
    conn: Connection, account_id: int, first: date, last: date, content_key: str | None
) -> list[str]:
    """The distinct content keys of the report's rows."""
    condition = _report_filter(account_id, first, last, content_key)
    return sorted(
        conn.execute(select(counters.c.content_key).where(condition).distinct()).scalars()
    )


def report_ecommerce_keys(
    conn: Connection, account_id: int, first: date, last: date, content_key: str | None
) -> list[str]:
    """The distinct ecommerce keys of the report's rows ("none" included)."""
    condition = _report_filter(account_id, first, last, content_key)
    return sorted(
        conn.execute(select(counters.c.ecommerce_key).where(condition).distinct()).scalars()
    )


ReportRow = tuple[str, str, str, str, int, int, int, int, int]
"""(content_key, day as YYYY-MM-DD, device_type, ecommerce_key, viewed, clicked, hidden,
bar_shown, bar_hidden)."""


def report_rows(
    conn: Connection,
    account_id: int,
    first: date,
    last: date,
    content_key: str | None,
    batch_size: int = 5000,
) -> Iterator[list[ReportRow]]:
    """The counters of the report in the seed's order, ``batch_size`` rows at a time.

    The day is read as ISO text (SQLite stores it so; PostgreSQL formats it with
    ``to_char``, independent of DateStyle) because the report prints it as text anyway;
    parsing it into a date first doubled the cost per row.
    """
    day_text = (
        func.to_char(counters.c.day, "YYYY-MM-DD")
        if conn.dialect.name == "postgresql"
        else cast(counters.c.day, String)
    )
    columns: list[Any] = [
        counters.c.content_key,
        day_text.label("day"),
        counters.c.device_type,
        counters.c.ecommerce_key,
        counters.c.viewed,
        counters.c.clicked,
        counters.c.hidden,
        counters.c.bar_shown,
        counters.c.bar_hidden,
    ]
    stmt = (
        select(*columns)
        .where(_report_filter(account_id, first, last, content_key))
        .order_by(
            counters.c.content_key,
            counters.c.day.desc(),
            counters.c.device_type,
            counters.c.ecommerce_key,
        )
    )
    result = conn.execution_options(yield_per=batch_size).execute(stmt)
    for partition in result.partitions():
        yield list(partition)


def counter_totals(conn: Connection, account_id: int) -> tuple[int, int]:
    """(number of counter rows, sum of all counts) of an account, for checks and tests."""
    row = conn.execute(
        select(
            func.count(),
            func.coalesce(
                func.sum(
                    counters.c.viewed
                    + counters.c.clicked
                    + counters.c.hidden
                    + counters.c.bar_shown
                    + counters.c.bar_hidden
                ),
                0,
            ),
        ).where(counters.c.account_id == account_id)
    ).one()
    return int(row[0]), int(row[1])


# Dashboard ----------------------------------------------------------------------------------

_SUMS = (
    func.sum(counters.c.viewed).label("viewed"),
    func.sum(counters.c.clicked).label("clicked"),
    func.sum(counters.c.hidden).label("hidden"),
    func.sum(counters.c.bar_shown).label("bar_shown"),
    func.sum(counters.c.bar_hidden).label("bar_hidden"),
)


def sums_by_day(
    conn: Connection, account_id: int, first: date, last: date, content_key: str | None
) -> list[Row[Any]]:
    """(day, viewed, clicked, hidden, bar_shown, bar_hidden) per UTC day, oldest first."""
    stmt = (
        select(counters.c.day, *_SUMS)
        .where(_report_filter(account_id, first, last, content_key))
        .group_by(counters.c.day)
        .order_by(counters.c.day)
    )
    return list(conn.execute(stmt))


def sums_by_device(
    conn: Connection, account_id: int, first: date, last: date, content_key: str | None
) -> list[Row[Any]]:
    """(device_type, viewed, clicked, hidden, bar_shown, bar_hidden) per device type."""
    stmt = (
        select(counters.c.device_type, *_SUMS)
        .where(_report_filter(account_id, first, last, content_key))
        .group_by(counters.c.device_type)
        .order_by(counters.c.device_type)
    )
    return list(conn.execute(stmt))


def top_videos(
    conn: Connection,
    account_id: int,
    first: date,
    last: date,
    content_key: str | None,
    limit: int,
) -> list[Row[Any]]:
    """(account_id, content_key, sums..., title or None) of the most clicked, then most
    viewed, videos; the account rides along so the catalog join pairs rows of one account."""
    sums = (
        select(counters.c.account_id, counters.c.content_key, *_SUMS)
        .where(_report_filter(account_id, first, last, content_key))
        .group_by(counters.c.account_id, counters.c.content_key)
        .subquery()
    )
    stmt = (
        select(sums, videos.c.title)
        .select_from(
            sums.outerjoin(
                videos,
                and_(
                    videos.c.account_id == sums.c.account_id,
                    videos.c.content_key == sums.c.content_key,
                ),
            )
        )
        .order_by(sums.c.clicked.desc(), sums.c.viewed.desc(), sums.c.content_key)
        .limit(limit)
    )
    return list(conn.execute(stmt))


def top_items(
    conn: Connection,
    account_id: int,
    first: date,
    last: date,
    content_key: str | None,
    limit: int,
) -> list[Row[Any]]:
    """(account_id, ecommerce_key, sums..., name or None) of the most clicked, then most
    viewed, items."""
    sums = (
        select(counters.c.account_id, counters.c.ecommerce_key, *_SUMS)
        .where(
            _report_filter(account_id, first, last, content_key),
            counters.c.ecommerce_key != "none",
        )
        .group_by(counters.c.account_id, counters.c.ecommerce_key)
        .subquery()
    )
    stmt = (
        select(sums, ecommerce_items.c.ecommerce_name)
        .select_from(
            sums.outerjoin(
                ecommerce_items,
                and_(
                    ecommerce_items.c.account_id == sums.c.account_id,
                    ecommerce_items.c.ecommerce_key == sums.c.ecommerce_key,
                ),
            )
        )
        .order_by(sums.c.clicked.desc(), sums.c.viewed.desc(), sums.c.ecommerce_key)
        .limit(limit)
    )
    return list(conn.execute(stmt))


def video_titles(conn: Connection, account_id: int) -> list[Row[Any]]:
    """(content_key, title) of every catalog video of the account, by title."""
    stmt = (
        select(videos.c.content_key, videos.c.title)
        .where(videos.c.account_id == account_id)
        .order_by(videos.c.title, videos.c.content_key)
    )
    return list(conn.execute(stmt))
