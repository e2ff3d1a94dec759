"""Inserts that meet an existing key: the one place where SQLite and PostgreSQL differ.

Both backends speak ``INSERT ... ON CONFLICT (key) DO UPDATE / DO NOTHING``,
but SQLAlchemy builds it from each dialect's own ``insert``; repositories ask
here instead of choosing a dialect themselves. Each function answers an
``INSERT`` statement that the caller completes with ``values`` (or hands many
rows to ``execute``) and ``returning`` as usual.

- ``upsert(..., replace=[...])``: an existing row takes the new values of
  those columns, every other column keeps its value (``created_at``, say).
- ``upsert(..., add=[...])``: an existing row's columns grow by the new
  values (counters, id sequences).
- ``insert_ignoring_duplicates``: an existing row stays as it is and the
  new one is dropped (idempotent inserts).

``where`` limits the update to existing rows that match it; a row that does
not match is left unchanged (and, with ``returning``, not returned).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

DialectInsert = postgresql.Insert | sqlite.Insert


def _insert(dialect: str, table: Table) -> DialectInsert:
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def upsert(
    conn: Connection,
    table: Table,
    key: Sequence[str],
    *,
    replace: Sequence[str] = (),
    add: Sequence[str] = (),
    where: ColumnElement[bool] | None = None,
) -> DialectInsert:
    """An insert that, where a row with the same ``key`` columns exists, updates it instead:
    each ``replace`` column takes the new value, each ``add`` column grows by it.

    Without ``where`` the statement is built once per dialect, table and columns and
    reused: building ``excluded`` costs more than a small insert, and statements are
    immutable (``values`` and ``returning`` answer copies)."""
    if not replace and not add:
        raise ValueError("an upsert updates at least one column; use insert_ignoring_duplicates")
    if where is None:
        return _reused_upsert(conn.dialect.name, table, tuple(key), tuple(replace), tuple(add))
    return _build_upsert(conn.dialect.name, table, key, replace, add, where)


@lru_cache(maxsize=256)
def _reused_upsert(
    dialect: str, table: Table, key: tuple[str, ...], replace: tuple[str, ...], add: tuple[str, ...]
) -> DialectInsert:
    return _build_upsert(dialect, table, key, replace, add, None)


def _build_upsert(
    dialect: str,
    table: Table,
    key: Sequence[str],
    replace: Sequence[str],
    add: Sequence[str],
    where: ColumnElement[bool] | None,
) -> DialectInsert:
    statement = _insert(dialect, table)
    new = statement.excluded
    changes: dict[str, Any] = {name: new[name] for name in replace}
    changes.update({name: table.c[name] + new[name] for name in add})
    return statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in key], set_=changes, where=where
    )


def insert_ignoring_duplicates(conn: Connection, table: Table, key: Sequence[str]) -> DialectInsert:
    """An insert that skips every row whose ``key`` columns match an existing row."""
    return _insert(conn.dialect.name, table).on_conflict_do_nothing(
        index_elements=[table.c[name] for name in key]
    )
