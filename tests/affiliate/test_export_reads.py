"""The exports' reads on the backend under test: counts, stored lines, rendering again."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from commerce_stats.accounts.service import AccountChanges, Accounts
from commerce_stats.affiliate import repository, statistics
from commerce_stats.affiliate.demo import Plan, build_catalog, fill_transactions
from commerce_stats.affiliate.export_lines import (
    LocalClock,
    Money,
    publisher_cells,
    transaction_cells,
)
from commerce_stats.affiliate.export_reads import ExportReads
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.db.engine import Database
from commerce_stats.kit.exports import csv_line
from commerce_stats.kit.tenancy import Account

NOW = datetime(2026, 11, 1, tzinfo=UTC)
ROWS = 30


@pytest.fixture
def filled(database: Database, accounts: Accounts) -> tuple[Account, Plan]:
    account, _credentials = accounts.create("Reads")
    plan = build_catalog(AffiliateNetwork(database, accounts), account)
    fill_transactions(database, account.id, plan, ROWS, random.Random(5), now=NOW, days=20)
    return account, plan


def _everything(account: Account) -> repository.TransactionQuery:
    return repository.TransactionQuery(
        account_id=account.id,
        start=datetime(2025, 1, 1, tzinfo=UTC),
        end=datetime(2027, 1, 1, tzinfo=UTC),
        time_column="created_at",
    )


def test_count_is_the_number_of_selected_transactions(
    database: Database, filled: tuple[Account, Plan]
) -> None:
    account, _plan = filled
    assert ExportReads(database).count(_everything(account)) == ROWS


def test_stored_lines_equal_the_lines_of_the_cells(
    database: Database, filled: tuple[Account, Plan]
) -> None:
    account, _plan = filled
    reads = ExportReads(database)
    stored = [line for batch in reads.csv_lines(_everything(account)) for line in batch]
    clock, money = LocalClock(account.timezone), Money()
    rendered = [
        csv_line(transaction_cells(row, clock, money))
        for row in reads.transaction_rows(_everything(account))
    ]
    assert len(stored) == ROWS
    assert stored == rendered


def test_stored_publisher_lines_equal_the_lines_of_the_publisher_cells(
    database: Database, filled: tuple[Account, Plan]
) -> None:
    account, _plan = filled
    reads = ExportReads(database)
    query = _everything(account)
    stored = [line for batch in reads.publisher_csv_lines(query) for line in batch]
    clock, money = LocalClock(account.timezone), Money()
    rendered = [csv_line(publisher_cells(row, clock, money)) for row in reads.publisher_rows(query)]
    assert len(stored) == ROWS
    assert stored == rendered


def test_stored_publisher_lines_are_only_the_publishers_own(
    database: Database, accounts: Accounts, filled: tuple[Account, Plan]
) -> None:
    account, _plan = filled
    other, _credentials = accounts.create("Other reads")
    other_plan = build_catalog(AffiliateNetwork(database, accounts), other)
    fill_transactions(database, other.id, other_plan, 5, random.Random(6), now=NOW, days=20)
    reads = ExportReads(database)
    mine = list(reads.transaction_rows(_everything(account)))
    chosen = mine[0].publisher_id
    query = replace(_everything(account), publishers=(chosen,))
    stored = [line for batch in reads.publisher_csv_lines(query) for line in batch]
    criteria = [line.split(";", 1)[0].strip('"') for line in stored]
    assert criteria == [row.ebestid for row in mine if row.publisher_id == chosen]


def test_a_new_time_zone_renders_each_transaction_again_once(
    database: Database, accounts: Accounts, filled: tuple[Account, Plan]
) -> None:
    account, _plan = filled
    moved, _ids = accounts.update(account.id, AccountChanges(timezone="America/New_York"))
    reads = ExportReads(database)
    assert reads.render_stale_export_text(moved) == ROWS
    assert reads.render_stale_export_text(moved) == 0


def test_statistic_rows_sum_the_selected_transactions(
    database: Database, filled: tuple[Account, Plan]
) -> None:
    account, _plan = filled
    reads = ExportReads(database)
    rows = list(
        reads.statistic_rows(
            _everything(account), statistics.DEFINITIONS["campaign"], False, account.timezone
        )
    )
    full = list(reads.transaction_rows(_everything(account)))
    assert sum(row.transactions for row in rows) == ROWS
    assert sum(sum(row.totals[2::3]) for row in rows) == sum(r.commission_minor for r in full)
