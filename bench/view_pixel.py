"""The affiliate view pixel against the video pixel, side by side in one run.

Usage: .venv/bin/python bench/view_pixel.py [--seconds 3] [--rounds 5] [--connections 32]
       [--postgres]

One uvicorn process (the whole app) pinned to core 0, this load generator pinned to
core 1: asyncio keep-alive connections, one request in flight per connection, the
latency of each request timed. Both pixels answer only once their row or counter is
durable (SQLite in WAL mode with ``synchronous=FULL``; ``--postgres``: a database of its
own on PostgreSQL 127.0.0.1:5432, dropped afterwards).

- ``GET /trck/eview/``: valid views of a real campaign, publisher, project and admedia.
  Every request is a new visitor: each connection comes from its own loopback address
  and walks through a pool of 4,000 browser user agents from an offset of its own (a
  warm-up uses each once, so the user-agent caches are warm, as with real traffic), so the
  reclick filter counts every view net and every view is one stored row.
- ``GET /prod/pixel.gif``: the video beacon ``bench/video_ingest.py`` measures, with the
  same addresses and user agents.

The sides alternate, one slice each per round; printed are the medians over the rounds
of requests/s and p99, and the median of the per-round ratios view/video. After the run
the stored views are counted: they must equal the view pixel's 200 answers.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson
from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _affiliate_data import pin_to_core, start_server
from _common import print_table
from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.demo import build_catalog
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.affiliate.tables import views
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate
from commerce_stats.video.service import VideoService

POSTGRES_SERVER = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres"
BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.{n}.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.1 Mobile/15E148 Safari/604.{n}",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.{n}",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.{n}.0 Mobile Safari/537.36",
)
USER_AGENTS = [BROWSERS[n % len(BROWSERS)].format(n=n) for n in range(4_000)]
"""A bounded set of browsers, as real traffic has; parsed once each in the warm-up."""


@dataclass(frozen=True, slots=True)
class Slice:
    """One side's slice: 200 answers per second, p99 in ms, every status seen."""

    rate: float
    p99_ms: float
    statuses: Counter[int]


def user_agents(connection: int, connections: int) -> Iterator[str]:
    """The user agents of one connection: the pool from an offset of its own, so that the
    first ``len(USER_AGENTS) // connections`` requests of all connections together use
    each user agent once, and no (address, user agent) pair comes twice until a connection
    has sent ``len(USER_AGENTS)`` requests."""
    offset = connection * (len(USER_AGENTS) // connections)
    for n in itertools.count():
        yield USER_AGENTS[(offset + n) % len(USER_AGENTS)]


async def _client(
    port: int, path: str, address: str, agents: Iterator[str], deadline: float, limit: int
) -> tuple[list[float], Counter[int]]:
    """Requests ``path`` from ``address`` until ``deadline`` or ``limit`` requests;
    latencies of the 200s and the count of every status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(address, 0))
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    while time.perf_counter() < deadline and statuses.total() < limit:
        started = time.perf_counter()
        request = f"GET {path} HTTP/1.1\r\nHost: bench\r\nUser-Agent: {next(agents)}\r\n\r\n"
        writer.write(request.encode())
        header = await reader.readuntil(b"\r\n\r\n")
        status = int(header[9:12])
        length = 0
        for line in header.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        statuses[status] += 1
        if status == 200:
            latencies.append(time.perf_counter() - started)
    writer.close()
    return latencies, statuses


def run_slice(
    port: int,
    path: str,
    agents: list[Iterator[str]],
    seconds: float,
    limit: int = sys.maxsize,
) -> Slice:
    """``len(agents)`` connections request ``path`` for ``seconds`` (or ``limit`` requests
    each)."""

    async def load() -> Slice:
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        results = await asyncio.gather(
            *(
                _client(port, path, loopback(n), connection_agents, deadline, limit)
                for n, connection_agents in enumerate(agents)
            )
        )
        elapsed = time.perf_counter() - started
        latencies = [latency for done, _ in results for latency in done]
        statuses: Counter[int] = sum((counts for _, counts in results), Counter())
        p99 = statistics.quantiles(latencies, n=100)[98] * 1000 if len(latencies) > 1 else 0.0
        return Slice(len(latencies) / elapsed, p99, statuses)

    return asyncio.run(load())


def loopback(connection: int) -> str:
    """The loopback address connection number ``connection`` comes from."""
    return f"127.0.{1 + connection // 250}.{1 + connection % 250}"


@dataclass(frozen=True, slots=True)
class Paths:
    view: str
    video: str
    view_account_id: int


def prepare(url: str) -> Paths:
    """An affiliate account (campaign, publishers, an admedia) and a video account (one
    video with one item), each with its own pixel URL."""
    database = Database(Settings(database_url=url))
    migrate(database)
    accounts = Accounts(database)
    account, _credentials = accounts.create("View Bench")
    network = AffiliateNetwork(database, accounts)
    plan = build_catalog(network, account)
    member = plan.members[0]
    admedia = network.model.create_admedia(account, plan.campaign_id, "Banner 300x250", "banner")
    view = (
        f"/trck/eview/?campaign_id={plan.campaign_id}&publisher_id={member.publisher_id}"
        f"&project_id={member.project_id}&admedia_id={admedia.id}&subid=bench"
    )
    video_account, credentials = accounts.create("Video Bench", features=["video_ecommerce"])
    catalog = [
        {"kind": "ecommerce_item", "ecommerce_key": "item-1", "ecommerce_name": "Item 1",
         "ecommerce_link": "https://shop.example/item-1"},
        {"kind": "video", "content_key": "video-1", "title": "Video 1",
         "ecommerce_keys": ["item-1"]},
    ]  # fmt: skip
    VideoService(database, accounts).bulk_upsert(
        video_account.id, b"\n".join(map(orjson.dumps, catalog))
    )
    database.dispose()
    video = (
        f"/prod/pixel.gif?ingest_key={credentials['ingest_key']}&content_key=video-1"
        "&ecommerce_key=item-1&type=ecommerce_viewed&device_type=Mobile"
    )
    return Paths(view, video, account.id)


def stored_views(url: str, account_id: int) -> tuple[int, int]:
    """(views, net views) stored for the account."""
    database = Database(Settings(database_url=url))
    with database.read() as conn:
        row = conn.execute(
            select(func.count(), func.coalesce(func.sum(views.c.net), 0)).where(
                views.c.account_id == account_id
            )
        ).one()
    database.dispose()
    return int(row[0]), int(row[1])


@contextmanager
def fresh_database(postgres: bool) -> Iterator[str]:
    """The URL of an empty database: a SQLite file, or a PostgreSQL database of its own."""
    if not postgres:
        with tempfile.TemporaryDirectory(prefix="view-pixel-") as folder:
            yield f"sqlite:///{folder}/views.sqlite3"
        return
    name = f"commerce_stats_bench_views_{os.getpid()}"
    server = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_SERVER.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def measure(
    url: str, args: argparse.Namespace
) -> tuple[list[tuple[Slice, Slice]], int, tuple[int, int]]:
    """Rounds of (view slice, video slice); the view 200s answered and the views stored."""
    paths = prepare(url)
    agents = [user_agents(n, args.connections) for n in range(args.connections)]
    warm_up = len(USER_AGENTS) // args.connections
    pin_to_core(1)
    server, port = start_server(url, synchronous="FULL")
    try:
        answered = run_slice(port, paths.view, agents, 60.0, warm_up).statuses[200]
        run_slice(port, paths.video, agents, 60.0, warm_up)
        rounds = []
        for _round in range(args.rounds):
            view = run_slice(port, paths.view, agents, args.seconds)
            video = run_slice(port, paths.video, agents, args.seconds)
            answered += view.statuses[200]
            rounds.append((view, video))
    finally:
        server.terminate()
        server.wait()
    return rounds, answered, stored_views(url, paths.view_account_id)


def _statuses(slices: list[Slice]) -> str:
    total: Counter[int] = sum((item.statuses for item in slices), Counter())
    return ", ".join(f"{count:,} x {status}" for status, count in sorted(total.items()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one slice")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL 127.0.0.1:5432")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with fresh_database(args.postgres) as url:
        rounds, answered, stored = measure(url, args)
    backend = "postgresql" if args.postgres else "sqlite (synchronous=FULL)"
    rows = []
    for index, route in enumerate(("GET /trck/eview/ (view)", "GET /prod/pixel.gif (video)")):
        slices = [pair[index] for pair in rounds]
        rows.append(
            (
                backend,
                route,
                f"{statistics.median(item.rate for item in slices):,.0f}",
                f"{statistics.median(item.p99_ms for item in slices):.1f}",
                ", ".join(f"{item.rate:,.0f}" for item in slices),
                _statuses(slices),
            )
        )
    ratio = statistics.median(view.rate / video.rate for view, video in rounds)
    print_table(
        f"view pixel vs video pixel — {args.connections} keep-alive connections, "
        f"{args.rounds} rounds of {args.seconds:g} s per side (medians); load average "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after",
        ("backend", "route", "req/s", "p99 ms", "per round", "statuses"),
        rows,
    )
    print(f"ratio view/video (median of per-round ratios): {ratio:.2f} (target >= 1.00)")
    print(
        f"stored views: {stored[0]:,} ({stored[1]:,} net) for {answered:,} answers 200 of "
        "the view pixel"
    )
    if stored[0] != answered:
        raise SystemExit("stored views differ from the answered views")


if __name__ == "__main__":
    main()
