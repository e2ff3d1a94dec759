"""The Transaktions-API and its siblings: rows in the seed's order and formats, streamed.

``export`` authorises and validates before anything is read, then returns a
generator of bytes; its rows come from ``export_reads`` (which opens the read
transaction when the response starts streaming), so an export holds one
database cursor and one batch of rows at a time whatever its size. One writer
per format: ``kit.exports.write_export`` for every report, and for the
transactions CSV the lines ``export_lines.StoredLines`` (a publisher link:
``StoredPublisherLines``) finishes.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row

from commerce_stats.affiliate import admedialist, orders_export, repository, statistics
from commerce_stats.affiliate.access import Owner
from commerce_stats.affiliate.errors import NoPermissionError, UnknownReportError
from commerce_stats.affiliate.export_lines import (
    PUBLISHER_COLUMNS,
    LocalClock,
    Money,
    publisher_cells,
    transaction_cells,
)
from commerce_stats.affiliate.export_lines import (
    TRANSACTION_COLUMNS as TRANSACTION_COLUMNS,
)
from commerce_stats.affiliate.filters import Filters, parse_filters
from commerce_stats.affiliate.manual_statistics import MANUAL_DEFINITION
from commerce_stats.affiliate.rules import (
    as_id,
)
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.affiliate.statistics import PUBLISHER
from commerce_stats.kit.exports import Cell, ExportFormat, csv_line, write_export
from commerce_stats.kit.tenancy import Account, Feature
from commerce_stats.kit.timeutil import local_days_to_utc, local_today

REPORTS = ("transactions", *statistics.DEFINITIONS, MANUAL_DEFINITION.name)
"""Every ``get-statistic_{report}``: the Transaktions-API and the statistic reports."""
PUBLISHER_REPORTS = frozenset(
    {"transactions"}
    | {name for name, spec in statistics.DEFINITIONS.items() if PUBLISHER in spec.sides}
)
"""What a publisher's link may read: the others are the network's (every publisher's
figures, manual rows)."""


@dataclass(frozen=True, slots=True)
class Export:
    """A validated export, ready to stream."""

    filename: str
    export_format: ExportFormat
    body: Iterator[bytes]
    ignored: tuple[str, ...] = ()
    """Query parameters that are no filter (ignored); the route names them in a header."""


def parse_report_name(filename: str) -> tuple[str, ExportFormat]:
    """``get-statistic_transactions.csv`` -> ("transactions", csv)."""
    stem, _, extension = filename.rpartition(".")
    prefix = "get-statistic_"
    if not stem.startswith(prefix) or stem[len(prefix) :] not in REPORTS:
        raise UnknownReportError(
            f"unknown report {filename!r}; known: "
            + ", ".join(f"get-statistic_{name}" for name in REPORTS)
        )
    try:
        export_format = ExportFormat(extension.lower())
    except ValueError as exc:
        raise UnknownReportError(
            f"unknown format {extension!r}; use csv, xls, xlsx, xml or json"
        ) from exc
    return stem[len(prefix) :], export_format


def build_query(owner: Owner, filters: Filters) -> repository.TransactionQuery:
    start, end = local_days_to_utc(filters.first_day, filters.last_day, owner.account.timezone)
    publishers = filters.publishers
    if owner.publisher_id is not None:
        if publishers and owner.publisher_id not in publishers:
            publishers = (-1,)
        else:
            publishers = (owner.publisher_id,)
    return repository.TransactionQuery(
        account_id=owner.account.id,
        start=start,
        end=end,
        time_column=filters.time_column,
        statuses=filters.statuses,
        campaigns=filters.campaigns,
        publishers=publishers,
        advertisers=filters.advertisers,
        projects=filters.projects,
    )


def network_today(tz: str) -> date:
    return local_today(tz)


Progress = Callable[[int], None]
"""Told how many more rows were written (the CLI's progress bar); it may raise to stop the
export (``kit.exports.stop_when``: the HTTP routes stop an export whose client went away)."""


def export(
    network: AffiliateNetwork,
    access_token: str,
    role: str,
    owner_id: str,
    filename: str,
    params: Iterable[tuple[str, str]],
    client: str = "unknown",
    progress: Progress | None = None,
    base_url: str = "",
) -> Export:
    """Authorises, validates the filters, and prepares the streamed body of one report.
    ``base_url`` (scheme and host) starts the tracking links of the admedia list."""
    owner = network.access.export_owner(access_token, role, as_id(owner_id), client)
    if admedialist.is_admedia_link(filename):
        list_format = admedialist.parse_name(filename)
        body = admedialist.export_body(network.database, owner, list_format, base_url)
        return Export(
            f"{admedialist.PREFIX}{admedialist.REPORT}.{list_format.value}", list_format, body
        )
    if orders_export.is_orders_link(filename):
        orders = orders_export.prepare(network.database, owner, filename, params, build_query)
        return Export(orders.filename, orders.export_format, orders.body, orders.ignored)
    report, export_format = parse_report_name(filename)
    return prepare(network, owner, report, export_format, params, progress)


def prepare(
    network: AffiliateNetwork,
    owner: Owner,
    report: str,
    export_format: ExportFormat,
    params: Iterable[tuple[str, str]],
    progress: Progress | None = None,
) -> Export:
    """The streamed body of a report for an already authorised owner."""
    tz = owner.account.timezone
    publisher_link = owner.publisher_id is not None
    if publisher_link and report not in PUBLISHER_REPORTS:
        raise NoPermissionError
    filters = parse_filters(params, network_today(tz))
    query = build_query(owner, filters)
    name = f"get-statistic_{report}.{export_format.value}"
    if report == "transactions" and export_format is ExportFormat.CSV:
        # text rendered just now must be read where it was written: on the primary
        rendered = network.exports.render_stale_export_text(owner.account)
        body = _stored_csv(network, query, progress, publisher_link, on_primary=rendered > 0)
        return Export(name, export_format, body, filters.ignored)
    header, rows = _report(network, report, query, tz, publisher_link, filters.gross)
    if progress is not None:
        rows = _counted(rows, progress)
    body = write_export(export_format, header, rows, name=report)
    return Export(name, export_format, body, filters.ignored)


def count_rows(network: AffiliateNetwork, owner: Owner, params: Iterable[tuple[str, str]]) -> int:
    """How many transactions the filters select (for progress bars)."""
    tz = owner.account.timezone
    query = build_query(owner, parse_filters(params, network_today(tz)))
    return network.exports.count(query)


def _counted(rows: Iterator[tuple[Cell, ...]], progress: Progress) -> Iterator[tuple[Cell, ...]]:
    """``rows``, telling ``progress`` every 1,000. When progress stops the export (or the
    consumer closes this), ``rows`` is closed at once, so its database read ends and its
    connection goes back now, not whenever the suspended generator is collected."""
    pending = 0
    try:
        for row in rows:
            yield row
            pending += 1
            if pending == 1000:
                progress(pending)
                pending = 0
        progress(pending)
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


def _stored_csv(
    network: AffiliateNetwork,
    query: repository.TransactionQuery,
    progress: Progress | None,
    publisher_link: bool,
    on_primary: bool = False,
) -> Iterator[bytes]:
    """The transactions CSV from each transaction's stored text (same bytes, far fewer objects),
    the publisher's columns on a publisher link; read on a replica unless ``on_primary`` (the
    request has just rendered stale text)."""
    exports = network.exports
    if publisher_link:
        yield (csv_line(PUBLISHER_COLUMNS) + "\n").encode("utf-8")
        batches = exports.publisher_csv_lines(query, on_primary=on_primary)
    else:
        yield (csv_line(TRANSACTION_COLUMNS) + "\n").encode("utf-8")
        batches = exports.csv_lines(query, on_primary=on_primary)
    with closing(batches):
        for batch in batches:
            if progress is not None:
                progress(len(batch))
            yield ("\n".join(batch) + "\n").encode("utf-8")


def _report(
    network: AffiliateNetwork,
    report: str,
    query: repository.TransactionQuery,
    tz: str,
    publisher_link: bool,
    gross: bool,
) -> tuple[tuple[str, ...], Iterator[tuple[Cell, ...]]]:
    """Header and rows of a report; a publisher link's transactions are the publisher's
    columns, an admin link's the seed's 43."""
    exports = network.exports
    if report == "transactions" and publisher_link:
        return PUBLISHER_COLUMNS, _rendered(exports.publisher_rows(query), publisher_cells, tz)
    if report == "transactions":
        return TRANSACTION_COLUMNS, _rendered(
            exports.transaction_rows(query), transaction_cells, tz
        )
    return _statistic(network, report, query, tz, gross)


def _statistic(
    network: AffiliateNetwork,
    report: str,
    query: repository.TransactionQuery,
    tz: str,
    gross: bool,
) -> tuple[tuple[str, ...], Iterator[tuple[Cell, ...]]]:
    """A statistic report's header and rows (every report: ``statistics.cells``)."""
    money = Money()
    if report == MANUAL_DEFINITION.name:
        header = MANUAL_DEFINITION.columns
        rows = network.exports.manual_statistic_rows(query, tz)
    else:
        definition = statistics.DEFINITIONS[report]
        header = definition.columns
        rows = network.exports.statistic_rows(query, definition, gross, tz)
    return header, (statistics.cells(row, money) for row in rows)


RowCells = Callable[[Any, LocalClock, Money], tuple[Cell, ...]]
"""Renders one stored row as an export's values (``transaction_cells``, ``publisher_cells``)."""


def _rendered(rows: Generator[Row[Any]], render: RowCells, tz: str) -> Iterator[tuple[Cell, ...]]:
    """``rows`` rendered one by one; the read ends when this generator is closed."""
    clock = LocalClock(tz)
    money = Money()
    with closing(rows):
        for row in rows:
            yield render(row, clock, money)


def account_export(
    network: AffiliateNetwork,
    account: Account,
    export_format: ExportFormat,
    params: Iterable[tuple[str, str]],
    progress: Progress | None = None,
) -> Export:
    """The account's transactions export (the admin role's bytes) for a signed-in viewer."""
    if not account.has(Feature.AFFILIATE):
        raise NoPermissionError
    return prepare(network, Owner(account, None), "transactions", export_format, params, progress)
