"""A real uvicorn server in a thread of the test, and a raw HTTP/1.1 client for it.

The raw client sends exactly the bytes a test gives it (headers that promise a body the
test never sends, bodies in chunks), which is how the tests prove what the server did
before reading a body.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI

STARTUP_POLLS = 400
"""How often (every 25 ms) the server is asked whether it started: a generous bound."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(app: FastAPI, **options: Any) -> Iterator[int]:
    """Serves ``app`` on a free loopback port (uvicorn ``options`` passed on); yields the port."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **options
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _poll in range(STARTUP_POLLS):
        if server.started:
            break
        time.sleep(0.025)
    assert server.started, "the server did not start"
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def connect(port: int, timeout: float = 30.0) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def request_head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def read_answer(sock: socket.socket) -> Answer:
    """One response read off ``sock`` (its Content-Length, or until the server closes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a full response head: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "-1"))
    while length < 0 or len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return Answer(int(status_line.split(" ")[1]), headers, body[:length] if length >= 0 else body)


def send_head_only(port: int, method: str, path: str, headers: dict[str, str]) -> Answer:
    """Sends the request's head, never a byte of the body it declares, and reads the answer:
    an answer at all proves that the server decided without waiting for the body."""
    with connect(port) as sock:
        sock.sendall(request_head(method, path, headers))
        return read_answer(sock)


def send_chunked(
    port: int, method: str, path: str, headers: dict[str, str], chunk: bytes, chunks: int
) -> Answer:
    """Streams ``chunks`` copies of ``chunk`` (chunked transfer coding) and then waits for the
    answer without ever ending the body: an answer proves that the server stopped the body
    as soon as it passed its limit, rather than reading it to its end."""
    with connect(port) as sock:
        sock.sendall(request_head(method, path, {**headers, "Transfer-Encoding": "chunked"}))
        framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _copy in range(chunks):
                sock.sendall(framed)
        return read_answer(sock)


def slow_reader(port: int) -> socket.socket:
    """A connection with a small receive window: a server streaming a large answer to it
    blocks after a few chunks (until the test reads, or leaves)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    sock.settimeout(30)
    sock.connect(("127.0.0.1", port))
    return sock


def deleted_files_open() -> set[str]:
    """The files this process holds open that were already deleted (export temp files)."""
    held = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.endswith("(deleted)"):
                held.add(target)
    return held


def wait_for(condition: Callable[[], bool], polls: int = 300) -> bool:
    """Polls ``condition`` every 0.1 s, at most ``polls`` times (a generous bound, not a timing)."""
    for _poll in range(polls):
        if condition():
            return True
        time.sleep(0.1)
    return condition()
