"""Group commit: many orders share one transaction, so one fsync acknowledges a batch.

Each request hands its write (a function of a connection) to one committer
thread and waits. The thread takes everything queued, runs each job inside its
own SAVEPOINT (a refused order rolls back alone), commits once, and only then
answers every waiting request. Nothing is acknowledged before it is durable.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection

from commerce_stats.db.engine import Database

T = TypeVar("T")


@dataclass
class _Job:
    work: Callable[[Connection], Any]
    future: Future[Any] = field(default_factory=Future)


class GroupCommitter:
    """One thread that batches write jobs into shared transactions."""

    def __init__(self, database: Database, max_batch: int = 256) -> None:
        self.database = database
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._loop, name="promotions-group-commit", daemon=True
        )
        self._started = False
        self.batches = 0
        self.jobs = 0

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

    def run(self, work: Callable[[Connection], T]) -> T:
        """Runs ``work`` in the next batch and returns its result once the batch committed."""
        if not self._started:
            raise RuntimeError("group committer is not running")
        job = _Job(work)
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
            self._execute(batch)

    def _execute(self, batch: list[_Job]) -> None:
        outcomes: list[tuple[_Job, Any, BaseException | None]] = []
        try:
            with self.database.write() as conn:
                for job in batch:
                    try:
                        with conn.begin_nested():
                            outcomes.append((job, job.work(conn), None))
                    except Exception as error:
                        outcomes.append((job, None, error))
        except Exception as commit_error:
            for job in batch:
                job.future.set_exception(commit_error)
            return
        self.batches += 1
        self.jobs += len(batch)
        for job, value, failure in outcomes:
            if failure is None:
                job.future.set_result(value)
            else:
                job.future.set_exception(failure)
