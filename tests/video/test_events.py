"""Event decoding and validation rules, below HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from commerce_stats.video.events import (
    BodyError,
    Catalog,
    RawEvent,
    build_batch,
    decode_body,
)

CATALOG = Catalog(content_keys=frozenset({"v1"}), ecommerce_keys=frozenset({"i1"}))
RECEIVED = datetime(2022, 10, 14, 12, tzinfo=UTC)


def _problems(body: bytes) -> list[tuple[int, str]]:
    return build_batch(1, decode_body(body), CATALOG, "", RECEIVED)[1]


def test_array_decodes_to_typed_events() -> None:
    events = decode_body(b'[{"type": "ecommerce_viewed", "content_key": "v1", "extra": 1}]')
    assert events == [RawEvent(type="ecommerce_viewed", content_key="v1")]


def test_ndjson_and_single_object_decode_alike() -> None:
    line = b'{"type": "ecommerce_bar_shown", "content_key": "v1"}'
    assert decode_body(line + b"\n\n" + line) == decode_body(b"[" + line + b"," + line + b"]")
    assert len(decode_body(line)) == 1


def test_wrongly_typed_field_is_reported_for_its_event_only() -> None:
    body = b'[{"type": "ecommerce_bar_shown", "content_key": "v1"}, {"content_key": 5}, 7]'
    assert _problems(body) == [
        (1, "Expected `str | null`, got `int` - at `content_key`"),
        (2, "event must be a JSON object"),
    ]


def test_invalid_json_is_a_body_error() -> None:
    with pytest.raises(BodyError):
        decode_body(b'{"type": ')


def test_timestamp_more_than_a_day_ahead_is_rejected() -> None:
    body = (
        b'[{"type": "ecommerce_bar_shown", "content_key": "v1",'
        b' "timestamp": "2022-10-15T12:00:01Z"}]'
    )
    assert _problems(body) == [(0, "timestamp is more than a day in the future")]


def test_negative_epoch_is_rejected() -> None:
    body = b'[{"type": "ecommerce_bar_shown", "content_key": "v1", "timestamp": -1}]'
    assert _problems(body) == [(0, "timestamp is out of range")]


@pytest.mark.parametrize(
    "timestamp", ["0001-01-01T00:00:00+14:00", "1969-12-31T23:59:59Z", "1969-12-31T23:00:00-00:30"]
)
def test_iso_timestamp_before_1970_utc_is_out_of_range(timestamp: str) -> None:
    body = b'[{"type": "ecommerce_bar_shown", "content_key": "v1", "timestamp": "%s"}]' % (
        timestamp.encode()
    )
    assert _problems(body) == [(0, "timestamp is out of range")]


def test_iso_timestamp_at_1970_utc_counts_on_that_day() -> None:
    batch, problems = build_batch(
        1,
        decode_body(
            b'[{"type": "ecommerce_bar_hidden", "content_key": "v1",'
            b' "timestamp": "1970-01-01T05:00:00+05:00"}]'
        ),
        CATALOG,
        "",
        RECEIVED,
    )
    assert problems == []
    assert batch.plain == {("v1", date(1970, 1, 1), "Other", "none"): [0, 0, 0, 0, 1]}


def test_missing_timestamp_counts_on_the_day_received() -> None:
    batch, _ = build_batch(
        1,
        decode_body(b'[{"type": "ecommerce_bar_hidden", "content_key": "v1"}]'),
        CATALOG,
        "",
        RECEIVED,
    )
    assert batch.plain == {("v1", date(2022, 10, 14), "Other", "none"): [0, 0, 0, 0, 1]}


def test_loaded_event_creates_a_zero_row() -> None:
    batch, _ = build_batch(
        1,
        decode_body(b'[{"type": "ecommerce_loaded", "content_key": "v1"}]'),
        CATALOG,
        "",
        RECEIVED,
    )
    assert batch.plain == {("v1", date(2022, 10, 14), "Other", "none"): [0, 0, 0, 0, 0]}


def test_numeric_event_id_is_kept_as_text() -> None:
    body = b'[{"type": "ecommerce_bar_shown", "content_key": "v1", "event_id": 42}]'
    batch, _ = build_batch(1, decode_body(body), CATALOG, "", RECEIVED)
    assert batch.identified == [("42", ("v1", date(2022, 10, 14), "Other", "none"), 3)]
