"""Group commit: many orders share one transaction, so one fsync acknowledges a batch.

Each request hands its write (a function of a connection and the batch) to one
committer thread and waits. The thread takes everything queued, runs the jobs
one after another on one connection, lets the batch write what they collected,
commits once, and only then answers every waiting request: nothing is
acknowledged before it is durable.

A job that refuses (one of ``clean_errors``) has written nothing, so the rest
of the batch goes on. Any other failure rolls the whole batch back; its jobs are
then run again one transaction each, so only the faulty one fails.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Connection

from commerce_stats.db.engine import Database

T = TypeVar("T")


class Batch(Protocol):
    def flush(self, conn: Connection) -> None:
        """Write what the batch's jobs collected."""


B = TypeVar("B", bound=Batch)


@dataclass
class _Job(Generic[B]):
    work: Callable[[Connection, B], Any]
    future: Future[Any] = field(default_factory=Future)


class GroupCommitter(Generic[B]):
    """One thread that batches write jobs into shared transactions."""

    def __init__(
        self,
        database: Database,
        new_batch: Callable[[], B],
        clean_errors: tuple[type[BaseException], ...],
        max_batch: int = 256,
    ) -> None:
        self.database = database
        self.new_batch = new_batch
        self.clean_errors = clean_errors
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job[B] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._loop, name="promotions-group-commit", daemon=True
        )
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def stop(self) -> None:
        """Finish every queued job, then end the thread."""
        if self._started:
            self._queue.put(None)
            self._thread.join()
            self._started = False

    def run(self, work: Callable[[Connection, B], T]) -> T:
        """Runs ``work`` in the next batch; returns its result once the batch committed."""
        if not self._started:
            raise RuntimeError("group committer is not running")
        job: _Job[B] = _Job(work)
        self._queue.put(job)
        result: T = job.future.result()
        return result

    def _loop(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                batch.append(job)
            if not self._commit(batch) and len(batch) > 1:
                for job in batch:
                    self._commit([job])

    def _commit(self, jobs: list[_Job[B]]) -> bool:
        """Runs ``jobs`` in one transaction; False (nothing answered) when it had to roll back."""
        outcomes: list[tuple[_Job[B], Any, BaseException | None]] = []
        try:
            with self.database.write() as conn:
                batch = self.new_batch()
                for job in jobs:
                    try:
                        outcomes.append((job, job.work(conn, batch), None))
                    except self.clean_errors as refusal:
                        outcomes.append((job, None, refusal))
                batch.flush(conn)
        except Exception as failure:
            if len(jobs) > 1:
                return False
            jobs[0].future.set_exception(failure)
            return True
        for job, value, refused in outcomes:
            if refused is None:
                job.future.set_result(value)
            else:
                job.future.set_exception(refused)
        return True
