"""Body-read timeouts, against a real uvicorn on loopback."""

from __future__ import annotations

import orjson
import pytest

from commerce_stats.app import create_app
from commerce_stats.config import Settings
from tests.live_server import (
    Answer,
    connect,
    live_server,
    read_answer,
    request_head,
)

SLOW_HEAD = request_head(
    "POST", "/v1/login_check", {"Content-Type": "application/json", "Content-Length": "100"}
)
"""A request whose body (credentials inside) is read at once: it waits for its 100 bytes."""


@pytest.fixture
def slow_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"body_idle_timeout_seconds": 1.0, "body_timeout_seconds": 3.0}
    )


def test_a_body_that_stops_arriving_is_answered_408_and_closed(slow_settings: Settings) -> None:
    with live_server(create_app(slow_settings)) as port, connect(port) as sock:
        sock.sendall(SLOW_HEAD + b"0123456789")
        answer = read_answer(sock)
        closed = sock.recv(1) == b""
    assert answer.status == 408
    assert orjson.loads(answer.body)["error"]["code"] == "body_timeout"
    assert answer.headers["connection"] == "close"
    assert closed


def test_a_body_that_trickles_past_the_total_timeout_is_answered_408(
    slow_settings: Settings,
) -> None:
    with live_server(create_app(slow_settings)) as port, connect(port) as sock:
        sock.sendall(SLOW_HEAD)
        answer: Answer | None = None
        sock.settimeout(0.5)
        for _byte in range(100):  # a byte every 0.5 s: under the idle timeout, over the total
            try:
                sock.sendall(b"x")
                answer = read_answer(sock)
                break
            except TimeoutError:
                continue
    assert answer is not None
    assert answer.status == 408
