"""Exact money: minor units, never a binary float."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commerce_stats.kit.money import (
    Money,
    MoneyError,
    exponent,
    format_minor,
    from_minor,
    parse_decimal,
    round_to_minor,
    to_minor,
)


def test_two_decimal_currency_to_minor() -> None:
    assert to_minor("19.99", "EUR") == 1999


def test_zero_decimal_currency_to_minor() -> None:
    assert to_minor("1500", "JPY") == 1500


def test_three_decimal_currency_to_minor() -> None:
    assert to_minor("1.234", "KWD") == 1234


def test_too_many_decimals_are_refused() -> None:
    with pytest.raises(MoneyError, match="more decimals"):
        to_minor("19.999", "EUR")


def test_floats_are_refused() -> None:
    with pytest.raises(MoneyError, match="floats"):
        parse_decimal(19.99)  # type: ignore[arg-type]


def test_garbage_is_refused() -> None:
    with pytest.raises(MoneyError, match="not a number"):
        parse_decimal("12,5x")


def test_infinity_is_refused() -> None:
    with pytest.raises(MoneyError, match="finite"):
        parse_decimal("Infinity")


def test_rounding_is_half_up() -> None:
    assert round_to_minor(Decimal("0.125"), "EUR") == 13
    assert round_to_minor(Decimal("0.124"), "EUR") == 12


def test_format_keeps_the_currency_digits() -> None:
    assert format_minor(1900, "EUR") == "19.00"
    assert format_minor(5, "JPY") == "5"
    assert from_minor(-250, "EUR") == Decimal("-2.50")


def test_unknown_currency_has_two_digits() -> None:
    assert exponent("XYZ") == 2


def test_money_value_prints_amount_and_code() -> None:
    assert str(Money.parse("7.5", "eur")) == "7.50 EUR"
