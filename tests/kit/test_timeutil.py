"""UTC storage and local-day edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from commerce_stats.kit.timeutil import (
    from_epoch_ms,
    is_valid_zone,
    local_days_to_utc,
    parse_aware,
    to_local,
    utc_day,
    zone,
)


def test_ten_pm_eastern_counts_on_the_next_utc_day() -> None:
    assert utc_day(parse_aware("2022-01-01T22:00:00-05:00")) == date(2022, 1, 2)


def test_parse_aware_accepts_z() -> None:
    assert parse_aware("2022-10-14T12:00:00Z") == datetime(2022, 10, 14, 12, tzinfo=UTC)


def test_parse_aware_refuses_naive() -> None:
    with pytest.raises(ValueError, match="offset"):
        parse_aware("2022-10-14T12:00:00")


def test_epoch_ms() -> None:
    assert from_epoch_ms(1_666_224_000_000) == datetime(2022, 10, 20, tzinfo=UTC)


def test_berlin_days_in_utc_across_dst_change() -> None:
    start, end = local_days_to_utc(date(2026, 3, 29), date(2026, 3, 29), "Europe/Berlin")
    assert start == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 22, tzinfo=UTC)


def test_to_local() -> None:
    local = to_local(datetime(2026, 7, 1, 12, tzinfo=UTC), "Europe/Berlin")
    assert (local.hour, local.utcoffset()) == (14, timedelta(hours=2))


def test_unknown_zone() -> None:
    assert not is_valid_zone("Mars/Olympus")
    assert is_valid_zone("America/New_York")
    with pytest.raises(ValueError, match="unknown time zone"):
        zone("Mars/Olympus")
