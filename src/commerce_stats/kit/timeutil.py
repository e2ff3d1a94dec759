"""UTC storage, local-time edges: the conversions every domain needs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def utc_now() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; raises ValueError for an unknown name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone: {name}") from exc


def is_valid_zone(name: str) -> bool:
    try:
        zone(name)
    except ValueError:
        return False
    return True


def parse_aware(text: str) -> datetime:
    """An ISO 8601 timestamp that must carry an offset (``Z`` or ``±hh:mm``), in UTC."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError("timestamp needs a UTC offset")
    return parsed.astimezone(UTC)


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
