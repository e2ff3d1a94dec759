"""Video counters in the two-shard ClickHouse cluster against single-process SQLite.

Needs the cluster of ``scripts/clickhouse_cluster.sh start``. Uses a database of its own
(``bench_<random>``, dropped at the end) and a temporary SQLite file.

1. Ingest: the same batches committed by the group committer (a) into SQLite's counters
   and (b) through the ClickHouse path (dedupe claims + outbox in SQLite, then one
   insert per shard); plus the shards' own insert rate for the same counter rows.
2. One video's year, p50: the report path (routed to the owning shard) against the
   same SQL sent straight to that shard's local table, and through the Distributed table.
3. Organisation-wide 7 days, p50: the report path against the bare SQL on the
   Distributed table.
4. Bytes per counter row on the shards (after OPTIMIZE FINAL) and in SQLite, bytes per
   dedupe claim in SQLite.

    .venv/bin/python bench/clickhouse_ingest.py [--batches 40] [--events 5000] [--videos 300]
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import print_table
from commerce_stats.accounts.service import Accounts
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate
from commerce_stats.video import repository
from commerce_stats.video.clickhouse_outbox import ClickHouseCounters
from commerce_stats.video.clickhouse_store import (
    LOCAL_TABLE,
    ClickHouseStore,
    parse_clickhouse_url,
    report_params,
    report_rows_sql,
)
from commerce_stats.video.events import Batch
from commerce_stats.video.flusher import GroupCommitter

ROOT = Path(__file__).resolve().parent.parent
DEVICES = ("Desktop", "Mobile", "Tablet")
ITEMS = ("none", "item-a", "item-b")
ACCOUNT = 1


def _cluster_url() -> str:
    script = ROOT / "scripts" / "clickhouse_cluster.sh"
    if subprocess.run([str(script), "status"], capture_output=True, check=False).returncode:
        sys.exit("the ClickHouse cluster is not up: scripts/clickhouse_cluster.sh start")
    url = subprocess.run([str(script), "url"], capture_output=True, check=True, text=True)
    return url.stdout.strip()


def _sqlite(path: Path) -> Database:
    database = Database(Settings(database_url=f"sqlite:///{path}", data_dir=path.parent))
    migrate(database)
    account, _credentials = Accounts(database).create("bench", features=["video_ecommerce"])
    if account.id != ACCOUNT:
        raise RuntimeError(f"expected the fresh file's first account to be {ACCOUNT}")
    return database


def _batches(count: int, events: int, videos: int, rng: random.Random) -> list[Batch]:
    """Plain (id-less) events spread over ``videos`` videos, 30 days, devices and items."""
    batches = []
    first = date(2026, 10, 1)
    for _ in range(count):
        batch = Batch(account_id=ACCOUNT)
        for _event in range(events):
            key = (
                f"video{rng.randrange(videos):05d}",
                first + timedelta(days=rng.randrange(30)),
                rng.choice(DEVICES),
                rng.choice(ITEMS),
            )
            batch.add(key, rng.randrange(5))
            batch.received += 1
        batches.append(batch)
    return batches


def _ingest_rate(committer: GroupCommitter, batches: list[Batch]) -> float:
    """Events per second through the server's write path: the batches are submitted to
    the started writer thread as requests would submit them, and the clock stops when the
    last one is answered (for ClickHouse: committed to the outbox and sent to its shard)."""
    committer.start()
    started = time.perf_counter()
    answers = [committer.submit(batch) for batch in batches]
    for answer in answers:
        answer.result()
    elapsed = time.perf_counter() - started
    committer.stop()
    return sum(batch.received for batch in batches) / elapsed


def _p50_ms(run: Callable[[], Any], repeat: int) -> float:
    run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _year_rows(store: ClickHouseStore, videos: int) -> int:
    """A year of counters for every video (3 devices x 3 items a day), straight in."""
    first = date(2025, 11, 1)
    rows_by_shard: dict[int, list[tuple[Any, ...]]] = {}
    for video in range(videos):
        key = f"year{video:05d}"
        shard = store.shard_of(ACCOUNT, key)
        for day in range(365):
            for device in DEVICES:
                for item in ITEMS:
                    rows_by_shard.setdefault(shard, []).append(
                        (ACCOUNT, key, first + timedelta(days=day), device, item, 3, 1, 0, 1, 0)
                    )
    for shard, rows in rows_by_shard.items():
        store.insert_part(shard, secrets.randbits(63), rows)
    return sum(len(rows) for rows in rows_by_shard.values())


def _consume(rows: Any) -> int:
    return sum(len(chunk) for chunk in rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--videos", type=int, default=300)
    parser.add_argument("--per-flush", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    url = f"{_cluster_url()}/bench_{secrets.token_hex(3)}"
    store = ClickHouseStore(parse_clickhouse_url(url, "commerce_stats"))
    store.create_schema()
    rng = random.Random(7)
    batches = _batches(args.batches, args.events, args.videos, rng)
    events = args.batches * args.events
    print(
        f"dataset: {events} plain events in {args.batches} batches of {args.events}, "
        f"{args.per_flush} batches per flush, {args.videos} videos x 30 days x 3 x 3; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    try:
        with tempfile.TemporaryDirectory() as folder:
            _measure(store, batches, args, Path(folder))
    finally:
        store.drop_schema()
        store.close()


def _measure(
    store: ClickHouseStore, batches: list[Batch], args: argparse.Namespace, folder: Path
) -> None:
    sqlite_db = _sqlite(folder / "counters.sqlite3")
    per_flush = args.per_flush * args.events
    sqlite_rate = _ingest_rate(GroupCommitter(sqlite_db, max_events_per_flush=per_flush), batches)
    with sqlite_db.read() as conn:
        counter_rows, _sum = repository.counter_totals(conn, ACCOUNT)
    sqlite_db.dispose()
    sqlite_bytes = (folder / "counters.sqlite3").stat().st_size

    outbox_db = _sqlite(folder / "outbox.sqlite3")
    outbox = ClickHouseCounters(outbox_db, store)
    cluster_rate = _ingest_rate(
        GroupCommitter(outbox_db, max_events_per_flush=per_flush, clickhouse=outbox), batches
    )
    outbox.close()
    outbox_db.dispose()

    with sqlite_db.read() as conn:
        all_rows = repository.counter_rows_after(conn, None, 10_000_000)
    shard_rows: dict[int, list[tuple[Any, ...]]] = {}
    for row in all_rows:
        shard_rows.setdefault(store.shard_of(row[0], row[1]), []).append(row)
    started = time.perf_counter()
    for shard, rows in shard_rows.items():
        store.insert_part(shard, secrets.randbits(63), rows)
    shard_insert_rate = len(all_rows) / (time.perf_counter() - started)
    sqlite_db.dispose()

    print_table(
        "Ingest (same batches, same run)",
        ["path", "events/s", "ratio to SQLite"],
        [
            ["SQLite counters, one process", f"{sqlite_rate:,.0f}", "1.00"],
            [
                "two-shard ClickHouse (SQLite claims + outbox, then shards)",
                f"{cluster_rate:,.0f}",
                f"{cluster_rate / sqlite_rate:.2f}",
            ],
        ],
    )
    print(
        f"counter rows: {counter_rows:,}; the shards alone took {shard_insert_rate:,.0f} "
        "counter rows/s for the same rows (one insert per shard)"
    )

    year_rows = _year_rows(store, 20)
    year = (date(2025, 11, 1), date(2026, 10, 31))
    video = "year00007"
    shard = store.shard_of(ACCOUNT, video)
    local_sql = report_rows_sql(f"{store.address.database}.{LOCAL_TABLE}", video)
    distributed_sql = report_rows_sql(f"{store.address.database}.video_counters", video)
    params = report_params(ACCOUNT, *year, video)
    routed = _p50_ms(lambda: _consume(store.report_rows(ACCOUNT, *year, video)), args.repeat)
    bare_local = _p50_ms(lambda: store.execute_on(shard, local_sql, params), args.repeat)
    unrouted = _p50_ms(lambda: store.execute_on(0, distributed_sql, params), args.repeat)
    week = (date(2026, 10, 25), date(2026, 10, 31))
    org_sql = report_rows_sql(f"{store.address.database}.video_counters", None)
    org_params = report_params(ACCOUNT, *week, None)
    org_rows = len(store.execute_on(0, org_sql, org_params))
    org_routed = _p50_ms(lambda: _consume(store.report_rows(ACCOUNT, *week, None)), args.repeat)
    org_bare = _p50_ms(lambda: store.execute_on(0, org_sql, org_params), args.repeat)
    print_table(
        f"Reports, p50 of {args.repeat} ({year_rows:,} year rows + the ingest rows)",
        ["query", "p50 ms", "ratio"],
        [
            ["one video's year, report path (owning shard)", f"{routed:.2f}", "1.00"],
            ["same SQL on the owning shard's local table", f"{bare_local:.2f}", ""],
            ["  report path / local table", "", f"{routed / bare_local:.2f}"],
            ["same SQL through the Distributed table", f"{unrouted:.2f}", ""],
            [f"organisation 7 days ({org_rows:,} rows), report path", f"{org_routed:.2f}", ""],
            ["bare SQL on the Distributed table", f"{org_bare:.2f}", ""],
            ["  report path / bare SQL", "", f"{org_routed / org_bare:.2f}"],
        ],
    )
    _bytes(store, sqlite_bytes, counter_rows, folder)


def _bytes(store: ClickHouseStore, sqlite_bytes: int, sqlite_rows: int, folder: Path) -> None:
    on_shards = 0
    rows = 0
    for shard in range(store.shard_count):
        store.execute_on(shard, f"OPTIMIZE TABLE {store.address.database}.{LOCAL_TABLE} FINAL")
        size, count = store.execute_on(
            shard,
            "SELECT sum(bytes_on_disk), sum(rows) FROM system.parts "
            "WHERE active AND database = %(db)s AND table = %(table)s",
            {"db": store.address.database, "table": LOCAL_TABLE},
        )[0]
        on_shards += int(size)
        rows += int(count)
    claims_db = _sqlite(folder / "claims.sqlite3")
    empty = (folder / "claims.sqlite3").stat().st_size
    claims = 100_000
    now = datetime.now(UTC)
    with claims_db.write() as conn:
        repository.claim_event_ids(
            conn,
            [
                {"account_id": ACCOUNT, "event_id": f"{secrets.token_hex(16)}", "seen_at": now}
                for _ in range(claims)
            ],
            now - timedelta(days=7),
        )
    claims_db.dispose()
    claim_bytes = ((folder / "claims.sqlite3").stat().st_size - empty) / claims
    print_table(
        "Bytes",
        ["what", "bytes"],
        [
            ["per counter row on the shards (after OPTIMIZE FINAL)", f"{on_shards / rows:.1f}"],
            ["per counter row in SQLite (file size / rows)", f"{sqlite_bytes / sqlite_rows:.1f}"],
            ["per dedupe claim in SQLite (32-hex event id)", f"{claim_bytes:.1f}"],
        ],
    )


if __name__ == "__main__":
    main()
