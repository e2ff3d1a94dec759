"""Group commit: many orders share one transaction, so one fsync acknowledges a batch.

Each request hands its write (a function of a connection and the batch) to one
committer thread (``kit.groupcommit.GroupWriter``) and waits. The thread takes
everything queued, runs the jobs one after another on one connection, lets the
batch write what they collected, commits once, and only then answers every
waiting request: nothing is acknowledged before it is durable.

A job that refuses (one of ``clean_errors``) has written nothing, so the rest
of the batch goes on. Any other failure rolls the whole batch back; its jobs are
then run again in halves, each half in its own transaction (``kit.groupcommit``),
until the faulty job is alone: only that one fails.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Connection

from commerce_stats.db.engine import Database
from commerce_stats.kit.groupcommit import GroupWriter

log = logging.getLogger("commerce_stats.promotions")
T = TypeVar("T")


class Batch(Protocol):
    def flush(self, conn: Connection) -> None:
        """Write what the batch's jobs collected."""


B = TypeVar("B", bound=Batch)


@dataclass(frozen=True, slots=True)
class _Job(Generic[B]):
    work: Callable[[Connection, B], Any]


class GroupCommitter(Generic[B]):
    """Write jobs batched into shared transactions by one ``kit`` group writer."""

    def __init__(
        self,
        database: Database,
        new_batch: Callable[[], B],
        clean_errors: tuple[type[Exception], ...],
        max_batch: int = 256,
    ) -> None:
        self.database = database
        self.new_batch = new_batch
        self.clean_errors = clean_errors
        self._writer: GroupWriter[_Job[B], Any] = GroupWriter(
            self._commit,
            name="promotions-group-commit",
            log=log,
            what="jobs",
            max_size=max_batch,
        )

    def start(self) -> None:
        self._writer.start()

    def stop(self) -> None:
        """Finish every queued job, then end the thread."""
        self._writer.stop()

    def run(self, work: Callable[[Connection, B], T]) -> T:
        """Runs ``work`` in the next batch; returns its result once the batch committed."""
        if not self._writer.running:
            raise RuntimeError("group committer is not running")
        result: T = self._writer.run(_Job(work))
        return result

    def _commit(self, jobs: Sequence[_Job[B]]) -> list[Any]:
        """Runs ``jobs`` in one transaction; per job its result or its clean refusal.
        Raises (nothing written) when the transaction rolled back."""
        answers: list[Any] = []
        with self.database.write() as conn:
            batch = self.new_batch()
            for job in jobs:
                try:
                    answers.append(job.work(conn, batch))
                except self.clean_errors as refusal:
                    answers.append(refusal)
            batch.flush(conn)
        return answers
