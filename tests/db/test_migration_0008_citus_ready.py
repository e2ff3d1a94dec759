"""Migration 0008: existing campaigns get their directory rows; down again keeps them."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, inspect, select, text
from sqlalchemy.engine import make_url

from commerce_stats.accounts.tables import accounts
from commerce_stats.affiliate.tables import advertisers, campaigns
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import alembic_config
from tests.conftest import BACKEND, POSTGRES_SERVER_URL

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def unmigrated(tmp_path: Path) -> Iterator[Database]:
    """An empty database of the suite's backend that no migration has touched."""
    if BACKEND == "sqlite":
        database = Database(Settings(database_url=f"sqlite:///{tmp_path}/m.sqlite3"))
        yield database
        database.dispose()
        return
    name = f"commerce_stats_m0008_{secrets.token_hex(4)}"
    server = create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_SERVER_URL).set(database=name)
    database = Database(Settings(database_url=url.render_as_string(hide_password=False)))
    try:
        yield database
    finally:
        database.dispose()
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def _two_accounts_with_campaigns(database: Database) -> None:
    """Account 1 owns campaigns 1 and 3, account 2 owns campaign 2 (ids are server-wide)."""
    with database.engine.begin() as conn:
        for account_id in (1, 2):
            conn.execute(
                insert(accounts).values(
                    id=account_id,
                    name=f"Network {account_id}",
                    features=["affiliate"],
                    timezone="UTC",
                    disabled=False,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
            conn.execute(
                insert(advertisers).values(account_id=account_id, id=1, name="Shop", created_at=NOW)
            )
        for campaign_id, account_id in ((1, 1), (2, 2), (3, 1)):
            conn.execute(
                insert(campaigns).values(
                    account_id=account_id,
                    id=campaign_id,
                    advertiser_id=1,
                    title=f"Campaign {campaign_id}",
                    target_url="https://shop.example/",
                    currency="EUR",
                    created_at=NOW,
                )
            )


def _directory(database: Database) -> list[tuple[int, int]]:
    with database.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT campaign_id, account_id FROM affiliate_campaign_directory "
                "ORDER BY campaign_id"
            )
        )
        return [(int(row[0]), int(row[1])) for row in rows]


def _campaign_owners(database: Database) -> list[tuple[int, int]]:
    with database.engine.connect() as conn:
        query = select(campaigns.c.id, campaigns.c.account_id).order_by(campaigns.c.id)
        return [(int(row[0]), int(row[1])) for row in conn.execute(query)]


def test_upgrade_gives_every_existing_campaign_its_directory_row(unmigrated: Database) -> None:
    command.upgrade(alembic_config(unmigrated), "0007")
    _two_accounts_with_campaigns(unmigrated)
    command.upgrade(alembic_config(unmigrated), "0008")
    assert _directory(unmigrated) == [(1, 1), (2, 2), (3, 1)]


def test_upgrade_drops_the_campaign_id_index_that_spans_accounts(unmigrated: Database) -> None:
    command.upgrade(alembic_config(unmigrated), "0008")
    indexes = inspect(unmigrated.engine).get_indexes("affiliate_campaigns")
    assert [index["name"] for index in indexes if index["unique"]] == []


def test_downgrade_keeps_the_campaigns_and_drops_the_directory(unmigrated: Database) -> None:
    command.upgrade(alembic_config(unmigrated), "0007")
    _two_accounts_with_campaigns(unmigrated)
    command.upgrade(alembic_config(unmigrated), "0008")
    command.downgrade(alembic_config(unmigrated), "0007")
    assert _campaign_owners(unmigrated) == [(1, 1), (2, 2), (3, 1)]
    assert "affiliate_campaign_directory" not in inspect(unmigrated.engine).get_table_names()
