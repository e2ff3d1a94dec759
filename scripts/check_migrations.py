"""`alembic check` on both backends: the migrations must produce exactly the tables.py schema.

Migrates a throw-away SQLite file and, when the test PostgreSQL server is
reachable (required when CI=true), a throw-away PostgreSQL database, then asks
Alembic whether autogenerate would find anything left to do.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import alembic_config, migrate

sys.path.insert(0, str(Path(__file__).parent))
from postgres_reachable import URL as POSTGRES_URL
from postgres_reachable import main as postgres_reachable


def _check(url: str) -> None:
    database = Database(Settings(database_url=url))
    try:
        migrate(database)
        command.check(alembic_config(database))
    finally:
        database.dispose()
    print(f"alembic check passed on {database.dialect}")


def _check_postgres() -> None:
    name = f"commerce_stats_check_{secrets.token_hex(4)}"
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _check(make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False))
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        _check(f"sqlite:///{folder}/check.sqlite3")
    if postgres_reachable() == 0:
        _check_postgres()
    elif os.environ.get("CI") == "true":
        print("PostgreSQL is required in CI but is not reachable", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
