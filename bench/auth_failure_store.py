"""Memory of the failed-login store under attacker-chosen usernames, against a real server.

Usage: .venv/bin/python bench/auth_failure_store.py [huge_requests] [long_requests]

A uvicorn server (one worker, core 0, SQLite, in-memory failure store) is sent
wrong ``POST /v1/login_check`` attempts over loopback from six client
addresses (127.0.0.2-7, all to 127.0.0.1), and its resident set size is read
from /proc before and after:

1. ``huge_requests`` (default 1,000) distinct 8 MB usernames, default limits:
   the over-long username is refused (400) before it is hashed or counted.
2. ``long_requests`` (default 20,000) distinct usernames of the longest accepted
   length (255 characters) with the failure limit raised so that every attempt
   is counted: the store keeps one fixed-size digest per name, then the window
   (2 s here) ends and the next attempts drop the ended windows.

Baseline: the server's RSS after 50 ordinary wrong logins (short usernames).
"peak" is sampled every 50 requests (and after the last one): the working set of
one 8 MB request in flight (the server's worker thread keeps the last call's
arguments until its next call, so right after the last 8 MB answer it still
holds that request). "after" is read 1 s after one more short wrong login, and
the growth is that against the baseline; "after window" once the window ended
and one more attempt dropped the ended windows. A second table measures the store
in-process (tracemalloc) when full.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from _common import print_table
from _promotions_harness import Server, server_env, start_server
from commerce_stats.kit.ratelimit import DEFAULT_MAX_KEYS, MemoryFailureLimiter

HUGE_BYTES = 8 * 1024 * 1024
LONG_CHARS = 255
ADDRESSES = [f"127.0.0.{n}" for n in range(2, 8)]
WINDOW_SECONDS = 2
START_ATTEMPTS = 3


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Clients:
    """Requests from the six source addresses in turn, one connection per request (an idle
    keep-alive connection would be closed by the server while the others send 8 MB)."""

    def __init__(self, server: Server) -> None:
        self.port = server.port
        self.sent = 0

    def login(self, body: bytes) -> int:
        address = ADDRESSES[self.sent % len(ADDRESSES)]
        self.sent += 1
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=120, source_address=(address, 0)
        )
        try:
            connection.request(
                "POST", "/v1/login_check", body=body, headers={"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()


def body(username: str) -> bytes:
    return json.dumps({"username": username, "password": "wrong"}).encode()


def run(
    server: Server, requests: int, make_username: Callable[[int], str], label: str
) -> list[object]:
    clients = Clients(server)
    statuses: dict[int, int] = {}
    pid = server.process.pid
    before = rss_mb(pid)
    peak = before
    started = time.perf_counter()
    for n in range(requests):
        status = clients.login(body(make_username(n)))
        statuses[status] = statuses.get(status, 0) + 1
        if n % 50 == 0:
            peak = max(peak, rss_mb(pid))
    seconds = time.perf_counter() - started
    last = rss_mb(pid)
    clients.login(body("one-short-request"))
    time.sleep(1)
    after = rss_mb(pid)
    time.sleep(WINDOW_SECONDS + 1)
    fresh = Clients(server)
    fresh.login(body("after-the-window"))  # drops the ended windows
    settled = rss_mb(pid)
    answers = ", ".join(f"{count}x{status}" for status, count in sorted(statuses.items()))
    return [
        label,
        requests,
        answers,
        f"{before:.1f}",
        f"{max(peak, last):.1f}",
        f"{after:.1f}",
        f"{after - before:+.1f}",
        f"{settled:.1f}",
        f"{seconds:.1f}",
    ]


def warm_up(server: Server) -> None:
    clients = Clients(server)
    for n in range(50):
        clients.login(body(f"warm-{n}"))


def start(folder: str, **extra: str) -> Server:
    env = server_env(
        f"sqlite:///{folder}/bench.sqlite3",
        COMMERCE_STATS_AUTH_FAILURE_WINDOW_SECONDS=str(WINDOW_SECONDS),
        **extra,
    )
    for _attempt in range(START_ATTEMPTS - 1):
        try:
            return start_server(env)
        except RuntimeError:  # a slow start on a loaded machine: try again
            continue
    return start_server(env)


def full_store_figures() -> list[object]:
    clock_now = [0.0]
    limiter = MemoryFailureLimiter(10, 60, clock=lambda: clock_now[0])
    tracemalloc.start()
    for n in range(DEFAULT_MAX_KEYS * 2):
        limiter.record_failure(f"promotions-user:{n:0255d}")
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return [
        DEFAULT_MAX_KEYS * 2,
        len(limiter.stored_keys()),
        f"{current / 1024 / 1024:.1f}",
        f"{peak / 1024 / 1024:.1f}",
    ]


def main() -> None:
    huge_requests = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    long_requests = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    huge_tail = "x" * (HUGE_BYTES - 8)
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as folder:
        server = start(folder)
        try:
            warm_up(server)
            rows.append(
                run(server, huge_requests, lambda n: f"{n:08d}{huge_tail}", "8 MB usernames")
            )
        finally:
            server.stop()
    with tempfile.TemporaryDirectory() as folder:
        server = start(folder, COMMERCE_STATS_AUTH_FAILURE_LIMIT="100000000")
        try:
            warm_up(server)
            rows.append(
                run(server, long_requests, lambda n: f"{n:0{LONG_CHARS}d}", "255-char usernames")
            )
        finally:
            server.stop()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(f"commit {commit}; six client addresses; window {WINDOW_SECONDS} s; RSS in MB")
    print_table(
        "Server RSS around distinct wrong-login usernames (POST /v1/login_check)",
        [
            "usernames",
            "requests",
            "answers",
            "RSS before",
            "RSS peak",
            "RSS after",
            "growth",
            "RSS after window",
            "seconds",
        ],
        rows,
    )
    print_table(
        "In-memory store filled with distinct keys (tracemalloc, in-process)",
        ["keys recorded", "windows held", "MB held", "MB peak"],
        [full_store_figures()],
    )


if __name__ == "__main__":
    main()
