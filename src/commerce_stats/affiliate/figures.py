"""The affiliate domain's public face for the dashboard: typed figures and the export it offers.

The dashboard selects transactions by a period of the network's local days and, optionally,
one status; the same selection, written in the Transaktions-API's ``condition[...]`` names,
feeds the figures and the download, so both always agree with the export URLs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Row

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import exporting, repository, statistics
from commerce_stats.affiliate.access import Owner
from commerce_stats.affiliate.errors import AffiliateError
from commerce_stats.affiliate.export_lines import Money
from commerce_stats.affiliate.filters import Filters, dotted_day, parse_filters
from commerce_stats.affiliate.rules import CANCELED, STATUS_BY_NAME, STATUS_NAMES
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.db.engine import Database
from commerce_stats.kit.exports import ExportFormat
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import local_today, to_local

__all__ = [
    "CANCELED",
    "STATUS_BY_NAME",
    "STATUS_NAMES",
    "AffiliateFigures",
    "DailyTrafficLine",
    "DayLine",
    "Download",
    "RankedLine",
    "Selection",
    "SelectionError",
    "StatusSums",
    "TrafficFigures",
    "TrafficLine",
    "affiliate_figures",
    "daily_traffic",
    "traffic_figures",
    "transactions_download",
]


class SelectionError(Exception):
    """The selection is one the network does not answer (the message says why)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Selection:
    """Transactions created on the local days ``first`` to ``last``, of one status or all."""

    first: date
    last: date
    status: str | None = None

    def conditions(self) -> list[tuple[str, str]]:
        """The same selection in the Transaktions-API's ``condition[...]`` names."""
        params = [
            ("condition[period][from]", dotted_day(self.first)),
            ("condition[period][to]", dotted_day(self.last)),
        ]
        if self.status is not None:
            params.append(("condition[l:status]", self.status))
        return params


def _zero_per_status() -> dict[int, int]:
    return dict.fromkeys(STATUS_NAMES, 0)


@dataclass(slots=True)
class StatusSums:
    """Count, turnover and commission (minor units of the line's currency) per status code."""

    counts: dict[int, int] = field(default_factory=_zero_per_status)
    turnover: dict[int, int] = field(default_factory=_zero_per_status)
    commission: dict[int, int] = field(default_factory=_zero_per_status)

    def add(self, status: int, turnover: int, commission: int) -> None:
        self.counts[status] += 1
        self.turnover[status] += turnover
        self.commission[status] += commission


@dataclass(frozen=True, slots=True)
class DayLine:
    """The transactions of one local day in one currency."""

    day: date
    currency: str
    sums: StatusSums


@dataclass(frozen=True, slots=True)
class RankedLine:
    """The transactions of one campaign or publisher in one currency.

    ``name`` is the campaign's title or the publisher's first and last name (the id when
    there is none); ``detail`` the publisher's search title (empty for campaigns).
    """

    id: int
    name: str
    detail: str
    currency: str
    sums: StatusSums


@dataclass(frozen=True, slots=True)
class AffiliateFigures:
    """Per-day, per-campaign and per-publisher totals of an account's selected transactions."""

    first_day: date
    last_day: date
    daily: list[DayLine]
    campaigns: list[RankedLine]
    publishers: list[RankedLine]


class _Summaries:
    """The three summaries fed by one pass over the selected transactions."""

    def __init__(self, timezone: str) -> None:
        self.timezone = timezone
        self.days: dict[tuple[date, str], StatusSums] = {}
        self.campaigns: dict[tuple[int, str], tuple[str, StatusSums]] = {}
        self.publishers: dict[tuple[int, str], tuple[str, str, StatusSums]] = {}

    def add(self, row: Row[Any]) -> None:
        day = to_local(row.moment, self.timezone).date()
        self.days.setdefault((day, row.currency), StatusSums()).add(*_amounts(row))
        campaign = self.campaigns.setdefault(
            (row.campaign_id, row.currency),
            (str(row.campaign_title or row.campaign_id), StatusSums()),
        )
        campaign[1].add(*_amounts(row))
        name = " ".join(str(part) for part in (row.prename, row.surname) if part)
        publisher = self.publishers.setdefault(
            (row.publisher_id, row.currency),
            (name or str(row.publisher_id), str(row.searchtitle or ""), StatusSums()),
        )
        publisher[2].add(*_amounts(row))


def _amounts(row: Row[Any]) -> tuple[int, int, int]:
    return row.status, row.turnover_minor, row.commission_minor


def _day_lines(days: Mapping[tuple[date, str], StatusSums]) -> list[DayLine]:
    return [DayLine(day, currency, days[day, currency]) for day, currency in sorted(days)]


def _campaign_lines(lines: Mapping[tuple[int, str], tuple[str, StatusSums]]) -> list[RankedLine]:
    return [
        RankedLine(key[0], name, "", key[1], sums) for key, (name, sums) in sorted(lines.items())
    ]


def _publisher_lines(
    lines: Mapping[tuple[int, str], tuple[str, str, StatusSums]],
) -> list[RankedLine]:
    return [
        RankedLine(key[0], name, detail, key[1], sums)
        for key, (name, detail, sums) in sorted(lines.items())
    ]


@dataclass(frozen=True, slots=True)
class TrafficLine:
    """Clicks and views of one campaign, publisher or admedia (id 0 = none), and in one
    currency its conversion rate (transactions per click) and EPC (earned commission per
    click, currency units); ``currency`` is empty for traffic without transactions."""

    id: int
    currency: str
    clicks: int
    views: int
    conversion_rate: Decimal
    epc: Decimal


@dataclass(frozen=True, slots=True)
class TrafficFigures:
    """Net clicks and views of the selection per campaign, publisher and admedia."""

    campaigns: list[TrafficLine]
    publishers: list[TrafficLine]
    admedia: list[TrafficLine]


def _filters(account: Account, selection: Selection) -> Filters:
    try:
        return parse_filters(selection.conditions(), local_today(account.timezone))
    except AffiliateError as refusal:
        raise SelectionError(refusal.message) from None


def _query(account: Account, selection: Selection) -> repository.TransactionQuery:
    return exporting.build_query(Owner(account, None), _filters(account, selection))


def traffic_figures(database: Database, account: Account, selection: Selection) -> TrafficFigures:
    """The account's traffic for ``selection``, through the statistic reports' aggregation
    (``campaign``, ``publisher`` and ``media``), so the page and the reports agree."""
    query = _query(account, selection)
    money = Money()
    lines: dict[str, list[TrafficLine]] = {}
    with database.read_replica() as conn:  # dashboard figures may lag: read on a replica
        for name in ("campaign", "publisher", "media"):
            rows = statistics.report_rows(conn, query, statistics.DEFINITIONS[name])
            lines[name] = [
                TrafficLine(
                    int(row.criterion),
                    row.currency,
                    row.clicks,
                    row.views,
                    statistics.ratio(row.transactions, row.clicks),
                    statistics.epc(row, money),
                )
                for row in rows
            ]
    return TrafficFigures(lines["campaign"], lines["publisher"], lines["media"])


@dataclass(frozen=True, slots=True)
class DailyTrafficLine:
    """Net clicks and views of one local day and, in one currency, that day's transactions
    (every status the selection keeps), conversion rate (transactions per click) and EPC
    (earned commission per click, currency units). ``currency`` is empty on a day without
    transactions; such a day's rate and EPC are 0."""

    day: date
    currency: str
    clicks: int
    views: int
    transactions: int
    conversion_rate: Decimal
    epc: Decimal


def _daily_line(row: statistics.ReportRow, money: Money) -> DailyTrafficLine:
    return DailyTrafficLine(
        date.fromisoformat(str(row.criterion)),
        row.currency,
        row.clicks,
        row.views,
        row.transactions,
        statistics.ratio(row.transactions, row.clicks),
        statistics.epc(row, money),
    )


def _quiet_day(day: date) -> DailyTrafficLine:
    return DailyTrafficLine(day, "", 0, 0, 0, Decimal("0.0000"), Decimal("0.0000"))


def daily_traffic(
    database: Database, account: Account, selection: Selection
) -> list[DailyTrafficLine]:
    """The account's traffic per local day of ``selection`` (the account's time zone, so a
    day may have 23 or 25 hours), through the ``daily`` statistic report, so the page and
    that report agree. Every day of the selection has at least one line, a day without
    clicks, views or transactions a line of zeros, so a chart over the days has no holes.
    A day with transactions in several currencies has one line per currency, each with
    the day's clicks and views."""
    filters = _filters(account, selection)
    query = exporting.build_query(Owner(account, None), filters)
    money = Money()
    with database.read_replica() as conn:  # dashboard figures may lag: read on a replica
        rows = statistics.report_rows(
            conn, query, statistics.DEFINITIONS["daily"], tz=account.timezone
        )
        lines = [_daily_line(row, money) for row in rows]
    seen = {line.day for line in lines}
    span = (filters.last_day - filters.first_day).days + 1
    every_day = (filters.first_day + timedelta(days=n) for n in range(span))
    lines.extend(_quiet_day(day) for day in every_day if day not in seen)
    return sorted(lines, key=lambda line: (line.day, line.currency))


def affiliate_figures(
    database: Database, account: Account, selection: Selection
) -> AffiliateFigures:
    """The account's totals for ``selection`` (the export filters' names and rules).

    One streamed pass over the selected transactions feeds all three summaries, so
    memory grows with the number of days, campaigns and publishers, not transactions.
    """
    filters = _filters(account, selection)
    query = exporting.build_query(Owner(account, None), filters)
    summaries = _Summaries(account.timezone)
    with database.read_replica() as conn:  # dashboard figures may lag: read on a replica
        for row in repository.stream_summary_rows(conn, query):
            summaries.add(row)
    return AffiliateFigures(
        first_day=filters.first_day,
        last_day=filters.last_day,
        daily=_day_lines(summaries.days),
        campaigns=_campaign_lines(summaries.campaigns),
        publishers=_publisher_lines(summaries.publishers),
    )


@dataclass(frozen=True, slots=True)
class Download:
    """A transactions export ready to stream."""

    filename: str
    export_format: ExportFormat
    body: Iterator[bytes]


def transactions_download(
    database: Database,
    accounts: Accounts,
    account: Account,
    export_format: ExportFormat,
    selection: Selection,
    progress: exporting.Progress | None = None,
) -> Download:
    """The account's transactions export (the admin role's bytes) for a signed-in viewer;
    ``progress`` may stop it (see ``affiliate.exporting.Progress``)."""
    try:
        prepared = exporting.account_export(
            AffiliateNetwork(database, accounts),
            account,
            export_format,
            selection.conditions(),
            progress,
        )
    except AffiliateError as refusal:
        raise SelectionError(refusal.message) from None
    return Download(prepared.filename, prepared.export_format, prepared.body)
