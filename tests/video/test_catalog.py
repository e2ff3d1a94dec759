"""The catalog's input shapes: what a video or an item may hold, as the seed writes it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from commerce_stats.video.catalog import ItemFields, Syndication, VideoFields


def test_date_alone_is_midnight_utc_in_the_seeds_format() -> None:
    syndication = Syndication.model_validate(
        {"start_date": "2022-08-02", "end_date": "2022-09-01T12:30:00.250+02:00", "geos": ["DE"]}
    )

    assert syndication.wire() == {
        "end_date": "2022-09-01T10:30:00.250Z",
        "geos": ["DE"],
        "start_date": "2022-08-02T00:00:00.000Z",
    }


def test_timestamp_without_offset_is_refused() -> None:
    with pytest.raises(ValidationError):
        Syndication.model_validate({"start_date": "2022-08-02T10:00:00", "end_date": "2022-08-03"})


@pytest.mark.parametrize(("duration", "text"), [(12.5, "12.5"), (90, "90"), ("7.25", "7.25")])
def test_duration_is_shown_as_decimal_text(duration: float | int | str, text: str) -> None:
    assert VideoFields(title="V", duration=duration).duration_text() == text


def test_missing_duration_is_null() -> None:
    assert VideoFields(title="V").duration_text() is None


@pytest.mark.parametrize("duration", [-1, "abc", "NaN"])
def test_duration_must_be_a_non_negative_decimal(duration: int | str) -> None:
    with pytest.raises(ValidationError):
        VideoFields(title="V", duration=duration)


def test_repeated_item_key_is_refused() -> None:
    with pytest.raises(ValidationError):
        VideoFields(title="V", ecommerce_keys=["a", "a"])


def test_empty_title_is_refused() -> None:
    with pytest.raises(ValidationError):
        VideoFields(title="")


def test_private_lists_are_read_under_the_seeds_names() -> None:
    video = VideoFields.model_validate(
        {"title": "V", "privateCategories": ["c"], "privateTags": ["t"]}
    )

    assert (video.private_categories, video.private_tags) == (["c"], ["t"])


def test_unknown_video_field_is_refused() -> None:
    with pytest.raises(ValidationError):
        VideoFields.model_validate({"title": "V", "colour": "red"})


@pytest.mark.parametrize("link", ["ftp://shop.example/a", "shop.example/a", "javascript:x"])
def test_item_link_must_be_http(link: str) -> None:
    with pytest.raises(ValidationError):
        ItemFields(ecommerce_name="Mug", ecommerce_link=link)


def test_https_item_link_is_kept() -> None:
    item = ItemFields(ecommerce_name="Mug", ecommerce_link="https://shop.example/a")

    assert item.ecommerce_link == "https://shop.example/a"
