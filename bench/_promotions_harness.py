"""Shared pieces of the promotions benchmarks: a pinned server and a tiny HTTP/1.1 load generator.

The server runs under ``taskset -c 0``; this process moves itself to core 1 and
drives keep-alive connections with raw asyncio streams (no client library in
the measured path).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
ADMIN_TOKEN = "bench-admin-token-0123456789abcdef"  # noqa: S105 - a throw-away server


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    env: dict[str, str]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        """User plus system CPU seconds the server process (all its threads) has used so far.

        Unlike requests per second, CPU per request hardly moves when other work
        shares the machine, so it can tell a slower code path from a busy host.
        """
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "COMMERCE_STATS_DATABASE_URL": database_url,
            "COMMERCE_STATS_ADMIN_TOKEN": ADMIN_TOKEN,
            "COMMERCE_STATS_SQLITE_SYNCHRONOUS": "FULL",
            "COMMERCE_STATS_LOG_LEVEL": "warning",
        }
    )
    env.update(extra)
    return env


def start_server(env: dict[str, str]) -> Server:
    """Migrate, then serve on core 0 (one uvicorn worker)."""
    migrate = [str(BIN / "commerce-stats"), "migrate"]
    subprocess.run(migrate, env=env, check=True, capture_output=True)
    port = free_port()
    command = [
        "taskset", "-c", "0", str(BIN / "uvicorn"), "commerce_stats.app:create_app_from_env",
        "--factory", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env)
    server = Server(port, process, env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{server.base}/healthz", timeout=1):  # noqa: S310
                break
        except OSError:
            time.sleep(0.1)
    else:
        server.stop()
        raise RuntimeError("server did not start")
    os.sched_setaffinity(0, {1})
    return server


def call(server: Server, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310
        server.base + path, data=data, method=method, headers=headers
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        raw = response.read()
    return json.loads(raw) if raw else None


def new_shop(server: Server) -> tuple[int, str]:
    """(account id, bearer token) of a fresh account."""
    account = call(server, "POST", "/admin/v1/accounts", {"name": "Bench"}, ADMIN_TOKEN)
    credentials = account["credentials"]
    tokens = call(
        server,
        "POST",
        "/v1/login_check",
        {
            "username": credentials["promotions_username"],
            "password": credentials["promotions_password"],
        },
    )
    return int(account["id"]), str(tokens["token"])


RequestMaker = Callable[[int], tuple[str, str, bytes]]


async def _connection(
    port: int, make: RequestMaker, token: str, stop_at: float, latencies: list[float],
    counter: list[int], statuses: dict[int, int],
) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.perf_counter() < stop_at:
        method, path, body = make(counter[0])
        counter[0] += 1
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        started = time.perf_counter()
        writer.write(head.encode() + body)
        status_line = await reader.readline()
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        status = int(status_line.split()[1])
        statuses[status] = statuses.get(status, 0) + 1
    writer.close()


def load(
    port: int,
    make: RequestMaker,
    token: str,
    *,
    connections: int,
    seconds: float,
    server: Server | None = None,
) -> dict[str, float]:
    """Requests/s and latency percentiles with ``connections`` keep-alive clients; with
    ``server``, also the server's CPU milliseconds per request (``cpu_ms``)."""
    cpu_before = server.cpu_seconds() if server is not None else 0.0
    latencies: list[float] = []
    counter = [0]
    statuses: dict[int, int] = {}

    async def run() -> None:
        stop_at = time.perf_counter() + seconds
        await asyncio.gather(
            *(
                _connection(port, make, token, stop_at, latencies, counter, statuses)
                for _ in range(connections)
            )
        )

    started = time.perf_counter()
    asyncio.run(run())
    elapsed = time.perf_counter() - started
    cpu_used = server.cpu_seconds() - cpu_before if server is not None else 0.0
    ordered = sorted(latencies)
    bad = sum(count for status, count in statuses.items() if status >= 300)
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000 if ordered else 0.0,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000 if ordered else 0.0,
        "errors": bad,
        "cpu_ms": cpu_used * 1000 / len(latencies) if latencies else 0.0,
    }
