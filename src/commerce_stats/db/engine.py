"""Engine set-up for both backends and the read/write transaction helpers.

SQLite is run in WAL mode with foreign keys on and a busy timeout. Writers are
serialised twice: inside the process by a lock (threads never fight over the
write lock or spin in the busy handler), and across processes by ``BEGIN
IMMEDIATE``, which takes SQLite's write lock at the start of the transaction so
that a read-then-write transaction cannot fail half-way with "database is locked".

On PostgreSQL, ``COMMERCE_STATS_DATABASE_REPLICA_URLS`` adds hot standbys: ``read_replica``
is the transaction for reads that may be a few seconds old (reports, statistics, exports,
dashboard pages) and goes to a healthy replica (``db/replicas.py``); ``read`` and ``write``
always use the primary.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from commerce_stats.config import Settings
from commerce_stats.db.replicas import ReadRouter, RouterSettings

_IMMEDIATE = "commerce_stats_immediate"


class Database:
    """The process's handle on the database: an engine plus transaction helpers."""

    def __init__(self, settings: Settings) -> None:
        self.is_sqlite = settings.is_sqlite
        self._write_lock = threading.Lock() if self.is_sqlite else None
        self.engine = (
            _sqlite_engine(settings)
            if self.is_sqlite
            else _postgres_engine(settings.database_url, settings.postgres_pool_size)
        )
        self.router = _read_router(self.engine, settings)
        """Chooses where ``read_replica`` reads; None without replicas (SQLite, or none set)."""

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A transaction for reading; it is rolled back at the end."""
        with self.engine.connect() as conn, conn.begin() as trans:
            yield conn
            trans.rollback()

    @contextmanager
    def read_replica(self) -> Iterator[Connection]:
        """A read-only transaction on a healthy replica, else on the primary.

        For reads that may lag the primary by up to ``replica_max_lag_seconds`` and do not
        need to see the request's own writes. On PostgreSQL the transaction is read-only
        wherever it runs (a standby's always are; on the primary it is begun READ ONLY), so
        a write slipped into a routed path fails on every server alike.
        """
        if self.is_sqlite:
            with self.read() as conn:
                yield conn
            return
        conn = self.engine.connect() if self.router is None else self.router.connect()
        if conn.engine is self.engine:
            # not on a standby's connections: psycopg would begin them READ WRITE afterwards
            conn.execution_options(postgresql_readonly=True)
        with conn, conn.begin() as trans:
            yield conn
            trans.rollback()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that commits when the block ends without an exception."""
        if self._write_lock is None:
            with self.engine.begin() as conn:
                yield conn
            return
        with self._write_lock, self.engine.connect() as conn:
            conn.info[_IMMEDIATE] = True
            try:
                with conn.begin():
                    yield conn
            finally:
                conn.info.pop(_IMMEDIATE, None)

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()
        if self.router is not None:
            self.router.dispose()


def _sqlite_engine(settings: Settings) -> Engine:
    url = make_url(settings.database_url)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        pool_size=8,
        max_overflow=8,
        connect_args={
            "check_same_thread": False,
            "timeout": settings.sqlite_busy_timeout_ms / 1000,
        },
    )
    synchronous = settings.sqlite_synchronous.upper()
    if synchronous not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"COMMERCE_STATS_SQLITE_SYNCHRONOUS: unknown value {synchronous!r}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(settings.sqlite_busy_timeout_ms)}")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get(_IMMEDIATE) else "BEGIN")

    return engine


def _postgres_engine(url: str, pool_size: int, **connect_args: Any) -> Engine:
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args=connect_args,
    )


REPLICA_CONNECT_TIMEOUT_SECONDS = 2
"""A replica that does not accept a connection in this time counts as down (libpq's minimum)."""


def _read_router(primary: Engine, settings: Settings) -> ReadRouter | None:
    urls = settings.replica_urls
    if not urls:
        return None
    engines = [
        _postgres_engine(
            url, settings.postgres_pool_size, connect_timeout=REPLICA_CONNECT_TIMEOUT_SECONDS
        )
        for url in urls
    ]
    return ReadRouter(
        primary,
        engines,
        RouterSettings(
            max_lag_seconds=settings.replica_max_lag_seconds,
            check_seconds=settings.replica_check_seconds,
            down_seconds=settings.replica_down_seconds,
            reads_on_primary=settings.replica_reads_on_primary,
        ),
    )
