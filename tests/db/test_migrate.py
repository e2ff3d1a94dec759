"""Migrating an empty SQLite database gives the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import MIGRATIONS_DIR, alembic_config, migrate
from commerce_stats.db.models import metadata


def _blank(settings: Settings, tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'blank.sqlite3'}"
    return Database(settings.model_copy(update={"database_url": url}))


def test_migrating_an_empty_database_creates_every_model_table(
    settings: Settings, tmp_path: Path
) -> None:
    database = _blank(settings, tmp_path)
    migrate(database)
    with database.read() as conn:
        tables = set(inspect(conn).get_table_names())
    database.dispose()

    assert tables == {*metadata.tables, "alembic_version"}


def test_migrating_twice_changes_nothing(settings: Settings, tmp_path: Path) -> None:
    database = _blank(settings, tmp_path)
    migrate(database)
    with database.read() as conn:
        first = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    migrate(database)
    with database.read() as conn:
        second = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    database.dispose()

    assert second == first


def test_config_points_at_the_migrations_and_carries_the_database(
    settings: Settings, tmp_path: Path
) -> None:
    database = _blank(settings, tmp_path)
    config = alembic_config(database)
    database.dispose()

    assert config.get_main_option("script_location") == str(MIGRATIONS_DIR)
    assert config.attributes["database"] is database
