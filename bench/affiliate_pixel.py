"""Conversion pixel throughput on one server process, commits durable (synchronous=FULL).

Usage: .venv/bin/python bench/affiliate_pixel.py [seconds=5] [connections=32]
       .venv/bin/python bench/affiliate_pixel.py --poison [sqlite|postgresql] [seconds=5]

The server (uvicorn, one process) runs pinned to core 0, this load generator
on core 1 with keep-alive connections. Every pixel names a new order, so each
request inserts a transaction. Baseline in the same run: GET /healthz (a
route that runs one trivial query).

``--poison``: 8 connections send valid pixels; then 4 send valid pixels while 4
others send pixels the database cannot store (``turnover=1e308``, 40 nines,
``descr=%00``, ``token`` and ``vc`` with NUL). Prints, per mode, valid pixels
per second, valid pixels refused (anything but 200), the poison's answers, and
checks in the database that every valid 200 is stored once and no poison is.
PostgreSQL: a database of its own on the local server, dropped afterwards.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _affiliate_data import pin_to_core, start_server
from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.demo import build_catalog
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.affiliate.tracker import ClickInput
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate

_tokens = itertools.count(1)


async def _client(
    port: int,
    path_for: object,
    deadline: float,
    latencies: list[float],
    statuses: Counter[int] | None = None,
) -> int:
    """Requests until ``deadline``; returns how many answered 200. Without ``statuses``
    anything else is an error; with it, every status is counted there."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    done = 0
    while time.perf_counter() < deadline:
        path = path_for()  # type: ignore[operator]
        started = time.perf_counter()
        writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        header = await reader.readuntil(b"\r\n\r\n")
        status = int(header[9:12])
        if statuses is not None:
            statuses[status] += 1
        elif status != 200:
            raise RuntimeError(header.decode(errors="replace"))
        length = 0
        for line in header.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        done += status == 200
    writer.close()
    return done


async def _load(
    port: int, path_for: object, seconds: float, connections: int
) -> tuple[float, float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    counts = await asyncio.gather(
        *(_client(port, path_for, deadline, latencies) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
    return sum(counts) / elapsed, p99


def _prepare(url: str) -> str:
    database = Database(Settings(database_url=url))
    migrate(database)
    accounts = Accounts(database)
    account, _credentials = accounts.create("Pixel Bench")
    network = AffiliateNetwork(database, accounts)
    plan = build_catalog(network, account)
    project_id, publisher_id = plan.members[0].project_id, plan.members[0].publisher_id
    click_id, _url = network.tracker.track_click(
        ClickInput(plan.campaign_id, publisher_id, project_id, "", 0, "", "bench", "DE")
    )
    sale_trigger = plan.rates[0].trigger_id
    database.dispose()
    return (
        f"/trck/etrack/?campaign_id={plan.campaign_id}&trigger_id={sale_trigger}"
        f"&turnover=49.90&emid={click_id}&token="
    )


POISON = ["&turnover=1e308", "&turnover=" + "9" * 40, "&descr=%00", "&vc=%00", "%00"]
"""Appended to a pixel URL (which ends in ``&token=<order>``); the last puts NUL in the token."""


async def _mixed(
    port: int, prefix: str, seconds: float, poisoned: bool
) -> tuple[float, Counter[int], Counter[int]]:
    """8 connections for ``seconds``: all valid, or 4 valid and 4 poison. Returns valid 200s
    per second and the statuses of the valid and of the poison requests."""
    valid: Counter[int] = Counter()
    poison: Counter[int] = Counter()
    rng = random.Random(2)
    poison_of = itertools.cycle(POISON)
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    valid_path = lambda: f"{prefix}V{next(_tokens)}-{rng.random()}"  # noqa: E731
    poison_path = lambda: f"{prefix}P{next(_tokens)}{next(poison_of)}"  # noqa: E731
    valid_clients = 4 if poisoned else 8
    counts = await asyncio.gather(
        *(_client(port, valid_path, deadline, [], valid) for _ in range(valid_clients)),
        *(_client(port, poison_path, deadline, [], poison) for _ in range(8 - valid_clients)),
    )
    elapsed = time.perf_counter() - started
    return sum(counts[:valid_clients]) / elapsed, valid, poison


def _stored(url: str) -> tuple[int, int]:
    """(valid, poison) transactions in the database: order tokens V... and P..."""
    from sqlalchemy import func, select

    from commerce_stats.affiliate.tables import transactions

    database = Database(Settings(database_url=url))
    with database.read() as conn:
        counts = [
            conn.execute(
                select(func.count()).where(transactions.c.ordertoken.like(f"{first}%"))
            ).scalar_one()
            for first in ("V", "P")
        ]
    database.dispose()
    return counts[0], counts[1]


def _database_url(backend: str, workdir: Path) -> tuple[str, object]:
    """A fresh database of ``backend`` and a function that removes it."""
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'pixel.sqlite3'}", lambda: None
    from sqlalchemy import create_engine, text

    server_url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    name = f"commerce_stats_bench_pixel_{os.getpid()}"
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()

    return server_url.rsplit("/", 1)[0] + f"/{name}", drop


def poison_main(backend: str, seconds: float) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="affiliate-pixel-poison-"))
    url, drop = _database_url(backend, workdir)
    try:
        prefix = _prepare(url)
        pin_to_core(1)
        server, port = start_server(url, synchronous="FULL")
        try:
            rounds = [
                (asyncio.run(_mixed(port, prefix, seconds, False)),
                 asyncio.run(_mixed(port, prefix, seconds, True)))
                for _round in range(3)
            ]  # fmt: skip
        finally:
            server.terminate()
            server.wait()
        stored_valid, stored_poison = _stored(url)
    finally:
        drop()  # type: ignore[operator]
    print(
        f"{backend} (synchronous=FULL on SQLite), 1 uvicorn process on core 0, 8 keep-alive "
        f"connections, {seconds:.0f} s per mode x 3 rounds (medians of rounds; totals summed)"
    )
    header = f"{'mode':<22} {'valid 200/s':>11} {'valid refused':>13} {'poison answers':<30}"
    print(header)
    for index, mode in enumerate(("8 valid", "4 valid + 4 poison")):
        rate = statistics.median(row[index][0] for row in rounds)
        valid: Counter[int] = sum((row[index][1] for row in rounds), Counter())
        poison: Counter[int] = sum((row[index][2] for row in rounds), Counter())
        refused = sum(count for status, count in valid.items() if status != 200)
        answers = ", ".join(f"{count} x {status}" for status, count in sorted(poison.items()))
        print(f"{mode:<22} {rate:>11,.0f} {refused:>13,} {answers or '-':<30}")
    answered = sum(row[index][1][200] for row in rounds for index in (0, 1))
    print(
        f"stored: {stored_valid:,} valid transactions for {answered:,} valid 200 answers, "
        f"{stored_poison} poison transactions"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--poison":
        backend = sys.argv[2] if len(sys.argv) > 2 else "sqlite"
        poison_main(backend, float(sys.argv[3]) if len(sys.argv) > 3 else 5.0)
        return
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    workdir = Path(tempfile.mkdtemp(prefix="affiliate-pixel-"))
    url = f"sqlite:///{workdir / 'pixel.sqlite3'}"
    pixel_prefix = _prepare(url)
    pin_to_core(1)
    server, port = start_server(url, synchronous="FULL")
    rng = random.Random(1)
    try:
        rows = []
        for _round in range(3):
            health = asyncio.run(_load(port, lambda: "/healthz", seconds, connections))
            pixel = asyncio.run(
                _load(
                    port,
                    lambda: pixel_prefix + f"B{next(_tokens)}-{rng.random()}",
                    seconds,
                    connections,
                )
            )
            rows.append((health, pixel))
    finally:
        server.terminate()
        server.wait()
    health_rps = statistics.median(row[0][0] for row in rows)
    pixel_rps = statistics.median(row[1][0] for row in rows)
    pixel_p99 = statistics.median(row[1][1] for row in rows)
    health_p99 = statistics.median(row[0][1] for row in rows)
    print(
        f"SQLite (synchronous=FULL, WAL), 1 uvicorn process on core 0, {connections} "
        f"keep-alive connections, {seconds:.0f} s x 3 rounds (medians)"
    )
    print(f"{'route':<22} {'req/s':>8} {'p99 ms':>8} {'vs /healthz':>11}")
    print(f"{'GET /healthz':<22} {health_rps:>8,.0f} {health_p99:>8.1f} {1.0:>11.2f}")
    ratio = pixel_rps / health_rps
    print(f"{'GET /trck/etrack/':<22} {pixel_rps:>8,.0f} {pixel_p99:>8.1f} {ratio:>11.2f}")


if __name__ == "__main__":
    main()
