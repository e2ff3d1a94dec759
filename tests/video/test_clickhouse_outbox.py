"""The ClickHouse outbox on the real two-shard test cluster: every failed send or drain
leaves its parts waiting and marks the backlog; the next drain sends them exactly once.

Runs in ``make test-clickhouse``. The cluster is shared, so a shard "goes away" for one
test only: the second shard is reached through a TCP door of the test's own, which is
closed (connections dropped, new ones refused) and opened again.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.video import outbox_repository
from commerce_stats.video.clickhouse_outbox import ClickHouseCounters, StagedBatch, loggable
from commerce_stats.video.clickhouse_store import (
    ClickHouseAddress,
    ClickHouseStore,
    shard_hash,
)
from commerce_stats.video.errors import ShardUnavailableError
from commerce_stats.video.tables import counter_outbox
from tests.video.conftest import ITEM_A, event

DAY = date(2022, 10, 14)


class ShardDoor:
    """A TCP forwarder in front of one real shard, on a port of its own."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._open = True
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        """The shard is away: live connections are cut, new ones closed at once."""
        with self._lock:
            self._open = False
            cut, self._sockets = self._sockets, []
        for sock in cut:
            _shut(sock)

    def open(self) -> None:
        with self._lock:
            self._open = True

    def stop(self) -> None:
        self.close()
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                incoming, _address = self._listener.accept()
            except OSError:
                return
            with self._lock:
                is_open = self._open
            if not is_open:
                _shut(incoming)
                continue
            outgoing = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [incoming, outgoing]
            for source, sink in ((incoming, outgoing), (outgoing, incoming)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    _shut(source)
    _shut(sink)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


@pytest.fixture
def door(clickhouse_store: ClickHouseStore) -> Iterator[ShardDoor]:
    """The way to the second shard."""
    handle = ShardDoor(clickhouse_store.address.shards[1])
    yield handle
    handle.stop()


@pytest.fixture
def behind_door(clickhouse_store: ClickHouseStore, door: ShardDoor) -> ClickHouseAddress:
    """The test cluster's address with the second shard reached through ``door``."""
    real = clickhouse_store.address
    return ClickHouseAddress(
        shards=(real.shards[0], ("127.0.0.1", door.port)),
        database=real.database,
        cluster=real.cluster,
    )


@pytest.fixture
def counters(database: Database, behind_door: ClickHouseAddress) -> Iterator[ClickHouseCounters]:
    """The outbox of the test's database, drained once (it starts marked as a backlog)."""
    store = ClickHouseStore(behind_door)
    outbox = ClickHouseCounters(database, store)
    outbox.drain()
    yield outbox
    outbox.close()
    store.close()


@pytest.fixture
def account_id(make_service_account: Callable[..., Any]) -> int:
    account, _credentials = make_service_account("Shop", features=["video_ecommerce"])
    return int(account.id)


def _rows_on_each_shard(account_id: int, viewed: int) -> list[tuple[Any, ...]]:
    """One counter row per shard: ``viewed`` views and one click each."""
    keys = {shard_hash(account_id, f"k{n}") % 2: f"k{n}" for n in range(20)}
    return [
        (account_id, keys[shard], DAY, "Mobile", "none", viewed, 1, 0, 0, 0) for shard in (0, 1)
    ]


def _staged(database: Database, counters: ClickHouseCounters, account_id: int) -> StagedBatch:
    with database.write() as conn:
        return counters.stage(conn, _rows_on_each_shard(account_id, viewed=3))


def _video_log(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage() for record in caplog.records if record.name == "commerce_stats.video"
    ]


def _waiting(database: Database) -> int:
    with database.read() as conn:
        return outbox_repository.waiting_rows(conn)


# a shard away ------------------------------------------------------------------------------


def test_drained_outbox_has_no_backlog(counters: ClickHouseCounters) -> None:
    assert counters.has_backlog is False


def test_failed_delivery_marks_the_backlog(
    counters: ClickHouseCounters, door: ShardDoor, database: Database, account_id: int
) -> None:
    staged = _staged(database, counters, account_id)
    door.close()
    counters.deliver([staged])

    assert counters.has_backlog is True


def test_failed_delivery_keeps_only_the_away_shards_part(
    counters: ClickHouseCounters,
    door: ShardDoor,
    database: Database,
    account_id: int,
    clickhouse_store: ClickHouseStore,
) -> None:
    staged = _staged(database, counters, account_id)
    door.close()
    counters.deliver([staged])

    assert _waiting(database) == 1
    assert clickhouse_store.local_totals(0, account_id) == (1, 4)
    assert clickhouse_store.local_totals(1, account_id) == (0, 0)


def test_backlog_refuses_the_next_flush_while_the_shard_is_away(
    counters: ClickHouseCounters, door: ShardDoor, database: Database, account_id: int
) -> None:
    staged = _staged(database, counters, account_id)
    door.close()
    counters.deliver([staged])

    with pytest.raises(ShardUnavailableError):
        counters.ensure_ready()
    assert _waiting(database) == 1
    assert counters.has_backlog is True


def test_backlog_is_counted_once_when_the_shard_returns(
    counters: ClickHouseCounters,
    door: ShardDoor,
    database: Database,
    account_id: int,
    clickhouse_store: ClickHouseStore,
) -> None:
    staged = _staged(database, counters, account_id)
    door.close()
    counters.deliver([staged])
    door.open()

    assert counters.drain() == 1
    assert counters.drain() == 0
    assert counters.has_backlog is False
    assert _waiting(database) == 0
    assert clickhouse_store.local_totals(0, account_id) == (1, 4)
    assert clickhouse_store.local_totals(1, account_id) == (1, 4)


def test_failed_delivery_in_the_delivery_thread_marks_the_backlog(
    counters: ClickHouseCounters, door: ShardDoor, database: Database, account_id: int
) -> None:
    staged = _staged(database, counters, account_id)
    door.close()
    future = counters.deliver_later([staged])
    counters.wait_for_deliveries()

    assert future.result() is None
    assert counters.has_backlog is True
    assert _waiting(database) == 1


def test_quiet_drain_logs_the_away_shard_and_keeps_the_backlog(
    counters: ClickHouseCounters,
    door: ShardDoor,
    database: Database,
    account_id: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    staged = _staged(database, counters, account_id)
    door.close()
    counters.deliver([staged])
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="commerce_stats.video"):
        counters.drain_quietly()

    assert _video_log(caplog) == [
        "video counters still wait in the outbox: "
        "ShardUnavailableError: ClickHouse shard 2 is unavailable"
    ]
    assert counters.has_backlog is True


# failures that are not a shard's ------------------------------------------------------------


def test_delivery_after_close_marks_the_backlog(
    counters: ClickHouseCounters, database: Database, account_id: int
) -> None:
    staged = _staged(database, counters, account_id)
    counters.close()
    counters.deliver([staged])

    assert counters.has_backlog is True
    assert _waiting(database) == 2


def test_delivery_refused_by_a_closed_thread_is_answered_and_marks_the_backlog(
    counters: ClickHouseCounters, database: Database, account_id: int
) -> None:
    staged = _staged(database, counters, account_id)
    counters.close()
    future = counters.deliver_later([staged])

    assert future.result() is None
    assert counters.has_backlog is True


def test_parts_left_by_a_closed_outbox_are_sent_once_after_a_restart(
    counters: ClickHouseCounters,
    database: Database,
    account_id: int,
    behind_door: ClickHouseAddress,
    clickhouse_store: ClickHouseStore,
) -> None:
    staged = _staged(database, counters, account_id)
    counters.close()
    counters.deliver([staged])
    store = ClickHouseStore(behind_door)
    restarted = ClickHouseCounters(database, store)
    try:
        assert restarted.drain() == 2
    finally:
        restarted.close()
        store.close()

    assert clickhouse_store.local_totals(0, account_id) == (1, 4)
    assert clickhouse_store.local_totals(1, account_id) == (1, 4)


def test_quiet_drain_survives_a_relational_failure_and_marks_the_backlog(
    counters: ClickHouseCounters, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with database.write() as conn:
        counter_outbox.drop(conn)
    try:
        with caplog.at_level(logging.WARNING, logger="commerce_stats.video"):
            counters.drain_quietly()
        marked = counters.has_backlog
    finally:
        with database.write() as conn:
            counter_outbox.create(conn)

    assert marked is True
    assert [message.split(":")[0] for message in _video_log(caplog)] == [
        "video counters still wait in the outbox"
    ]


def test_drain_after_a_relational_failure_clears_the_backlog(
    counters: ClickHouseCounters, database: Database
) -> None:
    with database.write() as conn:
        counter_outbox.drop(conn)
    try:
        counters.drain_quietly()
    finally:
        with database.write() as conn:
            counter_outbox.create(conn)

    assert counters.drain() == 0
    assert counters.has_backlog is False


def test_loggable_blanks_url_credentials() -> None:
    failure = ConnectionError("cannot reach clickhouse://reader:s3cret@db.example:9000/x")

    assert loggable(failure) == "ConnectionError: cannot reach clickhouse://***@db.example:9000/x"


# through the ingest API ---------------------------------------------------------------------


@pytest.fixture
def settings(settings: Settings, behind_door: ClickHouseAddress) -> Settings:
    """The suite's fresh relational database; the counters on the cluster behind ``door``."""
    hosts = ",".join(f"{host}:{port}" for host, port in behind_door.shards)
    return settings.model_copy(
        update={
            "clickhouse_url": f"clickhouse://{hosts}/{behind_door.database}",
            "clickhouse_cluster": behind_door.cluster,
        }
    )


def test_ingest_answers_503_while_a_shard_is_away_and_counts_the_retry_once(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
    client: TestClient,
    admin_headers: dict[str, str],
    door: ShardDoor,
    database: Database,
) -> None:
    account = video_account()
    keys = {shard_hash(account["id"], f"video{n:04d}") % 2: f"video{n:04d}" for n in range(40)}
    for key in keys.values():
        client.put(
            f"/admin/v1/accounts/{account['id']}/videos/{key}",
            json={"title": key, "ecommerce_keys": [ITEM_A]},
            headers=admin_headers,
        )
    batch = [
        event("ecommerce_viewed", content_key=keys[0], event_id="e-1"),
        event("ecommerce_clicked", content_key=keys[1]),
    ]
    door.close()
    refused = post_events(account, batch)
    waiting = _waiting(database)
    door.open()
    answer = post_events(account, batch)

    assert refused.status_code == 503
    assert waiting == 0
    assert answer.json()["data"] == {"received": 2, "counted": 2, "duplicates": 0, "bots": 0}
    rows = report(account).json()["data"]["ecommerce_stats"]
    assert sorted(
        (row["content_key"], row["ecommerce_viewed"], int(row["ecommerce_clicked"])) for row in rows
    ) == sorted([(keys[0], 1, 0), (keys[1], 0, 1)])
