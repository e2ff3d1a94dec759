"""Group commit for the conversion pixel and the view pixel.

A pixel is answered only after its transaction is durable. Committing each
pixel on its own costs one fsync per request; instead, pixels wait in the
queue of a ``kit.groupcommit.GroupWriter`` and its one writer thread records
everything that arrived meanwhile in a single database transaction, then
answers them all. Under load a commit carries many
pixels; with a single pixel it is committed at once (no timer to wait for).
Views have a writer of their own, so a burst of views never delays a sale.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future

from starlette.concurrency import run_in_threadpool

from commerce_stats.affiliate.errors import AffiliateError, ShuttingDownError
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.affiliate.tracker import ConversionInput, ViewInput
from commerce_stats.kit.groupcommit import GroupWriter, WriterStoppedError
from commerce_stats.kit.timeutil import utc_now
from commerce_stats.runtime import Runtime

log = logging.getLogger("commerce_stats.affiliate")
SERVICE_KEY = "affiliate_conversions"
VIEWS_KEY = "affiliate_views"
MAX_BATCH = 1_000


class ConversionBatcher:
    """The conversion pixel's ``kit`` group writer; ``submit`` returns a future that ends
    when durable."""

    def __init__(self, network: AffiliateNetwork, max_batch: int = MAX_BATCH) -> None:
        self.network = network
        self._writer: GroupWriter[ConversionInput, None] = GroupWriter(
            self._commit, name="affiliate-pixels", log=log, what="conversions", max_size=max_batch
        )

    def start(self) -> None:
        self._writer.start()

    def submit(self, conversion: ConversionInput) -> Future[None]:
        try:
            return self._writer.submit(conversion)
        except WriterStoppedError:
            refused: Future[None] = Future()
            refused.set_exception(ShuttingDownError())
            return refused

    async def commit(self, conversion: ConversionInput) -> None:
        """Waits, without blocking the event loop, until ``conversion`` is durable."""
        try:
            await self._writer.commit(conversion)
        except WriterStoppedError:
            raise ShuttingDownError() from None

    def stop(self) -> None:
        """Records everything already submitted, then ends the writer thread."""
        self._writer.stop()

    def _commit(self, conversions: Sequence[ConversionInput]) -> list[AffiliateError | None]:
        """One write transaction for ``conversions``; per conversion, why it was refused."""
        with self.network.database.write() as conn:
            return self.network.tracker.record_conversions(conn, list(conversions), utc_now())


class ViewBatcher:
    """The view pixel's group writer; ``commit`` ends when the view is durable and answers
    its id (None for a bot's view, which is not recorded)."""

    def __init__(self, network: AffiliateNetwork, max_batch: int = MAX_BATCH) -> None:
        self.network = network
        self._writer: GroupWriter[ViewInput, int | None] = GroupWriter(
            self._commit, name="affiliate-views", log=log, what="views", max_size=max_batch
        )

    def start(self) -> None:
        self._writer.start()

    def submit(self, view: ViewInput) -> Future[int | None]:
        try:
            return self._writer.submit(view)
        except WriterStoppedError:
            refused: Future[int | None] = Future()
            refused.set_exception(ShuttingDownError())
            return refused

    async def commit(self, view: ViewInput) -> int | None:
        try:
            return await self._writer.commit(view)
        except WriterStoppedError:
            raise ShuttingDownError() from None

    def stop(self) -> None:
        self._writer.stop()

    def _commit(self, views: Sequence[ViewInput]) -> list[int | AffiliateError | None]:
        with self.network.database.write() as conn:
            return self.network.tracker.record_views(conn, list(views), utc_now())


async def record_view(runtime: Runtime, view: ViewInput) -> int | None:
    """Records a view durably: through the group commit when it runs, else directly."""
    batcher = runtime.services.get(VIEWS_KEY)
    if isinstance(batcher, ViewBatcher):
        return await batcher.commit(view)
    network = AffiliateNetwork(runtime.database, runtime.accounts, runtime.failures)
    return await run_in_threadpool(network.tracker.track_view, view)


async def record(runtime: Runtime, conversion: ConversionInput) -> None:
    """Records a conversion durably: through the group commit when it runs, else directly."""
    batcher = runtime.services.get(SERVICE_KEY)
    if isinstance(batcher, ConversionBatcher):
        return await batcher.commit(conversion)
    network = AffiliateNetwork(runtime.database, runtime.accounts, runtime.failures)
    return await run_in_threadpool(network.tracker.track_conversion, conversion)


def start(runtime: Runtime) -> None:
    """Start-up hook: one writer thread per server process."""
    batcher = ConversionBatcher(AffiliateNetwork(runtime.database, runtime.accounts))
    batcher.start()
    runtime.services[SERVICE_KEY] = batcher
    views = ViewBatcher(AffiliateNetwork(runtime.database, runtime.accounts))
    views.start()
    runtime.services[VIEWS_KEY] = views


def stop(runtime: Runtime) -> None:
    """Shut-down hook: flushes what was submitted before the database closes."""
    batcher = runtime.services.pop(SERVICE_KEY, None)
    if isinstance(batcher, ConversionBatcher):
        batcher.stop()
    views = runtime.services.pop(VIEWS_KEY, None)
    if isinstance(views, ViewBatcher):
        views.stop()
