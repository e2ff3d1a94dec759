"""Text every backend can store: the request models' shared check."""

from __future__ import annotations

import pytest
from pydantic import Field, ValidationError

from commerce_stats.kit.text import StorableTextModel, unstorable_text


class Example(StorableTextModel):
    title: str
    tags: list[str] = Field(default_factory=list)


def test_nul_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Example(title="a\x00b")
    assert [error["loc"] for error in caught.value.errors()] == [("title",)]


def test_a_lone_surrogate_in_a_list_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Example(title="ok", tags=["fine", "x\udfffy"])
    assert [error["loc"] for error in caught.value.errors()] == [("tags",)]


def test_ordinary_unicode_is_stored() -> None:
    assert Example(title="Grüße 🎬", tags=["ß"]).title == "Grüße 🎬"


def test_a_nul_in_a_dict_key_deep_down_is_found_without_recursing() -> None:
    value: object = {"a\x00": 1}
    for _ in range(100_000):
        value = [value]
    assert unstorable_text(value) == "text must not contain NUL characters"
