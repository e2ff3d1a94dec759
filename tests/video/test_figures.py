"""The video figures the dashboard reads: sums per day and device, rankings, the catalog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from commerce_stats.db.engine import Database
from commerce_stats.video.figures import (
    CatalogVideo,
    Counts,
    DayCounts,
    DeviceCounts,
    Ranked,
    catalog_videos,
    video_figures,
)
from tests.video.conftest import ITEM_A, ITEM_B, VIDEO_A, VIDEO_B, event

OCT_14 = date(2022, 10, 14)
OCT_15 = date(2022, 10, 15)


def _load(post_events: Callable[..., Any], account: dict[str, Any]) -> None:
    events = [
        event("ecommerce_viewed", event_id="v1"),
        event("ecommerce_viewed", event_id="v2"),
        event("ecommerce_clicked", event_id="c1"),
        event("ecommerce_hidden", ecommerce_key=ITEM_B, device_type="Mobile", event_id="h1"),
        event(
            "ecommerce_viewed",
            content_key=VIDEO_B,
            ecommerce_key=ITEM_B,
            device_type="Mobile",
            timestamp="2022-10-15T08:00:00Z",
            event_id="w1",
        ),
        event(
            "ecommerce_bar_shown",
            content_key=VIDEO_B,
            ecommerce_key=None,
            timestamp="2022-10-15T09:00:00Z",
            event_id="b1",
        ),
    ]
    response = post_events(account, events)
    assert response.status_code == 200, response.text


def test_figures_sum_each_utc_day(
    database: Database,
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
) -> None:
    account = video_account("Acme")
    _load(post_events, account)
    figures = video_figures(database, account["id"], OCT_14, OCT_15)
    assert figures.days == [
        DayCounts(OCT_14, Counts(viewed=2, clicked=1, hidden=1)),
        DayCounts(OCT_15, Counts(viewed=1, bar_shown=1)),
    ]


def test_the_total_adds_up_every_day(
    database: Database,
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
) -> None:
    account = video_account("Acme")
    _load(post_events, account)
    figures = video_figures(database, account["id"], OCT_14, OCT_15)
    assert figures.total == Counts(viewed=3, clicked=1, hidden=1, bar_shown=1)


def test_figures_split_by_device_type(
    database: Database,
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
) -> None:
    account = video_account("Acme")
    _load(post_events, account)
    figures = video_figures(database, account["id"], OCT_14, OCT_15)
    assert sorted(figures.devices, key=lambda device: device.device_type) == [
        DeviceCounts("Desktop", Counts(viewed=2, clicked=1, bar_shown=1)),
        DeviceCounts("Mobile", Counts(viewed=1, hidden=1)),
    ]


def test_rankings_name_the_catalog_videos_and_items(
    database: Database,
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
) -> None:
    account = video_account("Acme")
    _load(post_events, account)
    figures = video_figures(database, account["id"], OCT_14, OCT_15)
    assert figures.top_videos == [
        Ranked(VIDEO_A, f"Video {VIDEO_A}", Counts(viewed=2, clicked=1, hidden=1)),
        Ranked(VIDEO_B, f"Video {VIDEO_B}", Counts(viewed=1, bar_shown=1)),
    ]
    assert figures.top_items == [
        Ranked(ITEM_A, "Testing", Counts(viewed=2, clicked=1)),
        Ranked(ITEM_B, "Testing2", Counts(viewed=1, hidden=1)),
    ]


def test_one_video_narrows_every_figure(
    database: Database,
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
) -> None:
    account = video_account("Acme")
    _load(post_events, account)
    figures = video_figures(database, account["id"], OCT_14, OCT_15, content_key=VIDEO_B)
    assert figures.total == Counts(viewed=1, bar_shown=1)
    assert [ranked.key for ranked in figures.top_videos] == [VIDEO_B]


def test_days_outside_the_range_are_left_out(
    database: Database,
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
) -> None:
    account = video_account("Acme")
    _load(post_events, account)
    figures = video_figures(database, account["id"], OCT_15, OCT_15)
    assert [day.day for day in figures.days] == [OCT_15]


def test_figures_never_count_another_accounts_events(
    database: Database,
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
) -> None:
    acme = video_account("Acme")
    other = video_account("Other")
    _load(post_events, acme)
    figures = video_figures(database, other["id"], OCT_14, OCT_15)
    assert (figures.days, figures.devices, figures.top_videos) == ([], [], [])


def test_catalog_videos_are_listed_and_known(
    database: Database, video_account: Callable[..., dict[str, Any]]
) -> None:
    account = video_account("Acme")
    videos = catalog_videos(database, account["id"])
    assert videos == [
        CatalogVideo(VIDEO_A, f"Video {VIDEO_A}"),
        CatalogVideo(VIDEO_B, f"Video {VIDEO_B}"),
    ]
    figures = video_figures(database, account["id"], OCT_14, OCT_15)
    assert (figures.has_video(VIDEO_A), figures.has_video("nope")) == (True, False)
