"""UTC storage and local-day edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from commerce_stats.kit.timeutil import (
    FIRST_DAY,
    LAST_DAY,
    check_day,
    from_epoch_ms,
    is_valid_zone,
    local_days_to_utc,
    parse_aware,
    parse_aware_in_range,
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


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_parse_aware_refuses_an_instant_outside_utc_years_1_to_9999(text: str) -> None:
    with pytest.raises(ValueError, match="outside the years 1 to 9999 in UTC"):
        parse_aware(text)


def test_parse_aware_accepts_the_last_second_of_year_9999_in_utc() -> None:
    assert parse_aware("9999-12-31T23:59:59+00:00") == datetime(
        9999, 12, 31, 23, 59, 59, tzinfo=UTC
    )


@pytest.mark.parametrize("text", ["0001-01-01T12:00:00+00:00", "9999-12-31T00:00:00+00:00"])
def test_parse_aware_in_range_refuses_instants_without_a_local_day_everywhere(text: str) -> None:
    with pytest.raises(ValueError, match="between 0001-01-02 and 9999-12-30"):
        parse_aware_in_range(text)


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31)])
def test_check_day_refuses_the_first_and_last_calendar_days(day: date) -> None:
    with pytest.raises(ValueError, match="date must lie between 0001-01-02 and 9999-12-30"):
        check_day(day)


@pytest.mark.parametrize("tz", ["Pacific/Kiritimati", "Etc/GMT+12", "Asia/Manila", "Europe/Berlin"])
def test_every_supported_day_range_converts_to_utc_in_extreme_zones(tz: str) -> None:
    start, end = local_days_to_utc(FIRST_DAY, LAST_DAY, tz)
    assert start < end
    assert to_local(start, tz).date() == FIRST_DAY


@pytest.mark.parametrize("name", ["E" * 1_000_000, "Europe/" + "x" * 300, "Europe/\x00"])
def test_zone_names_the_file_system_cannot_look_up_are_unknown(name: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        zone(name)
    assert not is_valid_zone(name)
