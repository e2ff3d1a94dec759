"""The video surface's body limits: the ingest key before the body, 5 MB per batch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from commerce_stats.app import create_app
from commerce_stats.config import Settings
from tests.live_server import live_server, send_chunked, send_head_only
from tests.video.conftest import ITEM_A, VIDEO_A


@pytest.fixture
def live_port(settings: Settings) -> Iterator[int]:
    with live_server(create_app(settings)) as port:
        yield port


def _rows(report: Callable[..., Any], account: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = report(account).json()["data"]["ecommerce_stats"]
    return rows


def test_wrong_ingest_key_with_a_1_gb_declared_body_is_401_before_the_body_is_read(
    live_port: int, video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    account = video_account()
    answer = send_head_only(
        live_port,
        "POST",
        "/prod/events",
        {"X-Ingest-Key": "wrong", "Content-Type": "application/json", "Content-Length": str(10**9)},
    )
    assert answer.status == 401
    assert orjson.loads(answer.body) == {"status": "error", "message": "unknown ingest key"}
    assert _rows(report, account) == []


def test_streamed_batch_is_cut_at_5_mb_with_413_and_counts_nothing(
    live_port: int, video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    account = video_account()
    answer = send_chunked(
        live_port,
        "POST",
        "/prod/events",
        {"X-Ingest-Key": account["credentials"]["ingest_key"], "Content-Type": "text/plain"},
        b"x" * 65536,
        chunks=200,
    )
    assert answer.status == 413
    assert orjson.loads(answer.body) == {"status": "error", "message": "body is larger than 5 MB"}
    assert _rows(report, account) == []


def test_pixel_parameter_left_empty_is_taken_as_not_sent(
    client: TestClient, video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    account = video_account()
    response = client.get(
        "/prod/pixel.gif",
        params={
            "ingest_key": account["credentials"]["ingest_key"],
            "content_key": VIDEO_A,
            "ecommerce_key": ITEM_A,
            "type": "ecommerce_clicked",
            "device_type": "",
            "timestamp": "1665748800000",
            "event_id": "",
        },
    )
    assert response.status_code == 200
    assert [(row["content_key"], row["device_type"]) for row in _rows(report, account)] == [
        (VIDEO_A, "Other")
    ]
