"""``commerce-stats video ingest`` and ``video catalog`` against a real database file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from commerce_stats.accounts.service import Accounts
from commerce_stats.cli import app
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.video import repository

runner = CliRunner()


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("COMMERCE_STATS_DATABASE_URL", settings.database_url)
    return settings


def _catalog_file() -> bytes:
    lines = [
        {
            "kind": "ecommerce_item",
            "ecommerce_key": "i1",
            "ecommerce_name": "One",
            "ecommerce_link": "https://one.example",
        },
        {"kind": "video", "content_key": "v1", "title": "Video", "ecommerce_keys": ["i1"]},
    ]
    return b"\n".join(orjson.dumps(line) for line in lines)


def test_catalog_then_ingest_backfill(
    env: Settings,
    database: Database,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
    tmp_path: Path,
) -> None:
    account, _credentials = make_service_account("Shop", features=["video_ecommerce"])
    catalog = tmp_path / "catalog.ndjson"
    catalog.write_bytes(_catalog_file())
    events = tmp_path / "events.ndjson"
    good = {
        "content_key": "v1",
        "ecommerce_key": "i1",
        "type": "ecommerce_viewed",
        "timestamp": "2022-10-14T10:00:00Z",
        "device_type": "Mobile",
    }
    lines = [orjson.dumps(good)] * 25_000 + [
        b'{"content_key": "nope", "type": "ecommerce_bar_shown"}'
    ]
    events.write_bytes(b"\n".join(lines) + b"\n")

    written = runner.invoke(app, ["video", "catalog", str(catalog), "--account", str(account.id)])
    ingested = runner.invoke(app, ["video", "ingest", str(events), "--account", str(account.id)])

    assert written.exit_code == 0, written.output
    assert ingested.exit_code == 1
    assert "25001 events read: 25000 counted" in ingested.output
    assert "line 25001: unknown content_key 'nope'" in ingested.output
    with database.read() as conn:
        chunks = repository.report_rows(
            conn, account.id, date(2022, 10, 14), date(2022, 10, 14), None
        )
        rows = [row for chunk in chunks for row in chunk]
    assert [(row[2], row[4]) for row in rows] == [("Mobile", 25_000)]


def test_ingest_refuses_an_account_without_video(
    env: Settings,
    accounts: Accounts,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
    tmp_path: Path,
) -> None:
    account, _credentials = make_service_account("Shop", features=["affiliate"])
    events = tmp_path / "events.ndjson"
    events.write_bytes(b"")
    result = runner.invoke(app, ["video", "ingest", str(events), "--account", str(account.id)])
    assert result.exit_code == 1
    assert "has no video_ecommerce feature" in result.output
