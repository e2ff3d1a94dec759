"""The exports' database work: every read and write transaction an export needs opens here.

``exporting.py`` shapes reports and picks writers; it never opens a transaction.
Each streamed read is a generator that opens its read transaction when the
response starts streaming and holds one database cursor and one batch of rows
at a time; closing the generator ends the read at once.

Exports and statistics may lag the primary by the replica limit, so they read on a
replica (``Database.read_replica``); the authorisation before them reads on the
primary, and so does a transactions CSV whose stored text the same request has
just rendered again (``csv_lines(..., on_primary=True)``).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy import Row

from commerce_stats.affiliate import manual_statistics, repository, statistics
from commerce_stats.affiliate.export_lines import StoredLines, StoredPublisherLines
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account

STALE_EXPORT_BATCH = 5_000
"""Transactions rendered again per write transaction when stored export text is stale."""
LINE_BATCH = 2_000
"""Finished CSV lines handed on at a time."""


class ExportReads:
    """Reads what the exports write out; cheap to build, holds no per-request state."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def count(self, query: repository.TransactionQuery) -> int:
        """How many transactions the filters select (for progress bars)."""
        with self.database.read_replica() as conn:
            return repository.count_transactions(conn, query)

    def transaction_rows(self, query: repository.TransactionQuery) -> Generator[Row[Any]]:
        """The selected transactions (``export_lines.EXPORT_FIELDS``, in order), in id order."""
        with self.database.read_replica() as conn:
            yield from repository.stream_transactions(conn, query)

    def publisher_rows(self, query: repository.TransactionQuery) -> Generator[Row[Any]]:
        """The selected transactions (``export_lines.PUBLISHER_FIELDS``), in id order."""
        with self.database.read_replica() as conn:
            yield from repository.stream_publisher_transactions(conn, query)

    def statistic_rows(
        self,
        query: repository.TransactionQuery,
        definition: statistics.ReportDefinition,
        gross: bool,
        tz: str,
    ) -> Generator[statistics.ReportRow]:
        """A statistic report's rows (``statistics.report_rows``), read on a replica when
        the response starts streaming."""
        with self.database.read_replica() as conn:
            yield from statistics.report_rows(conn, query, definition, gross, tz)

    def manual_statistic_rows(
        self, query: repository.TransactionQuery, tz: str
    ) -> Generator[statistics.ReportRow]:
        """The manual statistics report's rows, the day as its ISO text."""
        with self.database.read_replica() as conn:
            for row in manual_statistics.report_rows(conn, query, tz):
                yield replace(row, criterion=row.criterion.isoformat())

    def csv_lines(
        self, query: repository.TransactionQuery, on_primary: bool = False
    ) -> Generator[list[str]]:
        """The transactions CSV's lines (no header), in batches of up to ``LINE_BATCH``,
        finished from each transaction's stored text by ``export_lines.StoredLines``.
        Read on a replica unless ``on_primary`` (text rendered just now)."""
        lines = StoredLines()
        database = self.database
        with database.read() if on_primary else database.read_replica() as conn:
            yield from _batched(map(lines.line, repository.stream_stored_lines(conn, query)))

    def publisher_csv_lines(
        self, query: repository.TransactionQuery, on_primary: bool = False
    ) -> Generator[list[str]]:
        """A publisher link's transactions CSV lines (no header), in batches of up to
        ``LINE_BATCH``, finished from each transaction's stored publisher text by
        ``export_lines.StoredPublisherLines``; read as ``csv_lines`` is."""
        lines = StoredPublisherLines()
        database = self.database
        with database.read() if on_primary else database.read_replica() as conn:
            stored = repository.stream_stored_publisher_lines(conn, query)
            yield from _batched(map(lines.line, stored))

    def render_stale_export_text(self, account: Account) -> int:
        """Renders again every transaction whose stored export text is out of date.

        Text goes out of date only when the account moves to another time zone
        or a release changes the rendering (``export_lines``); every write of a
        transaction renders its text in the same database transaction. Batches
        keep each write short, so ingestion goes on meanwhile. Returns how many
        transactions were rendered; an up-to-date account costs two index reads.
        """
        with self.database.read() as conn:
            if not repository.stale_export_ids(conn, account.id, 1):
                return 0
        rendered = 0
        while True:
            with self.database.write() as conn:
                ids = repository.stale_export_ids(conn, account.id, STALE_EXPORT_BATCH)
                repository.refresh_export_text(conn, account.id, ids)
            rendered += len(ids)
            if len(ids) < STALE_EXPORT_BATCH:
                return rendered


def _batched(lines: Iterator[str]) -> Generator[list[str]]:
    """``lines`` handed on ``LINE_BATCH`` at a time."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= LINE_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
