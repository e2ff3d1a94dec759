"""Moving relational counters into the test cluster in chunks, with a resumable cursor.

Runs in ``make test-clickhouse`` (``COMMERCE_STATS_TEST_CLICKHOUSE_URL``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from commerce_stats.db.engine import Database
from commerce_stats.video import repository
from commerce_stats.video.clickhouse_backfill import (
    MoveProgress,
    move_counters,
    read_cursor,
    rows_to_move,
)
from commerce_stats.video.clickhouse_store import ClickHouseStore

ROWS = 12


def _key(account_id: int, n: int) -> tuple[Any, ...]:
    return (account_id, f"v{n % 4}", date(2022, 10, 1) + timedelta(days=n), "Mobile", "none")


@pytest.fixture
def account_id(database: Database, make_service_account: Callable[..., Any]) -> int:
    """An account with ROWS relational counters, viewed = 1, 2, ... ROWS."""
    account, _credentials = make_service_account("Shop", features=["video_ecommerce"])
    rows = [(*_key(account.id, n), n + 1, 0, 0, 0, 0) for n in range(ROWS)]
    with database.write() as conn:
        repository.add_to_counters(conn, rows)
    return int(account.id)


def _viewed_in_clickhouse(store: ClickHouseStore, account_id: int) -> int:
    return sum(store.local_totals(shard, account_id)[1] for shard in range(store.shard_count))


def test_rows_to_move_counts_the_relational_counters(
    database: Database, account_id: int, clickhouse_store: ClickHouseStore
) -> None:
    assert rows_to_move(database) == ROWS


def test_a_fresh_database_has_an_empty_cursor(
    clickhouse_store: ClickHouseStore, tmp_path: Path
) -> None:
    assert read_cursor(tmp_path, clickhouse_store) == MoveProgress()


def test_a_full_move_copies_every_count_once(
    database: Database, account_id: int, clickhouse_store: ClickHouseStore, tmp_path: Path
) -> None:
    progress = move_counters(database, clickhouse_store, tmp_path, chunk_rows=5)

    assert (progress.moved, progress.finished) == (ROWS, True)
    assert _viewed_in_clickhouse(clickhouse_store, account_id) == ROWS * (ROWS + 1) // 2


def test_each_chunk_is_reported(
    database: Database, account_id: int, clickhouse_store: ClickHouseStore, tmp_path: Path
) -> None:
    chunks: list[int] = []
    move_counters(database, clickhouse_store, tmp_path, chunk_rows=5, on_chunk=chunks.append)

    assert chunks == [5, 5, 2]


def test_a_stopped_move_saves_its_cursor_after_the_last_moved_key(
    database: Database, account_id: int, clickhouse_store: ClickHouseStore, tmp_path: Path
) -> None:
    move_counters(database, clickhouse_store, tmp_path, chunk_rows=5, max_chunks=1)

    saved = read_cursor(tmp_path, clickhouse_store)
    with database.read() as conn:
        first_five = repository.counter_rows_after(conn, None, 5)
    assert (saved.moved, saved.after, saved.finished) == (5, first_five[-1][:5], False)


def test_a_resumed_move_adds_only_the_rest(
    database: Database, account_id: int, clickhouse_store: ClickHouseStore, tmp_path: Path
) -> None:
    move_counters(database, clickhouse_store, tmp_path, chunk_rows=5, max_chunks=1)
    progress = move_counters(database, clickhouse_store, tmp_path, chunk_rows=5)

    assert (progress.moved, progress.finished) == (ROWS, True)
    assert _viewed_in_clickhouse(clickhouse_store, account_id) == ROWS * (ROWS + 1) // 2


def test_a_chunk_moved_again_from_an_old_cursor_is_dropped_by_the_shard(
    database: Database, account_id: int, clickhouse_store: ClickHouseStore, tmp_path: Path
) -> None:
    first_run, second_run = tmp_path / "first", tmp_path / "second"
    move_counters(database, clickhouse_store, first_run, chunk_rows=5)
    move_counters(database, clickhouse_store, second_run, chunk_rows=5)

    assert _viewed_in_clickhouse(clickhouse_store, account_id) == ROWS * (ROWS + 1) // 2
