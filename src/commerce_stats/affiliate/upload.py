"""Reconciliation uploads: the seed's ``PUT /REST/orders/`` CSV and its JSON twin.

An upload is read, checked and applied in chunks of ``CHUNK_ROWS`` rows inside one
database transaction, so memory does not grow with the file: each chunk is checked
(against the database as the earlier chunks left it) and, while no row so far had a
problem, applied. Any problem refuses the whole upload (422 listing row, column and
reason, at most ``MAX_LISTED_ERRORS``) and the transaction is rolled back: all or
nothing holds.

A row naming an existing transaction (``orderid``, or the export's ``id``)
updates its status, turnover (``price``), commission and cancel reason; a row
without one creates a transaction, or updates the transaction that already has
its (campaign_id, trigger_id, ordertoken). Column names of the export are
accepted as aliases, so an exported CSV can be edited and uploaded as it is.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import islice
from typing import IO, Any

from sqlalchemy import Connection, Row

from commerce_stats.affiliate import repository
from commerce_stats.affiliate.errors import (
    ForbiddenTransitionError,
    InvalidUploadBodyError,
    MalformedJsonError,
    RefusedRowsError,
    RowError,
    TransactionFinalError,
)
from commerce_stats.affiliate.lifecycle import (
    MAX_REASON,
    check_changeable,
    check_transition,
    commission_for_turnover,
    number_new_transactions,
)
from commerce_stats.affiliate.rules import (
    MAX_BIG_ID,
    NOT_PAID_OUT,
    OPEN,
    PAID,
    as_id,
    commission_minor,
    conversion_type,
    shown,
)
from commerce_stats.affiliate.upload_cells import MAX_ROW_BYTES, Cells
from commerce_stats.db.engine import Database
from commerce_stats.kit.exports import FORMULA_TRIGGERS
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import utc_now, zone

UPLOAD_COLUMNS = (
    "orderid",
    "campaign_id",
    "commissiongroup",
    "trigger_id",
    "project_id",
    "conversiontype",
    "price",
    "commission",
    "order_timestamp",
    "ordertoken",
    "cancel_reason",
    "status",
)
ALIASES = {
    "id": "orderid",
    "commission_group_id": "commissiongroup",
    "type": "conversiontype",
    "turnover": "price",
}
"""Export column names accepted in place of the upload's own."""
JSON_FIELDS = {
    "id": "orderid",
    "ordertoken": "ordertoken",
    "campaign_id": "campaign_id",
    "trigger_id": "trigger_id",
    "status": "status",
    "turnover": "price",
    "commission": "commission",
    "cancel_reason": "cancel_reason",
}
"""The JSON twin's field names and the upload columns they fill."""
MAX_TEXT = 255


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


BOM = b"\xef\xbb\xbf"
CHUNK_ROWS = 5000
"""Rows checked and applied at a time."""
MAX_LISTED_ERRORS = 1000
"""A refusal lists at most this many problems; checking stops there."""


class UnreadableRowError(Exception):
    """A row that cannot be read at all; the rest of the file cannot be trusted."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.reason)
        self.error = error


class _RowTooLongError(Exception):
    pass


def file_encoding(file: IO[bytes]) -> tuple[str, int]:
    """(encoding, offset of the first row): UTF-8 after a BOM (strictly), else UTF-8 when
    the whole file decodes as UTF-8, else Windows-1252. Reads the file once, a block at a
    time, and seeks back to the start."""
    if file.read(3) == BOM:
        return "utf-8", 3
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while block := file.read(1024 * 1024):
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252", 0
    finally:
        file.seek(0)
    return "utf-8", 0


class _Lines:
    """The file's lines, decoded one at a time, for ``csv.reader``; keeps the text of the
    row being read (at most ``MAX_ROW_BYTES``) to say which column a problem is in."""

    def __init__(self, file: IO[bytes], encoding: str, offset: int) -> None:
        file.seek(offset)
        self.file = file
        errors = "strict" if encoding == "utf-8" else "replace"
        self.decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
        self.row_bytes = 0
        self.row_text: list[str] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.file.readline(MAX_ROW_BYTES + 1 - self.row_bytes)
        if not line:
            raise StopIteration
        self.row_bytes += len(line)
        text = self.decoder.decode(line)
        self.row_text.append(text)
        if self.row_bytes > MAX_ROW_BYTES:
            raise _RowTooLongError
        return text

    def next_row(self) -> None:
        self.row_bytes = 0
        self.row_text.clear()

    def column_at(self, names: Sequence[str], tail: str = "") -> str:
        """The column the row read so far (plus ``tail``) ends in."""
        text = "".join(self.row_text) + tail
        cells = next(csv.reader(io.StringIO(text, newline=""), delimiter=";"), [""])
        index = max(len(cells) - 1, 0)
        return names[index] if index < len(names) else ""


def _read_row(
    reader: Iterator[list[str]], lines: _Lines, number: int, names: Sequence[str]
) -> list[str] | None:
    """The next row's cells, None at the end; ``UnreadableRowError`` naming row and column when the
    row is too long, not valid UTF-8 (after a BOM) or has an unclosed or stray quote."""
    try:
        cells = next(reader)
    except StopIteration:
        return None
    except _RowTooLongError as exc:
        reason = f"longer than {MAX_ROW_BYTES} bytes (is a quote left open?)"
        raise UnreadableRowError(RowError(number, lines.column_at(names), reason)) from exc
    except UnicodeDecodeError as exc:
        tail = exc.object[: exc.start].decode("utf-8", "replace")
        reason = "not valid UTF-8 (the file starts with a UTF-8 byte order mark)"
        raise UnreadableRowError(RowError(number, lines.column_at(names, tail), reason)) from exc
    except csv.Error as exc:
        reason = _csv_reason(str(exc))
        raise UnreadableRowError(RowError(number, lines.column_at(names), reason)) from exc
    lines.next_row()
    return cells


def _csv_reason(message: str) -> str:
    if "unexpected end" in message:
        return "a quote is not closed"
    if "expected after" in message:
        return "text after a closing quote (is a quote left open?)"
    return f"not CSV: {message}"


def csv_rows(file: IO[bytes]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, values by upload column) per data row, read as the file is iterated;
    the header is row 1. A refused header raises ``RefusedRowsError``, an unreadable row
    ``UnreadableRowError``."""
    lines = _Lines(file, *file_encoding(file))
    reader = csv.reader(lines, delimiter=";", quotechar='"', strict=True)
    header = _read_row(reader, lines, 1, ())
    if header is None:
        raise RefusedRowsError("the file is empty", [])
    names = [ALIASES.get(name.strip().lower(), name.strip().lower()) for name in header]
    missing = [column for column in UPLOAD_COLUMNS if column not in names]
    if missing:
        raise RefusedRowsError(
            "the header lacks required columns",
            [RowError(1, column, "required column is missing") for column in missing],
        )
    positions = {column: names.index(column) for column in UPLOAD_COLUMNS}
    number = 1
    while (cells := _read_row(reader, lines, number + 1, names)) is not None:
        number += 1
        if not any(cell.strip() for cell in cells):
            continue
        yield (
            number,
            {
                column: _unguard(cells[index].strip()) if index < len(cells) else ""
                for column, index in positions.items()
            },
        )


def _unguard(text: str) -> str:
    """Undoes the export's formula guard (a ``'`` before = + - @)."""
    if text.startswith("'") and text[1:2] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def json_rows(items: Any) -> list[tuple[int, dict[str, str]]]:
    """The JSON twin's objects as upload rows (numbered from 1); it only updates."""
    if not isinstance(items, list):
        raise InvalidUploadBodyError("the body must be a JSON array of objects")
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[RowError] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(RowError(number, "", "must be an object"))
            continue
        values = dict.fromkeys(UPLOAD_COLUMNS, "")
        for key, value in item.items():
            column = JSON_FIELDS.get(key)
            if column is None:
                problems.append(RowError(number, shown(key, quote=False), "unknown field"))
                continue
            values[column] = "" if value is None else _json_text(value)
        if not values["orderid"] and not values["ordertoken"]:
            problems.append(RowError(number, "id", "give id or ordertoken"))
        rows.append((number, values))
        if len(problems) >= MAX_LISTED_ERRORS:
            break
    if problems:
        raise RefusedRowsError(f"{len(problems)} problem(s); nothing was applied", problems)
    return rows


def _json_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(int(value))
    return str(value)


class Catalog:
    """The account's campaigns, triggers, groups, rates, projects and memberships in memory."""

    def __init__(self, conn: Connection, account_id: int) -> None:
        def load(kind: repository.Listed) -> Sequence[Row[Any]]:
            return repository.items(conn, kind, account_id)

        self.campaigns = {row.id: row for row in load("campaigns")}
        self.triggers = {row.id: row for row in load("triggers")}
        self.groups = {row.id: row for row in load("groups")}
        self.rates = {(row.group_id, row.trigger_id): row for row in load("rates")}
        self.projects = {row.id: row for row in load("projects")}
        self.memberships = {
            (row.campaign_id, row.publisher_id): row.group_id for row in load("memberships")
        }


class _Targets:
    """Finds the stored transaction each row of a chunk names: by ``orderid``, or by
    ``campaign_id`` and ``ordertoken`` (and ``trigger_id`` when given)."""

    def __init__(self, conn: Connection, account_id: int, cells: Cells, allow_create: bool) -> None:
        self.conn = conn
        self.account_id = account_id
        self.cells = cells
        self.allow_create = allow_create
        self._existing: dict[int, Row[Any]] = {}
        self._by_key: dict[tuple[int, str], list[Row[Any]]] = {}

    def load(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        """Reads the transactions the chunk's ``rows`` name, in two queries."""
        self._existing = self._existing_by_id(rows)
        self._by_key = self._existing_by_key(rows)

    def forget(self) -> None:
        """Lets the chunk's transactions go before the chunk is applied."""
        self._existing = {}
        self._by_key = {}

    def _existing_by_id(self, rows: list[tuple[int, dict[str, str]]]) -> dict[int, Row[Any]]:
        ids = [
            value
            for _n, values in rows
            if (value := as_id(values["orderid"], MAX_BIG_ID)) is not None
        ]
        found = repository.transactions_by_ids(self.conn, self.account_id, ids)
        return {row.id: row for row in found}

    def _existing_by_key(
        self, rows: list[tuple[int, dict[str, str]]]
    ) -> dict[tuple[int, str], list[Row[Any]]]:
        """Transactions matching rows that have no orderid, by (campaign_id, ordertoken)."""
        wanted = {
            (campaign_id, values["ordertoken"])
            for _n, values in rows
            if not values["orderid"]
            and values["ordertoken"]
            and (campaign_id := as_id(values["campaign_id"])) is not None
        }
        found: dict[tuple[int, str], list[Row[Any]]] = {}
        for row in repository.transactions_by_ordertokens(self.conn, self.account_id, wanted):
            found.setdefault((row.campaign_id, row.ordertoken), []).append(row)
        return found

    def of(self, number: int, values: dict[str, str]) -> Row[Any] | None:
        """The stored transaction row ``number`` names (``None`` when it names none, or
        names one that is not there: then the problem is noted)."""
        existing, by_key = self._existing, self._by_key
        order_id = self.cells.id_of(number, values, "orderid")
        if order_id is not None:
            row = existing.get(order_id)
            if row is None:
                self.cells.fail(number, "orderid", f"no transaction {order_id}")
            return row
        if values["orderid"]:
            return None
        campaign_id = as_id(values["campaign_id"])
        if campaign_id is None:
            return None
        matches = by_key.get((campaign_id, values["ordertoken"]), [])
        trigger_id = as_id(values["trigger_id"])
        if trigger_id is not None:
            matches = [row for row in matches if row.trigger_id == trigger_id]
        if len(matches) > 1:
            self.cells.fail(
                number, "ordertoken", "several transactions have this ordertoken; give orderid"
            )
            return None
        if not matches and not self.allow_create:
            self.cells.fail(
                number, "ordertoken", "no transaction with this campaign_id and ordertoken"
            )
        return matches[0] if matches else None


class _NewRows:
    """The rules of a row that creates a transaction, against the account's catalog."""

    def __init__(
        self, conn: Connection, account: Account, cells: Cells, now: datetime, counts: Counts
    ) -> None:
        self.conn = conn
        self.account = account
        self.cells = cells
        self.now = now
        self.counts = counts
        self.inserts: list[dict[str, Any]] = []
        self.seen_keys: set[tuple[int, int, str]] = set()

    @functools.cached_property
    def catalog(self) -> Catalog:
        """The account's campaigns, triggers, groups and projects; read only when a row
        creates a transaction."""
        return Catalog(self.conn, self.account.id)

    def next_chunk(self) -> None:
        self.inserts = []
        self.seen_keys.clear()

    def check(self, number: int, values: dict[str, str]) -> None:
        """Checks a row that creates a transaction; a valid one waits in ``inserts``."""
        errors_before = len(self.cells.errors)
        lookup = self.cells.lookup
        catalog = self.catalog
        campaign = lookup(number, values, "campaign_id", catalog.campaigns, required=True)
        trigger = lookup(number, values, "trigger_id", catalog.triggers, required=True)
        project = lookup(number, values, "project_id", catalog.projects, required=True)
        group = lookup(number, values, "commissiongroup", catalog.groups, required=False)
        if (
            len(self.cells.errors) > errors_before
            or campaign is None
            or trigger is None
            or project is None
        ):
            return
        if trigger.campaign_id != campaign.id:
            self.cells.fail(
                number,
                "trigger_id",
                f"trigger {trigger.id} is not a trigger of campaign {campaign.id}",
            )
            return
        group_id = group.id if group is not None else self._group_of(campaign, project.publisher_id)
        if group is not None and group.campaign_id != campaign.id:
            self.cells.fail(
                number,
                "commissiongroup",
                f"group {group.id} is not a group of campaign {campaign.id}",
            )
            return
        rate = self.catalog.rates.get((group_id, trigger.id)) if group_id is not None else None
        if rate is None:
            self.cells.fail(
                number, "commissiongroup", "no commission rate for this trigger in the group"
            )
            return
        kind = values["conversiontype"].lower()
        if kind and kind != conversion_type(rate.trigger_type):
            self.cells.fail(
                number, "conversiontype", f"the trigger is a {conversion_type(rate.trigger_type)}"
            )
        token = values["ordertoken"]
        if not token:
            self.cells.fail(number, "ordertoken", "required for a new transaction")
        elif len(token) > MAX_TEXT:
            self.cells.fail(number, "ordertoken", f"longer than {MAX_TEXT} characters")
        key = (campaign.id, trigger.id, token)
        if token and key in self.seen_keys:
            self.cells.fail(number, "ordertoken", "this order appears more than once")
        self.seen_keys.add(key)
        if not values["price"]:
            self.cells.fail(number, "price", "required for a new transaction")
        turnover = self.cells.amount(number, values, "price", campaign.currency)
        commission = self.cells.amount(number, values, "commission", campaign.currency)
        status = self.cells.status(number, values)
        status = OPEN if status is None else status
        if status == PAID:
            self.cells.fail(number, "status", "only a payout run marks transactions paid")
        ordered = self.cells.timestamp(number, values)
        if len(self.cells.errors) > errors_before or turnover is None:
            return
        if commission is None:
            commission = commission_minor(rate.trigger_type, rate.value_scaled, turnover)
        self.counts.created += 1
        order = CheckedOrder(
            status=status,
            token=token,
            campaign=campaign,
            trigger=trigger,
            project=project,
            group=self.catalog.groups[group_id],
            rate=rate,
            turnover=turnover,
            commission=commission,
            cancel_reason=values["cancel_reason"][:MAX_REASON],
            ordered=ordered,
        )
        self.inserts.append(new_transaction(self.account.id, self.now, order))

    def _group_of(self, campaign: Row[Any], publisher_id: int) -> int | None:
        group_id: int | None = self.catalog.memberships.get((campaign.id, publisher_id))
        if group_id is None:
            group_id = campaign.default_group_id
        return group_id


class RowChecker:
    """Validates rows a chunk at a time and turns them into inserts and updates; collects
    every problem.

    A transaction named by an earlier row is found without remembering every id of the
    file: within a chunk by the chunk's own sets, across chunks by its ``last_change``,
    which is this upload's stamp (``now``) once an earlier chunk changed or created it.
    Finding the named transaction is ``_Targets``' part, the rules of a created one
    ``_NewRows``'; the rules of an update are here.
    """

    def __init__(self, conn: Connection, account: Account, allow_create: bool) -> None:
        self.conn = conn
        self.account = account
        self.allow_create = allow_create
        self.cells = Cells(zone(account.timezone))
        self.now = utc_now()
        self.updates: list[dict[str, Any]] = []
        self.previous: dict[int, Row[Any]] = {}
        """Each updated transaction as it was read, by id."""
        self.counts = Counts()
        self._changed_ids: set[int] = set()
        self._targets = _Targets(conn, account.id, self.cells, allow_create)
        self._new = _NewRows(conn, account, self.cells, self.now, self.counts)

    @property
    def errors(self) -> list[RowError]:
        """Every problem found so far."""
        return self.cells.errors

    @property
    def inserts(self) -> list[dict[str, Any]]:
        """The chunk's new transactions, checked."""
        return self._new.inserts

    def fail(self, row: int, column: str, reason: str) -> None:
        self.cells.fail(row, column, reason)

    def check(self, chunk: list[tuple[int, dict[str, str]]]) -> None:
        """Checks one chunk; its inserts and updates wait in ``inserts``/``updates``."""
        rows = [(number, values) for number, values in chunk if self.cells.text_ok(number, values)]
        self._targets.load(rows)
        for number, values in rows:
            target = self._targets.of(number, values)
            if target is None and values["orderid"]:
                continue
            if target is not None:
                self._check_update(number, values, target)
            elif self.allow_create:
                self._new.check(number, values)
        self._targets.forget()

    def next_chunk(self) -> None:
        """Forgets the applied (or refused) chunk's changes."""
        self.updates = []
        self.previous = {}
        self._changed_ids.clear()
        self._new.next_chunk()

    def _check_update(self, number: int, values: dict[str, str], row: Row[Any]) -> None:
        if row.id in self._changed_ids or row.last_change == self.now:
            if values["orderid"]:
                self.fail(number, "orderid", f"transaction {row.id} appears more than once")
            else:
                self.fail(number, "ordertoken", "this order appears more than once")
            return
        errors_before = len(self.errors)
        campaign_id = self.cells.id_of(number, values, "campaign_id")
        if campaign_id is not None and campaign_id != row.campaign_id:
            self.fail(
                number, "campaign_id", f"transaction {row.id} belongs to campaign {row.campaign_id}"
            )
        status = self.cells.status(number, values)
        status = row.status if status is None else status
        try:
            check_transition(row.status, status)
        except ForbiddenTransitionError as refusal:
            self.fail(number, "status", refusal.message)
        turnover = self.cells.amount(number, values, "price", row.currency)
        commission = self.cells.amount(number, values, "commission", row.currency)
        reason = values["cancel_reason"][:MAX_REASON] or row.cancel_reason
        if len(self.errors) > errors_before:
            return
        new_turnover = row.turnover_minor if turnover is None else turnover
        if commission is None:
            commission = commission_for_turnover(
                row.trigger_type,
                row.trigger_value_scaled,
                row.commission_minor,
                row.turnover_minor,
                new_turnover,
            )
        changed = (
            status != row.status
            or new_turnover != row.turnover_minor
            or commission != row.commission_minor
            or reason != row.cancel_reason
        )
        if not changed:
            self.counts.unchanged += 1
            return
        try:
            check_changeable(row.status)
        except TransactionFinalError as final:
            self.fail(number, "status", final.message)
            return
        self.counts.updated += 1
        self._changed_ids.add(row.id)
        self.previous[row.id] = row
        self.updates.append(
            {
                "target_id": row.id,
                "status": status,
                "turnover_minor": new_turnover,
                "commission_minor": commission,
                "cancel_reason": reason,
                "status_change_date": self.now if status != row.status else row.status_change_date,
                "last_change": self.now,
            }
        )


@dataclass(frozen=True, slots=True)
class CheckedOrder:
    """An upload row that creates a transaction, every part of it checked."""

    status: int
    token: str
    campaign: Row[Any]
    trigger: Row[Any]
    project: Row[Any]
    group: Row[Any]
    rate: Row[Any]
    turnover: int
    commission: int
    cancel_reason: str
    ordered: datetime | None


def new_transaction(account_id: int, now: datetime, order: CheckedOrder) -> dict[str, Any]:
    """The columns of the transaction an upload row creates (numbered when applied)."""
    return {
        "account_id": account_id,
        "status": order.status,
        "created_at": now,
        "campaign_id": order.campaign.id,
        "ordertoken": order.token,
        "source": "upload",
        "project_id": order.project.id,
        "commission_minor": order.commission,
        "commission_group_id": order.group.id,
        "campaign_group_title": order.group.title,
        "trigger_id": order.trigger.id,
        "trigger_title": order.trigger.title,
        "trigger_type": order.rate.trigger_type,
        "trigger_value_scaled": order.rate.value_scaled,
        "description": "",
        "voucher_code": "",
        "turnover_minor": order.turnover,
        "source_turnover_minor": order.turnover,
        "currency": order.campaign.currency,
        "click_id": None,
        "salary_id": NOT_PAID_OUT,
        "status_change_date": now,
        "last_change": now,
        "payoutdate": None,
        "cancel_reason": order.cancel_reason,
        "user_agent": "",
        "order_timestamp": order.ordered or now,
        "action_timestamp": None,
        "advertiser_id": order.campaign.advertiser_id,
        "publisher_id": order.project.publisher_id,
        "referrer": "",
        "country": "",
        "subid": "",
        "basket_items": 0,
    }


def apply_rows(
    database: Database,
    account: Account,
    rows: Iterable[tuple[int, dict[str, str]]],
    *,
    allow_create: bool,
) -> Counts:
    """Checks and applies ``rows`` a chunk at a time in one transaction: all or none.

    ``rows`` is consumed lazily (a CSV file is read as its chunks are checked); after
    the first problem later chunks are still checked, to list their problems too, but
    no longer applied, and the transaction is rolled back at the end.
    """
    with database.write() as conn:
        checker = RowChecker(conn, account, allow_create)
        for chunk in _chunks(rows, checker):
            checker.check(chunk)
            if not checker.errors:
                _apply_chunk(conn, account.id, checker)
            checker.next_chunk()
            if len(checker.errors) >= MAX_LISTED_ERRORS:
                break
        if checker.errors:
            raise _refusal(checker.errors)
    return checker.counts


def _chunks(
    rows: Iterable[tuple[int, dict[str, str]]], checker: RowChecker
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    """``rows`` in lists of ``CHUNK_ROWS``; an unreadable row ends them (noted as a problem)."""
    iterator = iter(rows)
    while True:
        try:
            chunk = list(islice(iterator, CHUNK_ROWS))
        except UnreadableRowError as fault:
            checker.errors.append(fault.error)
            return
        if not chunk:
            return
        yield chunk


def _apply_chunk(conn: Connection, account_id: int, checker: RowChecker) -> None:
    number_new_transactions(conn, account_id, checker.inserts)
    repository.insert_transactions(conn, checker.inserts)
    repository.update_transactions(conn, account_id, checker.updates, checker.previous)


def _refusal(errors: list[RowError]) -> RefusedRowsError:
    listed = sorted(errors[:MAX_LISTED_ERRORS], key=lambda error: error.row)
    more = (
        f" (checking stopped after {MAX_LISTED_ERRORS})" if len(errors) >= MAX_LISTED_ERRORS else ""
    )
    return RefusedRowsError(
        f"{len(listed)} problem(s) in the file{more}; nothing was applied", listed
    )


def upload_csv(database: Database, account: Account, file: IO[bytes]) -> Counts:
    """Applies a CSV upload (already authorized, within the limit) read from ``file``."""
    return apply_rows(database, account, csv_rows(file), allow_create=True)


def upload_json(database: Database, account: Account, body: bytes) -> Counts:
    """``PUT /ws/V6/admin/JSON/Orders``: updates transactions found by id or ordertoken."""
    try:
        items = json.loads(body, parse_float=Decimal)
    except RecursionError as exc:
        raise MalformedJsonError("the body is not valid JSON: nested too deeply") from exc
    except ValueError as exc:
        raise MalformedJsonError(f"the body is not valid JSON: {exc}") from exc
    return apply_rows(database, account, json_rows(items), allow_create=False)
