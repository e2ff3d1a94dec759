"""Turning raw ingest events into counter increments: parsing, validation, day buckets.

This is the hot path of ingestion, so it works on plain decoded JSON (msgspec)
and dictionaries rather than on models: one pass over the events, each checked
against the account's catalog, each reduced to a counter key and a counter index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import msgspec

from commerce_stats.kit.jsondecode import decode_json
from commerce_stats.kit.timeutil import to_utc
from commerce_stats.video.devices import BOT, DEVICE_TYPES, classify
from commerce_stats.video.tables import EVENT_ID_LENGTH, KEY_LENGTH

NONE_KEY: Final = "none"
"""The ecommerce key of bar events, as the seed's rows show it."""

LOADED: Final = -1
"""Counter index of ``ecommerce_loaded``: the row of the day exists, nothing is counted."""

EVENT_TYPES: Final[dict[str, int]] = {
    "ecommerce_viewed": 0,
    "ecommerce_visible": 0,
    "ecommerce_clicked": 1,
    "ecommerce_hidden": 2,
    "ecommerce_bar_shown": 3,
    "ecommerce_bar_hidden": 4,
    "ecommerce_loaded": LOADED,
}
ICON_COUNTERS: Final = frozenset({0, 1, 2})
_DEVICE_SET: Final = frozenset(DEVICE_TYPES)
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_MS_PER_DAY: Final = 86_400_000
MAX_FUTURE: Final = timedelta(days=1)
EARLIEST: Final = datetime(1970, 1, 1, tzinfo=UTC)
"""The earliest event time, as for epoch milliseconds (which cannot be negative). An ISO
time is compared with it before being converted to UTC, so ``0001-01-01T00:00:00+14:00``
(which has no UTC equivalent) is refused as out of range rather than overflowing."""

CounterKey = tuple[str, date, str, str]
"""(content_key, UTC day, device_type, ecommerce_key)."""


class BodyError(ValueError):
    """The request body is not a JSON array, a JSON object or NDJSON."""


@dataclass(frozen=True)
class Catalog:
    """The keys events may name, for one account."""

    content_keys: frozenset[str]
    ecommerce_keys: frozenset[str]


@dataclass
class Batch:
    """The increments of one request, ready for the flusher.

    ``plain`` holds events without ``event_id``, already summed per counter key;
    ``identified`` keeps events with an ``event_id`` one by one because whether
    they count is decided at commit time against the dedupe memory.
    """

    account_id: int
    plain: dict[CounterKey, list[int]] = field(default_factory=dict)
    identified: list[tuple[str, CounterKey, int]] = field(default_factory=list)
    received: int = 0
    bots: int = 0

    def add(self, key: CounterKey, index: int) -> None:
        counts = self.plain.get(key)
        if counts is None:
            counts = self.plain[key] = [0, 0, 0, 0, 0]
        if index != LOADED:
            counts[index] += 1


@dataclass(frozen=True)
class BatchResult:
    """What became of a batch once committed."""

    received: int
    counted: int
    duplicates: int
    bots: int


class RawEvent(msgspec.Struct, gc=False):
    """An event as sent; every field optional here, the rules are checked in ``read_event``.

    ``gc=False``: an event holds only strings and numbers, so it can never be part of a
    reference cycle, and leaving thousands per request out of the cycle collector's
    bookkeeping is measurably cheaper."""

    type: str | None = None
    content_key: str | None = None
    ecommerce_key: str | None = None
    timestamp: str | int | float | None = None
    device_type: str | None = None
    user_agent: str | None = None
    event_id: str | int | None = None


_typed_decoder = msgspec.json.Decoder(list[RawEvent])


def decode_body(body: bytes) -> list[RawEvent | str]:
    """The events of a body: a JSON array, one JSON object, or NDJSON (one object a line).

    The typed decoder handles a well-formed array in one C call; when some event has a
    field of the wrong type, the body is decoded again generically so that each bad
    event gets its own reason (a ``str`` in place of the event).
    """
    stripped = body.strip()
    if not stripped:
        return []
    try:
        if stripped[:1] == b"[":
            try:
                return list(decode_json(stripped, _typed_decoder))
            except msgspec.ValidationError:
                decoded = decode_json(stripped)
                if not isinstance(decoded, list):
                    raise BodyError("body is not a JSON array") from None
                return [to_raw_event(item) for item in decoded]
        return [to_raw_event(decode_json(line)) for line in stripped.splitlines() if line.strip()]
    except msgspec.DecodeError as exc:
        raise BodyError(f"body is not valid JSON or NDJSON: {exc}") from exc


def to_raw_event(value: Any) -> RawEvent | str:
    """A decoded JSON value as an event, or the reason it is not one."""
    if not isinstance(value, dict):
        return "event must be a JSON object"
    try:
        return msgspec.convert(value, RawEvent)
    except msgspec.ValidationError as exc:
        return str(exc).replace("$.", "")


class _Clock:
    """Per-batch constants of the timestamp rules."""

    __slots__ = ("days", "latest", "latest_ms", "received_day")

    def __init__(self, received_at: datetime) -> None:
        self.received_day = received_at.astimezone(UTC).date()
        self.latest = received_at + MAX_FUTURE
        self.latest_ms = int(self.latest.timestamp() * 1000)
        self.days: dict[int, date] = {}


def _day_of(value: str | float | None, clock: _Clock) -> date:
    """The UTC day of an event's ``timestamp`` (ISO 8601 with offset, or epoch ms)."""
    if value is None:
        return clock.received_day
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            if value.isascii() and value.isdigit():  # epoch milliseconds past 18 digits
                raise ValueError("timestamp is out of range") from None
            raise ValueError("timestamp is not ISO 8601") from None
        if moment.tzinfo is None:
            raise ValueError("timestamp needs a UTC offset")
        if moment > clock.latest:
            raise ValueError("timestamp is more than a day in the future")
        if moment < EARLIEST:
            raise ValueError("timestamp is out of range")
        return to_utc(moment).date()
    if value < 0 or value > clock.latest_ms:
        raise ValueError("timestamp is out of range")
    ordinal = int(value) // _MS_PER_DAY
    day = clock.days.get(ordinal)
    if day is None:
        day = clock.days[ordinal] = date.fromordinal(_EPOCH_ORDINAL + ordinal)
    return day


def _device_of(event: RawEvent, request_user_agent: str) -> str:
    device = event.device_type
    if device is not None:
        if device not in _DEVICE_SET:
            raise ValueError(f"device_type must be one of {', '.join(DEVICE_TYPES)}")
        return device
    return classify(event.user_agent if event.user_agent is not None else request_user_agent)


def _ecommerce_key_of(event: RawEvent, index: int, catalog: Catalog) -> str:
    if index not in ICON_COUNTERS:
        return NONE_KEY
    key = event.ecommerce_key
    if key is None or key == NONE_KEY:
        raise ValueError("ecommerce_key is required for icon events")
    if key not in catalog.ecommerce_keys:
        raise ValueError(f"unknown ecommerce_key {key!r}")
    return key


def _event_id_of(event: RawEvent) -> str | None:
    event_id = event.event_id
    if event_id is None:
        return None
    text = str(event_id)
    if not text or len(text) > EVENT_ID_LENGTH:
        raise ValueError(f"event_id must have 1 to {EVENT_ID_LENGTH} characters")
    if "\x00" in text:
        raise ValueError("event_id must not contain NUL characters")
    return text


def read_event(
    event: RawEvent | str, catalog: Catalog, request_user_agent: str, clock: _Clock
) -> tuple[str | None, CounterKey, int] | None:
    """(event_id, counter key, counter index) of one event; None for a bot's event.

    Raises ValueError with the reason when the event cannot be counted.
    """
    if isinstance(event, str):
        raise ValueError(event)
    event_type = event.type
    index = EVENT_TYPES.get(event_type) if event_type is not None else None
    if index is None:
        raise ValueError(f"unknown type {event_type!r}")
    content_key = event.content_key
    if content_key is None:
        raise ValueError("content_key is required")
    if content_key not in catalog.content_keys:
        raise ValueError(f"unknown content_key {content_key!r}")
    ecommerce_key = _ecommerce_key_of(event, index, catalog)
    day = _day_of(event.timestamp, clock)
    device = _device_of(event, request_user_agent)
    if device == BOT:
        return None
    return _event_id_of(event), (content_key, day, device, ecommerce_key), index


def build_batch(
    account_id: int,
    events: Iterable[RawEvent | str],
    catalog: Catalog,
    request_user_agent: str,
    received_at: datetime,
) -> tuple[Batch, list[tuple[int, str]]]:
    """The batch of every countable event, and (index, reason) of every rejected one."""
    batch = Batch(account_id=account_id)
    problems: list[tuple[int, str]] = []
    clock = _Clock(received_at)
    plain = batch.plain
    position = -1
    for position, event in enumerate(events):
        try:
            read = read_event(event, catalog, request_user_agent, clock)
        except ValueError as exc:
            problems.append((position, str(exc)))
            continue
        if read is None:
            batch.bots += 1
            continue
        event_id, key, index = read
        if event_id is not None:
            batch.identified.append((event_id, key, index))
            continue
        counts = plain.get(key)
        if counts is None:
            counts = plain[key] = [0, 0, 0, 0, 0]
        if index != LOADED:
            counts[index] += 1
    batch.received = position + 1
    return batch, problems


def check_key(value: str, name: str) -> str:
    """A catalog key: 1 to 64 characters, no whitespace or control characters."""
    if not value or len(value) > KEY_LENGTH:
        raise ValueError(f"{name} must have 1 to {KEY_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise ValueError(f"{name} must not contain whitespace")
    if value == NONE_KEY and name == "ecommerce_key":
        raise ValueError('"none" is reserved for bar events')
    return value
