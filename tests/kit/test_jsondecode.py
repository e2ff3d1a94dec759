"""The JSON decoder every hand-decoded body goes through, and the nesting check."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from commerce_stats.kit.jsondecode import check_nesting, decode_json


def test_a_body_nested_100000_deep_is_a_decode_error() -> None:
    with pytest.raises(msgspec.DecodeError, match="JSON is nested too deeply"):
        decode_json(b"[" * 100_000 + b"]" * 100_000)


def test_a_typed_decoder_is_guarded_too() -> None:
    with pytest.raises(msgspec.DecodeError, match="JSON is nested too deeply"):
        decode_json(b'[{"a": ' * 100_000 + b"1" + b"}]" * 100_000, msgspec.json.Decoder(list[Any]))


def test_shallow_json_decodes() -> None:
    assert decode_json(b'[{"a": [1, 2]}]') == [{"a": [1, 2]}]


def test_nesting_at_the_limit_is_accepted() -> None:
    value: list[object] = []
    for _ in range(31):
        value = [value]
    assert check_nesting(value, 32) is value


def test_nesting_past_the_limit_is_refused_without_recursing() -> None:
    value: list[object] = []
    for _ in range(100_000):
        value = [value]
    with pytest.raises(ValueError, match="nests more than 32 levels deep"):
        check_nesting(value)
