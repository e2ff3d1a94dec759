"""Rows written straight into the transactions, clicks and views tables for report tests
(clicks and views through the repository's inserts, which keep the quarter-hour counts)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.types import DateTime, Integer, Numeric, String, Text

from commerce_stats.affiliate import traffic_repository
from commerce_stats.affiliate.tables import clicks, transactions, views

MOMENT = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
_ids = {"n": 0}


def _filled(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` plus a plain value for every required column they leave out."""
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.server_default is not None:
            continue
        if isinstance(column.type, DateTime):
            row[column.name] = MOMENT
        elif isinstance(column.type, Integer | Numeric):
            row[column.name] = 0
        elif isinstance(column.type, String | Text):
            row[column.name] = ""
        else:
            row[column.name] = MOMENT
    return row


def _next_id() -> int:
    _ids["n"] += 1
    return _ids["n"]


def add(conn: Connection, table: Table, account_id: int, **values: Any) -> None:
    base: dict[str, Any] = {
        "account_id": account_id,
        "id": _next_id(),
        "campaign_id": 1,
        "publisher_id": 1,
        "project_id": 1,
        "subid": "",
        "admedia_id": 0,
        "created_at": MOMENT,
    }
    if table is not transactions:
        base.update(referrer="", country="DE", user_agent="")
        if table is views:
            base.pop("user_agent")
    base.update(values)
    row = _filled(table, base)
    if table is clicks:
        traffic_repository.insert_clicks(
            conn, [row]
        )  # the real path: counted into the quarters too
    elif table is views:
        traffic_repository.insert_views(conn, [row])
    else:
        conn.execute(table.insert().values(**row))


def click(conn: Connection, account_id: int, **values: Any) -> None:
    add(conn, clicks, account_id, **values)


def view(conn: Connection, account_id: int, **values: Any) -> None:
    add(conn, views, account_id, **values)


def sale(conn: Connection, account_id: int, **values: Any) -> None:
    serial = _ids["n"] + 1
    base: dict[str, Any] = {
        "currency": "EUR",
        "status": 0,
        "turnover_minor": 0,
        "ordertoken": f"order-{serial}",
    }
    base.update(values)
    add(conn, transactions, account_id, **base)
