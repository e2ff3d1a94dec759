"""Statistic reports: each report a definition, all through one aggregation.

``report_rows`` groups transactions (per status: count, turnover, commission), clicks and
views by the definition's key and merges them by key. Rows are per (key, currency): a key
whose transactions are in several currencies has one row per currency, and its clicks
and views stand on each of them; a key with traffic only has one row with an empty
currency. Conversion rate = transactions of every status / clicks; EPC = commission of
confirmed and paid-out transactions / clicks; both 0 without clicks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Connection

from commerce_stats.affiliate import statistics_repository as stats_sql
from commerce_stats.affiliate.export_lines import Money
from commerce_stats.affiliate.repository import TransactionQuery
from commerce_stats.kit.exports import Cell

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


@dataclass(frozen=True, slots=True)
class ReportDefinition:
    """One statistic report: its name, the sides that may read it and its group key."""

    name: str
    key: str
    sides: tuple[str, ...] = (ADMIN, PUBLISHER)

    @property
    def columns(self) -> tuple[str, ...]:
        return ("criterion", "currency", *METRIC_COLUMNS)


DEFINITIONS: dict[str, ReportDefinition] = {
    definition.name: definition
    for definition in (
        ReportDefinition("campaign", "campaign_id"),
        ReportDefinition("publisher", "publisher_id", (ADMIN,)),
        ReportDefinition("project", "project_id"),
        ReportDefinition("subid", "subid"),
        ReportDefinition("media", "admedia_id"),
        ReportDefinition("geocountry", "country"),
        ReportDefinition("devicetype", "devicetype"),
        ReportDefinition("device", "device"),
        ReportDefinition("browser", "browser"),
        ReportDefinition("os", "os"),
    )
}
"""Every report served through ``report_rows``, by name."""


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
    paid: bool | None = None,
) -> Iterator[ReportRow]:
    """The report's rows, sorted by key then currency. ``query`` already carries the
    owner's scope (a publisher's query names that publisher only)."""
    key = definition.key
    traffic: dict[str, dict[Any, int]] = {}
    for name, table in stats_sql.TRAFFIC_TABLES.items():
        traffic[name] = {
            row.key: row.n for row in stats_sql.traffic_counts(conn, query, key, table, gross)
        }
    lines: dict[tuple[Any, str], tuple[int, ...]] = {}
    for row in stats_sql.transaction_totals(conn, query, key, paid):
        values: tuple[Any, ...] = tuple(row)
        lines[(values[0], values[1])] = tuple(int(value) for value in values[2:])
    keyed = {line_key for line_key, _ in lines}
    for traffic_key in set(traffic["clicks"]) | set(traffic["views"]):
        if traffic_key not in keyed:
            lines[(traffic_key, "")] = (0,) * 12
    for criterion, currency in sorted(lines):
        yield ReportRow(
            criterion,
            currency,
            traffic["views"].get(criterion, 0),
            traffic["clicks"].get(criterion, 0),
            lines[(criterion, currency)],
        )
