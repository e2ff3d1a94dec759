"""Group commit: many orders share one transaction, so one fsync acknowledges a batch.

Each request hands its write (a function of a connection and the batch) to one
committer thread and waits. The thread takes everything queued, runs the jobs
one after another on one connection, lets the batch write what they collected,
commits once, and only then answers every waiting request: nothing is
acknowledged before it is durable.

A job that refuses (one of ``clean_errors``) has written nothing, so the rest
of the batch goes on. Any other failure rolls the whole batch back; its jobs are
then run again in halves, each half in its own transaction (``kit.groupcommit``),
until the faulty job is alone: only that one fails.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Connection

from commerce_stats.db.engine import Database
from commerce_stats.kit.groupcommit import commit_isolating_failures

log = logging.getLogger("commerce_stats.promotions")
T = TypeVar("T")


class Batch(Protocol):
    def flush(self, conn: Connection) -> None:
        """Write what the batch's jobs collected."""


B = TypeVar("B", bound=Batch)


@dataclass(frozen=True, slots=True)
class _Answer:
    """A job's result, or its clean refusal, in a transaction that committed."""

    value: Any
    refusal: BaseException | None = None


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
            self._answer(batch, commit_isolating_failures(batch, self._commit, log, "jobs"))

    @staticmethod
    def _answer(jobs: list[_Job[B]], outcomes: list[_Answer | Exception]) -> None:
        for job, outcome in zip(jobs, outcomes, strict=True):
            if isinstance(outcome, Exception):
                job.future.set_exception(outcome)
            elif outcome.refusal is not None:
                job.future.set_exception(outcome.refusal)
            else:
                job.future.set_result(outcome.value)

    def _commit(self, jobs: Sequence[_Job[B]]) -> list[_Answer]:
        """Runs ``jobs`` in one transaction; raises (nothing written) when it rolled back."""
        answers: list[_Answer] = []
        with self.database.write() as conn:
            batch = self.new_batch()
            for job in jobs:
                try:
                    answers.append(_Answer(job.work(conn, batch)))
                except self.clean_errors as refusal:
                    answers.append(_Answer(None, refusal))
            batch.flush(conn)
        return answers
