"""Tokens of the promotions API (tokens.py): login, single-use refresh, authentication, limits."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from commerce_stats.accounts.service import AccountChanges, Accounts
from commerce_stats.db.engine import Database
from commerce_stats.kit.ratelimit import MemoryFailureLimiter
from commerce_stats.kit.tenancy import Account
from commerce_stats.promotions.errors import (
    InvalidCredentialsError,
    InvalidFieldsError,
    NoPromotionsAccessError,
    TokenExpiredError,
    TokenInvalidError,
    TokenMissingError,
    TooManyAttemptsError,
)
from commerce_stats.promotions.tables import promo_tokens
from commerce_stats.promotions.tokens import MAX_USERNAME_LENGTH, Tokens

MakeServiceAccount = Callable[..., tuple[Account, dict[str, str]]]


class FrozenClock:
    def __call__(self) -> float:
        return 1000.0


@pytest.fixture
def tokens(database: Database, accounts: Accounts) -> Tokens:
    return Tokens(database, accounts)


def _stored_tokens(database: Database) -> int:
    with database.read() as conn:
        return int(conn.execute(select(func.count()).select_from(promo_tokens)).scalar_one())


def _login(tokens: Tokens, credentials: dict[str, str]) -> tuple[str, str]:
    pair = tokens.login(credentials["promotions_username"], credentials["promotions_password"])
    return pair.token, pair.refresh_token


def test_a_login_token_authenticates_its_account(
    tokens: Tokens, make_service_account: MakeServiceAccount
) -> None:
    account, credentials = make_service_account()
    token, _refresh = _login(tokens, credentials)
    assert tokens.authenticate(token).id == account.id


def test_tokens_are_stored_as_two_rows_without_the_secrets(
    tokens: Tokens, database: Database, make_service_account: MakeServiceAccount
) -> None:
    _account, credentials = make_service_account()
    token, refresh = _login(tokens, credentials)
    with database.read() as conn:
        hashes = set(conn.execute(select(promo_tokens.c.token_hash)).scalars())
    assert len(hashes) == 2
    assert token not in hashes
    assert refresh not in hashes


def test_a_wrong_password_is_refused_and_stores_nothing(
    tokens: Tokens, database: Database, make_service_account: MakeServiceAccount
) -> None:
    _account, credentials = make_service_account()
    with pytest.raises(InvalidCredentialsError):
        tokens.login(credentials["promotions_username"], "wrong")
    assert _stored_tokens(database) == 0


def test_an_over_long_username_is_an_invalid_field(tokens: Tokens) -> None:
    with pytest.raises(InvalidFieldsError) as refused:
        tokens.login("u" * (MAX_USERNAME_LENGTH + 1), "p")
    assert refused.value.names == ["username"]


def test_a_refresh_token_is_used_up(
    tokens: Tokens, database: Database, make_service_account: MakeServiceAccount
) -> None:
    _account, credentials = make_service_account()
    _token, refresh = _login(tokens, credentials)
    renewed = tokens.refresh(refresh)
    assert renewed.refresh_token != refresh
    with pytest.raises(TokenInvalidError):
        tokens.refresh(refresh)
    assert _stored_tokens(database) == 3


def test_a_refresh_token_is_not_an_access_token(
    tokens: Tokens, make_service_account: MakeServiceAccount
) -> None:
    _account, credentials = make_service_account()
    _token, refresh = _login(tokens, credentials)
    with pytest.raises(TokenInvalidError):
        tokens.authenticate(refresh)


def test_no_token_is_token_missing(tokens: Tokens) -> None:
    with pytest.raises(TokenMissingError):
        tokens.authenticate(None)
    with pytest.raises(TokenMissingError):
        tokens.refresh("")


def test_a_token_past_its_lifetime_is_expired(
    database: Database, accounts: Accounts, make_service_account: MakeServiceAccount
) -> None:
    short = Tokens(database, accounts, token_hours=0)
    _account, credentials = make_service_account()
    token, _refresh = _login(short, credentials)
    with pytest.raises(TokenExpiredError):
        short.authenticate(token)


def test_account_without_the_feature_is_refused(
    tokens: Tokens, make_service_account: MakeServiceAccount
) -> None:
    _account, credentials = make_service_account(features=["affiliate"])
    token, _refresh = _login(tokens, credentials)
    with pytest.raises(NoPromotionsAccessError):
        tokens.authenticate(token)


def test_a_disabling_by_another_process_stops_a_verified_token_at_once(
    database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, credentials = make_service_account()
    tokens = Tokens(database, Accounts(database))
    token, _refresh = _login(tokens, credentials)
    assert tokens.authenticate(token).id == account.id
    Accounts(database).update(account.id, AccountChanges(disabled=True))
    with pytest.raises(TokenInvalidError) as refused:
        tokens.authenticate(token)
    assert refused.value.entries == [(1007, "Your token is invalid.")]


def test_unknown_tokens_past_the_limit_are_too_many_attempts_with_the_window_left(
    tokens: Tokens,
) -> None:
    failures = MemoryFailureLimiter(limit=2, window_seconds=60, clock=FrozenClock())
    for _ in range(2):
        with pytest.raises(TokenInvalidError):
            tokens.authenticate("unknown", failures=failures, client="10.0.0.1")
    with pytest.raises(TooManyAttemptsError) as refused:
        tokens.authenticate("unknown", failures=failures, client="10.0.0.1")
    assert refused.value.retry_after == 60


def test_wrong_logins_past_the_limit_refuse_even_the_right_password(
    tokens: Tokens, database: Database, make_service_account: MakeServiceAccount
) -> None:
    _account, credentials = make_service_account()
    username = credentials["promotions_username"]
    failures = MemoryFailureLimiter(limit=1, window_seconds=60, clock=FrozenClock())
    with pytest.raises(InvalidCredentialsError):
        tokens.login(username, "wrong", failures=failures, client="10.0.0.2")
    with pytest.raises(TooManyAttemptsError):
        tokens.login(
            username, credentials["promotions_password"], failures=failures, client="10.0.0.2"
        )
    assert _stored_tokens(database) == 0
