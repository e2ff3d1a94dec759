"""Commissions, amounts, statuses and transitions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from commerce_stats.affiliate.export_lines import LocalClock
from commerce_stats.affiliate.rules import (
    CANCELED,
    CONFIRMED,
    OPEN,
    PAID,
    as_id,
    commission_minor,
    parse_amount,
    parse_status,
    scaled_trigger_value,
    transition_error,
)


def test_dynamic_commission_rounds_half_up() -> None:
    assert commission_minor("sale_dynamic", 750, 1_234) == 93  # 7.5 % of 12.34 = 0.9255


def test_fixed_commission_ignores_turnover() -> None:
    assert commission_minor("lead_fixed", 250, 99_999) == 250


def test_scaled_values() -> None:
    assert scaled_trigger_value("sale_dynamic", Decimal("7.5"), "EUR") == 750
    assert scaled_trigger_value("sale_fixed", Decimal("2.5"), "EUR") == 250
    assert scaled_trigger_value("sale_fixed", Decimal("250"), "JPY") == 250


def test_percent_above_100_is_refused() -> None:
    with pytest.raises(ValueError, match="exceed 100"):
        scaled_trigger_value("sale_dynamic", Decimal("101"), "EUR")


def test_amounts_accept_german_comma() -> None:
    assert parse_amount("19,99", "EUR") == 1999


def test_amount_with_too_many_decimals_is_refused() -> None:
    with pytest.raises(ValueError, match="more decimals"):
        parse_amount("1.999", "EUR")


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("9999999999999.99", "EUR", 999_999_999_999_999),
        ("999999999999999", "JPY", 999_999_999_999_999),
        ("999999999999.999", "BHD", 999_999_999_999_999),
    ],
)
def test_the_largest_amount_is_exact_in_every_minor_unit(
    text: str, currency: str, minor: int
) -> None:
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize("text", ["10000000000000", "1e308", "9" * 40, "1E+999999999"])
def test_amount_above_the_largest_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"^must not exceed 9999999999999\.99 EUR$"):
        parse_amount(text, "EUR")


@pytest.mark.parametrize("text", ["1e-999999999", "1.00000000000000000000000000001"])
def test_amount_with_decimals_below_the_minor_unit_is_refused_however_written(
    text: str,
) -> None:
    with pytest.raises(ValueError, match="more decimals than EUR allows"):
        parse_amount(text, "EUR")


@pytest.mark.parametrize("text", ["-0", "0e999999999", "0.000"])
def test_zero_however_written_is_zero(text: str) -> None:
    assert parse_amount(text, "EUR") == 0


def test_id_of_more_digits_than_python_converts_is_no_id() -> None:
    assert (as_id("9" * 100_000), as_id("0" * 5000 + "42")) == (None, 42)


def test_status_names_and_numbers() -> None:
    assert [parse_status(text) for text in ("open", "Confirmed", "2", "paid")] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("current", "wanted", "allowed"),
    [
        (OPEN, CONFIRMED, True),
        (OPEN, CANCELED, True),
        (CONFIRMED, CANCELED, True),
        (CONFIRMED, OPEN, False),
        (OPEN, PAID, False),
        (PAID, CANCELED, False),
        (CANCELED, CONFIRMED, False),
    ],
)
def test_transitions(current: int, wanted: int, allowed: bool) -> None:
    assert (transition_error(current, wanted) is None) is allowed


def test_local_clock_follows_daylight_saving() -> None:
    clock = LocalClock("Europe/Berlin")
    assert clock.text(datetime(2015, 3, 29, 0, 59, 59, tzinfo=UTC)) == "2015-03-29 01:59:59"
    assert clock.text(datetime(2015, 3, 29, 1, 0, 0, tzinfo=UTC)) == "2015-03-29 03:00:00"
    assert clock.text(datetime(2015, 7, 1, 12, 0, 0, 123456, tzinfo=UTC)) == "2015-07-01 14:00:00"
    assert clock.text(None) == ""
