"""The commerce-stats command, run in-process against the test database."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from commerce_stats.accounts.service import Accounts
from commerce_stats.app import create_app
from commerce_stats.cli import _ensure_admin_token, app, connection_limits
from commerce_stats.config import Settings
from tests.live_server import connect, live_server, request_head, send_head_only

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


# -- the connection cap that `serve` gives uvicorn ---------------------------------------------

CAP = 20
OPENED = 25
SLOW_HEAD = request_head(
    "POST", "/v1/login_check", {"Content-Type": "application/json", "Content-Length": "100"}
)
"""A request that waits for its 100 bytes of body, holding its connection."""


def _healthz_status(port: int) -> int:
    return send_head_only(port, "GET", "/healthz", {}).status


def _held_connections(port: int) -> Iterator[socket.socket]:
    for _index in range(OPENED):
        sock = connect(port)
        sock.sendall(SLOW_HEAD)
        yield sock


def test_past_the_connection_cap_new_requests_get_503_until_connections_go(
    settings: Settings,
) -> None:
    patient = settings.model_copy(
        update={"body_idle_timeout_seconds": 60.0, "limit_concurrency": CAP}
    )
    with live_server(create_app(patient), **connection_limits(patient)) as port:
        held = list(_held_connections(port))
        try:
            while_full = _healthz_status(port)
        finally:
            for sock in held:
                sock.close()
        after = [_healthz_status(port)]
        for _poll in range(100):  # the server notices the closed connections: bounded wait
            if after[-1] == 200:
                break
            time.sleep(0.1)
            after.append(_healthz_status(port))
    assert while_full == 503
    assert after[-1] == 200


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port another server is listening on for the duration of the test."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_serve_on_a_taken_port_says_how_to_choose_another(
    cli_env: Settings, accounts: Accounts, taken_port: int
) -> None:
    result = runner.invoke(
        app,
        ["serve", "--port", str(taken_port)],
        env={"COMMERCE_STATS_DEMO_ON_FIRST_START": "true", "COLUMNS": "300"},
    )
    assert result.exit_code == 1
    assert f"Port {taken_port} on 127.0.0.1 is already in use." in result.output
    assert "PORT=8765 make run" in result.output
    assert "COMMERCE_STATS_PORT=8765" in result.output


def test_serve_on_a_taken_port_stops_before_any_database_work(
    cli_env: Settings, accounts: Accounts, taken_port: int
) -> None:
    result = runner.invoke(
        app,
        ["serve", "--port", str(taken_port)],
        env={"COMMERCE_STATS_DEMO_ON_FIRST_START": "true"},
    )
    assert result.exit_code == 1
    assert "Serving on" not in result.output
    assert "Admin token" not in result.output
    assert accounts.list() == []
    assert not cli_env.data_dir.exists()


def test_serve_reads_the_port_from_the_environment(cli_env: Settings, taken_port: int) -> None:
    result = runner.invoke(
        app, ["serve"], env={"COMMERCE_STATS_PORT": str(taken_port), "COLUMNS": "300"}
    )
    assert result.exit_code == 1
    assert f"Port {taken_port} on 127.0.0.1 is already in use." in result.output


def test_demo_twice_keeps_one_demo_account(cli_env: Settings, accounts: Accounts) -> None:
    first = runner.invoke(app, ["demo"])
    saved = (cli_env.data_dir / "demo-credentials.json").read_text()
    second = runner.invoke(app, ["demo"])
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert "Demo account 1 is already loaded; nothing was added." in second.output
    assert [account.id for account in accounts.list()] == [1]
    assert (cli_env.data_dir / "demo-credentials.json").read_text() == saved


def test_demo_refuses_to_add_a_second_account_when_its_file_is_gone(
    cli_env: Settings, accounts: Accounts
) -> None:
    runner.invoke(app, ["demo"])
    (cli_env.data_dir / "demo-credentials.json").unlink()
    result = runner.invoke(app, ["demo"], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert "'Demo Shop' account exists but" in result.output
    assert [account.id for account in accounts.list()] == [1]


def test_demo_env_exports_working_credentials_and_the_base(
    cli_env: Settings, accounts: Accounts
) -> None:
    runner.invoke(app, ["demo"])
    result = runner.invoke(app, ["demo", "env"], env={"COMMERCE_STATS_ADMIN_TOKEN": "admin-x"})
    assert result.exit_code == 0
    exported = dict(
        line.removeprefix("export ").split("=", 1) for line in result.output.split("\n") if line
    )
    assert exported["BASE"] == "http://127.0.0.1:8000"
    assert exported["ACCOUNT_ID"] == "1"
    assert exported["ADMIN_TOKEN"] == "admin-x"
    found = accounts.authenticate("ingest_key", exported["INGEST_KEY"])
    assert found is not None
    assert found.id == 1


def test_demo_env_takes_another_base(cli_env: Settings) -> None:
    runner.invoke(app, ["demo"])
    result = runner.invoke(app, ["demo", "env", "--base", "http://127.0.0.1:8765"])
    assert result.exit_code == 0
    assert "export BASE=http://127.0.0.1:8765\n" in result.output


def test_demo_env_without_a_demo_says_what_to_run(cli_env: Settings) -> None:
    result = runner.invoke(app, ["demo", "env"])
    assert result.exit_code == 1
    assert "No demo loaded yet" in result.output
    assert "export" not in result.output


def _command_paths(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group below ``command`` (a click command; groups have .commands)."""
    paths = [path]
    for name, sub in getattr(command, "commands", {}).items():
        paths.extend(_command_paths(sub, (*path, name)))
    return paths


COMMAND_PATHS = _command_paths(typer.main.get_command(app))


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda path: " ".join(path) or "top")
def test_help_shows_no_python_type_labels(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert re.findall(r"<(?:bool|str|int|path|file|list\[str\])>", result.output) == []


def test_every_command_is_covered_by_the_help_check() -> None:
    assert ("affiliate", "export") in COMMAND_PATHS
    assert ("demo", "env") in COMMAND_PATHS
    assert len(COMMAND_PATHS) == 24


def test_help_keeps_square_brackets_of_examples() -> None:
    result = runner.invoke(app, ["affiliate", "export", "--help"])
    assert "'condition[dynamicdate]=lastmonth'" in " ".join(result.output.split())


def test_help_rewraps_docstring_paragraphs() -> None:
    result = runner.invoke(app, ["video", "ingest", "--help"])
    lines = [line.strip() for line in result.output.splitlines()]
    assert "their line" not in lines
    assert "an event" not in lines


def test_dashboard_login_takes_the_password_without_asking(
    cli_env: Settings, accounts: Accounts
) -> None:
    account, _ = accounts.create("Acme")
    command = ["accounts", "dashboard-login", str(account.id), "acme"]
    result = runner.invoke(app, [*command, "--password", "a long passphrase"])
    assert result.exit_code == 0
    assert "Password" not in result.output
    assert accounts.verify_dashboard_login("acme", "a long passphrase") is not None


def test_dashboard_login_help_does_not_call_the_password_required() -> None:
    result = runner.invoke(app, ["accounts", "dashboard-login", "--help"])
    assert "[required]" not in result.output.split("--password", 1)[1]


def test_a_configured_admin_token_removes_the_one_an_earlier_run_generated(
    cli_env: Settings,
) -> None:
    cli_env.data_dir.mkdir(parents=True)
    (cli_env.data_dir / "admin-token").write_text("from-an-earlier-run")
    _ensure_admin_token(cli_env)
    assert not (cli_env.data_dir / "admin-token").exists()


def test_a_generated_admin_token_is_kept_for_demo_env(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMERCE_STATS_ADMIN_TOKEN", "restored-after-the-test")
    settings = cli_env.model_copy(update={"admin_token": None})
    _ensure_admin_token(settings)
    saved = settings.data_dir / "admin-token"
    assert saved.read_text() == settings.admin_token
    assert saved.stat().st_mode & 0o777 == 0o600
