"""Pure rules of the network: statuses, transitions, commissions, value formats."""

from __future__ import annotations

import hashlib
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from commerce_stats.kit.money import MoneyError, exponent, from_minor, to_minor

OPEN, CONFIRMED, CANCELED, PAID = 0, 1, 2, 3
STATUS_BY_NAME = {"open": OPEN, "confirmed": CONFIRMED, "canceled": CANCELED, "paid": PAID}
STATUS_NAMES = {code: name for name, code in STATUS_BY_NAME.items()}
TRIGGER_TYPES = ("lead_fixed", "sale_fixed", "lead_dynamic", "sale_dynamic")
NOT_PAID_OUT = -1
PERCENT_SCALE = 100
"""Dynamic rates are held in hundredths of a percent: 7.5 % -> 750."""
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_ID = 2**31 - 1
"""Largest id of campaigns, publishers, projects, groups, triggers (32-bit columns)."""
MAX_BIG_ID = 2**63 - 1
"""Largest transaction or click id (64-bit columns)."""
MAX_AMOUNT_MINOR = 10**12
"""Largest turnover or commission in minor units (10,000,000,000.00 EUR): sums of millions
of such amounts still fit the 64-bit columns and SQLite's integer SUM."""


def as_id(text: str, limit: int = MAX_ID) -> int | None:
    """``text`` as an id when it is plain ASCII digits within ``limit``, else None."""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= limit else None


def is_dynamic(trigger_type: str) -> bool:
    return trigger_type.endswith("_dynamic")


def conversion_type(trigger_type: str) -> str:
    """``lead`` or ``sale``: the seed's ``type`` column."""
    return trigger_type.split("_", 1)[0]


def commission_minor(trigger_type: str, value_scaled: int, turnover_minor: int) -> int:
    """The commission: the fixed amount, or the percentage of turnover rounded half up."""
    if not is_dynamic(trigger_type):
        return value_scaled
    share = Decimal(turnover_minor) * value_scaled / (100 * PERCENT_SCALE)
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def scaled_trigger_value(trigger_type: str, value: Decimal, currency: str) -> int:
    """A trigger value as stored: minor units (fixed) or hundredths of a percent (dynamic)."""
    if value < 0:
        raise ValueError("trigger_value must not be negative")
    if is_dynamic(trigger_type):
        scaled = value * PERCENT_SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError("a percentage has at most two decimals")
        if value > 100:
            raise ValueError("a percentage cannot exceed 100")
        return int(scaled)
    try:
        return to_minor(value, currency)
    except MoneyError as exc:
        raise ValueError(str(exc)) from exc


def trigger_value_decimal(trigger_type: str, value_scaled: int, currency: str) -> Decimal:
    if is_dynamic(trigger_type):
        return Decimal(value_scaled).scaleb(-2).quantize(Decimal("0.01"))
    return from_minor(value_scaled, currency)


def parse_amount(text: str, currency: str) -> int:
    """Minor units of a decimal amount given with ``.`` or a German ``,`` separator.

    Amounts above ``MAX_AMOUNT_MINOR`` are refused before any arithmetic, and the minor
    units are computed from the digits exactly (no rounding context), so ``1e999999999``
    or a thousand decimals cost no more than an ordinary amount.
    """
    cleaned = text.strip().replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {shown(text)}") from exc
    if not amount.is_finite():
        raise ValueError(f"not a number: {shown(text)}")
    if amount < 0:
        raise ValueError("must not be negative")
    digits = exponent(currency)
    if amount > Decimal(MAX_AMOUNT_MINOR).scaleb(-digits):
        raise ValueError(
            f"larger than {from_minor(MAX_AMOUNT_MINOR, currency)}, the largest amount"
        )
    minor = _exact_minor(amount, digits)
    if minor is None:
        raise ValueError(f"{shown(text, quote=False)} has more decimals than {currency} allows")
    return minor


def _exact_minor(amount: Decimal, digits: int) -> int | None:
    """``amount`` (finite, not above the maximum) in units of 10**-digits; None when it
    has more decimals than that."""
    if amount == 0:
        return 0
    _sign, coefficient, exp = amount.as_tuple()
    kept = list(coefficient)
    power = int(exp)
    while len(kept) > 1 and kept[-1] == 0:
        kept.pop()
        power += 1
    shift = power + digits
    if shift < 0:
        return None
    scale: int = 10**shift
    return int("".join(map(str, kept))) * scale


def shown(text: str, *, quote: bool = True, limit: int = 40) -> str:
    """``text`` as an error message shows it: cut to ``limit`` characters, and quoted
    (with control characters and lone surrogates escaped) unless ``quote`` is False."""
    cut = text if len(text) <= limit else text[:limit] + "..."
    return repr(cut) if quote else cut.encode("utf-8", "backslashreplace").decode()


def parse_status(text: str) -> int:
    """A status given as 0-3 or as its name (open, confirmed, canceled, paid)."""
    cleaned = text.strip().lower()
    if cleaned in STATUS_BY_NAME:
        return STATUS_BY_NAME[cleaned]
    if cleaned in {"0", "1", "2", "3"}:
        return int(cleaned)
    raise ValueError(f"unknown status {text!r}; use 0-3 or open, confirmed, canceled, paid")


def final_error(current: int) -> str | None:
    """Why a transaction in ``current`` can change no more (paid, canceled); None otherwise."""
    if current == PAID:
        return "paid transactions are final"
    if current == CANCELED:
        return "canceled transactions are final"
    return None


def transition_error(current: int, wanted: int) -> str | None:
    """Why the lifecycle forbids ``current`` -> ``wanted``; None when allowed."""
    if current == wanted:
        return None
    final = final_error(current)
    if final is not None:
        return final
    if wanted == PAID:
        return "only a payout run marks transactions paid"
    if current == CONFIRMED and wanted == OPEN:
        return "a confirmed transaction cannot be reopened"
    return None


def ebestid(account_id: int, transaction_id: int, ordertoken: str) -> str:
    """The opaque order reference shown to publishers instead of the shop's order id."""
    digest = hashlib.sha256(f"{account_id}:{transaction_id}:{ordertoken}".encode()).hexdigest()
    return digest[:16]
