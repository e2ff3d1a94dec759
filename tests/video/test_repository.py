"""Top videos and items: the catalog join names each account's own titles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.video import repository

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
DAY = date(2026, 11, 30)
KEY = "shared-key"


def _video(account_id: int, title: str) -> dict[str, object]:
    return {
        "account_id": account_id,
        "content_key": KEY,
        "title": title,
        "description": "",
        "duration": None,
        "parone_categories": [],
        "private_categories": [],
        "private_tags": [],
        "removed": 0,
        "syndications": [],
        "thumbnail": None,
        "translations": {},
        "created_at": NOW,
        "updated_at": NOW,
    }


def _item(account_id: int, name: str) -> dict[str, object]:
    return {
        "account_id": account_id,
        "ecommerce_key": KEY,
        "ecommerce_name": name,
        "ecommerce_link": "https://shop.example/",
        "created_at": NOW,
        "updated_at": NOW,
    }


def _two_accounts_with_one_key(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> tuple[int, int]:
    """Both accounts name a video and an item ``KEY``; only the first has counts."""
    first, _ = make_service_account("First")
    second, _ = make_service_account("Second")
    with database.write() as conn:
        repository.upsert_videos(conn, [_video(first.id, "First's"), _video(second.id, "Second's")])
        repository.upsert_items(conn, [_item(first.id, "First's"), _item(second.id, "Second's")])
        repository.add_to_counters(conn, [(first.id, KEY, DAY, "Mobile", KEY, 3, 2, 0, 0, 0)])
    return first.id, second.id


def test_top_videos_carry_the_title_of_the_account_asked_about(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    first, _ = _two_accounts_with_one_key(database, make_service_account)
    with database.read() as conn:
        rows = repository.top_videos(conn, first, DAY, DAY, None, 10)
    assert [(row.content_key, row.title, row.viewed, row.clicked) for row in rows] == [
        (KEY, "First's", 3, 2)
    ]


def test_top_items_carry_the_name_of_the_account_asked_about(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    first, _ = _two_accounts_with_one_key(database, make_service_account)
    with database.read() as conn:
        rows = repository.top_items(conn, first, DAY, DAY, None, 10)
    assert [(row.ecommerce_key, row.ecommerce_name, row.clicked) for row in rows] == [
        (KEY, "First's", 2)
    ]


def test_top_videos_of_an_account_without_counts_are_empty(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    _, second = _two_accounts_with_one_key(database, make_service_account)
    with database.read() as conn:
        assert repository.top_videos(conn, second, DAY, DAY, None, 10) == []
