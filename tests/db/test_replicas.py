"""Read routing against a real PostgreSQL primary and hot standby (scripts/replica_pair.sh).

The pair is named by ``COMMERCE_STATS_TEST_PRIMARY_URL`` and ``COMMERCE_STATS_TEST_REPLICA_URL``,
which the replica leg (``make test-replica``) sets; the other legs run only the tests that need
no server. The module creates its own database on the primary, migrates it and waits until the
standby has it. A pair that does not answer skips these tests, except with ``CI=true``, where
they fail.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InternalError, OperationalError

from commerce_stats.accounts.tables import accounts
from commerce_stats.app import create_app
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate
from commerce_stats.db.models import metadata
from commerce_stats.db.replicas import replay_lag

PRIMARY_SERVER_URL = os.environ.get("COMMERCE_STATS_TEST_PRIMARY_URL")
REPLICA_SERVER_URL = os.environ.get("COMMERCE_STATS_TEST_REPLICA_URL")
PAIR_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "replica_pair.sh"
ADMIN_TOKEN = "test-admin-token-0123456789abcdef"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
CATCH_UP_SECONDS = 30


# --- the pair and the test database ------------------------------------------------------


def _answers(url: str) -> bool:
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError:
        return False
    finally:
        engine.dispose()
    return True


def _require_pair() -> tuple[str, str]:
    if PRIMARY_SERVER_URL is None or REPLICA_SERVER_URL is None:
        pytest.skip("needs the primary/standby pair: the replica leg runs it (make test-replica)")
    if _answers(PRIMARY_SERVER_URL) and _answers(REPLICA_SERVER_URL):
        return PRIMARY_SERVER_URL, REPLICA_SERVER_URL
    message = (
        "the PostgreSQL primary/standby pair does not answer "
        "(start it with `scripts/replica_pair.sh start`)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _on(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _wait_for_database_on_standby(url: str) -> None:
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while not _answers(url):
        if time.monotonic() > deadline:
            raise AssertionError("the test database did not reach the standby")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def pair_urls() -> Iterator[tuple[str, str]]:
    """(primary URL, replica URL) of a migrated database of this module's own."""
    primary_server, replica_server = _require_pair()
    name = f"commerce_stats_replica_test_{os.getpid()}_{secrets.token_hex(3)}"
    server = create_engine(primary_server, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    primary_url, replica_url = _on(primary_server, name), _on(replica_server, name)
    try:
        database = Database(Settings(database_url=primary_url, admin_token=ADMIN_TOKEN))
        migrate(database)
        database.dispose()
        _wait_for_database_on_standby(replica_url)
        yield primary_url, replica_url
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(scope="module")
def primary(pair_urls: tuple[str, str]) -> Iterator[Engine]:
    engine = create_engine(pair_urls[0], isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def standby(pair_urls: tuple[str, str]) -> Iterator[Engine]:
    engine = create_engine(pair_urls[1], isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _wait_until_replayed(primary: Engine, standby: Engine) -> None:
    """Returns once the standby has replayed everything the primary has written so far."""
    with primary.connect() as conn:
        target = conn.execute(text("SELECT pg_current_wal_lsn()")).scalar_one()
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while True:
        with standby.connect() as conn:
            behind = conn.execute(
                text("SELECT pg_wal_lsn_diff(CAST(:target AS pg_lsn), pg_last_wal_replay_lsn())"),
                {"target": target},
            ).scalar_one()
        if behind <= 0:
            return
        if time.monotonic() > deadline:
            raise AssertionError("the standby did not catch up")
        time.sleep(0.05)


@pytest.fixture
def empty_pair(primary: Engine, standby: Engine) -> None:
    """Every table empty on the primary, and the standby caught up with that."""
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with primary.connect() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    _wait_until_replayed(primary, standby)


def _settings(pair_urls: tuple[str, str], **overrides: object) -> Settings:
    fields: dict[str, object] = {
        "database_url": pair_urls[0],
        "database_replica_urls": pair_urls[1],
        "admin_token": ADMIN_TOKEN,
        "credential_cache_seconds": 0,
        "replica_max_lag_seconds": 60.0,
        "replica_check_seconds": 0.0,
        "replica_down_seconds": 0.5,
        **overrides,
    }
    return Settings(**fields)  # type: ignore[arg-type]


@pytest.fixture
def routed(pair_urls: tuple[str, str], empty_pair: None) -> Iterator[Database]:
    """A database with the standby as replica: generous lag limit, health never cached."""
    database = Database(_settings(pair_urls))
    yield database
    database.dispose()


@pytest.fixture
def strict(pair_urls: tuple[str, str], empty_pair: None) -> Iterator[Database]:
    """A database whose replica may lag by 1 s at most."""
    database = Database(_settings(pair_urls, replica_max_lag_seconds=1.0))
    yield database
    database.dispose()


@pytest.fixture
def paused_replay(standby: Engine) -> Iterator[None]:
    """The standby receives WAL but does not replay it until the test ends."""
    with standby.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()"))
    try:
        yield
    finally:
        with standby.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_resume()"))


@pytest.fixture
def stopped_standby(primary: Engine, standby: Engine) -> Iterator[None]:
    """The standby's server stopped by the pair script; started again when the test ends."""
    standby.dispose()
    subprocess.run([str(PAIR_SCRIPT), "stop-standby"], check=True)
    try:
        yield
    finally:
        subprocess.run([str(PAIR_SCRIPT), "start-standby"], check=True)
        _wait_until_replayed(primary, standby)


def _add_account(database: Database, name: str) -> None:
    with database.write() as conn:
        conn.execute(
            insert(accounts).values(
                name=name,
                features=[],
                timezone="UTC",
                disabled=False,
                created_at=NOW,
                updated_at=NOW,
            )
        )


def _in_recovery(database: Database) -> bool:
    with database.read_replica() as conn:
        return bool(conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one())


def _routed_names(database: Database) -> list[str]:
    with database.read_replica() as conn:
        return [row.name for row in conn.execute(select(accounts.c.name).order_by(accounts.c.id))]


# --- the lag rule (no server needed) ------------------------------------------------------


def test_a_standby_that_replayed_all_it_received_is_caught_up_whatever_the_timestamp() -> None:
    assert replay_lag(in_recovery=True, replayed_all=True, behind=3600.0) == 0.0


def test_a_standby_with_wal_left_to_replay_is_behind_by_its_last_replayed_commit() -> None:
    assert replay_lag(in_recovery=True, replayed_all=False, behind=7.5) == 7.5


def test_a_standby_that_never_replayed_a_commit_has_an_unknown_lag() -> None:
    assert replay_lag(in_recovery=True, replayed_all=False, behind=None) is None


def test_a_server_not_in_recovery_is_current() -> None:
    assert replay_lag(in_recovery=False, replayed_all=False, behind=None) == 0.0


# --- reads against the real pair ----------------------------------------------------------


def test_a_routed_read_runs_on_the_standby(routed: Database) -> None:
    assert _in_recovery(routed) is True


def _insert_on_a_routed_read(database: Database) -> None:
    with database.read_replica() as conn:
        conn.execute(text("INSERT INTO accounts (name) VALUES ('x')"))


def test_a_routed_read_refuses_a_write(routed: Database) -> None:
    with pytest.raises(InternalError, match="cannot execute INSERT in a read-only transaction"):
        _insert_on_a_routed_read(routed)
    with routed.read() as conn:
        assert conn.execute(select(accounts.c.id)).all() == []


def test_a_plain_read_stays_on_the_primary(routed: Database) -> None:
    with routed.read() as conn:
        assert conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one() is False


def test_a_report_reads_what_the_standby_has_replayed(
    routed: Database, paused_replay: None
) -> None:
    _add_account(routed, "Written while replay is paused")

    assert _routed_names(routed) == []


def test_a_replica_lagging_past_the_limit_sends_reads_to_the_primary(
    strict: Database, paused_replay: None
) -> None:
    _add_account(strict, "Acme")
    time.sleep(1.5)

    assert _routed_names(strict) == ["Acme"]


def test_reads_return_to_the_replica_once_replay_resumes(
    strict: Database, primary: Engine, standby: Engine
) -> None:
    with standby.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()"))
    try:
        _add_account(strict, "Acme")
        time.sleep(1.5)
        assert _in_recovery(strict) is False
    finally:
        with standby.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_resume()"))
    _wait_until_replayed(primary, standby)

    assert _in_recovery(strict) is True


def test_a_stopped_replica_sends_reads_to_the_primary(
    routed: Database, stopped_standby: None
) -> None:
    assert _in_recovery(routed) is False


def test_reads_return_to_a_restarted_replica(
    pair_urls: tuple[str, str], empty_pair: None, primary: Engine, standby: Engine
) -> None:
    database = Database(_settings(pair_urls))
    try:
        standby.dispose()
        subprocess.run([str(PAIR_SCRIPT), "stop-standby"], check=True)
        try:
            assert _in_recovery(database) is False
        finally:
            subprocess.run([str(PAIR_SCRIPT), "start-standby"], check=True)
        _wait_until_replayed(primary, standby)
        time.sleep(0.6)  # the replica's down period (replica_down_seconds=0.5) ends

        assert _in_recovery(database) is True
    finally:
        database.dispose()


def test_the_primary_takes_turns_with_the_replica_when_allowed(
    pair_urls: tuple[str, str], empty_pair: None
) -> None:
    database = Database(_settings(pair_urls, replica_reads_on_primary=True))
    try:
        servers = [_in_recovery(database) for _ in range(4)]
    finally:
        database.dispose()

    assert sorted(servers) == [False, False, True, True]


# --- over HTTP ----------------------------------------------------------------------------


def test_the_video_report_route_answers_from_an_app_with_a_replica(
    pair_urls: tuple[str, str], empty_pair: None, primary: Engine, standby: Engine
) -> None:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with TestClient(create_app(_settings(pair_urls))) as client:
        created = client.post(
            "/admin/v1/accounts",
            json={"name": "Acme", "features": ["video_ecommerce"]},
            headers=headers,
        )
        account = created.json()
        base = f"/admin/v1/accounts/{account['id']}"
        client.put(
            f"{base}/ecommerce-items/vyP4NsKz",
            json={"ecommerce_name": "Testing", "ecommerce_link": "https://example.com"},
            headers=headers,
        )
        client.put(
            f"{base}/videos/2d91Ee68EA84Eb8bED31",
            json={"title": "Spring", "ecommerce_keys": ["vyP4NsKz"]},
            headers=headers,
        )
        event = {
            "content_key": "2d91Ee68EA84Eb8bED31",
            "ecommerce_key": "vyP4NsKz",
            "type": "ecommerce_clicked",
            "device_type": "Mobile",
            "timestamp": "2026-11-05T10:00:00+00:00",
        }
        ingest = {"X-Ingest-Key": account["credentials"]["ingest_key"]}
        assert client.post("/prod/events", json=[event, event], headers=ingest).status_code == 200
        _wait_until_replayed(primary, standby)

        response = client.get(
            "/prod/get_ecommerce_reports",
            params={
                "organization_key": account["credentials"]["organization_key"],
                "start_date": "2026-11-01",
                "end_date": "2026-11-30",
            },
        )

    assert response.status_code == 200
    assert response.json()["data"]["ecommerce_stats"] == [
        {
            "content_key": "2d91Ee68EA84Eb8bED31",
            "date": "2026-11-05T23:59:59.000Z",
            "device_type": "Mobile",
            "ecommerce_bar_hidden": 0,
            "ecommerce_bar_shown": 0,
            "ecommerce_clicked": "2",
            "ecommerce_hidden": 0,
            "ecommerce_key": "vyP4NsKz",
            "ecommerce_viewed": 0,
        }
    ]
