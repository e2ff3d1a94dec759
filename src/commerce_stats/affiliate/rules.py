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
MAX_AMOUNT_MINOR = 10**15 - 1
"""Largest turnover in minor units (999,999,999,999,999: 9,999,999,999,999.99 EUR). The
columns hold 64 bits (about 9.2e18); the margin lets sums over thousands of the largest
amounts still fit one."""


def as_id(text: str, limit: int = MAX_ID) -> int | None:
    """``text`` as an id when it is plain ASCII digits within ``limit``, else None."""
    if not (text.isascii() and text.isdigit()):
        return None
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(limit)):
        return None  # before int(): Python refuses to convert text of 4,301 digits or more
    value = int(digits)
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

    At most ``MAX_AMOUNT_MINOR``. Computed from the decimal digits themselves, never
    rounded: any exponent (``1e308``, ``1e-999999999``) and any length is judged exactly.
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
    return _exact_minor(amount, currency, text)


def _exact_minor(amount: Decimal, currency: str, text: str) -> int:
    """``amount`` (finite, not negative) in minor units of ``currency``, exactly."""
    _sign, digits, power = amount.as_tuple()
    assert isinstance(power, int)  # a finite Decimal
    written = "".join(map(str, digits))
    significant = written.strip("0")
    if not significant:
        return 0
    # the power of ten of the last significant digit, counted in minor units
    shift = power + (len(written) - len(written.rstrip("0"))) + exponent(currency)
    if shift < 0:
        raise ValueError(f"{shown(text, quote=False)} has more decimals than {currency} allows")
    if len(significant) + shift > len(str(MAX_AMOUNT_MINOR)):
        raise _too_large(currency)
    minor: int = int(significant) * 10**shift
    if minor > MAX_AMOUNT_MINOR:
        raise _too_large(currency)
    return minor


def _too_large(currency: str) -> ValueError:
    largest = Decimal(MAX_AMOUNT_MINOR).scaleb(-exponent(currency))
    return ValueError(f"must not exceed {largest} {currency}")


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
