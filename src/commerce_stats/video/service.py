"""Video domain rules: the catalog, ingestion through group commit, and the report."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import msgspec
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Connection, Row

from commerce_stats.accounts.service import Accounts
from commerce_stats.db.engine import Database
from commerce_stats.kit.jsondecode import decode_json
from commerce_stats.kit.ratelimit import FailureLimiter
from commerce_stats.kit.tenancy import Account, Feature
from commerce_stats.kit.throttle import Surface, Throttle
from commerce_stats.kit.timeutil import check_day, utc_now
from commerce_stats.video import repository
from commerce_stats.video.catalog import (
    BulkItem,
    BulkLine,
    BulkVideo,
    CatalogVideo,
    ItemFields,
    ItemInfo,
    VideoFields,
    VideoInfo,
)
from commerce_stats.video.clickhouse_outbox import ClickHouseCounters
from commerce_stats.video.clickhouse_store import ClickHouseStore
from commerce_stats.video.errors import (
    CatalogFieldError,
    CatalogNotFoundError,
    CatalogTooLargeError,
    InvalidParameterError,
    MissingIngestKeyError,
    NotStoredError,
    NoVideoFeatureError,
    RejectedEventsError,
    UnknownVideoKeyError,
    VideoAttemptsError,
    VideoTooLargeError,
)
from commerce_stats.video.events import (
    Batch,
    BatchResult,
    BodyError,
    Catalog,
    RawEvent,
    build_batch,
    check_key,
    decode_body,
    to_raw_event,
)
from commerce_stats.video.flusher import GroupCommitter

MAX_EVENTS_PER_REQUEST = 10_000
MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_BULK_LINES = 50_000
MAX_BULK_BYTES = 50 * 1024 * 1024
MAX_LISTED_PROBLEMS = 1_000
CATALOG_TTL_SECONDS = 30.0
CATALOG_RELOAD_AFTER_SECONDS = 1.0
"""An unknown key reloads a catalog older than this before the event is refused, so that a
catalog written by another process is seen within a second."""

_DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
_bulk_adapter: TypeAdapter[BulkVideo | BulkItem] = TypeAdapter(BulkLine)


# Catalog ------------------------------------------------------------------------------------


class CatalogCache:
    """Each account's catalog keys in memory, dropped on every catalog write in this process.

    A generation number per account keeps a reload that raced with a write from storing
    the catalog it read before that write.
    """

    def __init__(self, database: Database, ttl_seconds: float = CATALOG_TTL_SECONDS) -> None:
        self.database = database
        self.ttl_seconds = ttl_seconds
        self._entries: dict[int, tuple[float, Catalog]] = {}
        self._generations: dict[int, int] = {}
        self._lock = threading.Lock()

    def get(self, account_id: int) -> tuple[Catalog, float]:
        """(catalog, its age in seconds)."""
        entry = self._entries.get(account_id)
        now = time.monotonic()
        if entry is not None and now - entry[0] < self.ttl_seconds:
            return entry[1], now - entry[0]
        return self.reload(account_id), 0.0

    def reload(self, account_id: int) -> Catalog:
        generation = self._generations.get(account_id, 0)
        with self.database.read() as conn:
            catalog = Catalog(
                content_keys=frozenset(repository.content_keys(conn, account_id)),
                ecommerce_keys=frozenset(repository.ecommerce_keys(conn, account_id)),
            )
        with self._lock:
            if self._generations.get(account_id, 0) == generation:
                self._entries[account_id] = (time.monotonic(), catalog)
        return catalog

    def invalidate(self, account_id: int) -> None:
        with self._lock:
            self._generations[account_id] = self._generations.get(account_id, 0) + 1
            self._entries.pop(account_id, None)


def _invalid(message: str, field: str) -> CatalogFieldError:
    return CatalogFieldError(message, field)


def _is_valid_key(value: str, name: str) -> bool:
    """Whether ``value`` could be a stored key (a malformed one is simply not found)."""
    try:
        check_key(value, name)
    except ValueError:
        return False
    return True


def _checked_catalog_key(value: str, name: str) -> str:
    try:
        return check_key(value, name)
    except ValueError as exc:
        raise _invalid(str(exc), name) from None


def video_row_to_wire(row: Row[Any]) -> VideoInfo:
    """A stored video as the seed's ``video_info`` object (its field order)."""
    return {
        "content_key": row.content_key,
        "description": row.description,
        "duration": row.duration,
        "parone_categories": row.parone_categories,
        "privateCategories": row.private_categories,
        "privateTags": row.private_tags,
        "removed": row.removed,
        "syndications": row.syndications,
        "thumbnail": row.thumbnail,
        "title": row.title,
        "translations": row.translations,
    }


def item_row_to_wire(row: Row[Any]) -> ItemInfo:
    return {
        "ecommerce_key": row.ecommerce_key,
        "ecommerce_link": row.ecommerce_link,
        "ecommerce_name": row.ecommerce_name,
    }


def _video_values(
    account_id: int, content_key: str, fields: VideoFields, now: datetime
) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "content_key": content_key,
        "title": fields.title,
        "description": fields.description,
        "duration": fields.duration_text(),
        "parone_categories": list(fields.parone_categories),
        "private_categories": list(fields.private_categories),
        "private_tags": list(fields.private_tags),
        "removed": fields.removed,
        "syndications": [syndication.wire() for syndication in fields.syndications],
        "thumbnail": fields.thumbnail,
        "translations": list(fields.translations),
        "created_at": now,
        "updated_at": now,
    }


def _item_values(
    account_id: int, ecommerce_key: str, fields: ItemFields, now: datetime
) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "ecommerce_key": ecommerce_key,
        "ecommerce_name": fields.ecommerce_name,
        "ecommerce_link": fields.ecommerce_link,
        "created_at": now,
        "updated_at": now,
    }


def _require_items(conn: Connection, account_id: int, attachments: dict[str, list[str]]) -> None:
    wanted = {key for keys in attachments.values() for key in keys}
    missing = sorted(wanted - repository.existing_item_keys(conn, account_id, wanted))
    if missing:
        raise _invalid(
            f"unknown ecommerce_keys (create the items first): {', '.join(missing[:20])}",
            "ecommerce_keys",
        )


# Report -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportQuery:
    """A validated ``get_ecommerce_reports`` request."""

    organization_key: str
    first: date
    last: date
    content_key: str | None
    include_video_data: bool
    include_ecommerce_data: bool


@dataclass(frozen=True)
class ReportParts:
    video_info: list[VideoInfo] | None
    ecommerce_info: list[ItemInfo] | None
    rows: Iterator[list[repository.ReportRow]]


@dataclass(frozen=True)
class Report:
    """An authorised report, read when ``open`` is entered (one read transaction)."""

    database: Database
    account_id: int
    query: ReportQuery
    clickhouse: ClickHouseStore | None = None
    """When set, the counters are read from ClickHouse; the catalog stays relational."""

    def _counter_keys(self, conn: Connection, column: str) -> list[str]:
        query = self.query
        if self.clickhouse is not None:
            return self.clickhouse.report_keys(
                column, self.account_id, query.first, query.last, query.content_key
            )
        read = (
            repository.report_content_keys
            if column == "content_key"
            else repository.report_ecommerce_keys
        )
        return read(conn, self.account_id, query.first, query.last, query.content_key)

    def _counter_rows(self, conn: Connection) -> Iterator[list[repository.ReportRow]]:
        query = self.query
        if self.clickhouse is not None:
            return self.clickhouse.report_rows(
                self.account_id, query.first, query.last, query.content_key
            )
        return repository.report_rows(
            conn, self.account_id, query.first, query.last, query.content_key
        )

    @contextmanager
    def open(self) -> Iterator[ReportParts]:
        query = self.query
        # a report may lag the primary by the replica limit: it reads on a replica
        with self.database.read_replica() as conn:
            video_info = None
            if query.include_video_data:
                wanted = set(self._counter_keys(conn, "content_key"))
                if query.content_key is not None:
                    wanted.add(query.content_key)
                video_info = [
                    video_row_to_wire(row)
                    for row in repository.videos_by_keys(conn, self.account_id, wanted)
                ]
            ecommerce_info = None
            if query.include_ecommerce_data:
                item_keys = self._counter_keys(conn, "ecommerce_key")
                ecommerce_info = [
                    item_row_to_wire(row)
                    for row in repository.items_by_keys(
                        conn, self.account_id, [key for key in item_keys if key != "none"]
                    )
                ]
            rows = self._counter_rows(conn)
            yield ReportParts(video_info=video_info, ecommerce_info=ecommerce_info, rows=rows)


def _parameter(params: Mapping[str, str], name: str, required: bool) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise InvalidParameterError(f"missing parameter: {name}", field=name)
        return None
    if "\x00" in value:
        raise InvalidParameterError(f"invalid {name}: contains a NUL character", field=name)
    return value


def _date_parameter(params: Mapping[str, str], name: str) -> date:
    text = _parameter(params, name, required=True)
    assert text is not None
    if not _DATE_PATTERN.fullmatch(text):
        raise InvalidParameterError(f"invalid {name}: must be YYYY-MM-DD", field=name)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidParameterError(f"invalid {name}: not a calendar date", field=name) from None
    try:
        return check_day(day)
    except ValueError as exc:
        raise InvalidParameterError(f"invalid {name}: {exc}", field=name) from None


def _flag_parameter(params: Mapping[str, str], name: str) -> bool:
    text = _parameter(params, name, required=False)
    if text is None or text == "0":
        return False
    if text == "1":
        return True
    raise InvalidParameterError(f"invalid {name}: must be 0 or 1", field=name)


MAX_REPORT_DAYS = 3660
"""Longest report range (about ten years, like the affiliate exports' ``last{N}d``)."""


def parse_report_query(params: Mapping[str, str]) -> ReportQuery:
    """The report's parameters, checked; 400 names the first bad or missing one."""
    organization_key = _parameter(params, "organization_key", required=True)
    assert organization_key is not None
    first = _date_parameter(params, "start_date")
    last = _date_parameter(params, "end_date")
    if last < first:
        raise InvalidParameterError("invalid end_date: before start_date", field="end_date")
    if (last - first).days >= MAX_REPORT_DAYS:
        raise InvalidParameterError(
            f"invalid end_date: the range is longer than {MAX_REPORT_DAYS} days", field="end_date"
        )
    return ReportQuery(
        organization_key=organization_key,
        first=first,
        last=last,
        content_key=_parameter(params, "content_key", required=False),
        include_video_data=_flag_parameter(params, "include_video_data"),
        include_ecommerce_data=_flag_parameter(params, "include_ecommerce_data"),
    )


# The service -------------------------------------------------------------------------------


class VideoService:
    """One per process: the catalog cache and the group committer live here."""

    def __init__(
        self,
        database: Database,
        accounts: Accounts,
        failures: FailureLimiter | None = None,
        clickhouse: ClickHouseStore | None = None,
    ) -> None:
        """``failures`` limits failed report authentications per client address; the
        command line and the demo loader, which never authenticate, pass none.
        ``clickhouse``: the cluster holding the counters, when configured."""
        self.database = database
        self.accounts = accounts
        self.failures = failures
        self.catalogs = CatalogCache(database)
        self.clickhouse = clickhouse
        self.outbox = None if clickhouse is None else ClickHouseCounters(database, clickhouse)
        self.committer = GroupCommitter(database, clickhouse=self.outbox)

    def start(self) -> None:
        if self.clickhouse is not None:
            self.clickhouse.create_schema()
        self.committer.start()

    def stop(self) -> None:
        self.committer.stop()
        if self.outbox is not None:
            self.outbox.close()
        if self.clickhouse is not None:
            self.clickhouse.close()

    # catalog -----------------------------------------------------------------------------

    def put_video(self, account_id: int, content_key: str, fields: VideoFields) -> CatalogVideo:
        """Create or replace one video and its attached items."""
        self.accounts.get(account_id)
        key = _checked_catalog_key(content_key, "content_key")
        now = utc_now()
        with self.database.write() as conn:
            _require_items(conn, account_id, {key: fields.ecommerce_keys})
            repository.upsert_videos(conn, [_video_values(account_id, key, fields, now)])
            repository.replace_video_items(conn, account_id, {key: list(fields.ecommerce_keys)})
        self.catalogs.invalidate(account_id)
        return self.get_video(account_id, key)

    def get_video(self, account_id: int, content_key: str) -> CatalogVideo:
        self.accounts.get(account_id)
        if not _is_valid_key(content_key, "content_key"):
            raise CatalogNotFoundError("video", content_key)
        with self.database.read() as conn:
            row = repository.select_video(conn, account_id, content_key)
            if row is None:
                raise CatalogNotFoundError("video", content_key)
            keys = repository.attached_items(conn, account_id, content_key)
        return CatalogVideo(**video_row_to_wire(row), ecommerce_keys=keys)

    def put_item(self, account_id: int, ecommerce_key: str, fields: ItemFields) -> ItemInfo:
        self.accounts.get(account_id)
        key = _checked_catalog_key(ecommerce_key, "ecommerce_key")
        with self.database.write() as conn:
            repository.upsert_items(conn, [_item_values(account_id, key, fields, utc_now())])
        self.catalogs.invalidate(account_id)
        return self.get_item(account_id, key)

    def get_item(self, account_id: int, ecommerce_key: str) -> ItemInfo:
        self.accounts.get(account_id)
        if not _is_valid_key(ecommerce_key, "ecommerce_key"):
            raise CatalogNotFoundError("ecommerce item", ecommerce_key)
        with self.database.read() as conn:
            row = repository.select_item(conn, account_id, ecommerce_key)
        if row is None:
            raise CatalogNotFoundError("ecommerce item", ecommerce_key)
        return item_row_to_wire(row)

    def bulk_upsert(self, account_id: int, body: bytes) -> tuple[int, int]:
        """Apply an NDJSON catalog (one video or item a line) all-or-nothing.

        Items are written before videos so a video may name items of the same body.
        Returns (videos, items) written.
        """
        self.accounts.get(account_id)
        if len(body) > MAX_BULK_BYTES:
            raise CatalogTooLargeError("body is larger than 50 MB")
        videos, items = _parse_bulk(body)
        now = utc_now()
        with self.database.write() as conn:
            repository.upsert_items(
                conn, [_item_values(account_id, key, fields, now) for key, fields in items.items()]
            )
            attachments = {key: list(fields.ecommerce_keys) for key, fields in videos.items()}
            _require_items(conn, account_id, attachments)
            video_rows = [_video_values(account_id, key, f, now) for key, f in videos.items()]
            for start in range(0, len(video_rows), repository.UPSERT_CHUNK):
                repository.upsert_videos(conn, video_rows[start : start + repository.UPSERT_CHUNK])
            repository.replace_video_items(conn, account_id, attachments)
        self.catalogs.invalidate(account_id)
        return len(videos), len(items)

    # ingestion ---------------------------------------------------------------------------

    def authenticate_ingest(self, ingest_key: str | None, client: str = "unknown") -> Account:
        """The ingest key's account; wrong keys are counted per client address and past
        the limit the address is answered 429 until the window ends, even with a right key.
        """
        if not ingest_key:
            raise MissingIngestKeyError()
        return self._authenticated(
            "ingest_key",
            ingest_key,
            Surface.VIDEO_INGEST_KEY,
            client,
            UnknownVideoKeyError("unknown ingest key"),
        )

    def prepare(
        self,
        account: Account,
        events: list[RawEvent | str],
        user_agent: str,
        received_at: datetime,
    ) -> Batch:
        """The batch of a request's events, or RejectedEventsError listing every bad one."""
        if len(events) > MAX_EVENTS_PER_REQUEST:
            raise VideoTooLargeError(f"more than {MAX_EVENTS_PER_REQUEST} events in one request")
        catalog, age = self.catalogs.get(account.id)
        batch, problems = build_batch(account.id, events, catalog, user_agent, received_at)
        if problems and age >= CATALOG_RELOAD_AFTER_SECONDS and _mentions_unknown_key(problems):
            catalog = self.catalogs.reload(account.id)
            batch, problems = build_batch(account.id, events, catalog, user_agent, received_at)
        if problems:
            raise RejectedEventsError(
                f"{len(problems)} of {len(events)} events rejected; nothing was counted",
                problems[:MAX_LISTED_PROBLEMS],
            )
        return batch

    async def ingest(self, account: Account, body: bytes, user_agent: str) -> BatchResult:
        """Validate a request body's events and wait until they are committed.

        ``account`` comes from ``authenticate_ingest``, called before the body is read."""
        if len(body) > MAX_BODY_BYTES:
            raise VideoTooLargeError("body is larger than 5 MB")
        try:
            events = decode_body(body)
        except BodyError as exc:
            raise InvalidParameterError(str(exc)) from None
        batch = self.prepare(account, events, user_agent, utc_now())
        return await self.commit(batch)

    async def ingest_one(
        self,
        ingest_key: str | None,
        event: RawEvent,
        user_agent: str,
        client: str = "unknown",
    ) -> BatchResult:
        """One event from a pixel request (parsed at the route), committed before the
        answer."""
        account = self.authenticate_ingest(ingest_key, client)
        batch = self.prepare(account, [event], user_agent, utc_now())
        return await self.commit(batch)

    def _authenticated(
        self,
        credential: str,
        secret: str,
        surface: Surface,
        client: str,
        unknown: UnknownVideoKeyError,
    ) -> Account:
        """The video account whose ``credential`` is ``secret``. Failures are counted per
        ``client`` on ``surface``; past the limit it is answered 429 until the window ends,
        even with a right secret."""
        throttle = Throttle(self.failures)
        verdict = throttle.check(surface, client=client)
        if not verdict.allowed:
            raise VideoAttemptsError(verdict.retry_after)
        account = self.accounts.authenticate(credential, secret)
        if account is None:
            throttle.record_failure(surface, client=client)
            raise unknown
        if not account.has(Feature.VIDEO_ECOMMERCE):
            raise NoVideoFeatureError()
        return account

    async def commit(self, batch: Batch) -> BatchResult:
        try:
            return await self.committer.commit(batch)
        except Exception as exc:
            raise NotStoredError() from exc

    def ingest_file_chunk(
        self, account: Account, lines: list[bytes], first_line: int
    ) -> tuple[BatchResult, list[tuple[int, str]]]:
        """A backfill chunk: the valid events are committed, the bad lines are returned
        with their 1-based line numbers."""
        events: list[RawEvent | str] = []
        numbers: list[int] = []
        problems: list[tuple[int, str]] = []
        for offset, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                events.append(to_raw_event(decode_json(line)))
                numbers.append(first_line + offset)
            except msgspec.DecodeError as exc:
                problems.append((first_line + offset, f"not valid JSON: {exc}"))
        catalog, _age = self.catalogs.get(account.id)
        batch, bad = build_batch(account.id, events, catalog, "", utc_now())
        problems.extend((numbers[index], reason) for index, reason in bad)
        if bad:
            bad_positions = {index for index, _reason in bad}
            good = [event for index, event in enumerate(events) if index not in bad_positions]
            batch, _none = build_batch(account.id, good, catalog, "", utc_now())
        result = self.committer.apply_now([batch])[0]
        return result, sorted(problems)

    # report ------------------------------------------------------------------------------

    def report(self, params: Mapping[str, str], client: str) -> Report:
        """The authorised report for the request's parameters (read when opened).

        Failed organization keys are counted per client address; past the limit the
        address is answered 429 until the window ends, even with a right key.
        """
        query = parse_report_query(params)
        account = self._authenticated(
            "organization_key",
            query.organization_key,
            Surface.VIDEO_ORGANIZATION_KEY,
            client,
            UnknownVideoKeyError("unknown organization_key", field="organization_key"),
        )
        return Report(
            database=self.database, account_id=account.id, query=query, clickhouse=self.clickhouse
        )


def _mentions_unknown_key(problems: list[tuple[int, str]]) -> bool:
    return any(reason.startswith("unknown ") and "_key" in reason for _i, reason in problems)


def _parse_bulk(body: bytes) -> tuple[dict[str, BulkVideo], dict[str, BulkItem]]:
    """Every line checked; CatalogFieldError lists the first bad lines by number."""
    videos: dict[str, BulkVideo] = {}
    items: dict[str, BulkItem] = {}
    problems: list[str] = []
    lines = body.splitlines()
    if len(lines) > MAX_BULK_LINES:
        raise CatalogTooLargeError(f"more than {MAX_BULK_LINES} lines")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            parsed = _bulk_adapter.validate_json(line)
            if isinstance(parsed, BulkVideo):
                videos[check_key(parsed.content_key, "content_key")] = parsed
            else:
                items[check_key(parsed.ecommerce_key, "ecommerce_key")] = parsed
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            problems.append(f"line {number}: {where}: {first['msg']}")
        except ValueError as exc:
            problems.append(f"line {number}: {exc}")
    if problems:
        shown = "; ".join(problems[:20])
        raise CatalogFieldError(f"{len(problems)} bad line(s), nothing written: {shown}")
    return videos, items
