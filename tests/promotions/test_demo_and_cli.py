"""The demo loader and the ``commerce-stats promotions`` commands on a real database."""

from __future__ import annotations

from typer.testing import CliRunner

from commerce_stats.accounts.service import Accounts
from commerce_stats.cli import app
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.demo import load_demo
from commerce_stats.promotions.service import Promotions


def test_demo_loads_promotions_whose_counters_match_the_ledger(
    database: Database, accounts: Accounts
) -> None:
    info = load_demo(database, accounts)
    service = Promotions(database, accounts)
    account = accounts.get(info.account_id)
    assert service.catalog.counter_drift(account.id) == []
    flash = service.catalog.statistics(account, 4)
    assert flash.promotion_codes is not None
    assert [code[1] for code in flash.promotion_codes] == ["FLASH"]
    assert flash.redemptions > flash.promotion_codes[0][3] > 0
    assert any("statistics" in link.label for link in info.links)


def test_cli_lists_and_checks_counters(
    settings: Settings, database: Database, accounts: Accounts
) -> None:
    info = load_demo(database, accounts)
    runner = CliRunner()
    env = {"COMMERCE_STATS_DATABASE_URL": settings.database_url}
    listed = runner.invoke(app, ["promotions", "list", str(info.account_id)], env=env)
    assert listed.exit_code == 0, listed.output
    assert "Spring discount" in listed.output
    checked = runner.invoke(app, ["promotions", "check-counters", str(info.account_id)], env=env)
    assert checked.exit_code == 0
    assert "Every counter matches" in checked.output
    stats = runner.invoke(app, ["promotions", "stats", str(info.account_id), "2"], env=env)
    assert stats.exit_code == 0
    assert "SUMMER10" in stats.output


def test_cli_stats_of_unknown_promotion_fails(settings: Settings, accounts: Accounts) -> None:
    account, _ = accounts.create("Acme")
    runner = CliRunner()
    env = {"COMMERCE_STATS_DATABASE_URL": settings.database_url}
    result = runner.invoke(app, ["promotions", "stats", str(account.id), "99"], env=env)
    assert result.exit_code == 1
    assert "Promotion not found: 99" in result.output
