"""The application shell: health, OpenAPI and its documentation pages, unknown routes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, Route, expect


def test_healthz_reports_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] in {"sqlite", "postgresql"}


def test_openapi_lists_the_admin_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/admin/v1/accounts" in paths
    assert "/admin/v1/accounts/{account_id}/credentials/rotate" in paths


def test_docs_page_is_served(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()


HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _operation_count(openapi: dict[str, Any]) -> int:
    return sum(1 for item in openapi["paths"].values() for method in item if method in HTTP_METHODS)


def _offline_page(browser: Browser, blocked: list[str]) -> Page:
    """A page that may only reach the loopback server: every other request is refused."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    return page


@pytest.mark.browser
def test_swagger_ui_renders_every_operation_without_network(
    browser: Browser, live_server: str
) -> None:
    blocked: list[str] = []
    page = _offline_page(browser, blocked)
    openapi = page.request.get(f"{live_server}/openapi.json").json()
    page.goto(f"{live_server}/docs")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() == _operation_count(openapi)
    assert blocked == []
    page.close()


@pytest.mark.browser
def test_redoc_renders_every_operation_without_network(browser: Browser, live_server: str) -> None:
    blocked: list[str] = []
    page = _offline_page(browser, blocked)
    openapi = page.request.get(f"{live_server}/openapi.json").json()
    page.goto(f"{live_server}/redoc")
    operations = page.locator("[data-section-id^='operation/']")
    expect(operations.first).to_be_attached()
    assert operations.count() == _operation_count(openapi)
    assert blocked == []
    page.close()
