"""UTC storage, local-time edges: the conversions every domain needs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FIRST_DAY: Final = date.min + timedelta(days=1)
"""The earliest calendar day a request may name (0001-01-02).

No zone is a whole day away from UTC, so the local start and end of every day in
``FIRST_DAY..LAST_DAY`` exist as UTC instants, and every instant between
``EARLIEST`` and ``LATEST`` has a local date in every zone: day ranges and
day buckets can always be computed, whatever the account's zone."""
LAST_DAY: Final = date.max - timedelta(days=1)
"""The latest calendar day a request may name (9999-12-30)."""
EARLIEST: Final = datetime.combine(FIRST_DAY, time.min, tzinfo=UTC)
LATEST: Final = datetime.combine(LAST_DAY, time.max, tzinfo=UTC)
MAX_ZONE_NAME: Final = 255


def utc_now() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; raises ValueError for an unknown name.

    A name longer than any zone's, or one the file system cannot even look up (NUL,
    a path too long), is unknown too rather than an OSError."""
    if len(name) > MAX_ZONE_NAME or "\x00" in name:
        raise ValueError("unknown time zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown time zone: {name}") from exc


def is_valid_zone(name: str) -> bool:
    try:
        zone(name)
    except ValueError:
        return False
    return True


def parse_aware(text: str) -> datetime:
    """An ISO 8601 timestamp that must carry an offset (``Z`` or ``±hh:mm``), in UTC.

    Raises ValueError for text that is no timestamp, has no offset, or names an
    instant outside the UTC years 1 to 9999 (``9999-12-31T23:59:59-14:00``)."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError("timestamp needs a UTC offset")
    return to_utc(parsed)


def to_utc(moment: datetime) -> datetime:
    """An aware ``moment`` in UTC; ValueError when that falls outside the years 1 to 9999
    (``0001-01-01T00:00:00+14:00`` is still in year 0 in UTC)."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("timestamp is outside the years 1 to 9999 in UTC") from None


def parse_aware_in_range(text: str) -> datetime:
    """``parse_aware``, refusing instants outside ``EARLIEST..LATEST`` too: for timestamps
    that are later bucketed into local days (a year-1 instant has no local date west of
    UTC)."""
    moment = parse_aware(text)
    check_moment(moment)
    return moment


def check_moment(moment: datetime) -> datetime:
    """``moment`` if it lies in ``EARLIEST..LATEST``; else ValueError naming the range."""
    if not EARLIEST <= moment <= LATEST:
        raise ValueError(f"timestamp must lie between {FIRST_DAY} and {LAST_DAY} (UTC)")
    return moment


def check_day(day: date) -> date:
    """``day`` if it lies in ``FIRST_DAY..LAST_DAY``; else ValueError naming the range."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"date must lie between {FIRST_DAY} and {LAST_DAY}")
    return day


def from_epoch_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def local_day_start(day: date, tz: str) -> datetime:
    """The UTC instant at which ``day`` begins in zone ``tz``."""
    return datetime.combine(day, time.min, tzinfo=zone(tz)).astimezone(UTC)


def local_days_to_utc(first: date, last: date, tz: str) -> tuple[datetime, datetime]:
    """The half-open UTC range [start, end) covering local days ``first``..``last``."""
    return local_day_start(first, tz), local_day_start(last + timedelta(days=1), tz)


def local_today(tz: str) -> date:
    """Today's date in the zone ``tz``."""
    return to_local(utc_now(), tz).date()


def to_local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(zone(tz))
