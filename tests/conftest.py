"""Fixtures shared by the whole suite: a fresh database per test, on either backend.

The backend is chosen by ``COMMERCE_STATS_TEST_BACKEND`` (``sqlite``, the
default, or ``postgresql``). For PostgreSQL the suite creates its own database
on the server named by ``COMMERCE_STATS_TEST_POSTGRES_URL`` (default: the local
server as user postgres), migrates it once, and empties every table before
each test; with SQLite each test gets a copy of a migrated template file.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from commerce_stats.accounts.service import Accounts
from commerce_stats.app import create_app
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate
from commerce_stats.db.models import metadata
from commerce_stats.kit.tenancy import Account

BACKEND = os.environ.get("COMMERCE_STATS_TEST_BACKEND", "sqlite")
POSTGRES_SERVER_URL = os.environ.get(
    "COMMERCE_STATS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ADMIN_TOKEN = "test-admin-token-0123456789abcdef"

pytest_plugins = ["tests.browser"]


def pytest_report_header() -> str:
    return f"commerce-stats test backend: {BACKEND}"


def _settings_for(url: str, data_dir: Path) -> Settings:
    return Settings(
        database_url=url,
        admin_token=ADMIN_TOKEN,
        credential_cache_seconds=0,
        data_dir=data_dir,
        sqlite_synchronous="NORMAL",
    )


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database: a SQLite file to copy, or a PostgreSQL database to empty."""
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        database = Database(_settings_for(f"sqlite:///{path}", path.parent))
        migrate(database)
        with database.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        database.dispose()
        yield str(path)
        return
    if BACKEND != "postgresql":
        raise RuntimeError(f"unknown COMMERCE_STATS_TEST_BACKEND {BACKEND!r}")
    name = f"commerce_stats_test_{os.getpid()}_{secrets.token_hex(3)}"
    server = create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_SERVER_URL).set(database=name).render_as_string(hide_password=False)
    database = Database(_settings_for(url, tmp_path_factory.mktemp("data")))
    migrate(database)
    database.dispose()
    try:
        yield url
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def _empty_postgres(url: str) -> None:
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def settings(_template: str, tmp_path: Path) -> Settings:
    """Settings pointing at a fresh, migrated, empty database of the chosen backend."""
    if BACKEND == "sqlite":
        path = tmp_path / "commerce-stats.sqlite3"
        shutil.copyfile(_template, path)
        return _settings_for(f"sqlite:///{path}", tmp_path / "data")
    _empty_postgres(_template)
    return _settings_for(_template, tmp_path / "data")


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = Database(settings)
    yield db
    db.dispose()


@pytest.fixture
def accounts(database: Database) -> Accounts:
    return Accounts(database, cache_seconds=0)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The whole application over HTTP, started and stopped with its lifespan."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def make_account(
    client: TestClient, admin_headers: dict[str, str]
) -> Callable[..., dict[str, Any]]:
    """Creates an account through the admin API; returns the 201 body (with credentials)."""

    def create(name: str = "Acme", **fields: Any) -> dict[str, Any]:
        response = client.post(
            "/admin/v1/accounts", json={"name": name, **fields}, headers=admin_headers
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return create


@pytest.fixture
def make_service_account(accounts: Accounts) -> Callable[..., tuple[Account, dict[str, str]]]:
    """Creates an account through the service, for service-level tests."""

    def create(name: str = "Acme", **fields: Any) -> tuple[Account, dict[str, str]]:
        return accounts.create(name, **fields)

    return create
