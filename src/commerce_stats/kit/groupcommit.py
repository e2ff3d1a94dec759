"""Group commit that one bad item cannot fail: a refused batch is split until the fault is alone.

A group commit writes many requests in one transaction. When the database
refuses that transaction (a value it cannot store, a constraint, a driver
error), nothing of it was applied, so it is safe to try again with fewer items:
the batch is halved and each half committed in its own transaction,
recursively, until every item is either committed with a working half or is
alone in a transaction that still fails. Only that item gets the error; with
one bad item among ``n`` this costs about ``2 * log2(n)`` extra transactions,
and a batch that commits on the first try costs nothing extra.

Validation keeps bad values out of batches in the first place; this is what
keeps a value that slipped through (or a fault nobody foresaw) to one request.

``GroupWriter`` is the one write path built around it: every domain that
acknowledges writes only once they are durable (video events, conversion
pixels, promotion orders) hands its items to one, and supplies only how to
apply a batch.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def commit_isolating_failures(
    items: Sequence[T],
    commit: Callable[[Sequence[T]], Sequence[R]],
    log: logging.Logger,
    what: str,
) -> list[R | Exception]:
    """Per item, what ``commit`` answered for it, or the exception that failed it alone.

    ``commit`` must write its items in ONE transaction of its own that either
    commits or leaves nothing behind, must not change its items, and answers one
    result per item, in order.
    """
    try:
        results = commit(items)
    except Exception as failure:
        if len(items) == 1:
            log.exception("committing one %s failed; only its request is refused", what)
            return [failure]
        log.warning(
            "committing %d %s together failed (%s); committing them in halves",
            len(items),
            what,
            type(failure).__name__,
        )
        middle = len(items) // 2
        return commit_isolating_failures(
            items[:middle], commit, log, what
        ) + commit_isolating_failures(items[middle:], commit, log, what)
    return list(results)


class WriterStoppedError(RuntimeError):
    """The writer is stopping or stopped: the item was not taken (nothing was written)."""


@dataclass(slots=True)
class _Waiting(Generic[T, R]):
    """An item and whoever waits for it: a thread (``future``) or a coroutine (``waiter``
    on ``loop``)."""

    item: T
    future: Future[R] | None = None
    loop: asyncio.AbstractEventLoop | None = None
    waiter: asyncio.Future[R] | None = None


Settled = list[tuple["asyncio.Future[Any]", Any]]


def _one(_item: object) -> int:
    return 1


def _settle(settled: Settled) -> None:
    """Runs on an event loop: resolves every coroutine of one flush that waits on it."""
    for waiter, outcome in settled:
        if waiter.done():
            continue  # the request went away (its coroutine was cancelled)
        if isinstance(outcome, BaseException):
            waiter.set_exception(outcome)
        else:
            waiter.set_result(outcome)


def _resolve(future: Future[R], outcome: R | BaseException) -> None:
    try:
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
    except InvalidStateError:
        pass  # cancelled by whoever submitted it


class GroupWriter(Generic[T, R]):
    """The single write path of one domain in this process: a queue and one writer thread.

    Requests hand an item to ``submit`` (threads) or ``commit`` (coroutines) and
    wait. The writer thread takes everything waiting (up to ``max_size``, as
    measured by ``size``), hands it to ``apply`` and resolves every waiter only
    after ``apply`` returned, that is after its transaction committed: nothing
    is acknowledged before it is durable. While one batch is written the next
    one piles up, which is where the throughput comes from; a lone item is
    written at once (no timer).

    ``apply`` is the only thing a domain supplies. It must write its items in
    ONE transaction of its own that commits or leaves nothing behind, must not
    change its items, and answers per item, in order, either its result or the
    exception that refuses that item alone (a clean refusal that wrote nothing
    for it; the rest of the transaction still commits). When ``apply`` raises,
    nothing was written and the batch is written again in halves
    (``commit_isolating_failures``) until only the item at fault gets the error.
    A result must therefore not itself be an exception.

    Three optional hooks let a store with a second stage use the same path:
    ``prepare`` runs before a batch is written (an exception from it refuses every
    item of that batch, nothing written); ``finish`` runs after the batch committed
    and before its waiters are answered — when it returns a future, the waiters are
    answered once that future is done, and the writer takes the next batch meanwhile
    (a pipelined second stage); ``backlog`` tells whether ``idle`` has work,
    and an idle writer with a backlog calls ``idle`` every ``idle_seconds`` (new items
    cut the wait short).

    ``stop`` drains: it refuses new items (``WriterStoppedError``), writes every item
    already taken, then ends the thread. Items submitted before ``start`` wait
    for it and go into its first batch.
    """

    def __init__(
        self,
        apply: Callable[[Sequence[T]], Sequence[R | Exception]],
        *,
        name: str,
        log: logging.Logger,
        what: str,
        max_size: int = 1_000,
        size: Callable[[T], int] = _one,
        prepare: Callable[[], None] | None = None,
        finish: Callable[[], Future[None] | None] | None = None,
        backlog: Callable[[], bool] | None = None,
        idle: Callable[[], None] | None = None,
        idle_seconds: float = 1.0,
    ) -> None:
        self._apply = apply
        self.name = name
        self._log = log
        self._what = what
        self.max_size = max_size
        self._size = size
        self._prepare = prepare
        self._finish = finish
        self._backlog = backlog
        self._idle = idle
        self.idle_seconds = idle_seconds
        self._waiting: list[_Waiting[T, R]] = []
        self._finishing: set[Future[None]] = set()
        """Second stages still running (``finish`` answered a future); ``stop`` waits."""
        self._condition = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.batches = 0
        """Batches taken by the writer thread so far (each is one ``apply``, or more after a
        failure)."""

    # lifecycle ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        with self._condition:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Refuses new items, writes every item already submitted, then ends the thread."""
        with self._condition:
            thread = self._thread
            self._stopping = True
            self._condition.notify_all()
        if thread is None:
            self._drain_here()
            return
        thread.join()
        for pending in list(self._finishing):
            pending.result()
        with self._condition:
            self._thread = None

    def _drain_here(self) -> None:
        """Never started: what was submitted is written by the calling thread."""
        while True:
            with self._condition:
                if not self._waiting:
                    return
                taken = self._take()
            self._write(taken)

    # submitting --------------------------------------------------------------------------

    def submit(self, item: T) -> Future[R]:
        """A future resolved once ``item`` is committed, or failed with what refused it."""
        future: Future[R] = Future()
        self._enqueue(_Waiting(item, future=future))
        return future

    def run(self, item: T) -> R:
        """Blocks the calling thread until ``item`` is committed; its result (or raises)."""
        return self.submit(item).result()

    async def commit(self, item: T) -> R:
        """Waits, without blocking the event loop, until ``item`` is committed.

        Cheaper than awaiting ``submit``'s future: the writer settles all the
        coroutines of one batch with a single call into their loop.
        """
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[R] = loop.create_future()
        self._enqueue(_Waiting(item, loop=loop, waiter=waiter))
        return await waiter

    def _enqueue(self, waiting: _Waiting[T, R]) -> None:
        with self._condition:
            if self._stopping:
                raise WriterStoppedError(f"{self.name} is stopping")
            self._waiting.append(waiting)
            self._condition.notify()

    # the writer thread -------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._waiting and not self._stopping and not self._has_backlog():
                    self._condition.wait()
                if not self._waiting and self._stopping:
                    return
                if not self._waiting:  # idle with a backlog: wait a moment, new items first
                    self._condition.wait(self.idle_seconds)
                taken = self._take() if self._waiting else []
            if taken:
                self._write(taken)
            elif not self._stopping and self._idle is not None:
                self._idle()

    def _has_backlog(self) -> bool:
        return self._backlog is not None and self._idle is not None and self._backlog()

    def _take(self) -> list[_Waiting[T, R]]:
        """The oldest waiting items up to ``max_size`` in all (always at least one)."""
        cut = 0
        total = 0
        for waiting in self._waiting:
            size = self._size(waiting.item)
            if cut and total + size > self.max_size:
                break
            cut += 1
            total += size
        taken = self._waiting[:cut]
        del self._waiting[:cut]
        return taken

    def _write(self, taken: list[_Waiting[T, R]]) -> None:
        self.batches += 1
        items = [waiting.item for waiting in taken]
        outcomes: Sequence[R | BaseException]
        try:
            if self._prepare is not None:
                self._prepare()
        except Exception as refusal:  # the store cannot take this batch: nothing written
            self._answer(taken, [refusal] * len(taken))
            return
        pending: Future[None] | None = None
        try:
            outcomes = commit_isolating_failures(items, self._apply, self._log, self._what)
            if self._finish is not None:
                pending = self._finish()
        except BaseException as failure:  # the waiters must hear of it
            self._log.exception("writing %d %s failed", len(items), self._what)
            outcomes = [failure] * len(taken)
        if pending is None:
            self._answer(taken, outcomes)
        else:
            self._answer_when_finished(pending, taken, outcomes)

    def _answer_when_finished(
        self,
        pending: Future[None],
        taken: list[_Waiting[T, R]],
        outcomes: Sequence[R | BaseException],
    ) -> None:
        """The batch is committed; its waiters are answered once the second stage ends,
        while this thread goes on with the next batch (a failed second stage is only
        logged: what it was to carry is durable already)."""
        self._finishing.add(pending)

        def answer(done: Future[None]) -> None:
            failure = done.exception()
            if failure is not None:
                self._log.error("finishing %d %s failed: %r", len(taken), self._what, failure)
            self._answer(taken, outcomes)
            self._finishing.discard(done)

        pending.add_done_callback(answer)

    @staticmethod
    def _answer(taken: list[_Waiting[T, R]], outcomes: Sequence[R | BaseException]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, Settled] = {}
        for waiting, outcome in zip(taken, outcomes, strict=True):
            if waiting.future is not None:
                _resolve(waiting.future, outcome)
            elif waiting.loop is not None and waiting.waiter is not None:
                by_loop.setdefault(waiting.loop, []).append((waiting.waiter, outcome))
        for loop, settled in by_loop.items():
            if not loop.is_closed():
                loop.call_soon_threadsafe(_settle, settled)
