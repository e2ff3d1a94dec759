"""The video domain's SQL, on the configured backend (SQLite and PostgreSQL in CI): the
catalog, and the top lists whose catalog join names each account's own titles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.video import repository
from tests.video.conftest import ITEM_A, ITEM_B, VIDEO_A, VIDEO_B

EARLY = datetime(2026, 1, 1, tzinfo=UTC)
LATE = datetime(2026, 6, 1, tzinfo=UTC)


def _item(account_id: int, name: str, at: datetime) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "ecommerce_key": "newItem1",
        "ecommerce_name": name,
        "ecommerce_link": "https://shop.example/item",
        "created_at": at,
        "updated_at": at,
    }


def test_an_item_upserted_again_keeps_when_it_was_created(
    database: Database, video_account: Callable[..., dict[str, Any]]
) -> None:
    account_id = video_account("Acme")["id"]
    with database.write() as conn:
        repository.upsert_items(conn, [_item(account_id, "First", EARLY)])
    with database.write() as conn:
        repository.upsert_items(conn, [_item(account_id, "Second", LATE)])
    with database.read() as conn:
        row = repository.select_item(conn, account_id, "newItem1")
    assert row is not None
    assert (row.ecommerce_name, row.created_at.date(), row.updated_at.date()) == (
        "Second",
        EARLY.date(),
        LATE.date(),
    )


def test_existing_item_keys_names_only_the_accounts_items(
    database: Database, video_account: Callable[..., dict[str, Any]]
) -> None:
    acme = video_account("Acme")["id"]
    with database.read() as conn:
        found = repository.existing_item_keys(conn, acme, [ITEM_A, "missing1"])
    assert found == {ITEM_A}


def test_a_video_lists_its_attached_items(
    database: Database, video_account: Callable[..., dict[str, Any]]
) -> None:
    acme = video_account("Acme")["id"]
    with database.read() as conn:
        attached = repository.attached_items(conn, acme, VIDEO_A)
    assert sorted(attached) == [ITEM_A, ITEM_B]


def test_catalog_keys_are_scoped_by_account(
    database: Database,
    video_account: Callable[..., dict[str, Any]],
    make_account: Callable[..., dict[str, Any]],
) -> None:
    video_account("Acme")
    empty = make_account("Empty", features=["video_ecommerce"])["id"]
    with database.read() as conn:
        keys = (
            repository.content_keys(conn, empty),
            repository.ecommerce_keys(conn, empty),
            repository.select_video(conn, empty, VIDEO_A),
        )
    assert keys == ([], [], None)


def test_video_titles_come_by_title(
    database: Database, video_account: Callable[..., dict[str, Any]]
) -> None:
    acme = video_account("Acme")["id"]
    with database.read() as conn:
        titles = [(row.content_key, row.title) for row in repository.video_titles(conn, acme)]
    assert titles == [(VIDEO_A, f"Video {VIDEO_A}"), (VIDEO_B, f"Video {VIDEO_B}")]


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


def _keyed_item(account_id: int, name: str) -> dict[str, object]:
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
        repository.upsert_items(
            conn, [_keyed_item(first.id, "First's"), _keyed_item(second.id, "Second's")]
        )
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
