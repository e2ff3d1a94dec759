"""The video domain's public face for the dashboard: typed figures and the reads behind them.

Every figure is a frozen dataclass with named fields, computed in one read through the
video repository and scoped to one account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row

from commerce_stats.db.engine import Database
from commerce_stats.video import repository


@dataclass(frozen=True, slots=True)
class Counts:
    """Summed counters: icon views, clicks and hides, bar shown and hidden."""

    viewed: int = 0
    clicked: int = 0
    hidden: int = 0
    bar_shown: int = 0
    bar_hidden: int = 0


@dataclass(frozen=True, slots=True)
class Ranked:
    """A video or item with its summed counters; ``name`` is None when not in the catalog."""

    key: str
    name: str | None
    counts: Counts


@dataclass(frozen=True, slots=True)
class CatalogVideo:
    """A video of the account's catalog, as the dashboard's video picker lists it."""

    content_key: str
    title: str


@dataclass(frozen=True, slots=True)
class DayCounts:
    """The counters of one UTC day."""

    day: date
    counts: Counts


@dataclass(frozen=True, slots=True)
class DeviceCounts:
    """The counters of one device type (desktop, mobile, tablet, tv, ...)."""

    device_type: str
    counts: Counts


@dataclass(frozen=True, slots=True)
class VideoFigures:
    """What the dashboard shows of one account's video commerce over a range of UTC days."""

    days: list[DayCounts]
    devices: list[DeviceCounts]
    top_videos: list[Ranked]
    top_items: list[Ranked]
    catalog_videos: list[CatalogVideo]

    @property
    def total(self) -> Counts:
        """The counters of every day of the range added up."""
        return Counts(
            *(sum(getattr(day.counts, name) for day in self.days) for name in Counts.__slots__)
        )

    def has_video(self, content_key: str) -> bool:
        """Whether ``content_key`` names a video of the account's catalog."""
        return any(video.content_key == content_key for video in self.catalog_videos)


def _counts(row: Row[Any]) -> Counts:
    return Counts(
        viewed=int(row.viewed or 0),
        clicked=int(row.clicked or 0),
        hidden=int(row.hidden or 0),
        bar_shown=int(row.bar_shown or 0),
        bar_hidden=int(row.bar_hidden or 0),
    )


def catalog_videos(database: Database, account_id: int) -> list[CatalogVideo]:
    """The account's catalog videos, by title."""
    with database.read_replica() as conn:  # dashboard figures may lag: read on a replica
        return [
            CatalogVideo(row.content_key, row.title)
            for row in repository.video_titles(conn, account_id)
        ]


def video_figures(
    database: Database,
    account_id: int,
    first: date,
    last: date,
    content_key: str | None = None,
    limit: int = 10,
) -> VideoFigures:
    """Daily sums, device split and the top videos and items of one account (one read)."""
    with database.read_replica() as conn:  # dashboard figures may lag: read on a replica
        days = repository.sums_by_day(conn, account_id, first, last, content_key)
        devices = repository.sums_by_device(conn, account_id, first, last, content_key)
        videos = repository.top_videos(conn, account_id, first, last, content_key, limit)
        items = repository.top_items(conn, account_id, first, last, content_key, limit)
        catalog = repository.video_titles(conn, account_id)
    return VideoFigures(
        days=[DayCounts(row.day, _counts(row)) for row in days],
        devices=[DeviceCounts(row.device_type, _counts(row)) for row in devices],
        top_videos=[Ranked(row.content_key, row.title, _counts(row)) for row in videos],
        top_items=[Ranked(row.ecommerce_key, row.ecommerce_name, _counts(row)) for row in items],
        catalog_videos=[CatalogVideo(row.content_key, row.title) for row in catalog],
    )
