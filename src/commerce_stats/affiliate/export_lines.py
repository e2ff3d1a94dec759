"""One transaction as the seed's export values, and its CSV text stored with it.

Every export format starts from ``transaction_cells``: the 43 values of the
seed's table for one transaction, timestamps in the network's time zone and
amounts as exact decimals.

The transactions CSV is the export asked for most, and the largest; building
43 Python values per row would cap it far below what the database can read.
So each transaction also keeps the CSV text of the fields that are its own:
``export_head`` (fields 1-33, ``id`` to ``campaign_group_title``) and
``export_tail`` (fields 40-43, ``referrer`` to ``basket_items``). The six
fields between them name the campaign and the publisher, which can be renamed
at any time, so the export joins them in as it reads. The stored text is
rendered by the same ``transaction_cells`` and the same CSV rules as every
other export, whenever a transaction is written.

A publisher's link exports other columns (``PUBLISHER_COLUMNS``), so each
transaction keeps their text as well, rendered in the same write:
``publisher_head`` (``criterion`` and ``trackingtime``) and ``publisher_tail``
(``event`` to ``basket_count``); the five fields between them
(``PUBLISHER_JOINED_FIELDS``) name the advertiser, the campaign and the project
and are joined in as the export reads.

``export_key`` records what the text (both lines) was rendered under: the rendering's
version and the account's time zone. A row whose key differs from the current
one (the account moved to another zone, or a release changed the rendering)
is rendered again before a CSV export reads it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from commerce_stats.affiliate.rules import (
    NOT_PAID_OUT,
    OPEN,
    conversion_type,
    trigger_value_decimal,
)
from commerce_stats.affiliate.tables import transactions
from commerce_stats.kit.exports import Cell, CsvFields, csv_line
from commerce_stats.kit.money import exponent
from commerce_stats.kit.timeutil import zone

TRANSACTION_COLUMNS = (
    "id", "status", "timestamp", "campaign_id", "ordertoken", "source", "project_id", "type",
    "commission", "commission_group_id", "trigger_id", "description", "trigger_value",
    "trigger_type", "turnover", "action_id", "salary_id", "session_id", "order_currency",
    "status_change_date", "cancel_reason", "source_turnover", "last_change", "user_agent",
    "order_actions_id", "bonus_id", "customer_journey_status", "ebestid", "order_timestamp",
    "action_timestamp", "trigger_title", "payoutdate", "campaign_group_title", "campaign_title",
    "advertiser_id", "publisher_id", "publisher_prename", "publisher_surname",
    "publisher_searchtitle", "referrer", "country", "subid", "basket_items",
)  # fmt: skip
"""Every field of the seed's table, in its order: the header of every transactions export."""

RENDERING_VERSION = 2
"""Raise when the rendering of a stored field changes: every row is rendered again.
2: the publisher's line is stored too (``publisher_head``, ``publisher_tail``)."""

HEAD_FIELDS = 33
"""``id`` .. ``campaign_group_title``: the fields before the campaign's title."""
TAIL_START = 39
"""``referrer``: the first field after the publisher's search title."""

EXPORT_FIELDS = (
    "id",
    "status",
    "created_at",
    "campaign_id",
    "ordertoken",
    "source",
    "project_id",
    "commission_minor",
    "commission_group_id",
    "trigger_id",
    "description",
    "trigger_value_scaled",
    "trigger_type",
    "turnover_minor",
    "click_id",
    "salary_id",
    "currency",
    "status_change_date",
    "cancel_reason",
    "source_turnover_minor",
    "last_change",
    "user_agent",
    "ebestid",
    "order_timestamp",
    "action_timestamp",
    "trigger_title",
    "payoutdate",
    "campaign_group_title",
    "campaign_title",
    "advertiser_id",
    "publisher_id",
    "prename",
    "surname",
    "searchtitle",
    "referrer",
    "country",
    "subid",
    "basket_items",
    "view_id",
)
"""What ``transaction_cells`` reads, in order: the one list the repository selects by."""
JOINED_FIELDS = (
    "campaign_title",
    "advertiser_id",
    "publisher_id",
    "prename",
    "surname",
    "searchtitle",
)
"""The fields between a stored line's head and tail, read with every export (the campaign's
title and the publisher's names can change at any time)."""
TIMESTAMP_FIELDS = (
    "created_at",
    "status_change_date",
    "last_change",
    "order_timestamp",
    "action_timestamp",
    "payoutdate",
)
"""The fields read as the driver's raw UTC value (``LocalClock.raw_text`` formats them)."""

_JOINED_POSITIONS = tuple(
    EXPORT_FIELDS.index(name) for name in ("campaign_title", "prename", "surname", "searchtitle")
)
_TIMESTAMP_POSITIONS = tuple(EXPORT_FIELDS.index(name) for name in TIMESTAMP_FIELDS)
_EXPORT_POSITION = {name: position for position, name in enumerate(EXPORT_FIELDS)}
_TABLE_COLUMNS = [column.key for column in transactions.columns]
_TABLE_POSITIONS = tuple(
    _TABLE_COLUMNS.index(name) if name in _TABLE_COLUMNS else 0 for name in EXPORT_FIELDS
)
"""Where each export field sits in a row of the transactions table (joined fields: any)."""


def export_key(tz: str) -> str:
    """What stored text rendered now for a network in zone ``tz`` is labelled with."""
    return f"{RENDERING_VERSION}:{tz}"


class LocalClock:
    """UTC -> ``YYYY-MM-DD HH:MM:SS`` in one zone, fast enough for millions of values.

    Exports format six timestamps per row. Zone offsets are whole minutes, so
    the local text of a UTC minute, computed once and remembered, plus the
    seconds gives the local text of every instant in that minute. Most zones
    are a whole number of hours off UTC, and keep one offset through an hour
    (a change falls on the hour), so for them the local text of a UTC hour is
    remembered instead and serves every instant of that hour. Values come
    either as aware datetimes or as the driver's raw UTC value (SQLite text
    ``YYYY-MM-DD HH:MM:SS.ffffff``, a naive datetime from PostgreSQL).
    """

    CACHE_LIMIT = 200_000

    def __init__(self, tz: str) -> None:
        self.zone = zone(tz)
        self._hours: dict[str, str | None] = {}
        self._minutes: dict[str, str] = {}

    def text(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        return self.raw_text(moment.astimezone(UTC).replace(tzinfo=None))

    def raw_text(self, value: str | datetime | None) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            value = value.isoformat(" ", "seconds")
        hour = value[:13]
        local_hour = self._hours.get(hour, "")
        if local_hour == "":
            local_hour = self._local_hour(hour)
        if local_hour is not None:
            return local_hour + value[13:19]
        return self._local_minute(value[:16]) + value[16:19]

    def _local_hour(self, hour: str) -> str | None:
        """``YYYY-MM-DD HH`` local for a UTC hour, or None when minutes need their own text."""
        if len(self._hours) >= self.CACHE_LIMIT:
            self._hours.clear()
        start = datetime.fromisoformat(hour + ":00").replace(tzinfo=UTC)
        first = start.astimezone(self.zone)
        last = (start + timedelta(minutes=59, seconds=59)).astimezone(self.zone)
        offset = first.utcoffset()
        local: str | None = None
        if offset == last.utcoffset() and offset is not None and offset.seconds % 3600 == 0:
            local = first.isoformat(" ", "hours")[:13]
        self._hours[hour] = local
        return local

    def _local_minute(self, minute: str) -> str:
        local = self._minutes.get(minute)
        if local is None:
            if len(self._minutes) >= self.CACHE_LIMIT:
                self._minutes.clear()
            moment = datetime.fromisoformat(minute).replace(tzinfo=UTC)
            local = moment.astimezone(self.zone).isoformat(" ", "minutes")[:16]
            self._minutes[minute] = local
        return local


class Money:
    """Minor units -> exact ``Decimal`` with the currency's digits (12 34 -> 12.34)."""

    def __init__(self) -> None:
        self._digits: dict[str, int] = {}

    def amount(self, minor: int, currency: str) -> Decimal:
        digits = self._digits.get(currency)
        if digits is None:
            digits = self._digits[currency] = -exponent(currency)
        return Decimal(minor).scaleb(digits)


def transaction_cells(row: Sequence[Any], clock: LocalClock, money: Money) -> tuple[Cell, ...]:
    """One transaction (``repository.EXPORT_COLUMNS``, in order) as the seed's 43 values.

    ``action_id`` is the click's id, or for a postview sale the view's id.

    The row is unpacked by position: attribute access by name would cost more
    than the formatting itself on exports of millions of rows.
    """
    (
        transaction_id, status, created_at, campaign_id, ordertoken, source, project_id,
        commission, group_id, trigger_id, description, trigger_value, trigger_type, turnover,
        click_id, salary_id, currency, status_change_date, cancel_reason, source_turnover,
        last_change, user_agent, ebestid, order_timestamp, action_timestamp, trigger_title,
        payoutdate, group_title, campaign_title, advertiser_id, publisher_id, prename, surname,
        searchtitle, referrer, country, subid, basket_items, view_id,
    ) = row  # fmt: skip
    text = clock.raw_text
    amount = money.amount
    return (
        transaction_id,
        status,
        text(created_at),
        campaign_id,
        ordertoken,
        source,
        project_id,
        conversion_type(trigger_type),
        amount(commission, currency),
        group_id,
        trigger_id,
        description,
        trigger_value_decimal(trigger_type, trigger_value, currency),
        trigger_type,
        amount(turnover, currency),
        click_id or view_id or 0,
        salary_id,
        "" if click_id is None else str(click_id),
        currency,
        text(status_change_date),
        cancel_reason,
        amount(source_turnover, currency),
        text(last_change),
        user_agent,
        0,
        0,
        0 if click_id is None else 1,
        ebestid,
        text(order_timestamp),
        text(action_timestamp),
        trigger_title,
        text(payoutdate),
        group_title,
        campaign_title,
        advertiser_id,
        publisher_id,
        prename,
        surname,
        searchtitle,
        referrer,
        country,
        subid,
        basket_items,
    )


PUBLISHER_COLUMNS = (
    "criterion", "trackingtime", "advertiser_id", "campaign_title", "campaign_id", "project_id",
    "project_title", "event", "payoutdate", "processingdate", "salary_id", "salary", "clicktime",
    "subid", "referrer", "admedia_id", "status", "reason_of_cancellation", "provision",
    "turnover", "attributed_turnover", "trigger_id", "trigger_title", "basket_count",
)  # fmt: skip
"""The publisher's Transaktions-API columns, in the product's order (publisher links)."""

PUBLISHER_FIELDS = (
    "ebestid",
    "created_at",
    "advertiser_id",
    "campaign_title",
    "campaign_id",
    "project_id",
    "project_title",
    "trigger_type",
    "payoutdate",
    "status",
    "status_change_date",
    "salary_id",
    "action_timestamp",
    "subid",
    "referrer",
    "admedia_id",
    "cancel_reason",
    "commission_minor",
    "turnover_minor",
    "currency",
    "trigger_id",
    "trigger_title",
    "basket_items",
)
"""What ``publisher_cells`` reads, in order: the list the repository selects by."""
PUBLISHER_TIMESTAMP_FIELDS = ("created_at", "payoutdate", "status_change_date", "action_timestamp")
PUBLISHER_HEAD_FIELDS = 2
"""``criterion`` and ``trackingtime``: the publisher fields before the advertiser's id."""
PUBLISHER_TAIL_START = 7
"""``event``: the first publisher field after the project's title."""
PUBLISHER_JOINED_FIELDS = (
    "advertiser_id",
    "campaign_title",
    "campaign_id",
    "project_id",
    "project_title",
)
"""The publisher fields between a stored publisher line's head and tail, read with every
export (the campaign's and the project's titles can change at any time)."""

NO_SUBID = "NONE"
"""A publisher's ``subid`` when the click named none (the product's default)."""
NO_REFERRER = "://NONE"
"""A publisher's ``referrer`` when none was sent (the product's default)."""


def publisher_cells(row: Sequence[Any], clock: LocalClock, money: Money) -> tuple[Cell, ...]:
    """One transaction (``PUBLISHER_FIELDS``, in order) as the publisher's 24 values.

    ``criterion`` is the transaction's opaque reference (the admin export's ``ebestid``), so
    publisher and network name one transaction alike without the internal id.
    ``processingdate`` is the status change once the transaction left "open"; ``salary`` is
    the payout's number once paid. One touch point gets the whole sale, so
    ``attributed_turnover`` equals ``turnover``.
    """
    (
        criterion, created_at, advertiser_id, campaign_title, campaign_id, project_id,
        project_title, trigger_type, payoutdate, status, status_change_date, salary_id,
        action_timestamp, subid, referrer, admedia_id, cancel_reason, commission, turnover,
        currency, trigger_id, trigger_title, basket_items,
    ) = row  # fmt: skip
    text = clock.raw_text
    turnover_amount = money.amount(turnover, currency)
    return (
        criterion,
        text(created_at),
        advertiser_id,
        campaign_title,
        campaign_id,
        project_id,
        project_title or "",
        conversion_type(trigger_type),
        text(payoutdate),
        "" if status == OPEN else text(status_change_date),
        salary_id,
        "" if salary_id == NOT_PAID_OUT else str(salary_id),
        text(action_timestamp),
        subid or NO_SUBID,
        referrer or NO_REFERRER,
        admedia_id,
        status,
        cancel_reason,
        money.amount(commission, currency),
        turnover_amount,
        turnover_amount,
        trigger_id,
        trigger_title,
        basket_items,
    )


_PUBLISHER_JOINED_POSITIONS = tuple(
    PUBLISHER_FIELDS.index(name) for name in ("campaign_title", "project_title")
)
_PUBLISHER_TIMESTAMP_POSITIONS = tuple(
    PUBLISHER_FIELDS.index(name) for name in PUBLISHER_TIMESTAMP_FIELDS
)
_PUBLISHER_POSITION = {name: position for position, name in enumerate(PUBLISHER_FIELDS)}
_PUBLISHER_TABLE_POSITIONS = tuple(
    _TABLE_COLUMNS.index(name) if name in _TABLE_COLUMNS else 0 for name in PUBLISHER_FIELDS
)
"""Where each publisher field sits in a row of the transactions table (joined fields: any)."""
_UNSET_DEFAULTS = {"admedia_id": 0}
"""What the table stores for a column a new transaction may leave out (its server default)."""


def _export_row(transaction: Mapping[Any, Any]) -> list[Any]:
    """A transaction about to be stored (its column values by name) as ``transaction_cells``
    reads it; the joined campaign and publisher fields are left empty, as they are
    not part of the stored text."""
    get = transaction.get
    return _in_utc([get(name) for name in EXPORT_FIELDS], _JOINED_POSITIONS, _TIMESTAMP_POSITIONS)


def _publisher_row(transaction: Mapping[Any, Any]) -> list[Any]:
    """The same transaction as ``publisher_cells`` reads it (the joined titles left empty)."""
    get = transaction.get
    values = [get(name, _UNSET_DEFAULTS.get(name)) for name in PUBLISHER_FIELDS]
    return _in_utc(values, _PUBLISHER_JOINED_POSITIONS, _PUBLISHER_TIMESTAMP_POSITIONS)


def _stored_row(row: Sequence[Any], changes: Mapping[str, Any]) -> list[Any]:
    """A row of the transactions table (all columns, in table order), with ``changes``
    applied, as ``transaction_cells`` reads it. Picks values by position: going
    through the row's mapping would cost more than rendering the text."""
    values = _picked(row, changes, _TABLE_POSITIONS, _EXPORT_POSITION)
    return _in_utc(values, _JOINED_POSITIONS, _TIMESTAMP_POSITIONS)


def _stored_publisher_row(row: Sequence[Any], changes: Mapping[str, Any]) -> list[Any]:
    """The same for ``publisher_cells``."""
    values = _picked(row, changes, _PUBLISHER_TABLE_POSITIONS, _PUBLISHER_POSITION)
    return _in_utc(values, _PUBLISHER_JOINED_POSITIONS, _PUBLISHER_TIMESTAMP_POSITIONS)


def _picked(
    row: Sequence[Any],
    changes: Mapping[str, Any],
    table_positions: Sequence[int],
    field_positions: Mapping[str, int],
) -> list[Any]:
    values = [row[position] for position in table_positions]
    for name, value in changes.items():
        position = field_positions.get(name)
        if position is not None:
            values[position] = value
    return values


def _in_utc(
    values: list[Any], joined_positions: Sequence[int], timestamp_positions: Sequence[int]
) -> list[Any]:
    for position in joined_positions:
        values[position] = ""
    for position in timestamp_positions:
        moment = values[position]
        if moment is not None and moment.tzinfo is not UTC:
            values[position] = moment.astimezone(UTC)
    return values


class _RendererFields(CsvFields):
    """The quoted text of repeated strings (titles, statuses, defaults), remembered by a
    renderer that lives as long as the process: fewer of them than an export keeps."""

    LIMIT = 5_000


class Renderer:
    """Renders the stored export text of transactions for one network time zone."""

    def __init__(self, tz: str) -> None:
        self.key = export_key(tz)
        self.clock = LocalClock(tz)
        self.money = Money()
        self.fields = _RendererFields()

    def stored_text(self, transaction: Mapping[Any, Any]) -> dict[str, str]:
        """``export_head``, ``export_tail``, ``publisher_head``, ``publisher_tail`` and
        ``export_key`` of a transaction given by name."""
        return self._text(_export_row(transaction), _publisher_row(transaction))

    def stored_text_of_row(
        self, row: Sequence[Any], changes: Mapping[str, Any] | None = None
    ) -> dict[str, str]:
        """The same for a full row of the transactions table, with ``changes`` applied."""
        changes = changes or {}
        return self._text(_stored_row(row, changes), _stored_publisher_row(row, changes))

    def _text(self, values: list[Any], publisher_values: list[Any]) -> dict[str, str]:
        cells = transaction_cells(values, self.clock, self.money)
        publisher = publisher_cells(publisher_values, self.clock, self.money)
        line = self.fields.line
        return {
            "export_head": line(cells[:HEAD_FIELDS], ";"),
            "export_tail": line(cells[TAIL_START:], ";"),
            "publisher_head": line(publisher[:PUBLISHER_HEAD_FIELDS], ";"),
            "publisher_tail": line(publisher[PUBLISHER_TAIL_START:], ";"),
            "export_key": self.key,
        }


def renderer_for(tz: str) -> Renderer:
    """One renderer per zone for the whole process, so its clock's remembered hours are reused
    by every write (a conversion pixel renders a handful of timestamps of the current hour)."""
    return _shared_renderer(tz, RENDERING_VERSION)


@functools.lru_cache(maxsize=64)
def _shared_renderer(tz: str, version: int) -> Renderer:
    """Keyed by the version too: a renderer labels its text with the version it was made under."""
    return Renderer(tz)


class StoredLines:
    """Finishes the transactions CSV's lines: stored head, the joined fields, stored tail.

    A line is ``export_head;<JOINED_FIELDS>;export_tail``, every field by
    ``kit.exports.csv_field``, so it is byte for byte the line ``write_csv`` makes
    of ``transaction_cells``. An export names few campaigns and publishers, so the
    text of the joined fields is rendered once per distinct value and reused.
    """

    CACHE_LIMIT = 100_000

    def __init__(self) -> None:
        self._joined: dict[tuple[Cell, ...], str] = {}

    def line(self, stored: Sequence[Any]) -> str:
        """``stored``: export_head, the six ``JOINED_FIELDS`` values, export_tail."""
        key = tuple(stored[1:7])
        joined = self._joined.get(key)
        if joined is None:
            if len(self._joined) >= self.CACHE_LIMIT:
                self._joined.clear()
            joined = self._joined[key] = csv_line(key)
        return f"{stored[0]};{joined};{stored[7]}"


class StoredPublisherLines:
    """Finishes a publisher link's transactions CSV lines: stored publisher head, the joined
    fields, stored publisher tail.

    A line is ``publisher_head;<PUBLISHER_JOINED_FIELDS>;publisher_tail``, byte for byte
    the line ``write_csv`` makes of ``publisher_cells`` (a transaction without a project
    has an empty project title there too). A publisher's export names few campaigns and
    projects, so the text of the joined fields is rendered once per distinct value.
    """

    CACHE_LIMIT = 100_000

    def __init__(self) -> None:
        self._joined: dict[tuple[Cell, ...], str] = {}

    def line(self, stored: Sequence[Any]) -> str:
        """``stored``: publisher_head, the five ``PUBLISHER_JOINED_FIELDS``, publisher_tail."""
        key = tuple(stored[1:6])
        joined = self._joined.get(key)
        if joined is None:
            if len(self._joined) >= self.CACHE_LIMIT:
                self._joined.clear()
            advertiser_id, campaign_title, campaign_id, project_id, project_title = key
            joined = self._joined[key] = csv_line(
                (advertiser_id, campaign_title, campaign_id, project_id, project_title or "")
            )
        return f"{stored[0]};{joined};{stored[6]}"
