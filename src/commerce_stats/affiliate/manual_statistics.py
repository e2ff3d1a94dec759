"""Manual statistics: traffic and sales the tracker did not see, entered by an operator.

A row names a network-local day, a campaign, a publisher that is a member of it, and
optionally a project of that publisher and an admedia of that campaign (0 = none); it
carries views, clicks and, per status (open, confirmed, canceled, paid), a count, the
commission and the turnover in the campaign's currency, and a note. Rows are a report of
their own (``get-statistic_manualstatistics``): the other reports never add them in, so no
figure is counted twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row

from commerce_stats.affiliate import manual_statistics_repository as store
from commerce_stats.affiliate import repository
from commerce_stats.affiliate.errors import (
    InvalidManualAmountError,
    InvalidPeriodError,
    ManualPublisherNotAMemberError,
    ManualStatisticNotFoundError,
    NegativeCountError,
    UnknownManualReferenceError,
)
from commerce_stats.affiliate.repository import TransactionQuery
from commerce_stats.affiliate.rules import MAX_AMOUNT_MINOR, STATUS_BY_NAME, parse_amount
from commerce_stats.affiliate.statistics import ADMIN, ReportDefinition, ReportRow
from commerce_stats.affiliate.tables import MANUAL_STATUSES
from commerce_stats.db.engine import Database
from commerce_stats.kit.money import format_minor
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import utc_now


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """What an operator enters for one status: a count and two decimal amounts as text."""

    count: int = 0
    commission: str = "0"
    turnover: str = "0"


@dataclass(frozen=True, slots=True)
class ManualEntry:
    day: date
    campaign_id: int
    publisher_id: int
    project_id: int = 0
    admedia_id: int = 0
    views: int = 0
    clicks: int = 0
    statuses: dict[str, StatusEntry] | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class StatusFigures:
    count: int
    commission: str
    turnover: str


@dataclass(frozen=True, slots=True)
class ManualStatistic:
    """A stored row; amounts as decimal text in the campaign's currency."""

    id: int
    day: date
    campaign_id: int
    publisher_id: int
    project_id: int
    admedia_id: int
    views: int
    clicks: int
    open: StatusFigures
    confirmed: StatusFigures
    canceled: StatusFigures
    paid: StatusFigures
    currency: str
    note: str
    created_at: datetime


def statistic_of(row: Row[Any]) -> ManualStatistic:
    figures = {
        status: StatusFigures(
            getattr(row, f"{status}_count"),
            format_minor(getattr(row, f"{status}_commission_minor"), row.currency),
            format_minor(getattr(row, f"{status}_turnover_minor"), row.currency),
        )
        for status in MANUAL_STATUSES
    }
    return ManualStatistic(
        id=row.id,
        day=row.day,
        campaign_id=row.campaign_id,
        publisher_id=row.publisher_id,
        project_id=row.project_id,
        admedia_id=row.admedia_id,
        views=row.views,
        clicks=row.clicks,
        currency=row.currency,
        note=row.note,
        created_at=row.created_at,
        **figures,
    )


def _count(value: int, field: str) -> int:
    if value < 0:
        raise NegativeCountError(field, f"{field} must not be negative")
    if value > MAX_AMOUNT_MINOR:
        raise NegativeCountError(field, f"{field} must not exceed {MAX_AMOUNT_MINOR}")
    return value


def _amount(text: str, currency: str, field: str) -> int:
    try:
        return parse_amount(text, currency)
    except ValueError as error:
        raise InvalidManualAmountError(field, f"{field}: {error}") from error


def _checked_references(conn: Connection, account_id: int, entry: ManualEntry) -> str:
    """The campaign's currency, once every id of ``entry`` names something of the account."""
    campaign = repository.item(conn, "campaigns", account_id, entry.campaign_id)
    if campaign is None:
        raise UnknownManualReferenceError("campaign_id", f"campaign {entry.campaign_id} not found")
    if repository.item(conn, "publishers", account_id, entry.publisher_id) is None:
        raise UnknownManualReferenceError(
            "publisher_id", f"publisher {entry.publisher_id} not found"
        )
    if not store.is_member(conn, account_id, entry.campaign_id, entry.publisher_id):
        raise ManualPublisherNotAMemberError(
            "publisher_id",
            f"publisher {entry.publisher_id} is no member of campaign {entry.campaign_id}",
        )
    if entry.project_id:
        project = repository.item(conn, "projects", account_id, entry.project_id)
        if project is None or project.publisher_id != entry.publisher_id:
            raise UnknownManualReferenceError(
                "project_id", f"project {entry.project_id} is no project of this publisher"
            )
    admedia_campaign = store.admedia_campaign(conn, account_id, entry.admedia_id)
    if entry.admedia_id and admedia_campaign != entry.campaign_id:
        raise UnknownManualReferenceError(
            "admedia_id", f"admedia {entry.admedia_id} is no admedia of this campaign"
        )
    currency: str = campaign.currency
    return currency


def _values(entry: ManualEntry, currency: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "day": entry.day,
        "campaign_id": entry.campaign_id,
        "publisher_id": entry.publisher_id,
        "project_id": _count(entry.project_id, "project_id"),
        "admedia_id": _count(entry.admedia_id, "admedia_id"),
        "views": _count(entry.views, "views"),
        "clicks": _count(entry.clicks, "clicks"),
        "currency": currency,
        "note": entry.note,
        "created_at": utc_now(),
    }
    given = entry.statuses or {}
    for status in MANUAL_STATUSES:
        figures = given.get(status, StatusEntry())
        values[f"{status}_count"] = _count(figures.count, f"{status}.count")
        values[f"{status}_commission_minor"] = _amount(
            figures.commission, currency, f"{status}.commission"
        )
        values[f"{status}_turnover_minor"] = _amount(
            figures.turnover, currency, f"{status}.turnover"
        )
    return values


class ManualStatistics:
    """Create, list and delete an account's manual statistic rows."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def create(self, account: Account, entry: ManualEntry) -> ManualStatistic:
        """Stores one row once every field is valid; a refusal stores nothing."""
        with self.database.write() as conn:
            currency = _checked_references(conn, account.id, entry)
            values = _values(entry, currency)
            row_id = repository.allocate_ids(conn, account.id, store.SEQUENCE)
            store.insert_row(conn, {"account_id": account.id, "id": row_id, **values})
            stored = store.row(conn, account.id, row_id)
        assert stored is not None
        return statistic_of(stored)

    def listing(
        self, account: Account, start: date | None = None, end: date | None = None
    ) -> list[ManualStatistic]:
        """The rows whose day lies in ``start``..``end`` (both inclusive, either open)."""
        if start is not None and end is not None and end < start:
            raise InvalidPeriodError("end", "end must not be before start")
        with self.database.read() as conn:
            return [statistic_of(row) for row in store.rows(conn, account.id, start, end)]

    def delete(self, account: Account, row_id: int) -> None:
        with self.database.write() as conn:
            if not store.delete_row(conn, account.id, row_id):
                raise ManualStatisticNotFoundError(row_id)


# -- the manualstatistics report ------------------------------------------------------------

MANUAL_DEFINITION = ReportDefinition("manualstatistics", "day", sides=(ADMIN,))
"""``get-statistic_manualstatistics``: the manual rows by day (criterion = the day), with the
daily report's columns; admins only. The other reports never add manual rows in."""


def _first_local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The first network-local day whose midnight is at or after ``moment``."""
    local = moment.astimezone(zone)
    return local.date() if local.time() == time(0) else local.date() + timedelta(days=1)


def report_rows(conn: Connection, query: TransactionQuery, zone: str) -> Iterator[ReportRow]:
    """The manual rows of the days whose local midnight lies in ``query``'s period, summed
    per (day, currency); a status filter keeps the chosen statuses' figures only."""
    network_zone = ZoneInfo(zone)
    rows = store.day_totals(
        conn,
        query.account_id,
        _first_local_day(query.start, network_zone),
        _first_local_day(query.end, network_zone),
        query.campaigns,
        query.publishers,
        query.projects,
        query.advertisers,
    )
    for row in rows:
        values = [int(value) for value in tuple(row)[2:]]
        totals = values[2:]
        if query.statuses:
            for index, name in enumerate(MANUAL_STATUSES):
                if STATUS_BY_NAME[name] not in query.statuses:
                    totals[index * 3 : index * 3 + 3] = [0, 0, 0]
        yield ReportRow(row.day, row.currency, values[0], values[1], tuple(totals))
