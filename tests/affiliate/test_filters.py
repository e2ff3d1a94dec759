"""The export filters: calendar rules in the network's time zone."""

from __future__ import annotations

from datetime import date

import pytest

from commerce_stats.affiliate.errors import AffiliateError
from commerce_stats.affiliate.filters import dynamic_range, parse_filters

WEDNESDAY = date(2015, 5, 13)


def test_currentmonth() -> None:
    assert dynamic_range("currentmonth", WEDNESDAY) == (date(2015, 5, 1), date(2015, 5, 31))


def test_lastmonth_across_a_year() -> None:
    assert dynamic_range("lastmonth", date(2016, 1, 10)) == (date(2015, 12, 1), date(2015, 12, 31))


def test_currentweek_starts_on_monday() -> None:
    assert dynamic_range("currentweek", WEDNESDAY) == (date(2015, 5, 11), date(2015, 5, 17))


def test_lastweek() -> None:
    assert dynamic_range("lastweek", WEDNESDAY) == (date(2015, 5, 4), date(2015, 5, 10))


def test_last10d_includes_today() -> None:
    assert dynamic_range("last10d", WEDNESDAY) == (date(2015, 5, 4), WEDNESDAY)


def test_yesterday_and_years() -> None:
    assert dynamic_range("yesterday", WEDNESDAY) == (date(2015, 5, 12), date(2015, 5, 12))
    assert dynamic_range("lastyear", WEDNESDAY) == (date(2014, 1, 1), date(2014, 12, 31))


def test_unknown_dynamicdate_is_refused() -> None:
    with pytest.raises(AffiliateError, match="unknown value 'next10d'"):
        dynamic_range("next10d", WEDNESDAY)


def test_no_period_means_the_current_month() -> None:
    filters = parse_filters([], WEDNESDAY)
    assert (filters.first_day, filters.last_day) == (date(2015, 5, 1), date(2015, 5, 31))


def test_period_is_inclusive_and_parsed_german_style() -> None:
    filters = parse_filters(
        [("condition[period][from]", "01.05.2015"), ("condition[period][to]", "15.05.2015")],
        WEDNESDAY,
    )
    assert (filters.first_day, filters.last_day) == (date(2015, 5, 1), date(2015, 5, 15))


def test_period_and_dynamicdate_together_are_refused() -> None:
    with pytest.raises(AffiliateError, match="not both"):
        parse_filters(
            [("condition[period][from]", "01.05.2015"), ("condition[dynamicdate]", "today")],
            WEDNESDAY,
        )


def test_lists_and_statuses() -> None:
    filters = parse_filters(
        [
            ("condition[l:status]", "confirmed,paid"),
            ("condition[l:publisher]", "1,1001"),
            ("condition[timetype]", "1"),
        ],
        WEDNESDAY,
    )
    assert filters.statuses == (1, 3)
    assert filters.publishers == (1, 1001)
    assert filters.time_column == "status_change_date"


def test_non_numeric_id_is_named() -> None:
    with pytest.raises(AffiliateError, match="condition\\[l:campaigns\\]: not an id: x"):
        parse_filters([("condition[l:campaigns]", "1,x")], WEDNESDAY)


def test_unknown_timetype_is_refused() -> None:
    with pytest.raises(AffiliateError, match="condition\\[timetype\\]"):
        parse_filters([("condition[timetype]", "7")], WEDNESDAY)


def test_last3660d_is_the_longest_dynamic_range() -> None:
    assert dynamic_range("last3660d", WEDNESDAY) == (date(2005, 5, 6), WEDNESDAY)
    with pytest.raises(AffiliateError, match="unknown value 'last3661d'"):
        dynamic_range("last3661d", WEDNESDAY)
