"""Moving the relational video counters into ClickHouse (``video move-to-clickhouse``).

The counters are read in key order, a chunk at a time; each chunk is inserted into the
owning shards, then the last key moved is written to a cursor file. A run stopped at
any point starts again after that key. A chunk re-sent because the run stopped between
its insert and the cursor write carries the same batch id (derived from the chunk's
first key) and the same rows, so the shards' block deduplication drops it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from commerce_stats.db.engine import Database
from commerce_stats.video import repository
from commerce_stats.video.clickhouse_store import ClickHouseStore

CURSOR_FILE = "video-move-to-clickhouse.json"


@dataclass
class MoveProgress:
    """Where a move stands: rows moved so far (all runs) and the last key moved."""

    moved: int = 0
    after: tuple[Any, ...] | None = None
    finished: bool = False


def _cursor_path(data_dir: Path, store: ClickHouseStore) -> Path:
    """One cursor per ClickHouse database, so moving into a fresh database starts over."""
    return data_dir / f"{store.address.database}-{CURSOR_FILE}"


def read_cursor(data_dir: Path, store: ClickHouseStore) -> MoveProgress:
    path = _cursor_path(data_dir, store)
    if not path.exists():
        return MoveProgress()
    saved = json.loads(path.read_text())
    after = saved["after"]
    if after is not None:
        after = (after[0], after[1], date.fromisoformat(after[2]), after[3], after[4])
    return MoveProgress(moved=saved["moved"], after=after, finished=saved["finished"])


def _write_cursor(data_dir: Path, store: ClickHouseStore, progress: MoveProgress) -> None:
    """Written to a temporary file and renamed: a crash leaves the old or the new cursor."""
    after = progress.after
    text = json.dumps(
        {
            "moved": progress.moved,
            "after": None if after is None else [*after[:2], after[2].isoformat(), *after[3:]],
            "finished": progress.finished,
        }
    )
    path = _cursor_path(data_dir, store)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text)
    temporary.replace(path)


def _chunk_batch_id(first_key: tuple[Any, ...]) -> int:
    """A batch id that is the same each time the same chunk is moved."""
    text = "move-to-clickhouse/" + "/".join(str(part) for part in first_key)
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def move_counters(
    database: Database,
    store: ClickHouseStore,
    data_dir: Path,
    chunk_rows: int,
    max_chunks: int | None = None,
    on_chunk: Callable[[int], None] = lambda rows: None,
) -> MoveProgress:
    """Move every counter row after the cursor; ``on_chunk(rows)`` after each chunk.
    Stops after ``max_chunks`` chunks when given (the next run carries on)."""
    progress = read_cursor(data_dir, store)
    chunks = 0
    while max_chunks is None or chunks < max_chunks:
        with database.read() as conn:
            rows = repository.counter_rows_after(conn, progress.after, chunk_rows)
        if not rows:
            progress.finished = True
            break
        by_shard: dict[int, list[tuple[Any, ...]]] = {}
        for row in rows:
            by_shard.setdefault(store.shard_of(row[0], row[1]), []).append(row)
        batch_id = _chunk_batch_id(rows[0][:5])
        for shard in sorted(by_shard):
            store.insert_part(shard, batch_id, by_shard[shard])
        progress.moved += len(rows)
        progress.after = rows[-1][:5]
        progress.finished = False
        _write_cursor(data_dir, store, progress)
        on_chunk(len(rows))
        chunks += 1
    _write_cursor(data_dir, store, progress)
    return progress


def rows_to_move(database: Database) -> int:
    with database.read() as conn:
        return repository.counter_row_count(conn)
