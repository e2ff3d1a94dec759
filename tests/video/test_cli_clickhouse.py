"""``commerce-stats video move-to-clickhouse`` against a real database and the test cluster."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from commerce_stats.cli import app
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.video import repository
from commerce_stats.video.clickhouse_store import ClickHouseStore
from tests.video.conftest import CLICKHOUSE_CLUSTER

runner = CliRunner()
ROWS = 25


@pytest.fixture
def env(
    settings: Settings,
    clickhouse_store: ClickHouseStore,
    clickhouse_database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """The CLI's environment: this test's databases; returns its data directory."""
    data_dir = tmp_path / "cli-data"
    monkeypatch.setenv("COMMERCE_STATS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("COMMERCE_STATS_CLICKHOUSE_URL", clickhouse_database_url)
    monkeypatch.setenv("COMMERCE_STATS_CLICKHOUSE_CLUSTER", CLICKHOUSE_CLUSTER)
    monkeypatch.setenv("COMMERCE_STATS_DATA_DIR", str(data_dir))
    return data_dir


def _key(account_id: int, n: int) -> tuple[Any, ...]:
    return (account_id, f"v{n % 10}", date(2022, 10, 1) + timedelta(days=n), "Desktop", "none")


def _relational_counters(database: Database, account_id: int) -> None:
    """ROWS counters of one account spread over ten videos, each with viewed = its number."""
    rows: list[tuple[Any, ...]] = [(*_key(account_id, n), n + 1, 0, 0, 0, 0) for n in range(ROWS)]
    with database.write() as conn:
        repository.add_to_counters(conn, rows)


def _totals(store: ClickHouseStore, account_id: int) -> tuple[int, int]:
    totals = [store.local_totals(shard, account_id) for shard in range(store.shard_count)]
    return sum(keys for keys, _sum in totals), sum(total for _keys, total in totals)


def test_move_copies_every_counter_once(
    env: Path,
    database: Database,
    clickhouse_store: ClickHouseStore,
    make_service_account: Callable[..., Any],
) -> None:
    account, _credentials = make_service_account("Shop", features=["video_ecommerce"])
    _relational_counters(database, account.id)

    result = runner.invoke(app, ["video", "move-to-clickhouse", "--chunk-rows", "10"])

    assert result.exit_code == 0, result.output
    assert "25 counter rows moved to ClickHouse (finished)." in result.output
    assert _totals(clickhouse_store, account.id) == (ROWS, ROWS * (ROWS + 1) // 2)


def test_a_finished_move_run_again_moves_nothing(
    env: Path,
    database: Database,
    clickhouse_store: ClickHouseStore,
    make_service_account: Callable[..., Any],
) -> None:
    account, _credentials = make_service_account("Shop", features=["video_ecommerce"])
    _relational_counters(database, account.id)
    runner.invoke(app, ["video", "move-to-clickhouse"])

    again = runner.invoke(app, ["video", "move-to-clickhouse"])

    assert again.exit_code == 0, again.output
    assert _totals(clickhouse_store, account.id) == (ROWS, ROWS * (ROWS + 1) // 2)


def test_a_stopped_move_resumes_after_its_cursor(
    env: Path,
    database: Database,
    clickhouse_store: ClickHouseStore,
    make_service_account: Callable[..., Any],
) -> None:
    account, _credentials = make_service_account("Shop", features=["video_ecommerce"])
    _relational_counters(database, account.id)
    first = runner.invoke(
        app, ["video", "move-to-clickhouse", "--chunk-rows", "10", "--max-chunks", "1"]
    )
    assert "10 counter rows moved to ClickHouse (stopped" in first.output
    assert _totals(clickhouse_store, account.id)[0] == 10

    rest = runner.invoke(app, ["video", "move-to-clickhouse", "--chunk-rows", "10"])

    assert "25 counter rows moved to ClickHouse (finished)." in rest.output
    assert _totals(clickhouse_store, account.id) == (ROWS, ROWS * (ROWS + 1) // 2)
