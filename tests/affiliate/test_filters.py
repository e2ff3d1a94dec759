"""The export filters: calendar rules in the network's time zone."""

from __future__ import annotations

from datetime import date

import pytest

from commerce_stats.affiliate.errors import AffiliateError
from commerce_stats.affiliate.filters import dynamic_range, ignored_header_value, parse_filters

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


def test_period_takes_iso_days_and_mixes_them_with_german_ones() -> None:
    filters = parse_filters(
        [("condition[period][from]", "2026-11-01"), ("condition[period][to]", "30.11.2026")],
        WEDNESDAY,
    )
    assert (filters.first_day, filters.last_day) == (date(2026, 11, 1), date(2026, 11, 30))


def test_iso_day_out_of_range_is_refused_naming_the_filter() -> None:
    with pytest.raises(AffiliateError, match="condition\\[period\\]\\[from\\]: '2026-02-30'"):
        parse_filters([("condition[period][from]", "2026-02-30")], WEDNESDAY)


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("open", 0),
        ("pending", 0),
        ("0", 0),
        ("confirmed", 1),
        ("valid", 1),
        ("Approved", 1),
        ("1", 1),
        ("canceled", 2),
        ("cancelled", 2),
        ("storno", 2),
        ("rejected", 2),
        ("2", 2),
        ("paid", 3),
        ("paidout", 3),
        ("paid_out", 3),
        ("PAYED", 3),
        ("3", 3),
    ],
)
def test_status_words_map_to_the_four_statuses(word: str, status: int) -> None:
    assert parse_filters([("condition[l:status]", word)], WEDNESDAY).statuses == (status,)


@pytest.mark.parametrize(
    "name", ["condition[l:status]", "condition[l:processingstate]", "condition[I:processingstate]"]
)
def test_processingstate_in_both_spellings_is_the_status_filter(name: str) -> None:
    assert parse_filters([(name, "open,paidout")], WEDNESDAY).statuses == (0, 3)


def test_status_and_processingstate_together_are_refused() -> None:
    with pytest.raises(
        AffiliateError,
        match="condition\\[l:status\\] and condition\\[l:processingstate\\] are the same filter",
    ):
        parse_filters(
            [("condition[l:status]", "open"), ("condition[l:processingstate]", "paid")], WEDNESDAY
        )


def test_unknown_status_word_is_refused_naming_filter_and_word() -> None:
    with pytest.raises(AffiliateError, match="condition\\[l:processingstate\\]: unknown status 4"):
        parse_filters([("condition[l:processingstate]", "4")], WEDNESDAY)


def test_unknown_parameters_are_ignored_in_order_once_each() -> None:
    filters = parse_filters(
        [
            ("condition[mode]", "mine"),
            ("foo", "bar"),
            ("condition[l:status]", "paid"),
            ("foo", "baz"),
            ("condition[groupby]", "all"),
        ],
        WEDNESDAY,
    )
    assert filters.ignored == ("condition[mode]", "foo", "condition[groupby]")
    assert filters.statuses == (3,)


def test_ignored_header_value_encodes_what_a_header_cannot_carry() -> None:
    assert ignored_header_value(("condition[mode]", "a b", "x\r\ny", "ü,")) == (
        "condition[mode], a%20b, x%0D%0Ay, %C3%BC%2C"
    )


def test_ignored_header_value_names_at_most_twenty() -> None:
    names = tuple(f"p{n}" for n in range(25))
    assert ignored_header_value(names) == ", ".join(names[:20]) + ", ..."


def test_paymentstatus_1_keeps_paid_out_only() -> None:
    assert parse_filters([("condition[paymentstatus]", "1")], WEDNESDAY).statuses == (3,)


def test_paymentstatus_0_keeps_all_but_paid_out() -> None:
    filters = parse_filters(
        [("condition[paymentstatus]", "0"), ("condition[l:status]", "open,paid")], WEDNESDAY
    )
    assert filters.statuses == (0,)


def test_paymentstatus_excluding_the_status_filter_selects_nothing() -> None:
    filters = parse_filters(
        [("condition[paymentstatus]", "1"), ("condition[l:status]", "open")], WEDNESDAY
    )
    assert filters.statuses == (-1,)


def test_bad_paymentstatus_is_named() -> None:
    with pytest.raises(AffiliateError, match="condition\\[paymentstatus\\]: unknown value '2'"):
        parse_filters([("condition[paymentstatus]", "2")], WEDNESDAY)


def test_bruttodata_true_counts_gross() -> None:
    assert parse_filters([("condition[bruttodata]", "true")], WEDNESDAY).gross is True
    assert parse_filters([], WEDNESDAY).gross is False


def test_bad_bruttodata_is_named() -> None:
    with pytest.raises(AffiliateError, match="condition\\[bruttodata\\]: unknown value 'yes'"):
        parse_filters([("condition[bruttodata]", "yes")], WEDNESDAY)


def test_project_id_joins_the_projects_filter() -> None:
    filters = parse_filters(
        [("condition[project_id]", "5"), ("condition[l:projects]", "2")], WEDNESDAY
    )
    assert filters.projects == (2, 5)
