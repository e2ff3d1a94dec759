"""Group commit: many requests' batches applied in one write transaction.

Requests hand their batch to ``GroupCommitter.submit`` (or ``commit``) and wait;
the queue and the writer thread are ``kit.groupcommit.GroupWriter``. The thread
takes every pending batch, and ``_apply`` sums the increments per counter
key in memory, claims the event ids against the dedupe memory and upserts the
counters, all in ONE transaction; only after the commit are the futures
resolved. While a flush is running, new batches pile up and go together into
the next one, which is where the throughput comes from. When the transaction
fails, nothing of it is applied and the batches are committed again in halves
(``kit.groupcommit``): only a batch that fails alone gets the error, every
other request is committed and answered as usual.
"""

from __future__ import annotations

import logging
import operator
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import datetime, timedelta

from sqlalchemy import Connection

from commerce_stats.db.engine import Database
from commerce_stats.kit.groupcommit import GroupWriter
from commerce_stats.kit.timeutil import utc_now
from commerce_stats.video import repository
from commerce_stats.video.clickhouse_outbox import ClickHouseCounters, StagedBatch
from commerce_stats.video.events import Batch, BatchResult, CounterKey

log = logging.getLogger("commerce_stats.video")

DEDUPE_WINDOW = timedelta(days=7)
PRUNE_EVERY_SECONDS = 300.0
OUTBOX_RETRY_SECONDS = 1.0
"""How often an idle writer tries again to send counters waiting in the outbox."""

Totals = dict[int, dict[CounterKey, list[int]]]
"""A flush's increments: per account, per counter key, the five counts."""


class GroupCommitter:
    """The single writer of the video counters in this process (a ``kit`` group writer
    whose batch is summed and upserted by ``_apply``)."""

    def __init__(
        self,
        database: Database,
        clock: Callable[[], datetime] = utc_now,
        max_events_per_flush: int = 200_000,
        clickhouse: ClickHouseCounters | None = None,
    ) -> None:
        """``clickhouse``: when given, counter deltas go to its outbox and on to
        ClickHouse instead of the relational counters table: a shard down refuses a
        batch before anything is written, and what a commit staged is sent before the
        batch is answered."""
        self.database = database
        self.clock = clock
        self.clickhouse = clickhouse
        self._staged: list[StagedBatch] = []
        self._staged_lock = threading.Lock()
        self._writer: GroupWriter[Batch, BatchResult] = GroupWriter(
            self._apply,
            name="video-group-commit",
            log=log,
            what="video batches",
            max_size=max_events_per_flush,
            size=_events_of,
            prepare=clickhouse.ensure_ready if clickhouse is not None else None,
            finish=self._deliver_staged_later if clickhouse is not None else None,
            backlog=(lambda: clickhouse.has_backlog) if clickhouse is not None else None,
            idle=clickhouse.drain_quietly if clickhouse is not None else None,
            idle_seconds=OUTBOX_RETRY_SECONDS,
        )
        self._last_prune = 0.0
        self.flushes = 0

    def start(self) -> None:
        self._writer.start()

    def stop(self) -> None:
        """Flush everything pending, then stop the thread."""
        self._writer.stop()

    def submit(self, batch: Batch) -> Future[BatchResult]:
        """A future resolved once ``batch`` is committed (or failed with the flush's error).

        Batches submitted before ``start`` wait for it and go into its first flush.
        """
        if not batch.plain and not batch.identified:
            future: Future[BatchResult] = Future()
            future.set_result(_nothing_to_count(batch))
            return future
        return self._writer.submit(batch)

    async def commit(self, batch: Batch) -> BatchResult:
        """Wait, without blocking the event loop, until ``batch`` is committed."""
        if not batch.plain and not batch.identified:
            return _nothing_to_count(batch)
        return await self._writer.commit(batch)

    def apply_now(self, batches: list[Batch]) -> list[BatchResult]:
        """Commit ``batches`` in one transaction from the calling thread (CLI backfills)."""
        if self.clickhouse is not None:
            self.clickhouse.ensure_ready()
        results = self._apply(batches)
        self._deliver_staged()
        return results

    def _deliver_staged_later(self) -> Future[None] | None:
        """The writer thread's second stage: what the last commit staged is sent by the
        delivery thread while the next flush is written; the flush's requests are
        answered when the send ends (so a report read after the answer sees them)."""
        with self._staged_lock:
            staged, self._staged = self._staged, []
        if self.clickhouse is None or not staged:
            return None
        return self.clickhouse.deliver_later(staged)

    def _deliver_staged(self) -> None:
        """Send what the last commits put in the ClickHouse outbox, before answering, so
        that a report read after the answer sees the events. A failed send leaves them in
        the outbox: they are durable there and still acknowledged."""
        with self._staged_lock:
            staged, self._staged = self._staged, []
        if self.clickhouse is not None and staged:
            self.clickhouse.deliver(staged)

    def _apply(self, batches: Sequence[Batch]) -> list[BatchResult]:
        """Commits ``batches`` in one transaction, leaving the batches themselves unchanged
        (a failed flush is tried again with some of them)."""
        now = self.clock()
        cutoff = now - DEDUPE_WINDOW
        totals = _Totals()
        for batch in batches:
            totals.add_batch(batch.account_id, batch.plain)
        with self.database.write() as conn:
            fresh = _claim_identified(conn, batches, now, cutoff)
            counted_identified = [0] * len(batches)
            for position, batch in enumerate(batches):
                for event_id, key, index in batch.identified:
                    if (batch.account_id, event_id) in fresh:
                        fresh.discard((batch.account_id, event_id))
                        totals.add_one(batch.account_id, key, index)
                        counted_identified[position] += 1
            staged = self._write_counters(conn, totals.by_account)
            self._maybe_prune(conn, cutoff)
        if staged is not None:
            with self._staged_lock:
                self._staged.append(staged)
        self.flushes += 1
        return [
            _result_of(batch, counted_identified[position])
            for position, batch in enumerate(batches)
        ]

    def _write_counters(self, conn: Connection, totals: Totals) -> StagedBatch | None:
        """The flush's increments: into the relational counters, or into the ClickHouse
        outbox (in the same transaction as the dedupe claims either way)."""
        if self.clickhouse is not None:
            return self.clickhouse.stage(conn, _counter_rows(totals, in_key_order=False))
        repository.add_to_counters(
            conn, _counter_rows(totals, in_key_order=not self.database.is_sqlite)
        )
        return None

    def _maybe_prune(self, conn: Connection, cutoff: datetime) -> None:
        if time.monotonic() - self._last_prune < PRUNE_EVERY_SECONDS:
            return
        self._last_prune = time.monotonic()
        repository.prune_seen_events(conn, cutoff)


class _Totals:
    """A flush's increments, summed without changing any batch.

    The first batch of an account lends its own dictionary and count lists (no copy);
    the dictionary is copied only when a second batch of the account or an identified
    event is added, and sums go into new lists, so a batch stays as it was submitted
    and can be committed again when its flush fails.
    """

    __slots__ = ("_owned", "by_account")

    def __init__(self) -> None:
        self.by_account: Totals = {}
        self._owned: set[int] = set()

    def _own(self, account_id: int) -> dict[CounterKey, list[int]]:
        if account_id not in self._owned:
            self._owned.add(account_id)
            self.by_account[account_id] = dict(self.by_account.get(account_id, {}))
        return self.by_account[account_id]

    def add_batch(self, account_id: int, plain: dict[CounterKey, list[int]]) -> None:
        if account_id not in self.by_account:
            self.by_account[account_id] = plain
            return
        mine = self._own(account_id)
        for key, counts in plain.items():
            existing = mine.get(key)
            mine[key] = counts if existing is None else list(map(operator.add, existing, counts))

    def add_one(self, account_id: int, key: CounterKey, index: int) -> None:
        mine = self._own(account_id)
        counts = list(mine.get(key) or (0, 0, 0, 0, 0))
        if index >= 0:
            counts[index] += 1
        mine[key] = counts


def _claim_identified(
    conn: Connection, batches: Sequence[Batch], now: datetime, cutoff: datetime
) -> set[tuple[int, str]]:
    """The (account, event_id) pairs that count: first sighting in this flush and not in
    the dedupe memory of the last seven days."""
    rows: dict[tuple[int, str], dict[str, object]] = {}
    for batch in batches:
        for event_id, _key, _index in batch.identified:
            pair = (batch.account_id, event_id)
            if pair not in rows:
                rows[pair] = {"account_id": batch.account_id, "event_id": event_id, "seen_at": now}
    if not rows:
        return set()
    ordered = [rows[pair] for pair in sorted(rows)]
    return repository.claim_event_ids(conn, ordered, cutoff)


def _counter_rows(totals: Totals, in_key_order: bool) -> list[tuple[object, ...]]:
    """Rows in ``repository.COUNTER_COLUMNS`` order: the key, then the five counts.

    ``in_key_order`` (PostgreSQL): sorted so that concurrent writers (several server
    processes) lock counter rows in the same order and cannot deadlock each other. SQLite
    has one writer at a time and skips the sort (a tenth of a flush when measured).
    """
    rows: list[tuple[object, ...]] = []
    for account_id in sorted(totals):
        mine = totals[account_id]
        keys = sorted(mine) if in_key_order else mine
        rows.extend((account_id, *key, *mine[key]) for key in keys)
    return rows


def _events_of(batch: Batch) -> int:
    return batch.received


def _nothing_to_count(batch: Batch) -> BatchResult:
    """The answer to a batch of bots only: nothing to write, so no flush to wait for."""
    return BatchResult(batch.received, 0, 0, batch.bots)


def _result_of(batch: Batch, counted_identified: int) -> BatchResult:
    plain = batch.received - batch.bots - len(batch.identified)
    return BatchResult(
        received=batch.received,
        counted=plain + counted_identified,
        duplicates=len(batch.identified) - counted_identified,
        bots=batch.bots,
    )
