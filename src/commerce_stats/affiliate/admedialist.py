"""The admedia list export (``get-campaigns_admedialist.{csv,xls,xlsx,xml,json}``).

One row per admedia the owner may use: the admin sees every admedia of the network, a
publisher those of the campaigns it takes part in (a membership, or a campaign with a
default group). ``clicklink`` and ``viewlink`` are the tracking URLs of that publisher
with the admedia's id; the admin's links leave ``publisher_id`` empty for the publisher
to be filled in. Times are the network's local time, as in the other exports.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Row

from commerce_stats.affiliate import repository
from commerce_stats.affiliate.access import Owner
from commerce_stats.affiliate.errors import UnknownReportError
from commerce_stats.affiliate.export_lines import LocalClock
from commerce_stats.db.engine import Database
from commerce_stats.kit.exports import Cell, ExportFormat, write_export

PREFIX = "get-campaigns_"
REPORT = "admedialist"
COLUMNS = (
    "id",
    "title",
    "mediatype",
    "status",
    "campaign_id",
    "campaign_title",
    "clicklink",
    "viewlink",
    "target_url",
    "last_change",
)
ACTIVE = 1
"""Every stored admedia is active (status 1)."""


def is_admedia_link(filename: str) -> bool:
    return filename.startswith(PREFIX)


def parse_name(filename: str) -> ExportFormat:
    """``get-campaigns_admedialist.xlsx`` -> xlsx; any other ``get-campaigns_`` name is
    refused."""
    stem, _, extension = filename.rpartition(".")
    if stem != PREFIX + REPORT:
        raise UnknownReportError(f"unknown report {filename!r}; known: {PREFIX}{REPORT}")
    try:
        return ExportFormat(extension.lower())
    except ValueError as exc:
        raise UnknownReportError(
            f"unknown format {extension!r}; use csv, xls, xlsx, xml or json"
        ) from exc


def tracking_link(base_url: str, path: str, row: Row[Any], publisher_id: int | None) -> str:
    query = {
        "campaign_id": row.campaign_id,
        "publisher_id": "" if publisher_id is None else publisher_id,
        "admedia_id": row.id,
    }
    return f"{base_url}{path}?{urlencode(query)}"


def rows(
    database: Database, owner: Owner, base_url: str
) -> tuple[tuple[str, ...], list[tuple[Cell, ...]]]:
    """The header and the rows of the owner's admedia list (small: read at once)."""
    with database.read() as conn:
        stored = repository.admedia_list(conn, owner.account.id, owner.publisher_id)
    clock = LocalClock(owner.account.timezone)
    lines: list[tuple[Cell, ...]] = [
        (
            row.id,
            row.title,
            row.kind,
            ACTIVE,
            row.campaign_id,
            row.campaign_title,
            tracking_link(base_url, "/trck/eclick/", row, owner.publisher_id),
            tracking_link(base_url, "/trck/eview/", row, owner.publisher_id),
            row.target_url,
            clock.text(row.created_at),
        )
        for row in stored
    ]
    return COLUMNS, lines


def export_body(
    database: Database, owner: Owner, export_format: ExportFormat, base_url: str
) -> Iterator[bytes]:
    header, lines = rows(database, owner, base_url)
    return write_export(export_format, header, lines, name=REPORT)
