"""Shared pieces of the video benchmarks: a pinned server, a raw-socket load generator."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _common import free_port

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


@contextmanager
def pinned_server(database_url: str, core: int = 0) -> Iterator[int]:
    """The whole app plus a no-op route, one uvicorn process pinned to ``core``."""
    port = free_port()
    env = {
        **os.environ,
        "COMMERCE_STATS_DATABASE_URL": database_url,
    }
    process = subprocess.Popen(
        ["taskset", "-c", str(core), PYTHON, str(ROOT / "bench" / "_video_server.py"), str(port)],
        env=env,
    )
    try:
        _wait_until_listening(port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_listening(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def pin_self(core: int = 1) -> None:
    os.sched_setaffinity(0, {core})


async def _one_connection(
    port: int,
    request: bytes,
    stop_at: float,
    counts: list[int],
    statuses: dict[int, int],
    pipeline: int,
) -> None:
    """Send ``pipeline`` requests at once (HTTP/1.1 pipelining), read as many answers, repeat.

    Pipelining keeps this Python client cheaper per request than the server, so the
    figures measure the server rather than the load generator.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    burst = request * pipeline
    buffer = b""
    try:
        while time.monotonic() < stop_at:
            writer.write(burst)
            answered = 0
            while answered < pipeline:
                parsed, buffer = _complete_responses(buffer, statuses)
                answered += parsed
                if answered < pipeline:
                    chunk = await reader.read(262144)
                    if not chunk:
                        raise ConnectionError("server closed the connection")
                    buffer += chunk
            counts[0] += pipeline
    finally:
        writer.close()


def _complete_responses(buffer: bytes, statuses: dict[int, int]) -> tuple[int, bytes]:
    """Count the complete Content-Length responses at the start of ``buffer``."""
    parsed = 0
    while True:
        head_end = buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return parsed, buffer
        head = buffer[:head_end]
        match = _LENGTH.search(head)
        length = int(match.group(1)) if match else 0
        end = head_end + 4 + length
        if len(buffer) < end:
            return parsed, buffer
        status = int(head[9:12])
        statuses[status] = statuses.get(status, 0) + 1
        buffer = buffer[end:]
        parsed += 1


_LENGTH = re.compile(rb"(?i)content-length:\s*(\d+)")


def requests_per_second(
    port: int, request: bytes, connections: int, seconds: float, pipeline: int = 1
) -> tuple[float, dict[int, int]]:
    """Requests/s of ``connections`` keep-alive clients sending ``request`` for ``seconds``."""

    async def run() -> tuple[float, dict[int, int]]:
        counts = [0]
        statuses: dict[int, int] = {}
        start = time.monotonic()
        stop_at = start + seconds
        await asyncio.gather(
            *(
                _one_connection(port, request, stop_at, counts, statuses, pipeline)
                for _ in range(connections)
            )
        )
        return counts[0] / (time.monotonic() - start), statuses

    try:
        import uvloop

        return uvloop.run(run())
    except ImportError:
        return asyncio.run(run())


def http_request(
    method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def median(values: list[float]) -> float:
    return statistics.median(values)
