"""The video demo loader fills a catalog and counters that the report serves."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.video import demo, repository


def test_demo_loads_catalog_and_counters(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account, credentials = make_service_account("Demo")
    links = demo.load(database, account, credentials, random.Random(7))
    with database.read() as conn:
        videos = repository.content_keys(conn, account.id)
        rows, total = repository.counter_totals(conn, account.id)
    assert len(videos) == demo.VIDEOS
    assert rows > demo.VIDEOS * demo.DAYS * demo.ACTIVE_SHARE
    assert total > rows
    assert [link.label for link in links] == [
        "Video ecommerce report, last 7 days",
        "Send a video ecommerce event",
    ]


def test_the_days_before_today_are_whole_days() -> None:
    assert demo._day_share(datetime(2026, 12, 2, 3, 0, tzinfo=UTC), 1) == 1.0


def test_today_counts_only_the_hours_elapsed() -> None:
    assert demo._day_share(datetime(2026, 12, 2, 3, 0, tzinfo=UTC), 0) == 0.125


def test_a_partial_day_has_proportionally_fewer_counts(
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> None:
    account, _ = make_service_account("Demo")
    videos = {f"video-{number}": ["item"] for number in range(2_000)}
    whole = demo._day_batch(account, videos, date(2026, 12, 1), random.Random(3), 1.0)
    early = demo._day_batch(account, videos, date(2026, 12, 2), random.Random(3), 0.125)
    assert 0.09 < early.received / whole.received < 0.16


def test_the_catalog_holds_the_api_documents_example_keys(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account, credentials = make_service_account("Demo")
    demo.load(database, account, credentials, random.Random(7))
    with database.read() as conn:
        videos = repository.content_keys(conn, account.id)
    assert {"2d91Ee68EA84Eb8bED31", "b4A486fde6dDf7Cb6C7c"} <= set(videos)


def test_the_api_documents_example_event_is_counted(
    database: Database,
    client: TestClient,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> None:
    account, credentials = make_service_account("Demo")
    demo.load(database, account, credentials, random.Random(7))
    event = {
        "content_key": "2d91Ee68EA84Eb8bED31",
        "ecommerce_key": "vyP4NsKz",
        "type": "ecommerce_clicked",
        "device_type": "Desktop",
    }
    response = client.post(
        "/prod/events", json=[event], headers={"X-Ingest-Key": credentials["ingest_key"]}
    )
    assert response.status_code == 200
    assert response.json()["data"]["counted"] == 1
