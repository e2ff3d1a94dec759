"""Bytes per row of the event-id dedupe store and of the video daily counters, per store.

Usage: .venv/bin/python bench/dedupe_store_size.py [dedupe_rows] [counter_rows]

For each relational store (SQLite, and PostgreSQL when the test server answers)
a freshly migrated database is filled through the repository's own write paths:

- ``dedupe_rows`` (default 1,000,000) event ids in ``video_seen_events`` via
  ``claim_event_ids``: random UUID text ids (36 characters, what players
  commonly send) of one account, seen over one day, in batches of 10,000;
- ``counter_rows`` (default 200,000) rows of ``video_counters`` via
  ``add_to_counters``: 20-character content keys, 8-character item keys (one row
  in five "none"), four device types, spread over 30 days.

Then the store's own size is read: on PostgreSQL ``pg_relation_size`` (heap)
and ``pg_indexes_size`` after ``VACUUM ANALYZE``; on SQLite the pages of each
B-tree from the ``dbstat`` table (both tables are WITHOUT ROWID there, so the
primary key is the table). Bytes per row = all pages of the table and its
indexes / rows.

The 7-day dedupe window holds every identified event of the last 7 days, so
its size is rate x 86,400 s x 7 x bytes per row; the table projects that at
10,000 and 100,000 events/s (every event carrying an id).
"""

from __future__ import annotations

import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from _common import print_table
from commerce_stats.accounts.service import Accounts
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate
from commerce_stats.video import repository

sys.path.insert(0, str(Path(__file__).parents[1] / "scripts"))
from postgres_reachable import URL as POSTGRES_URL
from postgres_reachable import main as postgres_reachable

BATCH = 10_000
RATES = (10_000, 100_000)
WINDOW_DAYS = 7
SECONDS_A_DAY = 86_400
DEVICES = ("Mobile", "Desktop", "Tablet", "TV")
START = datetime(2026, 11, 1, tzinfo=UTC)


@contextmanager
def sqlite_database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(Settings(database_url=f"sqlite:///{folder}/sizes.sqlite3"))
        try:
            migrate(database)
            yield database
        finally:
            database.dispose()


@contextmanager
def postgres_database() -> Iterator[Database]:
    name = f"commerce_stats_sizes_{secrets.token_hex(4)}"
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    database = Database(Settings(database_url=url))
    try:
        migrate(database)
        yield database
    finally:
        database.dispose()
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def fill_dedupe(database: Database, account_id: int, rows: int, rng: Random) -> None:
    cutoff = START - timedelta(days=WINDOW_DAYS)
    for start in range(0, rows, BATCH):
        batch = [
            {
                "account_id": account_id,
                "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "seen_at": START + timedelta(seconds=(start + i) * SECONDS_A_DAY // rows),
            }
            for i in range(min(BATCH, rows - start))
        ]
        with database.write() as conn:
            repository.claim_event_ids(conn, batch, cutoff)


def _key(rng: Random, length: int) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(rng.choice(alphabet) for _ in range(length))


def fill_counters(database: Database, account_id: int, rows: int, rng: Random) -> None:
    """``rows`` distinct counters: (video, day, device, item) combinations, each counted once."""
    videos = [_key(rng, 20) for _ in range(max(1, rows // 480))]
    items = [_key(rng, 8) for _ in range(4)] + ["none"]
    days = [date(2026, 11, 1) + timedelta(days=n) for n in range(30)]
    keys = (
        (video, day, device, item)
        for video in videos
        for day in days
        for device in DEVICES
        for item in items
    )
    pending: list[tuple[Any, ...]] = []
    for count, (video, day, device, item) in enumerate(keys):
        if count == rows:
            break
        pending.append((account_id, video, day, device, item, 3, 1, 0, 1, 0))
        if len(pending) == BATCH:
            _add(database, pending)
            pending = []
    _add(database, pending)


def _add(database: Database, rows: list[tuple[Any, ...]]) -> None:
    with database.write() as conn:
        repository.add_to_counters(conn, rows)


def sizes(database: Database, table: str) -> tuple[int, int]:
    """(bytes of the table's rows, bytes of its other indexes) as the store holds them."""
    if database.is_sqlite:
        with database.engine.connect() as conn:
            pages: dict[str, int] = dict(
                conn.exec_driver_sql(
                    "SELECT name, SUM(pgsize) FROM dbstat WHERE name IN "
                    "(SELECT name FROM sqlite_schema WHERE tbl_name = ?) GROUP BY name",
                    (table,),
                ).all()
            )
        own = sum(size for name, size in pages.items() if name == table or "autoindex" in name)
        return int(own), int(sum(pages.values()) - own)
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
        heap, indexes = conn.exec_driver_sql(
            f"SELECT pg_relation_size('{table}') + pg_relation_size('{table}', 'fsm') "
            f"+ pg_relation_size('{table}', 'vm'), pg_indexes_size('{table}')"
        ).one()
    return int(heap), int(indexes)


def measure(
    store: str, open_database: Callable[[], Any], dedupe_rows: int, counter_rows: int
) -> list[list[object]]:
    rng = Random(20261202)
    results: list[list[object]] = []
    with open_database() as database:
        account, _ = Accounts(database, cache_seconds=0).create("Sizes")
        for table, rows, fill in (
            ("video_seen_events", dedupe_rows, fill_dedupe),
            ("video_counters", counter_rows, fill_counters),
        ):
            began = time.perf_counter()
            fill(database, account.id, rows, rng)
            seconds = time.perf_counter() - began
            own, indexes = sizes(database, table)
            total = own + indexes
            results.append(
                [
                    store,
                    table,
                    f"{rows:,}",
                    f"{own / 2**20:,.1f}",
                    f"{indexes / 2**20:,.1f}",
                    f"{total / rows:.1f}",
                    f"{rows / seconds:,.0f}",
                ]
            )
    return results


def projection(per_row: dict[str, float]) -> list[list[object]]:
    rows: list[list[object]] = []
    for store, bytes_per_row in per_row.items():
        for rate in RATES:
            day = rate * SECONDS_A_DAY * bytes_per_row
            rows.append(
                [
                    store,
                    f"{rate:,}",
                    f"{rate * SECONDS_A_DAY * WINDOW_DAYS / 1e9:,.2f}",
                    f"{day / 1e9:,.1f}",
                    f"{day * WINDOW_DAYS / 1e12:,.2f}",
                ]
            )
    return rows


def main() -> int:
    dedupe_rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    counter_rows = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    stores: list[tuple[str, Callable[[], Any]]] = [("SQLite", sqlite_database)]
    if postgres_reachable() == 0:
        stores.append(("PostgreSQL", postgres_database))
    else:
        print("PostgreSQL is not reachable: SQLite only")
    measured: list[list[object]] = []
    for store, opener in stores:
        measured.extend(measure(store, opener, dedupe_rows, counter_rows))
    print(
        f"dataset: {dedupe_rows:,} event ids (36-character UUID text, one account), "
        f"{counter_rows:,} video counter rows"
    )
    print_table(
        "Bytes per row as stored (table = heap or WITHOUT ROWID primary-key B-tree)",
        ["store", "table", "rows", "table MiB", "other indexes MiB", "bytes/row", "rows/s filled"],
        measured,
    )
    per_row = {str(row[0]): float(str(row[5])) for row in measured if row[1] == "video_seen_events"}
    print_table(
        f"Dedupe store for a {WINDOW_DAYS}-day window (every event carries an event_id)",
        ["store", "events/s", "ids held (billions)", "GB per day", f"TB for {WINDOW_DAYS} days"],
        projection(per_row),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
