"""The running server's shared objects are reached through the request's application."""

from __future__ import annotations

from fastapi.testclient import TestClient
from starlette.requests import Request

from commerce_stats.config import Settings
from commerce_stats.runtime import Runtime, get_runtime


def _request(client: TestClient) -> Request:
    return Request({"type": "http", "app": client.app, "headers": []})


def test_a_request_reaches_the_applications_runtime(client: TestClient) -> None:
    runtime = get_runtime(_request(client))

    assert isinstance(runtime, Runtime)
    assert runtime is client.app.state.runtime  # type: ignore[attr-defined]


def test_the_runtime_holds_the_servers_settings(client: TestClient, settings: Settings) -> None:
    runtime = get_runtime(_request(client))

    assert runtime.settings.database_url == settings.database_url
