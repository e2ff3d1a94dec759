"""The demo account: loaded once, its saved links naming the address the server serves on."""

from __future__ import annotations

import json
from pathlib import Path

from commerce_stats.accounts.service import Accounts
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.demo import (
    CREDENTIALS_FILE,
    DemoInfo,
    DemoState,
    ensure_demo,
    read_demo_info,
    shell_exports,
)
from commerce_stats.kit.demo_links import DemoLink

BASE = "http://127.0.0.1:8765"


def _saved(data_dir: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((data_dir / CREDENTIALS_FILE).read_text())
    return loaded


def test_a_second_load_finds_the_first_demo_account(
    database: Database, accounts: Accounts, settings: Settings
) -> None:
    first_state, first = ensure_demo(database, accounts, settings.data_dir, BASE)
    second_state, second = ensure_demo(database, accounts, settings.data_dir, BASE)
    assert (first_state, second_state) == (DemoState.LOADED, DemoState.ALREADY_LOADED)
    assert [account.id for account in accounts.list()] == [1]
    assert first == second


def test_the_saved_credentials_still_work_after_a_second_load(
    database: Database, accounts: Accounts, settings: Settings
) -> None:
    ensure_demo(database, accounts, settings.data_dir, BASE)
    ensure_demo(database, accounts, settings.data_dir, BASE)
    info = read_demo_info(settings.data_dir)
    assert info is not None
    found = accounts.authenticate("organization_key", info.credentials["organization_key"])
    assert found is not None
    assert found.id == 1


def test_saved_links_name_the_real_address(
    database: Database, accounts: Accounts, settings: Settings
) -> None:
    ensure_demo(database, accounts, settings.data_dir, BASE)
    saved = _saved(settings.data_dir)
    targets = [link["target"] for link in saved["links"]]  # type: ignore[attr-defined]
    assert saved["base"] == BASE
    assert targets[0] == f"{BASE}/"
    assert all("{base}" not in target for target in targets)
    assert all(BASE in target for target in targets)


def test_a_later_start_on_another_port_rewrites_the_saved_links(
    database: Database, accounts: Accounts, settings: Settings
) -> None:
    ensure_demo(database, accounts, settings.data_dir, BASE)
    ensure_demo(database, accounts, settings.data_dir, "http://127.0.0.1:9000")
    saved = _saved(settings.data_dir)
    targets = [link["target"] for link in saved["links"]]  # type: ignore[attr-defined]
    assert saved["base"] == "http://127.0.0.1:9000"
    assert targets[0] == "http://127.0.0.1:9000/"
    assert not any(BASE in target for target in targets)


def test_without_loading_nothing_is_created(
    database: Database, accounts: Accounts, settings: Settings
) -> None:
    state, info = ensure_demo(database, accounts, settings.data_dir, BASE, load_if_missing=False)
    assert (state, info) == (DemoState.MISSING, None)
    assert accounts.list() == []
    assert not (settings.data_dir / CREDENTIALS_FILE).exists()


def test_a_demo_account_without_its_file_is_reported_not_duplicated(
    database: Database, accounts: Accounts, settings: Settings
) -> None:
    ensure_demo(database, accounts, settings.data_dir, BASE)
    (settings.data_dir / CREDENTIALS_FILE).unlink()
    state, info = ensure_demo(database, accounts, settings.data_dir, BASE)
    assert (state, info) == (DemoState.CREDENTIALS_LOST, None)
    assert [account.id for account in accounts.list()] == [1]
    assert not (settings.data_dir / CREDENTIALS_FILE).exists()


def test_rebasing_keeps_json_braces_of_a_command() -> None:
    info = DemoInfo(1, {}, [DemoLink("stats", "curl {base}/v1 -d '{\"id\": 1}'")])
    rebased = info.rebased(BASE).rebased("http://localhost:9000")
    assert rebased.links == [DemoLink("stats", "curl http://localhost:9000/v1 -d '{\"id\": 1}'")]


def test_shell_exports_quote_every_value_for_the_shell() -> None:
    info = DemoInfo(3, {"ingest_key": "a b'c", "affiliate_login_id": "42"}, base=BASE)
    assert shell_exports(info, "token") == [
        f"export BASE={BASE}",
        "export ACCOUNT_ID=3",
        "export INGEST_KEY='a b'\"'\"'c'",
        "export AFFILIATE_LOGIN_ID=42",
        "export ADMIN_TOKEN=token",
    ]


def test_shell_exports_leave_out_an_unknown_admin_token() -> None:
    info = DemoInfo(3, {}, base=BASE)
    assert shell_exports(info, None) == [f"export BASE={BASE}", "export ACCOUNT_ID=3"]
