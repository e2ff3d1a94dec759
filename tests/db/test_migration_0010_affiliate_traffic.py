"""Migration 0010 goes down and up again to exactly the tables' schema, on both backends
(``make check-migrations`` checks the upgrade alone)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from commerce_stats.db import models  # noqa: F401  (every domain's tables join the metadata)
from commerce_stats.db.engine import Database
from commerce_stats.db.metadata import metadata
from commerce_stats.db.migrate import alembic_config
from tests.db.test_migration_0008_citus_ready import unmigrated  # noqa: F401


def _differences(database: Database) -> list[object]:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        return list(compare_metadata(context, metadata))


def test_downgrade_of_0010_and_upgrade_again_leaves_no_difference(
    unmigrated: Database,  # noqa: F811
) -> None:
    command.upgrade(alembic_config(unmigrated), "heads")
    command.downgrade(alembic_config(unmigrated), "0009")
    command.upgrade(alembic_config(unmigrated), "heads")

    assert _differences(unmigrated) == []
