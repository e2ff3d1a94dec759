"""The accounts SQL on the real backend: every statement scoped to the account it names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection

from commerce_stats.accounts import repository
from commerce_stats.accounts.tables import account_credentials
from commerce_stats.db.engine import Database

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def _account(conn: Connection, name: str = "Shop") -> int:
    account_id = repository.insert_account(
        conn, name=name, features=["video_ecommerce"], timezone="Europe/Berlin", now=NOW
    )
    repository.insert_credentials(
        conn,
        [
            {
                "account_id": account_id,
                "name": "ingest_key",
                "public_id": None,
                "secret_hash": f"hash-{name}",
                "created_at": NOW,
            },
            {
                "account_id": account_id,
                "name": "publisher_id",
                "public_id": f"pub-{name}",
                "secret_hash": None,
                "created_at": NOW,
            },
        ],
    )
    return account_id


@pytest.fixture
def two(database: Database) -> tuple[int, int]:
    with database.write() as conn:
        return _account(conn, "Shop"), _account(conn, "Other")


def test_inserted_account_reads_back_with_its_fields(database: Database) -> None:
    with database.write() as conn:
        account_id = _account(conn)
    with database.read() as conn:
        row = repository.select_account(conn, account_id)

    assert row is not None
    assert (row.name, row.features, row.timezone, row.disabled, row.created_at) == (
        "Shop",
        ["video_ecommerce"],
        "Europe/Berlin",
        False,
        NOW,
    )


def test_missing_account_reads_as_none(database: Database) -> None:
    with database.read() as conn:
        assert repository.select_account(conn, 999_999) is None


def test_accounts_are_listed_and_counted_in_id_order(
    database: Database, two: tuple[int, int]
) -> None:
    with database.read() as conn:
        listed = [row.id for row in repository.select_accounts(conn)]
        counted = repository.count_accounts(conn)

    assert (listed, counted) == (sorted(two), 2)


def test_update_changes_only_the_named_account(database: Database, two: tuple[int, int]) -> None:
    shop, other = two
    with database.write() as conn:
        repository.update_account(conn, shop, {"timezone": "UTC", "name": "Renamed"})
    with database.read() as conn:
        assert repository.account_timezone(conn, shop) == "UTC"
        assert repository.account_timezone(conn, other) == "Europe/Berlin"


def test_account_is_found_by_its_secret_hash_only_under_that_name(
    database: Database, two: tuple[int, int]
) -> None:
    shop, _other = two
    with database.read() as conn:
        found = repository.account_by_secret(conn, name="ingest_key", secret_hash="hash-Shop")
        wrong_name = repository.account_by_secret(
            conn, name="organization_key", secret_hash="hash-Shop"
        )

    assert found is not None
    assert found.id == shop
    assert wrong_name is None


def test_replaced_secret_no_longer_finds_the_account(
    database: Database, two: tuple[int, int]
) -> None:
    shop, _other = two
    with database.write() as conn:
        repository.replace_secret(
            conn, account_id=shop, name="ingest_key", secret_hash="hash-new", now=NOW
        )
    with database.read() as conn:
        old = repository.account_by_secret(conn, name="ingest_key", secret_hash="hash-Shop")
        new = repository.account_by_secret(conn, name="ingest_key", secret_hash="hash-new")

    assert old is None
    assert new is not None
    assert new.id == shop


def test_replacing_one_accounts_secret_leaves_the_others(
    database: Database, two: tuple[int, int]
) -> None:
    shop, other = two
    with database.write() as conn:
        repository.replace_secret(
            conn, account_id=shop, name="ingest_key", secret_hash="hash-new", now=NOW
        )
    with database.read() as conn:
        found = repository.account_by_secret(conn, name="ingest_key", secret_hash="hash-Other")

    assert found is not None
    assert found.id == other


def test_public_ids_are_the_accounts_own(database: Database, two: tuple[int, int]) -> None:
    shop, other = two
    with database.read() as conn:
        assert repository.public_ids(conn, shop) == {"publisher_id": "pub-Shop"}
        assert repository.public_ids(conn, other) == {"publisher_id": "pub-Other"}


def test_public_id_taken_looks_under_the_named_credential(
    database: Database, two: tuple[int, int]
) -> None:
    with database.read() as conn:
        taken = repository.public_id_taken(conn, name="publisher_id", public_id="pub-Shop")
        elsewhere = repository.public_id_taken(conn, name="ingest_key", public_id="pub-Shop")

    assert (taken, elsewhere) == (True, False)


def test_account_by_public_id_answers_the_owner_with_its_secret_hash(
    database: Database, two: tuple[int, int]
) -> None:
    shop, _other = two
    with database.read() as conn:
        row = repository.account_by_public_id(
            conn, public_name="publisher_id", public_id="pub-Shop", secret_name="ingest_key"
        )

    assert row is not None
    assert (row.id, row.secret_hash) == (shop, "hash-Shop")


def test_advancing_generations_touches_only_that_account(
    database: Database, two: tuple[int, int]
) -> None:
    shop, other = two
    with database.write() as conn:
        repository.advance_generations(conn, shop)
        repository.replace_secret(
            conn, account_id=other, name="ingest_key", secret_hash="hash-Other", now=NOW
        )

    assert _credential_generations(database, shop) == {"ingest_key": 2, "publisher_id": 2}
    assert _credential_generations(database, other) == {"ingest_key": 2, "publisher_id": 1}


def _credential_generations(database: Database, account_id: int) -> dict[str, int]:
    with database.read() as conn:
        rows = conn.execute(
            account_credentials.select().where(account_credentials.c.account_id == account_id)
        )
        return {row.name: int(row.generation) for row in rows}


# dashboard logins and sessions ------------------------------------------------------------


def test_first_saved_login_has_version_one(database: Database, two: tuple[int, int]) -> None:
    shop, _other = two
    with database.write() as conn:
        repository.save_dashboard_login(
            conn, account_id=shop, username="owner", password_hash="pw-1", now=NOW
        )
    with database.read() as conn:
        row = repository.select_dashboard_login(conn, shop)

    assert row is not None
    assert (row.username, row.password_hash, row.version) == ("owner", "pw-1", 1)


def test_saving_a_login_again_replaces_it_and_bumps_the_version(
    database: Database, two: tuple[int, int]
) -> None:
    shop, _other = two
    with database.write() as conn:
        for password in ("pw-1", "pw-2"):
            repository.save_dashboard_login(
                conn, account_id=shop, username="owner", password_hash=password, now=NOW
            )
    with database.read() as conn:
        row = repository.select_dashboard_login_by_username(conn, "owner")

    assert row is not None
    assert (row.id, row.password_hash, row.version) == (shop, "pw-2", 2)


def test_username_taken_by_other_ignores_the_accounts_own_login(
    database: Database, two: tuple[int, int]
) -> None:
    shop, other = two
    with database.write() as conn:
        repository.save_dashboard_login(
            conn, account_id=shop, username="owner", password_hash="pw", now=NOW
        )
    with database.read() as conn:
        mine = repository.username_taken_by_other(conn, username="owner", account_id=shop)
        theirs = repository.username_taken_by_other(conn, username="owner", account_id=other)

    assert (mine, theirs) == (False, True)


def test_session_expiry_is_read_under_its_owner_only(
    database: Database, two: tuple[int, int]
) -> None:
    shop, other = two
    expires = NOW + timedelta(hours=8)
    with database.write() as conn:
        repository.insert_dashboard_session(
            conn, owner_id=shop, session_hash="s-1", now=NOW, expires_at=expires
        )
    with database.read() as conn:
        own = repository.dashboard_session_expiry(conn, owner_id=shop, session_hash="s-1")
        foreign = repository.dashboard_session_expiry(conn, owner_id=other, session_hash="s-1")

    assert (own, foreign) == (expires, None)


def test_deleting_a_session_under_another_owner_keeps_it(
    database: Database, two: tuple[int, int]
) -> None:
    shop, other = two
    expires = NOW + timedelta(hours=8)
    with database.write() as conn:
        repository.insert_dashboard_session(
            conn, owner_id=shop, session_hash="s-1", now=NOW, expires_at=expires
        )
        repository.delete_dashboard_session(conn, owner_id=other, session_hash="s-1")
    with database.read() as conn:
        assert repository.dashboard_session_expiry(conn, owner_id=shop, session_hash="s-1") == (
            expires
        )


def test_expired_sessions_are_deleted_and_live_ones_kept(
    database: Database, two: tuple[int, int]
) -> None:
    shop, _other = two
    with database.write() as conn:
        for name, expires in (("old", NOW), ("live", NOW + timedelta(seconds=1))):
            repository.insert_dashboard_session(
                conn, owner_id=shop, session_hash=name, now=NOW, expires_at=expires
            )
        repository.delete_expired_dashboard_sessions(conn, owner_id=shop, now=NOW)
    with database.read() as conn:
        old = repository.dashboard_session_expiry(conn, owner_id=shop, session_hash="old")
        live = repository.dashboard_session_expiry(conn, owner_id=shop, session_hash="live")

    assert (old, live) == (None, NOW + timedelta(seconds=1))
