"""Bringing a database to the newest schema, from the CLI, the server or the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from commerce_stats.db.engine import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database: Database | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database is not None:
        config.attributes["database"] = database
    return config


def migrate(database: Database) -> None:
    """Apply every migration not yet applied (all heads)."""
    command.upgrade(alembic_config(database), "heads")
