"""Periods and changes against the previous period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from commerce_stats.dashboard.figures import Change, Period, change


def test_previous_period_has_the_same_length_and_ends_the_day_before() -> None:
    period = Period(date(2026, 11, 25), date(2026, 12, 1))
    assert period.previous() == Period(date(2026, 11, 18), date(2026, 11, 24))


def test_previous_period_at_the_start_of_the_calendar_is_cut_short() -> None:
    period = Period(date(1, 1, 4), date(1, 1, 10))
    assert period.previous() == Period(date(1, 1, 2), date(1, 1, 3))


def test_a_period_on_the_first_day_of_the_calendar_is_compared_with_that_day() -> None:
    period = Period(date(1, 1, 2), date(1, 1, 8))
    assert period.previous() == Period(date(1, 1, 2), date(1, 1, 2))


def test_a_rise_is_an_up_arrow_and_the_percentage() -> None:
    assert change(1200, 5, "5") == Change("up", "▲ 23,900.0 %", "5", True)


def test_a_fall_to_nothing_is_minus_one_hundred_percent() -> None:
    assert change(0, 7, "7") == Change("down", "▼ 100.0 %", "7", False)


def test_more_of_what_is_bad_news_is_worse() -> None:
    assert change(3, 2, "2", up_is_good=False) == Change("up", "▲ 50.0 %", "2", False)


def test_a_figure_without_a_previous_value_is_new() -> None:
    assert change(4, 0, "0") == Change("up", "▲ new", "0", True)


def test_an_unchanged_figure_is_flat() -> None:
    assert change(Decimal("20.00"), Decimal("20.00"), "20.00 %") == Change(
        "flat", "= 0.0 %", "20.00 %", None
    )
