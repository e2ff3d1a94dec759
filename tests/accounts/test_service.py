"""Account rules: authentication, rotation, disabling, secret storage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from commerce_stats.accounts.errors import AccountFieldError
from commerce_stats.accounts.service import AccountChanges, Accounts
from commerce_stats.accounts.tables import account_credentials, dashboard_sessions
from commerce_stats.accounts.tables import accounts as account_rows
from commerce_stats.db.engine import Database
from commerce_stats.kit.errors import AdminError
from commerce_stats.kit.keys import hash_secret
from commerce_stats.kit.tenancy import Account, Feature

MakeAccount = Callable[..., tuple[Account, dict[str, str]]]


def test_authenticate_finds_the_owner(
    accounts: Accounts, make_service_account: MakeAccount
) -> None:
    _other, _ = make_service_account("Other")
    account, credentials = make_service_account("Acme")
    found = accounts.authenticate("organization_key", credentials["organization_key"])
    assert found is not None
    assert found.id == account.id


def test_get_reads_in_the_callers_transaction(
    database: Database, accounts: Accounts, make_service_account: MakeAccount
) -> None:
    other, _ = make_service_account("Other")
    account, _ = make_service_account("Acme")
    with database.write() as conn:
        conn.execute(
            update(account_rows).where(account_rows.c.id == account.id).values(name="Renamed")
        )
        assert accounts.get(account.id, conn).name == "Renamed"
        assert accounts.get(other.id, conn).name == "Other"


def test_authenticate_is_per_credential_kind(
    accounts: Accounts, make_service_account: MakeAccount
) -> None:
    _account, credentials = make_service_account()
    assert accounts.authenticate("ingest_key", credentials["organization_key"]) is None


def test_authenticate_refuses_unknown_and_empty(accounts: Accounts) -> None:
    assert accounts.authenticate("organization_key", "nope") is None
    assert accounts.authenticate("organization_key", "") is None
    assert accounts.authenticate("organization_key", None) is None


def test_disabled_account_is_refused(accounts: Accounts, make_service_account: MakeAccount) -> None:
    account, credentials = make_service_account()
    accounts.update(account.id, AccountChanges(disabled=True))
    assert accounts.authenticate("organization_key", credentials["organization_key"]) is None


def test_rotation_retires_the_old_secret(
    accounts: Accounts, make_service_account: MakeAccount
) -> None:
    account, credentials = make_service_account()
    new = accounts.rotate(account.id, "ingest_key")
    assert accounts.authenticate("ingest_key", credentials["ingest_key"]) is None
    found = accounts.authenticate("ingest_key", new)
    assert found is not None
    assert found.id == account.id


def test_rotation_clears_the_credential_cache(database: Database) -> None:
    cached = Accounts(database, cache_seconds=60)
    account, credentials = cached.create("Acme")
    assert cached.authenticate("ingest_key", credentials["ingest_key"]) is not None
    cached.rotate(account.id, "ingest_key")
    assert cached.authenticate("ingest_key", credentials["ingest_key"]) is None


def test_pair_needs_both_parts(accounts: Accounts, make_service_account: MakeAccount) -> None:
    account, credentials = make_service_account()
    username, password = credentials["promotions_username"], credentials["promotions_password"]
    found = accounts.authenticate_pair(
        "promotions_username", username, "promotions_password", password
    )
    assert found is not None
    assert found.id == account.id
    assert (
        accounts.authenticate_pair("promotions_username", username, "promotions_password", "x")
        is None
    )
    assert (
        accounts.authenticate_pair("promotions_username", "x", "promotions_password", password)
        is None
    )


def test_only_hashes_are_stored(database: Database, make_service_account: MakeAccount) -> None:
    _account, credentials = make_service_account()
    with database.read() as conn:
        stored = {row.name: row.secret_hash for row in conn.execute(select(account_credentials))}
    assert stored["organization_key"] == hash_secret(credentials["organization_key"])
    assert credentials["organization_key"] not in stored.values()


def test_features_are_typed(make_service_account: MakeAccount) -> None:
    account, _ = make_service_account(features=["promotions"])
    assert account.features == frozenset({Feature.PROMOTIONS})
    assert account.has(Feature.PROMOTIONS)
    assert not account.has(Feature.AFFILIATE)


def test_unknown_feature_is_refused_naming_features(accounts: Accounts) -> None:
    with pytest.raises(AdminError, match="unknown feature") as refused:
        accounts.create("Acme", features=["nope"])
    assert refused.value.field == "features"
    assert accounts.list() == []


def test_name_with_nul_is_refused_on_every_backend(accounts: Accounts) -> None:
    with pytest.raises(AccountFieldError, match="NUL") as refused:
        accounts.create("Ac\x00me")
    assert refused.value.field == "name"
    assert accounts.list() == []


def _generations(database: Database, account_id: int) -> dict[str, int]:
    query = select(account_credentials.c.name, account_credentials.c.generation).where(
        account_credentials.c.account_id == account_id
    )
    with database.read() as conn:
        return {row.name: row.generation for row in conn.execute(query)}


def test_rotation_moves_only_that_credential_on_a_generation(
    accounts: Accounts, database: Database
) -> None:
    account, _ = accounts.create("Acme")
    accounts.rotate(account.id, "promotions_password")
    generations = _generations(database, account.id)
    assert generations.pop("promotions_password") == 2
    assert set(generations.values()) == {1}


def test_disabling_moves_every_credential_on_a_generation(
    accounts: Accounts, database: Database
) -> None:
    account, _ = accounts.create("Acme")
    accounts.update(account.id, AccountChanges(disabled=True))
    accounts.update(account.id, AccountChanges(disabled=False))
    assert set(_generations(database, account.id).values()) == {2}


def test_a_dashboard_session_is_stored_as_a_hash_only(
    accounts: Accounts, database: Database
) -> None:
    account, _ = accounts.create("Acme")
    session_id = accounts.open_dashboard_session(account.id, timedelta(hours=1))
    with database.read() as conn:
        stored = [
            tuple(row)
            for row in conn.execute(
                select(dashboard_sessions.c.account_id, dashboard_sessions.c.session_hash)
            )
        ]
    assert stored == [(account.id, hash_secret(session_id))]
    assert accounts.dashboard_session_is_open(account.id, session_id)


def test_an_ended_dashboard_session_is_no_longer_open(accounts: Accounts) -> None:
    account, _ = accounts.create("Acme")
    session_id = accounts.open_dashboard_session(account.id, timedelta(hours=1))
    accounts.end_dashboard_session(account.id, session_id)
    assert not accounts.dashboard_session_is_open(account.id, session_id)


def test_an_expired_dashboard_session_is_not_open_and_is_cleared_at_the_next_sign_in(
    accounts: Accounts, database: Database
) -> None:
    account, _ = accounts.create("Acme")
    expired = accounts.open_dashboard_session(account.id, timedelta(seconds=-1))
    assert not accounts.dashboard_session_is_open(account.id, expired)
    accounts.open_dashboard_session(account.id, timedelta(hours=1))
    with database.read() as conn:
        hashes = list(conn.execute(select(dashboard_sessions.c.session_hash)).scalars())
    assert hash_secret(expired) not in hashes
    assert len(hashes) == 1


def test_a_dashboard_session_is_open_only_under_its_owner(accounts: Accounts) -> None:
    first, _ = accounts.create("One")
    second, _ = accounts.create("Two")
    session_id = accounts.open_dashboard_session(first.id, timedelta(hours=1))
    assert not accounts.dashboard_session_is_open(second.id, session_id)
