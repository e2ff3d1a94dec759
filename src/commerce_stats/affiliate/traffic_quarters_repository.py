"""The clicks' and views' quarter-hour counts (``affiliate_traffic_quarters``).

Every insert of clicks or views adds to these counts in the same transaction, so the counts
always equal the stored rows; the reports whose key the counts carry (day, campaign,
advertiser, publisher, project) read a few thousand count rows a month instead of millions
of clicks and views.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table

from commerce_stats.affiliate.tables import clicks, traffic_quarters
from commerce_stats.db.upsert import upsert

QUARTER_SECONDS = 900
KIND_CLICK = 0
KIND_VIEW = 1
KEY = ("account_id", "quarter", "kind", "campaign_id", "publisher_id", "project_id", "net")


def quarter_of(moment: datetime) -> int:
    """The UTC quarter hour of ``moment``: whole seconds since 1970 // 900."""
    return int(moment.astimezone(UTC).timestamp()) // QUARTER_SECONDS


def kind_of(table: Table) -> int:
    return KIND_CLICK if table is clicks else KIND_VIEW


def add(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
    """Counts ``rows`` (just inserted into ``table``, clicks or views) into their quarters."""
    kind = kind_of(table)
    counts: Counter[tuple[int, ...]] = Counter(
        (
            int(row["account_id"]),
            quarter_of(row["created_at"]),
            kind,
            int(row["campaign_id"]),
            int(row["publisher_id"]),
            int(row["project_id"]),
            int(row.get("net", 1)),
        )
        for row in rows
    )
    if not counts:
        return
    statement = upsert(conn, traffic_quarters, KEY, add=["n"])
    conn.execute(
        statement, [{**dict(zip(KEY, key, strict=True)), "n": n} for key, n in counts.items()]
    )
