"""Alembic environment: runs on the server's own engine (same pragmas, same pool)."""

from __future__ import annotations

from alembic import context

from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.models import metadata


def _run(database: Database) -> None:
    with database.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=database.is_sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


def _main() -> None:
    given = context.config.attributes.get("database")
    if given is not None:
        _run(given)
        return
    database = Database(Settings())
    try:
        _run(database)
    finally:
        database.dispose()


_main()
