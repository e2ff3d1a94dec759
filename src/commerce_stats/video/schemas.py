"""Wire formats of the video domain: admin answers, ingest answers, report rows.

The catalog's input bodies (``VideoFields``, ``ItemFields``, the bulk lines) are in
``catalog.py``.
"""

from __future__ import annotations

from typing import Any, Literal

import orjson
from pydantic import BaseModel


class VideoOut(BaseModel):
    """A video as the admin API returns it: the seed's ``video_info`` plus its items."""

    content_key: str
    description: str
    duration: str | None
    parone_categories: list[str]
    privateCategories: list[str]  # noqa: N815 - the seed's field name
    privateTags: list[str]  # noqa: N815 - the seed's field name
    removed: int
    syndications: list[dict[str, Any]]
    thumbnail: str | None
    title: str
    translations: list[Any]
    ecommerce_keys: list[str]


class ItemOut(BaseModel):
    ecommerce_key: str
    ecommerce_link: str
    ecommerce_name: str


class BulkResult(BaseModel):
    videos: int
    ecommerce_items: int


class IngestData(BaseModel):
    received: int
    counted: int
    duplicates: int
    bots: int


class IngestAnswer(BaseModel):
    data: IngestData
    message: str = "ok"
    status: str = "ok"


class ErrorAnswer(BaseModel):
    status: Literal["error"] = "error"
    message: str
    errors: list[dict[str, Any]] | None = None


# The report's wire format ------------------------------------------------------------------

END_OF_DAY = "T23:59:59.000Z"
"""The seed dates each row at the last millisecond of its UTC day."""


def stats_rows_json(rows: list[tuple[Any, ...]]) -> bytes:
    """Counter rows (``repository.ReportRow``) as the seed's ``ecommerce_stats`` objects,
    comma-separated without brackets; ``ecommerce_clicked`` is a string, as the seed's
    example emits it. One orjson call per chunk keeps the cost per row low."""
    return orjson.dumps(
        [
            {
                "content_key": content_key,
                "date": day + END_OF_DAY,
                "device_type": device_type,
                "ecommerce_bar_hidden": bar_hidden,
                "ecommerce_bar_shown": bar_shown,
                "ecommerce_clicked": str(clicked),
                "ecommerce_hidden": hidden,
                "ecommerce_key": ecommerce_key,
                "ecommerce_viewed": viewed,
            }
            for (
                content_key,
                day,
                device_type,
                ecommerce_key,
                viewed,
                clicked,
                hidden,
                bar_shown,
                bar_hidden,
            ) in rows
        ]
    )[1:-1]
