"""Migration 0012 counts the clicks and views already stored into their quarter hours, and
goes down and up again to exactly the tables' schema, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import insert, select, text

from commerce_stats.affiliate.tables import clicks, traffic_quarters, views
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import alembic_config
from tests.db.test_migration_0008_citus_ready import unmigrated  # noqa: F401
from tests.db.test_migration_0010_affiliate_traffic import _differences

TRAFFIC = {
    "campaign_id": 1,
    "publisher_id": 2,
    "project_id": 3,
    "subid": "",
    "admedia_id": 0,
    "referrer": "",
    "country": "DE",
}


def _stored(database: Database) -> None:
    """Before 0012: two clicks in the quarter from 12:00 (one net 0), one at 12:15, a view."""
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO accounts (id, name, features, timezone, disabled, created_at, "
                "updated_at) VALUES (1, 'A', '[]', 'UTC', false, '2026-11-10 00:00:00', "
                "'2026-11-10 00:00:00')"
            )
        )
        for number, (moment, net) in enumerate(
            [
                (datetime(2026, 11, 10, 12, 0, 5, 123456, tzinfo=UTC), 1),
                (datetime(2026, 11, 10, 12, 14, 59, tzinfo=UTC), 0),
                (datetime(2026, 11, 10, 12, 15, tzinfo=UTC), 1),
            ],
            start=1,
        ):
            conn.execute(
                insert(clicks).values(
                    account_id=1, id=number, created_at=moment, net=net, user_agent="", **TRAFFIC
                )
            )
        conn.execute(
            insert(views).values(
                account_id=1, id=1, created_at=datetime(2026, 11, 10, 12, 1, tzinfo=UTC), **TRAFFIC
            )
        )


def test_the_upgrade_counts_stored_traffic_per_quarter_hour(
    unmigrated: Database,  # noqa: F811
) -> None:
    command.upgrade(alembic_config(unmigrated), "0011")
    _stored(unmigrated)
    command.upgrade(alembic_config(unmigrated), "0012")
    quarter = int(datetime(2026, 11, 10, 12, 0, tzinfo=UTC).timestamp()) // 900
    with unmigrated.engine.connect() as conn:
        rows = sorted(
            tuple(row)
            for row in conn.execute(
                select(
                    traffic_quarters.c.quarter,
                    traffic_quarters.c.kind,
                    traffic_quarters.c.net,
                    traffic_quarters.c.n,
                )
            )
        )
    assert rows == [
        (quarter, 0, 0, 1),
        (quarter, 0, 1, 1),
        (quarter, 1, 1, 1),
        (quarter + 1, 0, 1, 1),
    ]


def test_downgrade_of_0012_and_upgrade_again_leaves_no_difference(
    unmigrated: Database,  # noqa: F811
) -> None:
    command.upgrade(alembic_config(unmigrated), "heads")
    command.downgrade(alembic_config(unmigrated), "0011")
    command.upgrade(alembic_config(unmigrated), "heads")

    assert _differences(unmigrated) == []
