"""The commerce-stats command, run in-process against the test database."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from commerce_stats.accounts.service import Accounts
from commerce_stats.cli import app
from commerce_stats.config import Settings

runner = CliRunner()


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("COMMERCE_STATS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("COMMERCE_STATS_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("COMMERCE_STATS_ADMIN_TOKEN", raising=False)
    return settings


def test_help_names_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "migrate", "demo", "accounts"):
        assert command in result.output


def test_migrate_reports_success(cli_env: Settings) -> None:
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0
    assert "newest schema" in result.output


def test_accounts_create_prints_credentials(cli_env: Settings, accounts: Accounts) -> None:
    result = runner.invoke(app, ["accounts", "create", "Acme", "--feature", "affiliate"])
    assert result.exit_code == 0
    assert "organization_key" in result.output
    [account] = accounts.list()
    assert account.name == "Acme"
    assert {feature.value for feature in account.features} == {"affiliate"}


def test_accounts_create_refuses_unknown_feature(cli_env: Settings, accounts: Accounts) -> None:
    result = runner.invoke(app, ["accounts", "create", "Acme", "--feature", "nope"])
    assert result.exit_code == 1
    assert "unknown feature" in result.output
    assert accounts.list() == []


def test_accounts_disable_then_list(cli_env: Settings, accounts: Accounts) -> None:
    account, _ = accounts.create("Acme")
    assert runner.invoke(app, ["accounts", "disable", str(account.id)]).exit_code == 0
    assert accounts.get(account.id).disabled
    listing = runner.invoke(app, ["accounts", "list"])
    assert "Acme" in listing.output
    assert "True" in listing.output


def test_accounts_rotate_prints_a_working_secret(cli_env: Settings, accounts: Accounts) -> None:
    account, _ = accounts.create("Acme")
    result = runner.invoke(app, ["accounts", "rotate", str(account.id), "ingest_key"])
    assert result.exit_code == 0
    secret = result.output.strip().split(": ")[-1]
    found = accounts.authenticate("ingest_key", secret)
    assert found is not None
    assert found.id == account.id


def test_disable_unknown_account_fails(cli_env: Settings) -> None:
    result = runner.invoke(app, ["accounts", "disable", "42"])
    assert result.exit_code == 1
    assert "account 42 not found" in result.output


def test_serve_refuses_public_address_without_admin_token(cli_env: Settings) -> None:
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0"])  # noqa: S104
    assert result.exit_code == 2
    assert "Refusing to serve" in result.output


def test_serve_refuses_a_short_admin_token_on_a_public_address(cli_env: Settings) -> None:
    result = runner.invoke(
        app,
        ["serve", "--host", "0.0.0.0"],  # noqa: S104
        env={"COMMERCE_STATS_ADMIN_TOKEN": "x"},
    )
    assert result.exit_code == 2
    assert "COMMERCE_STATS_ADMIN_TOKEN must be at least 32 characters" in result.output
    assert "Serving on" not in result.output


def test_serve_refuses_a_short_admin_token_with_a_public_host_setting(cli_env: Settings) -> None:
    result = runner.invoke(
        app,
        ["serve"],
        env={"COMMERCE_STATS_HOST": "0.0.0.0", "COMMERCE_STATS_ADMIN_TOKEN": "short-token"},  # noqa: S104
    )
    assert result.exit_code == 2
    assert "COMMERCE_STATS_ADMIN_TOKEN must be at least 32 characters" in result.output
    assert "short-token" not in result.output


def test_demo_saves_its_credentials(cli_env: Settings, accounts: Accounts) -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0
    saved = json.loads((cli_env.data_dir / "demo-credentials.json").read_text())
    found = accounts.authenticate("organization_key", saved["credentials"]["organization_key"])
    assert found is not None
    assert found.name == "Demo Shop"
    assert (cli_env.data_dir / "demo-credentials.json").stat().st_mode & 0o777 == 0o600


def test_dashboard_login_command_sets_a_working_sign_in(
    cli_env: Settings, accounts: Accounts
) -> None:
    account, _ = accounts.create("Acme")
    result = runner.invoke(
        app,
        ["accounts", "dashboard-login", str(account.id), "acme"],
        input="a long passphrase\na long passphrase\n",
    )
    assert result.exit_code == 0
    login = accounts.verify_dashboard_login("acme", "a long passphrase")
    assert login is not None
    assert login.account.id == account.id


def test_demo_account_can_sign_in_to_the_dashboard(cli_env: Settings, accounts: Accounts) -> None:
    runner.invoke(app, ["demo"])
    saved = json.loads((cli_env.data_dir / "demo-credentials.json").read_text())["credentials"]
    login = accounts.verify_dashboard_login(
        saved["dashboard_username"], saved["dashboard_password"]
    )
    assert login is not None
    assert login.account.name == "Demo Shop"
