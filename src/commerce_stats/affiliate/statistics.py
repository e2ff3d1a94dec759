"""Statistic reports: each report a definition, all through one aggregation.

``report_rows`` groups transactions (per status: count, turnover, commission), clicks and
views by the definition's key and merges them by key. Rows are per (key, currency): a key
whose transactions are in several currencies has one row per currency, and its clicks
and views stand on each of them; a key with traffic only has one row with an empty
currency. Conversion rate = transactions of every status / clicks; EPC = commission of
confirmed and paid-out transactions / clicks; both 0 without clicks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection

from commerce_stats.affiliate import statistics_repository as stats_sql
from commerce_stats.affiliate.export_lines import Money
from commerce_stats.affiliate.repository import TransactionQuery
from commerce_stats.kit.exports import Cell
from commerce_stats.kit.timeutil import to_local

STATUS_WORDS = ("open", "confirmed", "canceled", "paidout")
METRIC_COLUMNS = (
    "views",
    "clicks",
    *(
        f"all_{word}_{metric}"
        for word in STATUS_WORDS
        for metric in ("count", "turnover", "provision")
    ),
    "conversion_rate",
    "epc",
)
ADMIN = "admin"
PUBLISHER = "publisher"


Fold = Callable[[tuple[Any, ...], str], Any]
"""(the key's values as read, the network's time zone) -> the report's criterion."""


def _first(values: tuple[Any, ...], tz: str) -> Any:
    return values[0]


def local_day(values: tuple[Any, ...], tz: str) -> str:
    """A UTC quarter hour (seconds since 1970 // 900) as the network-local ISO day."""
    moment = datetime.fromtimestamp(int(values[0]) * stats_sql.QUARTER_SECONDS, UTC)
    return to_local(moment, tz).date().isoformat()


def referrer_host(values: tuple[Any, ...], tz: str) -> str:
    """The referrer's host in lower case; ``NONE`` when there is none."""
    return _host(str(values[0])) or NO_REFERRER


def _host(referrer: str) -> str:
    text = referrer.strip()
    if not text or text == "://NONE":
        return ""
    if "://" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    return host.lower()


def channel(values: tuple[Any, ...], tz: str) -> str:
    """The channel a referrer stands for: direct (none), email (a webmail host), search
    (a search engine), social (a social network), otherwise referral."""
    host = _host(str(values[0]))
    if not host:
        return "direct"
    labels = host.split(".")
    name = _site_name(labels)
    if labels[0] in MAIL_HOST_LABELS or name in MAIL_SITES:
        return "email"
    if name in SEARCH_SITES:
        return "search"
    if name in SOCIAL_SITES:
        return "social"
    return "referral"


def _site_name(labels: list[str]) -> str:
    """The label before the public suffix: ``google`` of ``www.google.co.uk``."""
    if len(labels) >= 3 and labels[-2] in SECOND_LEVEL_SUFFIXES:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def journey(values: tuple[Any, ...], tz: str) -> str:
    """click, view or none (a transaction that names neither)."""
    return str(values[0]) or "none"


def campaign_and_admedia(values: tuple[Any, ...], tz: str) -> str:
    """``campaign:admedia``: the variants of an A/B test are a campaign's admedia."""
    return f"{values[0]}:{values[1]}"


NO_REFERRER = "NONE"
MAIL_HOST_LABELS = frozenset({"mail", "webmail", "email"})
MAIL_SITES = frozenset({"gmx", "outlook", "t-online", "web", "freenet", "posteo", "protonmail"})
SEARCH_SITES = frozenset(
    {"google", "bing", "duckduckgo", "ecosia", "yahoo", "yandex", "baidu", "qwant", "startpage"}
)
SOCIAL_SITES = frozenset(
    {
        "facebook",
        "instagram",
        "twitter",
        "x",
        "t",
        "linkedin",
        "pinterest",
        "tiktok",
        "youtube",
        "reddit",
        "xing",
        "whatsapp",
    }
)
SECOND_LEVEL_SUFFIXES = frozenset({"co", "com", "org", "net", "ac", "gov"})


@dataclass(frozen=True, slots=True)
class ReportDefinition:
    """One statistic report: its name, its group key, how the key's values become the
    criterion, and the sides (admin, publisher) that may read it."""

    name: str
    key: str
    fold: Fold = _first
    sides: tuple[str, ...] = (ADMIN, PUBLISHER)

    @property
    def columns(self) -> tuple[str, ...]:
        return ("criterion", "currency", *METRIC_COLUMNS)


DEFINITIONS: dict[str, ReportDefinition] = {
    definition.name: definition
    for definition in (
        ReportDefinition("daily", "quarter", local_day),
        ReportDefinition("advertiser", "advertiser_id"),
        ReportDefinition("campaign", "campaign_id"),
        ReportDefinition("media", "admedia_id"),
        ReportDefinition("publisher", "publisher_id", sides=(ADMIN,)),
        ReportDefinition("project", "project_id"),
        ReportDefinition("subid", "subid"),
        ReportDefinition("referrer", "referrer", referrer_host),
        ReportDefinition("channel", "referrer", channel),
        ReportDefinition("provisionsgroup", "commission_group_id"),
        ReportDefinition("trigger", "trigger_id"),
        ReportDefinition("journey", "journey", journey),
        ReportDefinition("abtest", "campaign_admedia", campaign_and_admedia),
        ReportDefinition("devicetype", "devicetype"),
        ReportDefinition("device", "device"),
        ReportDefinition("browser", "browser"),
        ReportDefinition("os", "os"),
        ReportDefinition("geocountry", "country"),
    )
}
"""Every report served through ``report_rows``, by name, in the product's order."""


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One line of a report: the key, currency, traffic and per-status totals (minor units)."""

    criterion: Any
    currency: str
    views: int
    clicks: int
    totals: tuple[int, ...]
    """count, turnover, commission for open, confirmed, canceled, paid out (12 numbers)."""

    @property
    def transactions(self) -> int:
        return sum(self.totals[0::3])

    @property
    def earned_commission(self) -> int:
        """Commission of confirmed and paid-out transactions (minor units)."""
        return self.totals[5] + self.totals[11]


def ratio(numerator: int, clicks: int) -> Decimal:
    """numerator / clicks to four places (half up); 0 without clicks."""
    if clicks == 0:
        return Decimal("0.0000")
    return (Decimal(numerator) / Decimal(clicks)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def epc(row: ReportRow, money: Money) -> Decimal:
    """Earned commission (confirmed and paid out) per click, in currency units to four
    places (half up); 0 without clicks or transactions."""
    if row.clicks == 0 or not row.currency:
        return Decimal("0.0000")
    earned = money.amount(row.earned_commission, row.currency)
    return (earned / row.clicks).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def cells(row: ReportRow, money: Money) -> tuple[Cell, ...]:
    """A report row as the export's values: money in the currency's digits."""
    values: list[Cell] = [row.criterion, row.currency, row.views, row.clicks]
    for index, number in enumerate(row.totals):
        if index % 3 == 0 or not row.currency:
            values.append(number)
        else:
            values.append(money.amount(number, row.currency))
    values.append(ratio(row.transactions, row.clicks))
    values.append(epc(row, money))
    return tuple(values)


def report_rows(
    conn: Connection,
    query: TransactionQuery,
    definition: ReportDefinition,
    gross: bool = False,
    tz: str = "UTC",
) -> Iterator[ReportRow]:
    """The report's rows, sorted by criterion then currency. ``query`` already carries the
    owner's scope (a publisher's query names that publisher only); ``tz`` is the network's
    time zone (the daily report's days)."""
    width = _key_width(definition)
    traffic: dict[str, dict[Any, int]] = {name: {} for name in stats_sql.TRAFFIC_TABLES}
    for name, table in stats_sql.TRAFFIC_TABLES.items():
        counts = traffic[name]
        for row in stats_sql.traffic_counts(conn, query, definition.key, table, gross):
            values = tuple(row)
            criterion = definition.fold(values[:width], tz)
            counts[criterion] = counts.get(criterion, 0) + int(values[width])
    lines: dict[tuple[Any, str], list[int]] = {}
    for row in stats_sql.transaction_totals(conn, query, definition.key):
        values = tuple(row)
        line_key = (definition.fold(values[:width], tz), values[width])
        line = lines.setdefault(line_key, [0] * 12)
        for index, value in enumerate(values[width + 1 :]):
            line[index] += int(value)
    keyed = {criterion for criterion, _ in lines}
    for criterion in set(traffic["clicks"]) | set(traffic["views"]):
        if criterion not in keyed:
            lines[(criterion, "")] = [0] * 12
    for criterion, currency in sorted(lines):
        yield ReportRow(
            criterion,
            currency,
            traffic["views"].get(criterion, 0),
            traffic["clicks"].get(criterion, 0),
            tuple(lines[(criterion, currency)]),
        )


def _key_width(definition: ReportDefinition) -> int:
    """How many values the definition's key reads (campaign and admedia: two)."""
    return 2 if definition.key == "campaign_admedia" else 1
