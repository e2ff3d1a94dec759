"""Dashboard sign-in rules: sessions, CSRF tokens, attempt limits, the picker."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_stats.accounts.service import AccountChanges, Accounts
from commerce_stats.config import Settings
from commerce_stats.dashboard.errors import NotAdminError, WrongCredentialsError
from commerce_stats.dashboard.session import (
    Session,
    SessionCodec,
    choose_account,
    csrf_matches,
    session_secret,
    sign_in_with_password,
    viewed_account,
)
from commerce_stats.kit.ratelimit import MemoryFailureLimiter


def test_session_round_trips() -> None:
    codec = SessionCodec("secret", 3600)
    session = Session(csrf="c", admin=False, account_id=3, login_version=2)
    assert codec.load(codec.dump(session)) == session


def test_tampered_session_is_refused() -> None:
    codec = SessionCodec("secret", 3600)
    value = codec.dump(Session(csrf="c", account_id=3, login_version=1))
    assert codec.load(value[:-2] + "xx") is None


def test_session_signed_with_another_key_is_refused() -> None:
    value = SessionCodec("one", 3600).dump(Session(csrf="c", account_id=3))
    assert SessionCodec("two", 3600).load(value) is None


def test_expired_session_is_refused() -> None:
    codec = SessionCodec("secret", -1)
    assert codec.load(codec.dump(Session(csrf="c", account_id=3))) is None


def test_sign_in_token_must_match_its_cookie() -> None:
    codec = SessionCodec("secret", 3600)
    cookie, token = codec.new_sign_in_token()
    assert codec.sign_in_token_matches(cookie, token)
    assert not codec.sign_in_token_matches(cookie, token + "x")
    assert not codec.sign_in_token_matches(None, token)


def test_csrf_needs_the_session_token() -> None:
    session = Session(csrf="abc")
    assert csrf_matches(session, "abc")
    assert not csrf_matches(session, "abd")
    assert not csrf_matches(session, None)


def test_session_secret_is_derived_from_the_admin_token() -> None:
    one = session_secret(Settings(admin_token="a"))
    assert one == session_secret(Settings(admin_token="a"))
    assert one != session_secret(Settings(admin_token="b"))
    assert session_secret(Settings(admin_token="a", session_secret="explicit")) == "explicit"


def test_password_sign_in_opens_a_session_on_the_account(accounts: Accounts) -> None:
    account, _ = accounts.create("Acme")
    accounts.set_dashboard_login(account.id, "acme", "long enough password")
    session = sign_in_with_password(
        accounts,
        MemoryFailureLimiter(5, 60),
        "acme",
        "long enough password",
        "1.2.3.4",
        timedelta(hours=1),
    )
    assert (session.account_id, session.admin, session.login_version) == (account.id, False, 1)


def test_wrong_password_is_refused_and_counted(accounts: Accounts) -> None:
    account, _ = accounts.create("Acme")
    accounts.set_dashboard_login(account.id, "acme", "long enough password")
    failures = MemoryFailureLimiter(5, 60)
    with pytest.raises(WrongCredentialsError, match="Wrong username or password"):
        sign_in_with_password(
            accounts, failures, "acme", "wrong password!!", "1.2.3.4", timedelta(hours=1)
        )
    assert failures.count("dashboard.sign_in:name:acme") == 1
    assert failures.count("dashboard.sign_in:client:1.2.3.4") == 1


def test_password_change_ends_older_sessions(accounts: Accounts) -> None:
    account, _ = accounts.create("Acme")
    accounts.set_dashboard_login(account.id, "acme", "long enough password")
    session = Session(csrf="c", account_id=account.id, login_version=1)
    assert viewed_account(accounts, session) is not None
    accounts.set_dashboard_login(account.id, "acme", "another long password")
    assert viewed_account(accounts, session) is None


def test_disabling_ends_user_sessions(accounts: Accounts) -> None:
    account, _ = accounts.create("Acme")
    accounts.set_dashboard_login(account.id, "acme", "long enough password")
    session = Session(csrf="c", account_id=account.id, login_version=1)
    assert viewed_account(accounts, session) is not None
    accounts.update(account.id, AccountChanges(disabled=True))
    assert viewed_account(accounts, session) is None


def test_only_admins_may_switch_accounts(accounts: Accounts) -> None:
    first, _ = accounts.create("One")
    second, _ = accounts.create("Two")
    user = Session(csrf="c", account_id=first.id, login_version=1)
    with pytest.raises(NotAdminError, match="Only the admin"):
        choose_account(accounts, user, str(second.id))
    admin = Session(csrf="c", admin=True)
    assert choose_account(accounts, admin, str(second.id)).account_id == second.id
