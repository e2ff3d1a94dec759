"""The Transaktions-API's ``condition[...]`` filters, parsed into a date range and id lists.

Calendar days are the network's (the account's time zone); weeks start on
Monday; without a period the current month is exported.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote

from commerce_stats.affiliate.errors import InvalidFilterError
from commerce_stats.affiliate.rules import CANCELED, CONFIRMED, OPEN, PAID, STATUS_BY_NAME, as_id
from commerce_stats.kit.timeutil import FIRST_DAY, LAST_DAY, check_day

PERIOD_FROM = "condition[period][from]"
PERIOD_TO = "condition[period][to]"
DYNAMIC_DATE = "condition[dynamicdate]"
STATUS = "condition[l:status]"
PROCESSING_STATE = "condition[l:processingstate]"
PROCESSING_STATE_CAPITAL_I = "condition[I:processingstate]"
"""The publisher-side name of the status filter, and the spelling the product's own examples
use (a capital I for the l); both mean ``condition[l:status]``."""
STATUS_NAMES_OF_FILTER = (STATUS, PROCESSING_STATE, PROCESSING_STATE_CAPITAL_I)
CAMPAIGNS = "condition[l:campaigns]"
PUBLISHERS = "condition[l:publisher]"
ADVERTISERS = "condition[l:advertiser]"
PROJECTS = "condition[l:projects]"
TIME_TYPE = "condition[timetype]"
PAYMENT_STATUS = "condition[paymentstatus]"
GROSS = "condition[bruttodata]"
PROJECT_ID = "condition[project_id]"
KNOWN_FILTERS = (
    PERIOD_FROM,
    PERIOD_TO,
    DYNAMIC_DATE,
    STATUS,
    PROCESSING_STATE,
    PROCESSING_STATE_CAPITAL_I,
    CAMPAIGNS,
    PUBLISHERS,
    ADVERTISERS,
    PROJECTS,
    TIME_TYPE,
    PAYMENT_STATUS,
    GROSS,
    PROJECT_ID,
)
NO_STATUS = -1
"""A status no transaction has: the status filter when status and payment status exclude
each other (so nothing is selected)."""
PAYMENT_STATUSES = {"all": None, "0": False, "1": True}
GROSS_WORDS = {"true": True, "1": True, "false": False, "0": False}
TIME_COLUMNS = {"0": "created_at", "1": "status_change_date", "2": "payoutdate"}
STATUS_WORDS = {
    **STATUS_BY_NAME,
    "0": OPEN,
    "pending": OPEN,
    "1": CONFIRMED,
    "valid": CONFIRMED,
    "approved": CONFIRMED,
    "2": CANCELED,
    "cancelled": CANCELED,
    "storno": CANCELED,
    "rejected": CANCELED,
    "3": PAID,
    "paidout": PAID,
    "paid_out": PAID,
    "payed": PAID,
}
"""Every word the status filter takes (case-insensitive): the four names, the status numbers
and the synonyms clients of the original product send."""
DAY_FORMATS = ("%d.%m.%Y", "%Y-%m-%d")
IGNORED_HEADER = "X-Ignored-Parameters"
MAX_IGNORED_NAMED = 20
"""How many ignored parameters the header names at most (then ``...``)."""
_LAST_DAYS = re.compile(r"last(\d{1,4})d")
MAX_LAST_DAYS = 3660


@dataclass(frozen=True, slots=True)
class Filters:
    first_day: date
    last_day: date
    time_column: str
    statuses: tuple[int, ...]
    campaigns: tuple[int, ...]
    publishers: tuple[int, ...]
    advertisers: tuple[int, ...]
    projects: tuple[int, ...]
    gross: bool = False
    """Clicks and views counted gross (every one) rather than net (``condition[bruttodata]``)."""
    ignored: tuple[str, ...] = ()
    """Query parameters that are no filter, in the order first given (they are ignored)."""


def _bad(message: str) -> InvalidFilterError:
    return InvalidFilterError(message)


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _last_of_month(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def dynamic_range(name: str, today: date) -> tuple[date, date]:
    """The days that ``condition[dynamicdate]=name`` covers, given the network's today."""
    monday = today - timedelta(days=today.weekday())
    previous_month_end = _first_of_month(today) - timedelta(days=1)
    fixed = {
        "today": (today, today),
        "yesterday": (today - timedelta(days=1), today - timedelta(days=1)),
        "currentweek": (monday, monday + timedelta(days=6)),
        "lastweek": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "currentmonth": (_first_of_month(today), _last_of_month(today)),
        "lastmonth": (_first_of_month(previous_month_end), previous_month_end),
        "currentyear": (date(today.year, 1, 1), date(today.year, 12, 31)),
        "lastyear": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    }
    if name in fixed:
        return fixed[name]
    match = _LAST_DAYS.fullmatch(name)
    if match and 1 <= int(match.group(1)) <= MAX_LAST_DAYS:
        return today - timedelta(days=int(match.group(1)) - 1), today
    raise _bad(
        f"{DYNAMIC_DATE}: unknown value {name!r}; use today, yesterday, currentweek, lastweek, "
        f"currentmonth, lastmonth, currentyear, lastyear or last{{N}}d (N = 1..{MAX_LAST_DAYS})"
    )


def dotted_day(day: date) -> str:
    """``DD.MM.YYYY``, the filters' day format, with the year always in four digits
    (``strftime("%Y")`` writes year 1 as ``1``, which the filters would refuse)."""
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


def _read_day(name: str, text: str) -> date:
    for day_format in DAY_FORMATS:
        try:
            return datetime.strptime(text.strip(), day_format).date()
        except ValueError:
            continue
    raise _bad(f"{name}: {text!r} is not a date DD.MM.YYYY or YYYY-MM-DD")


def _parse_day(name: str, text: str) -> date:
    day = _read_day(name, text)
    try:
        return check_day(day)
    except ValueError:
        raise _bad(
            f"{name}: {text.strip()} is out of range; the dates must lie between "
            f"{dotted_day(FIRST_DAY)} and {dotted_day(LAST_DAY)}"
        ) from None


def _period(params: dict[str, str], today: date) -> tuple[date, date]:
    has_period = PERIOD_FROM in params or PERIOD_TO in params
    if has_period and DYNAMIC_DATE in params:
        raise _bad(f"give either {PERIOD_FROM}/{PERIOD_TO} or {DYNAMIC_DATE}, not both")
    if DYNAMIC_DATE in params:
        return dynamic_range(params[DYNAMIC_DATE].strip().lower(), today)
    if not has_period:
        return _first_of_month(today), _last_of_month(today)
    if PERIOD_FROM not in params:
        raise _bad(f"{PERIOD_TO} needs {PERIOD_FROM}")
    first = _parse_day(PERIOD_FROM, params[PERIOD_FROM])
    last = _parse_day(PERIOD_TO, params[PERIOD_TO]) if PERIOD_TO in params else today
    if last < first:
        raise _bad(f"{PERIOD_TO} is before {PERIOD_FROM}")
    return first, last


def _id_list(name: str, text: str) -> tuple[int, ...]:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise _bad(f"{name}: give one or more ids separated by commas")
    bad = [part for part in parts if as_id(part) is None]
    if bad:
        raise _bad(f"{name}: not an id: {', '.join(bad)}")
    return tuple(sorted({int(part) for part in parts}))


def _statuses(name: str, text: str) -> tuple[int, ...]:
    parts = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [part for part in parts if part not in STATUS_WORDS]
    if unknown or not parts:
        raise _bad(
            f"{name}: unknown status {', '.join(unknown) or '(empty)'}; "
            "use open, confirmed, paid, canceled or 0-3 (comma-separated)"
        )
    return tuple(sorted({STATUS_WORDS[part] for part in parts}))


def _status_filter(params: dict[str, str]) -> tuple[int, ...]:
    given = [name for name in STATUS_NAMES_OF_FILTER if name in params]
    if len(given) > 1:
        raise _bad(f"{' and '.join(given)} are the same filter; give one of them")
    return _statuses(given[0], params[given[0]]) if given else ()


def _payment_status(params: dict[str, str], statuses: tuple[int, ...]) -> tuple[int, ...]:
    """The status filter narrowed by ``condition[paymentstatus]``: 1 paid out only, 0 all
    but paid out, all (the default) no narrowing."""
    if PAYMENT_STATUS not in params:
        return statuses
    text = params[PAYMENT_STATUS].strip().lower()
    if text not in PAYMENT_STATUSES:
        raise _bad(f"{PAYMENT_STATUS}: unknown value {params[PAYMENT_STATUS]!r}; use all, 0 or 1")
    paid = PAYMENT_STATUSES[text]
    if paid is None:
        return statuses
    allowed = {PAID} if paid else {OPEN, CONFIRMED, CANCELED}
    narrowed = tuple(sorted(allowed & set(statuses))) if statuses else tuple(sorted(allowed))
    return narrowed or (NO_STATUS,)


def _gross(params: dict[str, str]) -> bool:
    if GROSS not in params:
        return False
    text = params[GROSS].strip().lower()
    if text not in GROSS_WORDS:
        raise _bad(f"{GROSS}: unknown value {params[GROSS]!r}; use true, false, 1 or 0")
    return GROSS_WORDS[text]


def refuse_unknown(pairs: Iterable[tuple[str, str]]) -> None:
    """Strict for an operator at the shell (a typo there is no client to stay compatible
    with): every name must be a filter."""
    unknown = sorted({name for name, _value in pairs if name not in KNOWN_FILTERS})
    if unknown:
        raise _bad(f"unknown filter(s): {', '.join(unknown)}; known: {', '.join(KNOWN_FILTERS)}")


def ignored_header_value(ignored: tuple[str, ...]) -> str:
    """The ``X-Ignored-Parameters`` value: the names percent-encoded where they are not plain
    ASCII (a header carries no line break or non-Latin text), at most ``MAX_IGNORED_NAMED``."""
    named = [quote(name, safe="[]:_-.~!$'()*+;=@/?") for name in ignored[:MAX_IGNORED_NAMED]]
    if len(ignored) > MAX_IGNORED_NAMED:
        named.append("...")
    return ", ".join(named)


def _time_column(text: str) -> str:
    if text.strip() not in TIME_COLUMNS:
        raise _bad(
            f"{TIME_TYPE}: unknown value {text!r}; use 0 (created), 1 (status change), 2 (payout)"
        )
    return TIME_COLUMNS[text.strip()]


def parse_filters(pairs: Iterable[tuple[str, str]], today: date) -> Filters:
    """The filters of an export URL's query. A repeated filter is refused; any other
    parameter (a cache buster, a filter of the original product this one lacks) is ignored
    and listed in ``Filters.ignored``, as the original ignores it."""
    params: dict[str, str] = {}
    ignored: dict[str, None] = {}
    for name, value in pairs:
        if name not in KNOWN_FILTERS:
            ignored[name] = None
        elif name in params:
            raise _bad(f"{name} is given more than once")
        else:
            params[name] = value
    first, last = _period(params, today)

    def ids(name: str) -> tuple[int, ...]:
        return _id_list(name, params[name]) if name in params else ()

    return Filters(
        first_day=first,
        last_day=last,
        time_column=_time_column(params[TIME_TYPE]) if TIME_TYPE in params else "created_at",
        statuses=_payment_status(params, _status_filter(params)),
        campaigns=ids(CAMPAIGNS),
        publishers=ids(PUBLISHERS),
        advertisers=ids(ADVERTISERS),
        projects=tuple(sorted(set(ids(PROJECTS)) | set(ids(PROJECT_ID)))),
        gross=_gross(params),
        ignored=tuple(ignored),
    )
