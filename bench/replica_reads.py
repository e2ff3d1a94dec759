"""Read throughput with and without a hot standby, side by side in one run.

Usage: ``python bench/replica_reads.py [seconds-per-measurement] [clients] [rounds]``
(defaults 8, 8, 3). Needs the pair of ``scripts/replica_pair.sh start`` (ports 5433, 5434).

It loads the demo data set into a database of its own on the primary, waits until the
standby has it, then has N client threads run a read-only mix through the services (the
dashboard's video figures for 90 days, promotion figures for 90 days, the affiliate
statistics of the last 30 days) against:

(a) the primary alone, and
(b) the primary and one replica, reads routed (``replica_reads_on_primary``: both serve).

A second mix is database-bound, the case replicas are for: the video report's per-day and
per-device sums of one account over a year, computed by the database over
``AGGREGATE_ROWS`` synthetic counter rows (the client receives a few hundred rows), through
``Database.read_replica()``.

Each server stands for a machine of its own: the primary's processes are pinned to core 0 and
the standby's to core 1 (affinity restored at the end); the client threads are not pinned.
Prints requests/s per round, the medians and their ratio.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

from _common import print_table
from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.figures import Selection, affiliate_figures
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate
from commerce_stats.demo import load_demo
from commerce_stats.kit.timeutil import utc_now
from commerce_stats.promotions.figures import promotion_figures
from commerce_stats.video import repository as video_repository
from commerce_stats.video.figures import video_figures

PRIMARY = "postgresql+psycopg://postgres@127.0.0.1:5433/postgres"
STANDBY = "postgresql+psycopg://postgres@127.0.0.1:5434/postgres"
PRIMARY_DIR = Path("/tmp/commerce-stats-pg-primary")
STANDBY_DIR = Path("/tmp/commerce-stats-pg-standby")
DATABASE = "commerce_stats_bench_replica"
AGGREGATE_DAYS = 365
AGGREGATE_KEYS = 300
DEVICES = ("Desktop", "Mobile", "Tablet", "TV")
AGGREGATE_ROWS = AGGREGATE_DAYS * AGGREGATE_KEYS * len(DEVICES)


def _processes_of(data_dir: Path) -> list[int]:
    """The postmaster of ``data_dir`` and every process it started."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    pids = [postmaster]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                pids.append(int(entry.name))
    return pids


def _pin(data_dir: Path, cores: set[int]) -> None:
    for pid in _processes_of(data_dir):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(pid, cores)


def _fresh_database() -> tuple[str, str]:
    server = create_engine(PRIMARY, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    server.dispose()
    on = make_url(PRIMARY).set(database=DATABASE).render_as_string(hide_password=False)
    standby = make_url(STANDBY).set(database=DATABASE).render_as_string(hide_password=False)
    return on, standby


def _wait_for_standby(primary_url: str, standby_url: str) -> None:
    primary = create_engine(primary_url)
    standby = create_engine(standby_url)
    with primary.connect() as conn:
        target = conn.execute(text("SELECT pg_current_wal_lsn()")).scalar_one()
    for _ in range(600):
        try:
            with standby.connect() as conn:
                behind = conn.execute(
                    text("SELECT pg_wal_lsn_diff(CAST(:t AS pg_lsn), pg_last_wal_replay_lsn())"),
                    {"t": target},
                ).scalar_one()
            if behind <= 0:
                break
        except OperationalError:
            pass  # the standby is still creating the database
        time.sleep(0.1)
    primary.dispose()
    standby.dispose()


def _mix(database: Database, account_id: int) -> list[Callable[[], object]]:
    accounts = Accounts(database, cache_seconds=60)
    account = accounts.get(account_id)
    last = utc_now().date()
    first = last - timedelta(days=89)
    return [
        lambda: video_figures(database, account_id, first, last),
        lambda: promotion_figures(database, account, first, last),
        lambda: affiliate_figures(database, account, Selection(last - timedelta(days=29), last)),
    ]


def _add_counters(database: Database, account_id: int) -> None:
    """``AGGREGATE_ROWS`` counter rows for the account: every key, day and device."""
    last = utc_now().date()
    with database.write() as conn:
        for offset in range(AGGREGATE_DAYS):
            day = last - timedelta(days=offset)
            video_repository.add_to_counters(
                conn,
                [
                    (
                        account_id,
                        f"bench-video-{key}",
                        day,
                        device,
                        f"bench-item-{key}",
                        5,
                        2,
                        1,
                        1,
                        0,
                    )
                    for key in range(AGGREGATE_KEYS)
                    for device in DEVICES
                ],
            )


def _aggregate_mix(database: Database, account_id: int) -> list[Callable[[], object]]:
    last = utc_now().date()
    first = last - timedelta(days=AGGREGATE_DAYS - 1)

    def by_day() -> object:
        with database.read_replica() as conn:
            return video_repository.sums_by_day(conn, account_id, first, last, None)

    def by_device() -> object:
        with database.read_replica() as conn:
            return video_repository.sums_by_device(conn, account_id, first, last, None)

    return [by_day, by_device]


MIXES: dict[str, Callable[[Database, int], list[Callable[[], object]]]] = {
    "read-only mix (video figures 90 d, promotion figures 90 d, affiliate statistics 30 d)": _mix,
    f"database-bound mix (a year's per-day and per-device sums over {AGGREGATE_ROWS:,} rows)": (
        _aggregate_mix
    ),
}


def _throughput(
    database: Database,
    account_id: int,
    seconds: float,
    clients: int,
    make_mix: Callable[[Database, int], list[Callable[[], object]]],
) -> float:
    mix = make_mix(database, account_id)
    done = [0] * clients
    stop_at = time.monotonic() + seconds

    def client(index: int) -> None:
        turn = index
        while time.monotonic() < stop_at:
            mix[turn % len(mix)]()
            turn += 1
            done[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 8.0
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    primary_url, standby_url = _fresh_database()
    alone = Settings(database_url=primary_url, postgres_pool_size=clients)
    loader = Database(alone)
    migrate(loader)
    info = load_demo(loader, Accounts(loader, cache_seconds=0))
    _add_counters(loader, info.account_id)
    with loader.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    loader.dispose()
    _wait_for_standby(primary_url, standby_url)
    routed = alone.model_copy(
        update={"database_replica_urls": standby_url, "replica_reads_on_primary": True}
    )
    load = os.getloadavg()
    print(
        f"replica_reads: demo data set (account {info.account_id}), {clients} client threads, "
        f"{seconds:.0f} s per measurement, {os.cpu_count()} cores, "
        f"load average {load[0]:.2f} {load[1]:.2f} before the run"
    )
    try:
        for title, make_mix in MIXES.items():
            _measure(title, make_mix, alone, routed, info.account_id, seconds, clients, rounds)
    finally:
        every_core = set(range(os.cpu_count() or 1))
        _pin(PRIMARY_DIR, every_core)
        _pin(STANDBY_DIR, every_core)


def _measure(
    title: str,
    make_mix: Callable[[Database, int], list[Callable[[], object]]],
    alone: Settings,
    routed: Settings,
    account_id: int,
    seconds: float,
    clients: int,
    rounds: int,
) -> None:
    """Rounds of (a) then (b), each a fresh ``Database``; prints the table and the medians."""
    rows: list[list[object]] = []
    primary_only: list[float] = []
    with_replica: list[float] = []
    for number in range(1, rounds + 1):
        figures = []
        for settings, results in ((alone, primary_only), (routed, with_replica)):
            database = Database(settings)
            _throughput(database, account_id, 1.0, clients, make_mix)  # warm the pools
            _pin(PRIMARY_DIR, {0})
            _pin(STANDBY_DIR, {1})
            results.append(_throughput(database, account_id, seconds, clients, make_mix))
            figures.append(results[-1])
            database.dispose()
        rows.append(
            [number, f"{figures[0]:.0f}", f"{figures[1]:.0f}", f"{figures[1] / figures[0]:.2f}"]
        )
    median_alone = statistics.median(primary_only)
    median_routed = statistics.median(with_replica)
    rows.append(
        [
            "median",
            f"{median_alone:.0f}",
            f"{median_routed:.0f}",
            f"{median_routed / median_alone:.2f}",
        ]
    )
    print_table(
        title,
        ["round", "(a) primary alone req/s", "(b) primary + replica req/s", "ratio b/a"],
        rows,
    )


if __name__ == "__main__":
    main()
