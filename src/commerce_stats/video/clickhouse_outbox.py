"""Exactly-once video counters in ClickHouse: a transactional outbox and its drainer.

A flush commits, in ONE relational transaction, the dedupe claims of its events and
its counter deltas (into ``video_counter_outbox``, tagged with a random batch id and
the owning shard of each row). That commit is the acknowledgement: an answered event
is durable even when ClickHouse is not reachable. Afterwards each (batch, shard) part
is inserted into that shard's local table as one block, then deleted from the outbox.

A part can be sent twice only when the process stops between the ClickHouse insert and
the outbox delete (or when two processes drain the same leftovers); the shard's
replicated table then recognises the identical block and drops it, so nothing is
counted twice. While a shard does not answer, ``ensure_ready`` raises
``ShardUnavailableError`` before a flush writes anything: ingest answers 503 and the
client's retry later is safe (nothing of the refused batch was kept).

Any failure of a send or a drain, whatever raised it (a shard, the driver, the outbox
delete, a stopped thread pool), marks the backlog: the parts stay in the outbox and the
next drain sends them. A drain clears the mark only when no send failed while it ran.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection

from commerce_stats.db.engine import Database
from commerce_stats.video import outbox_repository
from commerce_stats.video.clickhouse_store import ClickHouseStore
from commerce_stats.video.errors import ShardUnavailableError

log = logging.getLogger("commerce_stats.video")

PARTS_PER_DRAIN_READ = 200
DELIVERIES_IN_FLIGHT = 2
"""Committed flushes whose send may still run while the writer commits the next one."""

_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]*@")
"""``user:password@`` in a URL quoted by an error message."""


def loggable(failure: BaseException) -> str:
    """A failure as a log line: its class and message, any URL credentials blanked (a
    driver's message may quote the address it tried)."""
    return f"{type(failure).__name__}: {_CREDENTIALS.sub('***@', str(failure))}"


@dataclass
class StagedBatch:
    """One committed flush's deltas, per 0-based shard, in the order they are sent."""

    batch_id: int
    parts: dict[int, list[tuple[Any, ...]]] = field(default_factory=dict)


_key_order = itemgetter(0, 1, 2, 3, 4)
"""A counter row's key (account, video, day, device type, ecommerce key): parts are sent
sorted by it, so a part re-sent from the outbox is the same block as the first send."""


class ClickHouseCounters:
    """Where the group committer puts counter deltas when ClickHouse holds the counters."""

    def __init__(self, database: Database, store: ClickHouseStore) -> None:
        self.database = database
        self.store = store
        self._backlog = True
        """Whether the outbox may hold parts not yet in ClickHouse (after a failed send,
        and at start: a previous run may have stopped before sending)."""
        self._failures = 0
        """Failed sends and drains so far: a drain that saw this change does not clear
        ``_backlog`` (a concurrent send failed after the drain read the outbox)."""
        self._state_lock = threading.Lock()
        self._lock = threading.Lock()
        self._senders = ThreadPoolExecutor(
            max_workers=store.shard_count, thread_name_prefix="video-clickhouse"
        )
        self._deliveries = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="video-clickhouse-delivery"
        )
        """One thread: flushes are sent in the order they committed."""
        self._in_flight = threading.BoundedSemaphore(DELIVERIES_IN_FLIGHT)
        self.parts_sent = 0

    @property
    def has_backlog(self) -> bool:
        return self._backlog

    def stage(self, conn: Connection, rows: Sequence[tuple[Any, ...]]) -> StagedBatch:
        """Write a flush's deltas (``outbox_repository.OUTBOX_COLUMNS`` order) inside the
        flush's transaction; the result is sent with ``deliver`` once that commits."""
        staged = StagedBatch(batch_id=secrets.randbits(63))
        by_account: dict[tuple[int, int], list[tuple[Any, ...]]] = {}
        shards: dict[tuple[int, str], int] = {}
        for row in rows:
            owner = (row[0], row[1])
            shard = shards.get(owner)
            if shard is None:
                shard = shards[owner] = self.store.shard_of(*owner)
            by_account.setdefault((row[0], shard), []).append(row)
            staged.parts.setdefault(shard, []).append(row)
        outbox_repository.stage(
            conn,
            staged.batch_id,
            [
                (account_id, shard, outbox_repository.encode_deltas(mine))
                for (account_id, shard), mine in by_account.items()
            ],
        )
        for part in staged.parts.values():
            part.sort(key=_key_order)
        return staged

    def ensure_ready(self) -> None:
        """Raise ShardUnavailableError unless every shard answers and no older part is
        still waiting (waiting parts are sent first, so the outbox cannot grow without
        bound while a shard is down). Every shard is asked even after a drain: a drain
        of an empty outbox reaches none of them."""
        if self._backlog:
            self.drain()
        self.store.ping_all()

    def deliver(self, staged: Sequence[StagedBatch]) -> None:
        """Send freshly committed batches; on failure they stay in the outbox for later."""
        parts = [
            (batch.batch_id, shard, batch.parts[shard])
            for batch in staged
            for shard in sorted(batch.parts)
        ]
        try:
            self._send(parts)
        except Exception as failure:  # any failure: the parts wait, the next drain sends them
            self._note_failure()
            log.warning("video counters wait in the outbox: %s", loggable(failure))

    def deliver_later(self, staged: Sequence[StagedBatch]) -> Future[None]:
        """``deliver`` in the delivery thread, so that the writer commits the next flush
        while this one is sent; at most ``DELIVERIES_IN_FLIGHT`` wait (the writer blocks
        here beyond that, which bounds what a slow shard lets pile up in memory)."""
        self._in_flight.acquire()
        try:
            future = self._deliveries.submit(self.deliver, staged)
        except Exception as failure:  # e.g. closed: the batch is committed, it waits
            self._in_flight.release()
            self._note_failure()
            log.warning("video counters wait in the outbox: %s", loggable(failure))
            future = Future()
            future.set_result(None)
            return future
        except BaseException:
            self._in_flight.release()
            self._note_failure()
            raise
        future.add_done_callback(lambda _done: self._in_flight.release())
        return future

    def wait_for_deliveries(self) -> None:
        """Returns once every delivery handed over before this call has ended."""
        self._deliveries.submit(_nothing).result()

    def drain(self) -> int:
        """Send every waiting part; returns how many were sent. Raises what stopped it
        (ShardUnavailableError when a shard does not answer); the rest keeps waiting.

        Deliveries still running end first: a part is never sent by both at once."""
        failures_before = self._failures
        try:
            self.wait_for_deliveries()
            with self._lock:
                sent = self._send_waiting()
        except BaseException:
            self._note_failure()
            raise
        with self._state_lock:
            if self._failures == failures_before:
                self._backlog = False
        return sent

    def drain_quietly(self) -> None:
        """``drain`` for the idle writer thread: any failure is only logged (the backlog
        stays marked and the writer tries again later; raising would end the thread)."""
        try:
            self.drain()
        except Exception as failure:
            log.warning("video counters still wait in the outbox: %s", loggable(failure))

    def _send_waiting(self) -> int:
        sent = 0
        while True:
            with self.database.read() as conn:
                parts = outbox_repository.pending_parts(conn, PARTS_PER_DRAIN_READ)
                if not parts:
                    return sent
                loaded = [
                    (batch_id, shard, outbox_repository.part_rows(conn, batch_id, shard))
                    for batch_id, shard in parts
                ]
            for _batch_id, _shard, rows in loaded:
                rows.sort(key=_key_order)
            self._send(loaded)
            sent += len(loaded)

    def _note_failure(self) -> None:
        with self._state_lock:
            self._failures += 1
            self._backlog = True

    def _send(self, parts: Sequence[tuple[int, int, list[tuple[Any, ...]]]]) -> None:
        """Insert each (batch_id, shard, rows) part, every shard's in a thread of its own
        (a replicated insert waits for ZooKeeper, so the shards overlap their waits), then
        delete the inserted parts from the outbox in one transaction, also when another
        part failed (that one stays waiting and its error is raised)."""
        by_shard: dict[int, list[tuple[int, list[tuple[Any, ...]]]]] = {}
        for batch_id, shard, rows in parts:
            by_shard.setdefault(shard, []).append((batch_id, rows))
        sent: list[tuple[int, int]] = []
        failures: list[Exception] = []
        futures = {
            shard: self._senders.submit(self._send_to_shard, shard, shard_parts)
            for shard, shard_parts in sorted(by_shard.items())
        }
        for shard, future in futures.items():
            done, failure = future.result()
            sent.extend((batch_id, shard) for batch_id in done)
            if failure is not None:
                failures.append(failure)
        if sent:
            with self.database.write() as conn:
                for batch_id, shard in sent:
                    outbox_repository.delete_part(conn, batch_id, shard)
            self.parts_sent += len(sent)
        if failures:
            raise failures[0]

    def _send_to_shard(
        self, shard: int, parts: list[tuple[int, list[tuple[Any, ...]]]]
    ) -> tuple[list[int], Exception | None]:
        """(batch ids inserted, the error that stopped the rest or None). Every error is
        answered, not raised, so that the other shards' inserted parts are still deleted."""
        done: list[int] = []
        if shard >= self.store.shard_count:
            return done, ShardUnavailableError(shard + 1)
        for batch_id, rows in parts:
            try:
                self.store.insert_part(shard, batch_id, rows)
            except Exception as failure:
                return done, failure
            done.append(batch_id)
        return done, None

    def close(self) -> None:
        self._deliveries.shutdown(wait=True)
        self._senders.shutdown(wait=True)


def _nothing() -> None:
    return None
