"""Small HTTP helpers shared by every surface: body limits, sizes, bearer tokens, errors."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.requests import Request

from commerce_stats.kit.web import (
    KIB,
    MIB,
    bearer_token,
    body_limit,
    declared_body_limit,
    first_error_location,
    is_json_decode_error,
    resolved_limit,
    size_text,
)


def _request() -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "headers": []})


def test_size_text_uses_megabytes_for_whole_mebibytes() -> None:
    assert size_text(5 * MIB) == "5 MB"


def test_size_text_uses_kilobytes_for_whole_kibibytes() -> None:
    assert size_text(64 * KIB) == "64 KB"


def test_size_text_counts_bytes_otherwise() -> None:
    assert size_text(1000) == "1000 bytes"


def test_a_declared_limit_is_found_on_the_endpoint() -> None:
    @body_limit(123)
    def endpoint() -> None:
        return None

    assert declared_body_limit(endpoint, default=999) == 123


def test_an_undeclared_endpoint_gets_the_default() -> None:
    def endpoint() -> None:
        return None

    assert declared_body_limit(endpoint, default=999) == 999


def test_a_limit_may_be_read_from_the_request() -> None:
    assert resolved_limit(lambda request: 42, _request()) == 42
    assert resolved_limit(7, _request()) == 7


def test_bearer_token_is_read_case_insensitively_and_trimmed() -> None:
    assert bearer_token("bearer  abc ") == "abc"


def test_other_schemes_and_empty_tokens_are_no_bearer_token() -> None:
    assert bearer_token("Basic abc") is None
    assert bearer_token("Bearer   ") is None
    assert bearer_token(None) is None


def _validation_error(errors: list[dict[str, Any]]) -> RequestValidationError:
    return RequestValidationError(errors)


def test_first_error_location_drops_the_part_and_dots_the_path() -> None:
    error = _validation_error(
        [{"loc": ("body", "items", 0, "price"), "msg": "not a number", "type": "x"}]
    )
    assert first_error_location(error) == ("items.0.price", "not a number")


def test_first_error_location_of_no_errors_is_a_generic_message() -> None:
    assert first_error_location(_validation_error([])) == ("", "invalid request")


def test_a_json_decode_error_is_recognised_by_its_type() -> None:
    assert is_json_decode_error(_validation_error([{"type": "json_invalid", "loc": ("body",)}]))
    assert not is_json_decode_error(_validation_error([{"type": "missing", "loc": ("body",)}]))
