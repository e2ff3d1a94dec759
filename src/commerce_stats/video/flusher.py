"""Group commit: many requests' batches applied in one write transaction.

Requests hand their batch to ``GroupCommitter.submit`` and wait on the returned
future. One thread takes every pending batch, sums the increments per counter
key in memory, claims the event ids against the dedupe memory and upserts the
counters, all in ONE transaction; only after the commit are the futures
resolved. While a flush is running, new batches pile up and go together into
the next one, which is where the throughput comes from. When the transaction
fails, nothing of it is applied and the batches are committed again in halves
(``kit.groupcommit``): only a batch that fails alone gets the error, every
other request is committed and answered as usual.
"""

from __future__ import annotations

import asyncio
import logging
import operator
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from commerce_stats.db.engine import Database
from commerce_stats.kit.groupcommit import commit_isolating_failures
from commerce_stats.kit.timeutil import utc_now
from commerce_stats.video import repository
from commerce_stats.video.clickhouse_outbox import ClickHouseCounters, StagedBatch
from commerce_stats.video.errors import ShardUnavailableError
from commerce_stats.video.events import Batch, BatchResult, CounterKey

log = logging.getLogger("commerce_stats.video")

DEDUPE_WINDOW = timedelta(days=7)
PRUNE_EVERY_SECONDS = 300.0
OUTBOX_RETRY_SECONDS = 1.0
"""How often an idle writer tries again to send counters waiting in the outbox."""

Totals = dict[int, dict[CounterKey, list[int]]]
"""A flush's increments: per account, per counter key, the five counts."""


@dataclass
class _Pending:
    """A batch and whoever waits for it: a thread (``future``) or a coroutine (``waiter``
    on ``loop``)."""

    batch: Batch
    future: Future[BatchResult] | None = None
    loop: asyncio.AbstractEventLoop | None = None
    waiter: asyncio.Future[BatchResult] | None = None


Outcome = BatchResult | BaseException
"""What a flush hands each waiting request: its result, or the error that undid the flush."""


def _settle(outcomes: list[tuple[asyncio.Future[BatchResult], Outcome]]) -> None:
    """Runs on the event loop: resolve every waiting request of one flush at once."""
    for waiter, outcome in outcomes:
        if waiter.done():
            continue
        if isinstance(outcome, BatchResult):
            waiter.set_result(outcome)
        else:
            waiter.set_exception(outcome)


class GroupCommitter:
    """The single writer of the video counters in this process."""

    def __init__(
        self,
        database: Database,
        clock: Callable[[], datetime] = utc_now,
        max_events_per_flush: int = 200_000,
        clickhouse: ClickHouseCounters | None = None,
    ) -> None:
        """``clickhouse``: when given, counter deltas go to its outbox and on to
        ClickHouse instead of the relational counters table."""
        self.database = database
        self.clickhouse = clickhouse
        self._staged: list[StagedBatch] = []
        self._staged_lock = threading.Lock()
        self.clock = clock
        self.max_events_per_flush = max_events_per_flush
        self._pending: list[_Pending] = []
        self._condition = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._last_prune = 0.0
        self.flushes = 0

    # lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="video-group-commit", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Flush everything pending, then stop the thread."""
        thread = self._thread
        if thread is None:
            return
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        thread.join()
        self._thread = None

    # submitting --------------------------------------------------------------------------

    def submit(self, batch: Batch) -> Future[BatchResult]:
        """A future resolved once ``batch`` is committed (or failed with the flush's error).

        Batches submitted before ``start`` wait for it and go into its first flush.
        """
        future: Future[BatchResult] = Future()
        if not batch.plain and not batch.identified:
            future.set_result(BatchResult(batch.received, 0, 0, batch.bots))
            return future
        self._enqueue(_Pending(batch, future=future))
        return future

    async def commit(self, batch: Batch) -> BatchResult:
        """Wait, without blocking the event loop, until ``batch`` is committed.

        Cheaper than wrapping ``submit``'s future: the flusher settles all the
        coroutines of a flush with one call into the loop.
        """
        if not batch.plain and not batch.identified:
            return BatchResult(batch.received, 0, 0, batch.bots)
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[BatchResult] = loop.create_future()
        self._enqueue(_Pending(batch, loop=loop, waiter=waiter))
        return await waiter

    def _enqueue(self, pending: _Pending) -> None:
        with self._condition:
            if self._stopping:
                raise RuntimeError("the video group committer is stopping")
            self._pending.append(pending)
            self._condition.notify()

    def apply_now(self, batches: list[Batch]) -> list[BatchResult]:
        """Commit ``batches`` in one transaction from the calling thread (CLI backfills)."""
        if self.clickhouse is not None:
            self.clickhouse.ensure_ready()
        results = self._apply(batches)
        self._deliver_staged()
        return results

    # the writer thread -------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._pending and not self._stopping:
                    if self._waiting_outbox() is not None:
                        break
                    self._condition.wait()
                if not self._pending and self._stopping:
                    return
                taken = self._take()
            if taken:
                self._flush(taken)
            else:
                self._retry_outbox()

    def _waiting_outbox(self) -> ClickHouseCounters | None:
        """The ClickHouse outbox when it holds parts a failed send left behind."""
        if self.clickhouse is not None and self.clickhouse.has_backlog:
            return self.clickhouse
        return None

    def _retry_outbox(self) -> None:
        """Idle with counters waiting: wait a moment (new batches cut it short), then try
        sending them again."""
        with self._condition:
            if not self._pending and not self._stopping:
                self._condition.wait(OUTBOX_RETRY_SECONDS)
            if self._pending or self._stopping:
                return
        clickhouse = self._waiting_outbox()
        if clickhouse is not None:
            clickhouse.drain_quietly()

    def _take(self) -> list[_Pending]:
        """The oldest pending batches, up to ``max_events_per_flush`` events (at least one)."""
        cut = 0
        events = 0
        for pending in self._pending:
            size = pending.batch.received
            if cut and events + size > self.max_events_per_flush:
                break
            cut += 1
            events += size
        taken = self._pending[:cut]
        del self._pending[:cut]
        return taken

    def _flush(self, taken: list[_Pending]) -> None:
        outcomes: Sequence[Outcome]
        try:
            if self.clickhouse is not None:
                self.clickhouse.ensure_ready()
        except ShardUnavailableError as exc:
            outcomes = [exc] * len(taken)
        else:
            outcomes = commit_isolating_failures(
                [pending.batch for pending in taken], self._apply, log, "video batches"
            )
            self._deliver_staged()
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[BatchResult], Outcome]]]
        by_loop = {}
        for pending, outcome in zip(taken, outcomes, strict=True):
            if pending.future is not None:
                if isinstance(outcome, BatchResult):
                    pending.future.set_result(outcome)
                else:
                    pending.future.set_exception(outcome)
            elif pending.loop is not None and pending.waiter is not None:
                by_loop.setdefault(pending.loop, []).append((pending.waiter, outcome))
        for loop, settled in by_loop.items():
            if not loop.is_closed():
                loop.call_soon_threadsafe(_settle, settled)

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


def _result_of(batch: Batch, counted_identified: int) -> BatchResult:
    plain = batch.received - batch.bots - len(batch.identified)
    return BatchResult(
        received=batch.received,
        counted=plain + counted_identified,
        duplicates=len(batch.identified) - counted_identified,
        bots=batch.bots,
    )
