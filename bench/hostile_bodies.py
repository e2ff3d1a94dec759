"""What a wrong credential with a 1 GB declared body costs the server.

Starts ``commerce-stats serve`` (SQLite in a temporary directory, pinned to core 0)
on a free loopback port. For each route the client sends the request head with
``Content-Length: 1000000000`` and a wrong credential, then pushes body bytes in
64 KiB chunks (non-blocking) until the server answers or the gigabyte is sent. Printed
per route: the answer when not a byte of the body is sent (so the server read none), the
answer and the bytes the client could push before it (an upper bound on what the
server read: it includes the kernel's socket buffers on both ends), and the server's
VmRSS before and after and its VmHWM (peak), from /proc/<pid>/status.

Run: ``.venv/bin/python bench/hostile_bodies.py``.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import free_port, print_table

DECLARED = 10**9
CHUNK = b"x" * 65536
ROUTES = [
    (
        "PUT /ws/V6/admin/JSON/Orders (wrong X-Auth-Token)",
        "PUT",
        "/ws/V6/admin/JSON/Orders",
        {"X-Auth-ID": "nobody", "X-Auth-Token": "wrong"},
    ),
    (
        "POST /admin/v1/accounts (wrong admin token)",
        "POST",
        "/admin/v1/accounts",
        {"Authorization": "Bearer wrong"},
    ),
]


def memory_kb(pid: int) -> dict[str, int]:
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            figures[name] = int(value.split()[0])
    return figures


def head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {DECLARED}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def attack(port: int, method: str, path: str, headers: dict[str, str]) -> tuple[str, int]:
    """(status line of the answer, body bytes the server accepted before it answered)."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(head(method, path, headers))
    sock.setblocking(False)
    accepted = 0
    answer = b""
    while accepted < DECLARED:
        readable, writable, _ = select.select([sock], [sock], [], 30)
        if readable:
            answer = sock.recv(65536)
            break
        if writable:
            try:
                accepted += sock.send(CHUNK)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                continue
        if not readable and not writable:
            break
    sock.close()
    return answer.split(b"\r\n", 1)[0].decode(errors="replace"), accepted


def head_only(port: int, method: str, path: str, headers: dict[str, str]) -> str:
    """The answer's status line when not one byte of the declared body is sent."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head(method, path, headers))
        return sock.recv(65536).split(b"\r\n", 1)[0].decode(errors="replace")


def wait_for(port: int) -> None:
    for _poll in range(1200):  # two minutes: migrations on a loaded machine
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def main() -> None:
    port = free_port()
    directory = tempfile.mkdtemp(prefix="hostile-bodies-")
    env = {
        **os.environ,
        "COMMERCE_STATS_DATABASE_URL": f"sqlite:///{directory}/bench.sqlite3",
        "COMMERCE_STATS_ADMIN_TOKEN": "bench-admin-token",
        "COMMERCE_STATS_DATA_DIR": directory,
        "COMMERCE_STATS_LOG_LEVEL": "warning",
    }
    command = [
        "taskset",
        "-c",
        "0",
        f"{sys.prefix}/bin/commerce-stats",
        "serve",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for(port)
        time.sleep(1.0)
        pid = server.pid  # taskset execs the server: one process (one worker)
        for _name, method, path, headers in ROUTES:  # warm-up: first-request allocations
            head_only(port, method, path, headers)
        rows = []
        for name, method, path, headers in ROUTES:
            before = memory_kb(pid)["VmRSS"]
            silent = head_only(port, method, path, headers)
            status, accepted = attack(port, method, path, headers)
            after = memory_kb(pid)
            rows.append(
                [
                    name,
                    silent,
                    status,
                    f"{accepted / 1024:.0f} KiB",
                    f"{before / 1024:.1f}",
                    f"{after['VmRSS'] / 1024:.1f}",
                    f"{(after['VmRSS'] - before) / 1024:+.1f}",
                    f"{after['VmHWM'] / 1024:.1f}",
                ]
            )
        print_table(
            f"Wrong credential, declared body {DECLARED:,} bytes (server: SQLite, empty database)",
            [
                "route",
                "answer, no body byte sent",
                "answer, body pushed",
                "pushed before answer",
                "RSS before MB",
                "RSS after MB",
                "growth MB",
                "peak (VmHWM) MB",
            ],
            rows,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
