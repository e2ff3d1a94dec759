"""The catalog's input shapes: a video and its items as an operator or a bulk file sends them.

They are validated values the service works with, so they live below the service and not
among the wire formats in ``schemas.py`` (which the service must not import).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BeforeValidator, ConfigDict, Field, field_validator

from commerce_stats.kit.jsondecode import check_nesting
from commerce_stats.kit.text import StorableTextModel
from commerce_stats.kit.timeutil import parse_aware
from commerce_stats.video.events import check_key

MAX_TEXT = 10_000
MAX_LIST = 1_000


def _iso_millis(moment: datetime) -> str:
    """``2022-08-02T00:00:00.000Z``: the seed's timestamp format."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _aware_moment(value: Any) -> Any:
    """A date alone means midnight UTC; a timestamp must carry its offset and exist in UTC."""
    if isinstance(value, str) and len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time.min, tzinfo=UTC)
    if isinstance(value, str):
        return parse_aware(value)
    return value


AwareMoment = Annotated[datetime, BeforeValidator(_aware_moment)]


class Syndication(StorableTextModel):
    model_config = ConfigDict(extra="forbid")

    start_date: AwareMoment
    end_date: AwareMoment
    geos: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=300)

    def wire(self) -> dict[str, Any]:
        return {
            "end_date": _iso_millis(self.end_date),
            "geos": list(self.geos),
            "start_date": _iso_millis(self.start_date),
        }


ShortText = Annotated[str, Field(max_length=500)]


class VideoFields(StorableTextModel):
    """Every ``video_info`` field of the seed plus the items attached to the video."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    title: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    description: Annotated[str, Field(max_length=MAX_TEXT)] = ""
    duration: str | int | float | None = None
    parone_categories: list[ShortText] = Field(default_factory=list, max_length=MAX_LIST)
    private_categories: list[ShortText] = Field(
        default_factory=list, alias="privateCategories", max_length=MAX_LIST
    )
    private_tags: list[ShortText] = Field(
        default_factory=list, alias="privateTags", max_length=MAX_LIST
    )
    removed: Literal[0, 1] = 0
    syndications: list[Syndication] = Field(default_factory=list, max_length=MAX_LIST)
    thumbnail: Annotated[str, Field(max_length=2000)] | None = None
    translations: list[Any] = Field(default_factory=list, max_length=MAX_LIST)
    ecommerce_keys: list[str] = Field(default_factory=list, max_length=MAX_LIST)

    @field_validator("duration")
    @classmethod
    def _decimal_duration(cls, value: str | int | float | None) -> str | int | float | None:
        if value is None:
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError("duration must be a decimal number of seconds") from None
        if not number.is_finite() or number < 0:
            raise ValueError("duration must be a non-negative decimal number of seconds")
        return value

    @field_validator("translations")
    @classmethod
    def _shallow_translations(cls, value: list[Any]) -> list[Any]:
        return check_nesting(value)  # type: ignore[no-any-return]

    @field_validator("ecommerce_keys")
    @classmethod
    def _valid_keys(cls, keys: list[str]) -> list[str]:
        for key in keys:
            check_key(key, "ecommerce_key")
        if len(set(keys)) != len(keys):
            raise ValueError("ecommerce_keys must not repeat a key")
        return keys

    def duration_text(self) -> str | None:
        """The duration as the seed shows it: a decimal string, or null."""
        if self.duration is None:
            return None
        return self.duration if isinstance(self.duration, str) else str(Decimal(str(self.duration)))


class ItemFields(StorableTextModel):
    model_config = ConfigDict(extra="forbid")

    ecommerce_name: Annotated[str, Field(min_length=1, max_length=500)]
    ecommerce_link: Annotated[str, Field(min_length=1, max_length=2000)]

    @field_validator("ecommerce_link")
    @classmethod
    def _http_link(cls, link: str) -> str:
        if not link.startswith(("http://", "https://")):
            raise ValueError("ecommerce_link must be an http:// or https:// URL")
        return link


class BulkVideo(VideoFields):
    kind: Literal["video"]
    content_key: str


class BulkItem(ItemFields):
    kind: Literal["ecommerce_item"]
    ecommerce_key: str


BulkLine = Annotated[BulkVideo | BulkItem, Field(discriminator="kind")]


class VideoInfo(TypedDict):
    """A stored video as the seed's ``video_info`` object, in its field order."""

    content_key: str
    description: str
    duration: str | None
    parone_categories: list[str]
    privateCategories: list[str]
    privateTags: list[str]
    removed: int
    syndications: list[dict[str, object]]
    thumbnail: str | None
    title: str
    translations: list[object]


class CatalogVideo(VideoInfo):
    """A video as the admin API answers: its ``video_info`` and its attached items."""

    ecommerce_keys: list[str]


class ItemInfo(TypedDict):
    """A stored ecommerce item as the seed's ``ecommerce_info`` object."""

    ecommerce_key: str
    ecommerce_link: str
    ecommerce_name: str
