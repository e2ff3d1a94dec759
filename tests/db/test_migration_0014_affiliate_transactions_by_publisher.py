"""Migration 0014 replaces the index of (account, publisher, status) with one of (account,
publisher, id); it goes down and up again to exactly the tables' schema, on both backends."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import alembic_config
from tests.db.test_migration_0008_citus_ready import unmigrated  # noqa: F401
from tests.db.test_migration_0010_affiliate_traffic import _differences

INDEX = "ix_affiliate_transactions_publisher_id"
STATUS_INDEX = "ix_affiliate_transactions_publisher"


def _indexes(database: Database) -> dict[str, list[str | None]]:
    with database.engine.connect() as conn:
        found = inspect(conn).get_indexes("affiliate_transactions")
    return {index["name"]: index["column_names"] for index in found if index["name"]}


def test_the_upgrade_adds_the_index_of_account_publisher_and_id(
    unmigrated: Database,  # noqa: F811
) -> None:
    command.upgrade(alembic_config(unmigrated), "0014")
    assert _indexes(unmigrated)[INDEX] == ["account_id", "publisher_id", "id"]


def test_the_upgrade_drops_the_index_of_account_publisher_and_status(
    unmigrated: Database,  # noqa: F811
) -> None:
    command.upgrade(alembic_config(unmigrated), "0014")
    assert STATUS_INDEX not in _indexes(unmigrated)


def test_the_downgrade_brings_back_the_status_index_instead(
    unmigrated: Database,  # noqa: F811
) -> None:
    command.upgrade(alembic_config(unmigrated), "0014")
    command.downgrade(alembic_config(unmigrated), "0013")
    indexes = _indexes(unmigrated)
    assert INDEX not in indexes
    assert indexes[STATUS_INDEX] == ["account_id", "publisher_id", "status"]


def test_downgrade_of_0014_and_upgrade_again_leaves_no_difference(
    unmigrated: Database,  # noqa: F811
) -> None:
    command.upgrade(alembic_config(unmigrated), "heads")
    command.downgrade(alembic_config(unmigrated), "0013")
    command.upgrade(alembic_config(unmigrated), "heads")

    assert _differences(unmigrated) == []
