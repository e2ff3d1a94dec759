"""Migration 0013 adds the stored publisher text and marks every transaction's text stale,
so the next CSV export renders it; it goes down and up again to exactly the tables' schema,
on both backends."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import select, update

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.demo import build_catalog, fill_transactions
from commerce_stats.affiliate.export_lines import export_key
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.affiliate.tables import transactions
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import alembic_config
from tests.db.test_migration_0008_citus_ready import unmigrated  # noqa: F401
from tests.db.test_migration_0010_affiliate_traffic import _differences

ROWS = 12


def _network_at_0012(database: Database) -> tuple[AffiliateNetwork, int]:
    """An account with ``ROWS`` transactions whose admin text was current under 0012."""
    command.upgrade(alembic_config(database), "heads")
    accounts = Accounts(database)
    account, _credentials = accounts.create("Before 0013")
    network = AffiliateNetwork(database, accounts)
    plan = build_catalog(network, account)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    fill_transactions(database, account.id, plan, ROWS, random.Random(2), now=now, days=20)
    command.downgrade(alembic_config(database), "0012")
    with database.engine.begin() as conn:
        conn.execute(update(transactions).values(export_key="1:Europe/Berlin"))
    return network, account.id


def _stored(database: Database) -> list[tuple[str, str, str]]:
    with database.engine.connect() as conn:
        rows = conn.execute(
            select(
                transactions.c.publisher_head,
                transactions.c.publisher_tail,
                transactions.c.export_key,
            ).order_by(transactions.c.id)
        )
        return [tuple(row) for row in rows]


def test_the_upgrade_leaves_every_transaction_stale_with_empty_publisher_text(
    unmigrated: Database,  # noqa: F811
) -> None:
    _network_at_0012(unmigrated)
    command.upgrade(alembic_config(unmigrated), "0013")
    assert _stored(unmigrated) == [("", "", "")] * ROWS


def test_the_first_export_after_the_upgrade_renders_the_publisher_text(
    unmigrated: Database,  # noqa: F811
) -> None:
    network, account_id = _network_at_0012(unmigrated)
    command.upgrade(alembic_config(unmigrated), "0013")
    account = network.accounts.get(account_id)
    assert network.exports.render_stale_export_text(account) == ROWS
    stored = _stored(unmigrated)
    assert [key for _head, _tail, key in stored] == [export_key(account.timezone)] * ROWS
    assert all(head.startswith('"') and tail for head, tail, _key in stored)


def test_downgrade_of_0013_and_upgrade_again_leaves_no_difference(
    unmigrated: Database,  # noqa: F811
) -> None:
    command.upgrade(alembic_config(unmigrated), "heads")
    command.downgrade(alembic_config(unmigrated), "0012")
    command.upgrade(alembic_config(unmigrated), "heads")

    assert _differences(unmigrated) == []
