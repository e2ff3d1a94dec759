"""Exact money: integer minor units plus an ISO 4217 currency code.

Amounts cross the wire as decimal strings or numbers; they are turned into
``Decimal`` from their text (never through a binary float) and then into an
integer count of the currency's minor unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_EXPONENTS = {
    "BHD": 3, "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3, "ISK": 0, "JOD": 3,
    "JPY": 0, "KMF": 0, "KRW": 0, "KWD": 3, "LYD": 3, "OMR": 3, "PYG": 0, "RWF": 0,
    "TND": 3, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
}  # fmt: skip


class MoneyError(ValueError):
    """An amount that cannot be held exactly in the currency's minor unit."""


def exponent(currency: str) -> int:
    """Digits after the decimal point for ``currency`` (2 unless ISO 4217 says otherwise)."""
    return _EXPONENTS.get(currency.upper(), 2)


def is_currency_code(code: str) -> bool:
    return len(code) == 3 and code.isascii() and code.isalpha()


def parse_decimal(value: str | int | Decimal) -> Decimal:
    """A finite Decimal from text or an int; floats are refused to keep amounts exact."""
    if isinstance(value, (bool, float)):
        raise MoneyError("amounts must be given as text or whole numbers, not floats")
    try:
        parsed = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation as exc:
        raise MoneyError(f"not a number: {value!r}") from exc
    if not parsed.is_finite():
        raise MoneyError(f"not a finite number: {value!r}")
    return parsed


def to_minor(value: str | int | Decimal, currency: str) -> int:
    """Minor units of an amount that must be exact in ``currency`` ("19.99" EUR -> 1999)."""
    amount = parse_decimal(value)
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{value} has more decimals than {currency} allows")
    return int(scaled)


def round_to_minor(amount: Decimal, currency: str) -> int:
    """Minor units of a computed amount, rounded half up (commercial rounding)."""
    return int(amount.scaleb(exponent(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor(minor: int, currency: str) -> Decimal:
    digits = exponent(currency)
    return Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def format_minor(minor: int, currency: str) -> str:
    """Plain decimal text with the currency's digits: 1999 EUR -> "19.99"."""
    return str(from_minor(minor, currency))


@dataclass(frozen=True, slots=True)
class Money:
    minor: int
    currency: str

    @classmethod
    def parse(cls, value: str | int | Decimal, currency: str) -> Money:
        return cls(to_minor(value, currency), currency.upper())

    def __str__(self) -> str:
        return f"{format_minor(self.minor, self.currency)} {self.currency}"
