"""The affiliate CLI and the demo data."""

from __future__ import annotations

import csv
import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.demo import DEMO_TRANSACTIONS
from commerce_stats.cli import app
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.demo import load_demo
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import csv_rows


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMERCE_STATS_DATABASE_URL", settings.database_url)


@pytest.mark.usefixtures("cli_env")
def test_cli_export_then_import_round_trip(
    client: TestClient, network: Network, convert: Callable[..., int], tmp_path: Path
) -> None:
    convert(network, "CLI-1", "10.00")
    exported = tmp_path / "tx.csv"
    result = CliRunner().invoke(
        app, ["affiliate", "export", str(network.account_id), str(exported)]
    )
    assert result.exit_code == 0, result.output
    with exported.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert [row["ordertoken"] for row in rows] == ["CLI-1"]
    rows[0]["status"] = "confirmed"
    edited = tmp_path / "edited.csv"
    with edited.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    result = CliRunner().invoke(app, ["affiliate", "import", str(network.account_id), str(edited)])
    assert result.exit_code == 0, result.output
    assert "created 0, updated 1, unchanged 0" in result.output
    assert csv_rows(client, network.export_url())[0]["status"] == "1"


@pytest.mark.usefixtures("cli_env")
def test_cli_import_reports_bad_rows(network: Network, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "orderid;campaign_id;commissiongroup;trigger_id;project_id;conversiontype;price;"
        "commission;order_timestamp;ordertoken;cancel_reason;status\n"
        "77;;;;;;;;;;;1\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["affiliate", "import", str(network.account_id), str(bad)])
    assert result.exit_code == 1
    assert "row 2, orderid: no transaction 77" in result.output


def test_demo_fills_the_network(database: Database, accounts: Accounts, client: TestClient) -> None:
    info = load_demo(database, accounts)
    token = info.credentials["affiliate_access_token"]
    url = f"/api/{token}/admin/{info.account_id}/get-statistic_transactions.csv"
    rows = csv_rows(client, url, **{"condition[dynamicdate]": "last62d"})
    assert len(rows) == DEMO_TRANSACTIONS
    assert {row["status"] for row in rows} == {"0", "1", "2", "3"}


@pytest.mark.usefixtures("cli_env")
def test_cli_renders_export_text_after_a_time_zone_change(
    client: TestClient,
    network: Network,
    convert: Callable[..., int],
    admin_headers: dict[str, str],
) -> None:
    convert(network, "TZ-1")
    convert(network, "TZ-2")
    client.patch(
        f"/admin/v1/accounts/{network.account_id}",
        json={"timezone": "Asia/Tokyo"},
        headers=admin_headers,
    )
    command = ["affiliate", "render-export-text", str(network.account_id)]
    first = CliRunner().invoke(app, command)
    second = CliRunner().invoke(app, command)
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert "rendered 2 transaction(s)" in first.output
    assert "rendered 0 transaction(s)" in second.output


def _export_help_example() -> list[str]:
    """The -c example that `affiliate export --help` shows, as arguments."""
    shown = CliRunner().invoke(app, ["affiliate", "export", "--help"])
    [example] = re.findall(r"e\.g\. (-c '[^']+')", " ".join(shown.output.split()))
    return shlex.split(example)


@pytest.mark.usefixtures("cli_env")
def test_the_export_help_example_runs(
    client: TestClient, network: Network, convert: Callable[..., int], tmp_path: Path
) -> None:
    output = tmp_path / "march.csv"
    command = ["affiliate", "export", str(network.account_id), str(output)]
    result = CliRunner().invoke(app, [*command, *_export_help_example()])
    assert result.exit_code == 0, result.output
    assert output.read_text(encoding="utf-8").startswith('"id";')


@pytest.mark.usefixtures("cli_env")
def test_an_unknown_condition_is_named_with_its_brackets(network: Network, tmp_path: Path) -> None:
    output = tmp_path / "x.csv"
    command = ["affiliate", "export", str(network.account_id), str(output)]
    result = CliRunner().invoke(app, [*command, "-c", "condition=lastmonth"])
    assert result.exit_code == 1
    assert "condition[dynamicdate]" in result.output
    assert not output.exists()


@pytest.mark.usefixtures("cli_env")
def test_cli_exports_a_statistic_report(
    network: Network, convert: Callable[..., int], tmp_path: Path
) -> None:
    convert(network, "CLI-2", "10.00", subid="news")
    exported = tmp_path / "subid.csv"
    command = ["affiliate", "export", str(network.account_id), str(exported), "--report", "subid"]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    with exported.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert [(row["criterion"], row["clicks"], row["all_open_count"]) for row in rows] == [
        ("news", "1", "1")
    ]
