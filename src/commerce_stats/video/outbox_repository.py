"""SQL of the counter outbox (``video_counter_outbox``): deltas waiting for ClickHouse.

The drain statements work across accounts on purpose, like pruning the dedupe memory:
they move rows, never answer a tenant's question.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, String, cast, delete, func, select

from commerce_stats.video.tables import counter_outbox

OUTBOX_COLUMNS = (
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
"""The order of the values of each staged row (the same as ``repository.COUNTER_COLUMNS``)."""


def stage(
    conn: Connection, batch_id: int, rows: Sequence[tuple[Any, ...]], shards: list[int]
) -> None:
    """Add one flush's counter deltas under ``batch_id``; ``shards[i]`` owns ``rows[i]``."""
    if not rows:
        return
    values = [
        {**dict(zip(OUTBOX_COLUMNS, row, strict=True)), "batch_id": batch_id, "shard": shard}
        for row, shard in zip(rows, shards, strict=True)
    ]
    conn.execute(counter_outbox.insert(), values)


def pending_parts(conn: Connection, limit: int) -> list[tuple[int, int]]:
    """(batch_id, shard) pairs still waiting, at most ``limit``."""
    stmt = (
        select(counter_outbox.c.batch_id, counter_outbox.c.shard)
        .group_by(counter_outbox.c.batch_id, counter_outbox.c.shard)
        .order_by(counter_outbox.c.batch_id, counter_outbox.c.shard)
        .limit(limit)
    )
    return [(int(row.batch_id), int(row.shard)) for row in conn.execute(stmt)]


def part_rows(conn: Connection, batch_id: int, shard: int) -> list[tuple[Any, ...]]:
    """One part's rows, in no particular order (the caller sorts them by key)."""
    day = (
        func.to_char(counter_outbox.c.day, "YYYY-MM-DD")
        if conn.dialect.name == "postgresql"
        else cast(counter_outbox.c.day, String)
    )
    stmt = select(
        counter_outbox.c.account_id,
        counter_outbox.c.content_key,
        day,
        counter_outbox.c.device_type,
        counter_outbox.c.ecommerce_key,
        counter_outbox.c.viewed,
        counter_outbox.c.clicked,
        counter_outbox.c.hidden,
        counter_outbox.c.bar_shown,
        counter_outbox.c.bar_hidden,
    ).where(counter_outbox.c.batch_id == batch_id, counter_outbox.c.shard == shard)
    return [(row[0], row[1], date.fromisoformat(row[2]), *row[3:]) for row in conn.execute(stmt)]


def delete_part(conn: Connection, batch_id: int, shard: int) -> None:
    conn.execute(
        delete(counter_outbox).where(
            counter_outbox.c.batch_id == batch_id, counter_outbox.c.shard == shard
        )
    )


def waiting_rows(conn: Connection) -> int:
    """How many deltas wait in the outbox (operations and tests)."""
    return int(conn.execute(select(func.count()).select_from(counter_outbox)).scalar_one())
