"""Helpers for the video tests: accounts with a catalog, event posting, report reading."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commerce_stats.video.clickhouse_store import ClickHouseStore, parse_clickhouse_url

VIDEO_A = "2d91Ee68EA84Eb8bED31"
VIDEO_B = "b4A486fde6dDf7Cb6C7c"
ITEM_A = "vyP4NsKz"
ITEM_B = "zikKYoMQ"


@pytest.fixture
def put_catalog(client: TestClient, admin_headers: dict[str, str]) -> Callable[[int], None]:
    """Two items and two videos (the seed's keys) for an account."""

    def put(account_id: int) -> None:
        for key, name, link in (
            (ITEM_A, "Testing", "https://www.cnn.com"),
            (ITEM_B, "Testing2", "https://www.google.com"),
        ):
            response = client.put(
                f"/admin/v1/accounts/{account_id}/ecommerce-items/{key}",
                json={"ecommerce_name": name, "ecommerce_link": link},
                headers=admin_headers,
            )
            assert response.status_code == 200, response.text
        for key in (VIDEO_A, VIDEO_B):
            response = client.put(
                f"/admin/v1/accounts/{account_id}/videos/{key}",
                json={"title": f"Video {key}", "ecommerce_keys": [ITEM_A, ITEM_B]},
                headers=admin_headers,
            )
            assert response.status_code == 200, response.text

    return put


@pytest.fixture
def video_account(
    make_account: Callable[..., dict[str, Any]], put_catalog: Callable[[int], None]
) -> Callable[..., dict[str, Any]]:
    """An account with the video feature and the two-video catalog; returns its body."""

    def create(name: str = "Acme") -> dict[str, Any]:
        body = make_account(name, features=["video_ecommerce"])
        put_catalog(body["id"])
        return body

    return create


@pytest.fixture
def post_events(client: TestClient) -> Callable[..., Any]:
    def post(account: dict[str, Any], events: list[dict[str, Any]], **kwargs: Any) -> Any:
        headers = {
            "X-Ingest-Key": account["credentials"]["ingest_key"],
            **kwargs.pop("headers", {}),
        }
        return client.post("/prod/events", json=events, headers=headers, **kwargs)

    return post


@pytest.fixture
def report(client: TestClient) -> Callable[..., Any]:
    def read(account: dict[str, Any], **params: Any) -> Any:
        query = {
            "organization_key": account["credentials"]["organization_key"],
            "start_date": "2022-10-01",
            "end_date": "2022-10-31",
            **params,
        }
        return client.get("/prod/get_ecommerce_reports", params=query)

    return read


def event(
    type_: str,
    content_key: str = VIDEO_A,
    ecommerce_key: str | None = ITEM_A,
    timestamp: str | int = "2022-10-14T12:00:00Z",
    device_type: str | None = "Desktop",
    **extra: Any,
) -> dict[str, Any]:
    """An ingest event; None leaves a field out."""
    body: dict[str, Any] = {"type": type_, "content_key": content_key, "timestamp": timestamp}
    if ecommerce_key is not None:
        body["ecommerce_key"] = ecommerce_key
    if device_type is not None:
        body["device_type"] = device_type
    body.update(extra)
    return body


# ClickHouse leg ------------------------------------------------------------------------------

CLICKHOUSE_URL = os.environ.get("COMMERCE_STATS_TEST_CLICKHOUSE_URL", "")
"""The two-shard test cluster (``scripts/clickhouse_cluster.sh url``); ``make test-clickhouse``
sets it, and fails in CI when the cluster does not come up. Without it the ClickHouse tests
are skipped: the other legs do not run them."""
CLICKHOUSE_CLUSTER = os.environ.get("COMMERCE_STATS_TEST_CLICKHOUSE_CLUSTER", "commerce_stats")


@pytest.fixture
def clickhouse_database_url() -> Iterator[str]:
    """The test cluster with a database of this test's own, dropped afterwards."""
    if not CLICKHOUSE_URL:
        pytest.skip("COMMERCE_STATS_TEST_CLICKHOUSE_URL is not set (see make test-clickhouse)")
    url = f"{CLICKHOUSE_URL.rstrip('/')}/cs_test_{secrets.token_hex(4)}"
    yield url
    store = ClickHouseStore(parse_clickhouse_url(url, CLICKHOUSE_CLUSTER))
    store.drop_schema()
    store.close()


@pytest.fixture
def clickhouse_store(clickhouse_database_url: str) -> Iterator[ClickHouseStore]:
    """A store on the test database, its schema created."""
    store = ClickHouseStore(parse_clickhouse_url(clickhouse_database_url, CLICKHOUSE_CLUSTER))
    store.create_schema()
    yield store
    store.close()
