"""SQL of the counter outbox (``video_counter_outbox``): deltas waiting for ClickHouse.

A part is one flush's (``batch_id``) deltas for one shard; it is stored as one row per
account holding that account's counter rows as MessagePack. The drain statements work
across accounts on purpose, like pruning the dedupe memory: they move rows, never
answer a tenant's question.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import Connection, delete, func, select

from commerce_stats.video.tables import counter_outbox

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(list[tuple[str, date, str, str, int, int, int, int, int]])


def encode_deltas(rows: Sequence[tuple[Any, ...]]) -> bytes:
    """Counter rows of ONE account (account_id, content_key, day, device_type,
    ecommerce_key, five counts) without the account id, the day as ISO text (msgspec
    writes a ``date`` as its ISO text, so no Python-level conversion per row)."""
    return _encoder.encode([row[1:] for row in rows])


def decode_deltas(account_id: int, deltas: bytes) -> list[tuple[Any, ...]]:
    return [(account_id, *row) for row in _decoder.decode(deltas)]


def stage(conn: Connection, batch_id: int, parts: Sequence[tuple[int, int, bytes]]) -> None:
    """Add one flush's parts: (account_id, shard, encoded deltas) under ``batch_id``."""
    if not parts:
        return
    conn.execute(
        counter_outbox.insert(),
        [
            {"account_id": account_id, "batch_id": batch_id, "shard": shard, "deltas": deltas}
            for account_id, shard, deltas in parts
        ],
    )


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
    """One part's counter rows, every account's, in no particular order."""
    stmt = select(counter_outbox.c.account_id, counter_outbox.c.deltas).where(
        counter_outbox.c.batch_id == batch_id, counter_outbox.c.shard == shard
    )
    rows: list[tuple[Any, ...]] = []
    for account_id, deltas in conn.execute(stmt):
        rows.extend(decode_deltas(account_id, deltas))
    return rows


def delete_part(conn: Connection, batch_id: int, shard: int) -> None:
    conn.execute(
        delete(counter_outbox).where(
            counter_outbox.c.batch_id == batch_id, counter_outbox.c.shard == shard
        )
    )


def waiting_rows(conn: Connection) -> int:
    """How many (batch, shard, account) rows wait in the outbox (operations and tests)."""
    return int(conn.execute(select(func.count()).select_from(counter_outbox)).scalar_one())
