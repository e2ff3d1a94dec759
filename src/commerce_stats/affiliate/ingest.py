"""Group commit for the conversion pixel.

A pixel is answered only after its transaction is durable. Committing each
pixel on its own costs one fsync per request; instead, pixels wait in a queue
and one writer thread records everything that arrived meanwhile in a single
database transaction, then answers them all. Under load a commit carries many
pixels; with a single pixel it is committed at once (no timer to wait for).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future

from starlette.concurrency import run_in_threadpool

from commerce_stats.affiliate.errors import AffiliateError, ShuttingDownError
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.affiliate.tracker import ConversionInput
from commerce_stats.kit.groupcommit import commit_isolating_failures
from commerce_stats.kit.timeutil import utc_now
from commerce_stats.runtime import Runtime

log = logging.getLogger("commerce_stats.affiliate")
SERVICE_KEY = "affiliate_conversions"
MAX_BATCH = 1_000

Item = tuple[ConversionInput, "Future[None]"]


class ConversionBatcher:
    """The writer thread and its queue; ``submit`` returns a future that ends when durable."""

    def __init__(self, network: AffiliateNetwork, max_batch: int = MAX_BATCH) -> None:
        self.network = network
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[Item | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="affiliate-pixels", daemon=True)
        self._stopped = False
        self._lock = threading.Lock()

    def start(self) -> None:
        self._thread.start()

    def submit(self, conversion: ConversionInput) -> Future[None]:
        future: Future[None] = Future()
        with self._lock:
            if self._stopped:
                future.set_exception(ShuttingDownError())
            else:
                self._queue.put((conversion, future))
        return future

    def stop(self) -> None:
        """Records everything already submitted, then ends the writer thread."""
        with self._lock:
            self._stopped = True
            self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            finished = False
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    finished = True
                    break
                batch.append(item)
            self._write(batch)
            if finished:
                return

    def _write(self, batch: list[Item]) -> None:
        """Records the batch; a failing transaction is split so only the item at fault fails."""
        conversions = [conversion for conversion, _future in batch]
        outcomes = commit_isolating_failures(conversions, self._commit, log, "conversions")
        for (_conversion, future), outcome in zip(batch, outcomes, strict=True):
            if outcome is None:
                future.set_result(None)
            else:
                future.set_exception(outcome)

    def _commit(self, conversions: Sequence[ConversionInput]) -> list[AffiliateError | None]:
        """One write transaction for ``conversions``; per conversion, why it was refused."""
        with self.network.database.write() as conn:
            return self.network.tracker.record_conversions(conn, list(conversions), utc_now())


async def record(runtime: Runtime, conversion: ConversionInput) -> None:
    """Records a conversion durably: through the group commit when it runs, else directly."""
    batcher = runtime.services.get(SERVICE_KEY)
    if isinstance(batcher, ConversionBatcher):
        return await asyncio.wrap_future(batcher.submit(conversion))
    network = AffiliateNetwork(runtime.database, runtime.accounts, runtime.failures)
    return await run_in_threadpool(network.tracker.track_conversion, conversion)


def start(runtime: Runtime) -> None:
    """Start-up hook: one writer thread per server process."""
    batcher = ConversionBatcher(AffiliateNetwork(runtime.database, runtime.accounts))
    batcher.start()
    runtime.services[SERVICE_KEY] = batcher


def stop(runtime: Runtime) -> None:
    """Shut-down hook: flushes what was submitted before the database closes."""
    batcher = runtime.services.pop(SERVICE_KEY, None)
    if isinstance(batcher, ConversionBatcher):
        batcher.stop()
