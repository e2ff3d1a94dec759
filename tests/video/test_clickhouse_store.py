"""Video counters in the two-shard ClickHouse test cluster (and the same SQL on chDB).

Runs in ``make test-clickhouse`` (``COMMERCE_STATS_TEST_CLICKHOUSE_URL``); the shard-down
test stops and restarts a real server with ``scripts/clickhouse_cluster.sh``.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.video import outbox_repository, repository
from commerce_stats.video.clickhouse_outbox import ClickHouseCounters
from commerce_stats.video.clickhouse_store import (
    LOCAL_TABLE,
    ClickHouseStore,
    distinct_keys_sql,
    local_table_ddl,
    parse_clickhouse_url,
    report_params,
    report_rows_sql,
    shard_hash,
    summing_engine,
)
from commerce_stats.video.errors import ShardUnavailableError
from tests.video.conftest import CLICKHOUSE_CLUSTER, ITEM_A, ITEM_B, event

CLUSTER_SCRIPT = Path(__file__).parents[2] / "scripts" / "clickhouse_cluster.sh"
OCTOBER = (date(2022, 10, 1), date(2022, 10, 31))


@pytest.fixture
def settings(settings: Settings, clickhouse_database_url: str) -> Settings:
    """The suite's fresh relational database plus this test's ClickHouse database."""
    return settings.model_copy(
        update={"clickhouse_url": clickhouse_database_url, "clickhouse_cluster": CLICKHOUSE_CLUSTER}
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[ClickHouseStore]:
    """A second handle on the application's ClickHouse database, to look at the shards."""
    assert settings.clickhouse_url is not None
    handle = ClickHouseStore(parse_clickhouse_url(settings.clickhouse_url, CLICKHOUSE_CLUSTER))
    yield handle
    handle.close()


def _video_on_each_shard(
    client: TestClient, admin_headers: dict[str, str], account_id: int
) -> list[str]:
    """Catalog videos of ``account_id`` such that entry N lives on shard N (0-based)."""
    found: dict[int, str] = {}
    number = 0
    while len(found) < 2:
        key = f"video{number:04d}"
        found.setdefault(shard_hash(account_id, key) % 2, key)
        number += 1
    for key in found.values():
        response = client.put(
            f"/admin/v1/accounts/{account_id}/videos/{key}",
            json={"title": f"Video {key}", "ecommerce_keys": [ITEM_A, ITEM_B]},
            headers=admin_headers,
        )
        assert response.status_code == 200, response.text
    return [found[0], found[1]]


def _stats(report: Callable[..., Any], account: dict[str, Any], **params: Any) -> list[Any]:
    response = report(account, **params)
    assert response.status_code == 200, response.text
    return [
        (
            row["content_key"],
            row["date"][:10],
            row["device_type"],
            row["ecommerce_key"],
            row["ecommerce_viewed"],
            int(row["ecommerce_clicked"]),
        )
        for row in response.json()["data"]["ecommerce_stats"]
    ]


def _cluster(*args: str) -> None:
    subprocess.run([str(CLUSTER_SCRIPT), *args], check=True, capture_output=True, timeout=120)


def test_report_sums_every_insert_exactly(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
    client: TestClient,
    admin_headers: dict[str, str],
) -> None:
    account = video_account()
    first, second = _video_on_each_shard(client, admin_headers, account["id"])
    for _round in range(3):
        response = post_events(
            account,
            [
                event("ecommerce_viewed", content_key=first),
                event("ecommerce_viewed", content_key=first),
                event("ecommerce_clicked", content_key=second, ecommerce_key=ITEM_B),
            ],
        )
        assert response.status_code == 200, response.text

    assert sorted(_stats(report, account)) == [
        (first, "2022-10-14", "Desktop", ITEM_A, 6, 0),
        (second, "2022-10-14", "Desktop", ITEM_B, 0, 3),
    ]


def test_counters_leave_the_relational_tables(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    database: Database,
    client: TestClient,
    admin_headers: dict[str, str],
) -> None:
    account = video_account()
    first, _second = _video_on_each_shard(client, admin_headers, account["id"])
    assert post_events(account, [event("ecommerce_viewed", content_key=first)]).status_code == 200

    with database.read() as conn:
        assert repository.counter_totals(conn, account["id"]) == (0, 0)
        assert outbox_repository.waiting_rows(conn) == 0


def test_retried_event_id_is_counted_once(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
    client: TestClient,
    admin_headers: dict[str, str],
) -> None:
    account = video_account()
    first, _second = _video_on_each_shard(client, admin_headers, account["id"])
    retried = event("ecommerce_clicked", content_key=first, event_id="beacon-7")
    post_events(account, [retried])
    again = post_events(account, [retried])

    assert again.json()["data"] == {"received": 1, "counted": 0, "duplicates": 1, "bots": 0}
    assert _stats(report, account) == [(first, "2022-10-14", "Desktop", ITEM_A, 0, 1)]


def test_a_video_lives_on_its_owning_shard_only(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    client: TestClient,
    admin_headers: dict[str, str],
    store: ClickHouseStore,
) -> None:
    account = video_account()
    first, second = _video_on_each_shard(client, admin_headers, account["id"])
    post_events(
        account,
        [event("ecommerce_viewed", content_key=first)] * 4
        + [event("ecommerce_hidden", content_key=second)] * 2,
    )

    assert store.local_totals(0, account["id"]) == (1, 4)
    assert store.local_totals(1, account["id"]) == (1, 2)


def test_resent_part_is_dropped_by_the_shard(store: ClickHouseStore) -> None:
    store.create_schema()
    row = (41, "v", date(2022, 10, 14), "Desktop", "none", 5, 0, 0, 0, 0)
    store.insert_part(0, 1001, [row])
    store.insert_part(0, 1001, [row])
    store.insert_part(0, 1002, [row])

    assert store.local_totals(0, 41) == (1, 10)


def test_shard_down_refuses_ingest_and_recovery_counts_once(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
    client: TestClient,
    admin_headers: dict[str, str],
    database: Database,
) -> None:
    account = video_account()
    first, second = _video_on_each_shard(client, admin_headers, account["id"])
    assert post_events(account, [event("ecommerce_viewed", content_key=first)]).status_code == 200
    batch = [
        event("ecommerce_viewed", content_key=first, event_id="after-1"),
        event("ecommerce_clicked", content_key=second),
    ]
    _cluster("stop-shard", "2")
    try:
        refused = post_events(account, batch)
        assert refused.status_code == 503
        assert refused.json()["status"] == "error"
        with database.read() as conn:
            assert outbox_repository.waiting_rows(conn) == 0
        # the live shard still answers a report of its own video: it alone is asked
        assert _stats(report, account, content_key=first) == [
            (first, "2022-10-14", "Desktop", ITEM_A, 1, 0)
        ]
    finally:
        _cluster("start-shard", "2")
    deadline = time.monotonic() + 60
    while (answer := post_events(account, batch)).status_code == 503:
        assert time.monotonic() < deadline, answer.text
        time.sleep(0.5)

    assert answer.json()["data"]["counted"] == 2
    assert sorted(_stats(report, account)) == [
        (first, "2022-10-14", "Desktop", ITEM_A, 2, 0),
        (second, "2022-10-14", "Desktop", ITEM_A, 0, 1),
    ]


def test_acknowledged_deltas_wait_in_the_outbox_until_the_shard_returns(
    store: ClickHouseStore, database: Database, make_service_account: Callable[..., Any]
) -> None:
    store.create_schema()
    account, _credentials = make_service_account("Shop", features=["video_ecommerce"])
    keys = {shard_hash(account.id, f"k{n}") % 2: f"k{n}" for n in range(20)}
    rows = [
        (account.id, keys[shard], date(2022, 10, 14), "Mobile", "none", 3, 1, 0, 0, 0)
        for shard in (0, 1)
    ]
    outbox = ClickHouseCounters(database, store)
    with database.write() as conn:
        staged = outbox.stage(conn, rows)
    _cluster("stop-shard", "2")
    try:
        outbox.deliver([staged])
        with database.read() as conn:
            assert outbox_repository.waiting_rows(conn) == 1
        with pytest.raises(ShardUnavailableError):
            outbox.ensure_ready()
    finally:
        _cluster("start-shard", "2")
    deadline = time.monotonic() + 60
    while True:
        try:
            outbox.drain()
            break
        except ShardUnavailableError:
            assert time.monotonic() < deadline
            time.sleep(0.5)
    outbox.drain()

    with database.read() as conn:
        assert outbox_repository.waiting_rows(conn) == 0
    assert store.local_totals(0, account.id) == (1, 4)
    assert store.local_totals(1, account.id) == (1, 4)


# The same SQL on a current engine (chDB) -----------------------------------------------------


def _chdb_rows(session: Any, sql: str) -> list[tuple[str, ...]]:
    text = session.query(sql, "TabSeparated").bytes().decode()
    return [tuple(line.split("\t")) for line in text.splitlines()]


def _as_text(rows: list[Any]) -> list[tuple[str, ...]]:
    return [tuple(str(value) for value in row) for row in rows]


def test_report_sql_gives_the_same_rows_on_chdb(store: ClickHouseStore, tmp_path: Path) -> None:
    chdb_session = pytest.importorskip("chdb.session")
    store.create_schema()
    rows = [
        (7, "a", date(2022, 10, 14), "Desktop", "i1", 1, 2, 0, 0, 0),
        (7, "a", date(2022, 10, 14), "Desktop", "i1", 4, 0, 1, 0, 0),
        (7, "a", date(2022, 10, 15), "Mobile", "none", 0, 0, 0, 3, 1),
        (7, "b", date(2022, 10, 14), "TV", "i2", 9, 9, 0, 0, 0),
        (8, "a", date(2022, 10, 14), "Desktop", "i1", 100, 0, 0, 0, 0),
    ]
    for batch_id, row in enumerate(rows):
        store.insert_part(store.shard_of(row[0], row[1]), batch_id, [row])
    session = chdb_session.Session(str(tmp_path / "chdb"))
    session.query("CREATE DATABASE IF NOT EXISTS counters")
    session.query(local_table_ddl("counters", summing_engine(None)))
    values = ", ".join(
        f"({row[0]}, '{row[1]}', '{row[2].isoformat()}', '{row[3]}', '{row[4]}', "
        f"{', '.join(str(count) for count in row[5:])}, {batch_id})"
        for batch_id, row in enumerate(rows)
    )
    session.query(f"INSERT INTO counters.{LOCAL_TABLE} VALUES {values}")  # noqa: S608

    for content_key in (None, "a"):
        params = report_params(7, *OCTOBER, content_key)
        cluster_table = store.address.database + (
            "." + LOCAL_TABLE if content_key else ".video_counters"
        )
        shard = store.shard_of(7, content_key) if content_key else 0
        for cluster_sql, local_sql in (
            (
                report_rows_sql(cluster_table, content_key),
                report_rows_sql(f"counters.{LOCAL_TABLE}", content_key),
            ),
            (
                distinct_keys_sql(cluster_table, "ecommerce_key", content_key),
                distinct_keys_sql(f"counters.{LOCAL_TABLE}", "ecommerce_key", content_key),
            ),
        ):
            on_cluster = _as_text(store.execute_on(shard, cluster_sql, params))
            rendered = store.render(local_sql, params)
            assert on_cluster == _chdb_rows(session, rendered)
            assert on_cluster
    session.close()
