"""The application shell: health, OpenAPI, unknown routes."""

from __future__ import annotations

from fastapi.testclient import TestClient


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
