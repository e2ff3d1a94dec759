"""Export links and upload logins: who they belong to, and the refused-attempt limit."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.access import MAX_LOGIN_ID_LENGTH, Access, Owner
from commerce_stats.affiliate.errors import (
    InvalidUploadRequestError,
    NoPermissionError,
    TooManyAttemptsError,
)
from commerce_stats.db.engine import Database
from commerce_stats.kit.ratelimit import MemoryFailureLimiter
from commerce_stats.kit.tenancy import Account

Maker = Callable[..., tuple[Account, dict[str, str]]]


def test_the_admin_token_owns_its_accounts_link(
    database: Database, accounts: Accounts, make_service_account: Maker
) -> None:
    account, credentials = make_service_account("Net")
    access = Access(database, accounts, None)
    owner = access.export_owner(credentials["affiliate_access_token"], "admin", account.id)
    assert owner == Owner(account, None)


def test_the_admin_token_does_not_own_another_accounts_link(
    database: Database, accounts: Accounts, make_service_account: Maker
) -> None:
    _account, credentials = make_service_account("Net")
    other, _other_credentials = make_service_account("Other")
    access = Access(database, accounts, None)
    with pytest.raises(NoPermissionError):
        access.export_owner(credentials["affiliate_access_token"], "admin", other.id)


def test_an_unknown_role_is_no_permission(
    database: Database, accounts: Accounts, make_service_account: Maker
) -> None:
    account, credentials = make_service_account("Net")
    with pytest.raises(NoPermissionError):
        Access(database, accounts, None).export_owner(
            credentials["affiliate_access_token"], "advertiser", account.id
        )


def test_refused_links_past_the_limit_are_too_many_attempts_even_when_right(
    database: Database, accounts: Accounts, make_service_account: Maker
) -> None:
    account, credentials = make_service_account("Net")
    access = Access(database, accounts, MemoryFailureLimiter(2, 3600))
    for _attempt in range(2):
        with pytest.raises(NoPermissionError):
            access.export_owner("wrong", "admin", account.id, "10.0.0.1")
    with pytest.raises(TooManyAttemptsError):
        access.export_owner(credentials["affiliate_access_token"], "admin", account.id, "10.0.0.1")


def test_an_overlong_login_id_is_refused_before_it_is_counted(
    database: Database, accounts: Accounts
) -> None:
    failures = MemoryFailureLimiter(1, 3600)
    access = Access(database, accounts, failures)
    with pytest.raises(InvalidUploadRequestError, match="login_id has more than"):
        access.upload_account("1" * (MAX_LOGIN_ID_LENGTH + 1), "token", "10.0.0.2")
    assert failures.stored_keys() == []


def test_the_upload_login_gives_its_account(
    database: Database, accounts: Accounts, make_service_account: Maker
) -> None:
    account, credentials = make_service_account("Net")
    access = Access(database, accounts, None)
    found = access.upload_account(
        credentials["affiliate_login_id"], credentials["affiliate_rest_token"]
    )
    assert found.id == account.id


def test_the_csv_upload_needs_the_admin_section(
    database: Database, accounts: Accounts, make_service_account: Maker
) -> None:
    _account, credentials = make_service_account("Net")
    access = Access(database, accounts, None)
    with pytest.raises(InvalidUploadRequestError, match="section must be Admin"):
        access.csv_upload_account(
            credentials["affiliate_login_id"], credentials["affiliate_rest_token"], "Publisher"
        )
