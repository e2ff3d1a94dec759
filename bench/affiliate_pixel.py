"""Conversion pixel throughput on one server process, commits durable (synchronous=FULL).

Usage: .venv/bin/python bench/affiliate_pixel.py [seconds=5] [connections=32]

The server (uvicorn, one process) runs pinned to core 0, this load generator
on core 1 with keep-alive connections. Every pixel names a new order, so each
request inserts a transaction. Baseline in the same run: GET /healthz (a
route that runs one trivial query).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _affiliate_data import pin_to_core, start_server
from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.demo import build_catalog
from commerce_stats.affiliate.service import AffiliateNetwork, ClickInput
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate

_tokens = itertools.count(1)


async def _client(port: int, path_for: object, deadline: float, latencies: list[float]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    done = 0
    while time.perf_counter() < deadline:
        path = path_for()  # type: ignore[operator]
        started = time.perf_counter()
        writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        header = await reader.readuntil(b"\r\n\r\n")
        if not header.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(header.decode(errors="replace"))
        length = 0
        for line in header.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        done += 1
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
    click_id, _url = network.track_click(
        ClickInput(plan.campaign_id, publisher_id, project_id, "", 0, "", "bench", "DE")
    )
    sale_trigger = plan.rates[0].trigger_id
    database.dispose()
    return (
        f"/trck/etrack/?campaign_id={plan.campaign_id}&trigger_id={sale_trigger}"
        f"&turnover=49.90&emid={click_id}&token="
    )


def main() -> None:
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
