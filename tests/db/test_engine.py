"""The storage layer: pragmas, transactions, serialised writers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select, update

from commerce_stats.accounts.tables import accounts
from commerce_stats.db.engine import Database

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _insert_account(conn: object, name: str = "Acme", created: datetime = NOW) -> int:
    result = conn.execute(  # type: ignore[attr-defined]
        insert(accounts)
        .values(
            name=name,
            features=[],
            timezone="UTC",
            disabled=False,
            created_at=created,
            updated_at=created,
        )
        .returning(accounts.c.id)
    )
    return int(result.scalar_one())


def _names(database: Database) -> list[str]:
    with database.read() as conn:
        return [row.name for row in conn.execute(select(accounts.c.name))]


def test_write_commits(database: Database) -> None:
    with database.write() as conn:
        _insert_account(conn)
    assert _names(database) == ["Acme"]


def _insert_then_fail(database: Database) -> None:
    with database.write() as conn:
        _insert_account(conn)
        raise RuntimeError("boom")


def test_write_rolls_back_on_error(database: Database) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        _insert_then_fail(database)
    assert _names(database) == []


def test_read_sees_no_uncommitted_write_of_its_own(database: Database) -> None:
    with database.read() as conn:
        _insert_account(conn)
    assert _names(database) == []


def test_concurrent_read_modify_write_loses_no_update(database: Database) -> None:
    with database.write() as conn:
        account_id = _insert_account(conn, name="0")

    def bump() -> None:
        for _ in range(20):
            with database.write() as conn:
                current = conn.execute(
                    select(accounts.c.name).where(accounts.c.id == account_id).with_for_update()
                ).scalar_one()
                conn.execute(
                    update(accounts)
                    .where(accounts.c.id == account_id)
                    .values(name=str(int(current) + 1))
                )

    threads = [threading.Thread(target=bump) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _names(database) == ["120"]


def test_ping_answers(database: Database) -> None:
    assert database.ping()


def test_sqlite_runs_in_wal_with_foreign_keys(database: Database) -> None:
    if not database.is_sqlite:
        pytest.skip("SQLite pragmas")
    with database.read() as conn:
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()
        foreign_keys = conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one()
        busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
    assert (journal, foreign_keys, busy) == ("wal", 1, 10_000)
