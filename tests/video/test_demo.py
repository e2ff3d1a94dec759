"""The video demo loader fills a catalog and counters that the report serves."""

from __future__ import annotations

import random
from collections.abc import Callable

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
