"""Bearer tokens of the promotions API: login, refresh (single use), authentication.

A token is stored (hashed) with the generation of the account's promotions
password it was issued under. Rotating the password or disabling the account
moves the generation on, which voids every token and refresh token issued
before; each check reads the account's state in the token's own query, so
this holds at once in every process (no token is remembered in memory).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from commerce_stats.accounts.service import Accounts
from commerce_stats.db.engine import Database
from commerce_stats.kit.errors import AdminError
from commerce_stats.kit.keys import hash_secret, new_secret
from commerce_stats.kit.ratelimit import FailureLimiter, Verdict
from commerce_stats.kit.tenancy import Account, Feature
from commerce_stats.kit.throttle import Surface, Throttle
from commerce_stats.kit.timeutil import utc_now
from commerce_stats.promotions import repository
from commerce_stats.promotions.errors import (
    InvalidCredentialsError,
    InvalidFieldsError,
    NoPromotionsAccessError,
    TokenExpiredError,
    TokenInvalidError,
    TokenMissingError,
    TooManyAttemptsError,
)

MAX_USERNAME_LENGTH = 255
"""Longest username accepted at ``POST /v1/login_check`` (issued ones have 15 characters)."""


@dataclass(frozen=True, slots=True)
class TokenPair:
    token: str
    refresh_token: str


class Tokens:
    """Issues, renews and checks the promotions API's tokens; one per process."""

    def __init__(
        self,
        database: Database,
        accounts: Accounts,
        *,
        token_hours: float = 24.0,
        refresh_days: float = 30.0,
    ) -> None:
        self.database = database
        self.accounts = accounts
        self.token_lifetime = timedelta(hours=token_hours)
        self.refresh_lifetime = timedelta(days=refresh_days)

    def login(
        self,
        username: str | None,
        password: str | None,
        *,
        failures: FailureLimiter | None = None,
        client: str = "unknown",
    ) -> TokenPair:
        """A token pair for the account's promotions username and password.

        With ``failures``, wrong attempts are counted per client address and per
        username (see ``kit.throttle``); past a limit every attempt is refused
        (``TooManyAttemptsError``) until the window ends. A username longer than
        ``MAX_USERNAME_LENGTH`` is refused before it is counted or compared.
        """
        if username is not None and len(username) > MAX_USERNAME_LENGTH:
            raise InvalidFieldsError(["username"])
        throttle, name = Throttle(failures), username or ""
        refuse_if_limited(throttle.check(Surface.PROMOTIONS_SIGN_IN, client=client, name=name))
        account = self.accounts.authenticate_pair(
            "promotions_username", username, "promotions_password", password
        )
        if account is None or password is None:
            throttle.record_failure(Surface.PROMOTIONS_SIGN_IN, client=client, name=name)
            raise InvalidCredentialsError()
        with self.database.write() as conn:
            generation = repository.password_generation(conn, account.id, hash_secret(password))
            if generation is None:
                raise InvalidCredentialsError()
            return self._issue(conn, account.id, generation)

    def refresh(
        self,
        refresh_token: str | None,
        *,
        failures: FailureLimiter | None = None,
        client: str = "unknown",
    ) -> TokenPair:
        """A new token pair for a valid refresh token, which is used up.

        Unknown and revoked tokens are counted per client address like unknown
        bearer tokens.
        """
        throttle, digest = _admitted(refresh_token, failures, client)
        with self.database.write() as conn:
            account_id, generation = _live(conn, digest, "refresh", throttle, client)
            repository.delete_token(conn, account_id, digest)
            return self._issue(conn, account_id, generation)

    def authenticate(
        self,
        token: str | None,
        *,
        failures: FailureLimiter | None = None,
        client: str = "unknown",
    ) -> Account:
        """The account behind a bearer token, which must have the promotions feature.

        A token of a disabled account, or issued before the account's promotions
        password was last rotated or the account last disabled, is invalid.
        With ``failures``, unknown tokens are counted per client address; past the
        limit the address is refused (``TooManyAttemptsError``) until the window ends.
        """
        throttle, digest = _admitted(token, failures, client)
        with self.database.read() as conn:
            account_id, _generation = _live(conn, digest, "access", throttle, client)
            account = self._enabled_account(conn, account_id)
        if account is None:
            raise TokenInvalidError()
        if not account.has(Feature.PROMOTIONS):
            raise NoPromotionsAccessError()
        return account

    def _issue(self, conn: Connection, account_id: int, generation: int) -> TokenPair:
        """A new pair under ``generation``, which the caller read in this transaction
        together with the proof (the password, the refresh token) that was checked."""
        now = utc_now()
        pair = TokenPair(token=new_secret(), refresh_token=new_secret())
        repository.delete_expired_tokens(conn, account_id, now)
        repository.delete_revoked_tokens(conn, account_id, generation)
        repository.insert_tokens(conn, self._token_rows(account_id, pair, generation, now))
        return pair

    def _token_rows(
        self, account_id: int, pair: TokenPair, generation: int, now: datetime
    ) -> list[dict[str, Any]]:
        return [
            {
                "account_id": account_id,
                "token_hash": hash_secret(secret),
                "kind": kind,
                "expires_at": now + lifetime,
                "created_at": now,
                "generation": generation,
            }
            for secret, kind, lifetime in (
                (pair.token, "access", self.token_lifetime),
                (pair.refresh_token, "refresh", self.refresh_lifetime),
            )
        ]

    def _enabled_account(self, conn: Connection, account_id: int) -> Account | None:
        """The account in the token check's own transaction (one read per request, not two)."""
        try:
            account = self.accounts.get(account_id, conn)
        except AdminError:
            return None
        return None if account.disabled else account


def _admitted(
    token: str | None, failures: FailureLimiter | None, client: str
) -> tuple[Throttle, str]:
    """The client's token throttle and the token's digest, once a token is there and the
    client is not refused (checked before any transaction is opened)."""
    if not token:
        raise TokenMissingError()
    throttle = Throttle(failures)
    refuse_if_limited(throttle.check(Surface.PROMOTIONS_TOKEN, client=client))
    return throttle, hash_secret(token)


def _live(
    conn: Connection, digest: str, kind: str, throttle: Throttle, client: str
) -> tuple[int, int]:
    """(account id, generation) of the live, unexpired token of ``kind`` with ``digest``;
    an unknown or revoked token is counted as a failure of ``client``."""
    found = repository.live_token(conn, digest, kind)
    if found is None:
        throttle.record_failure(Surface.PROMOTIONS_TOKEN, client=client)
        raise TokenInvalidError()
    account_id, expires_at, generation = found
    if expires_at <= utc_now():
        raise TokenExpiredError()
    return account_id, generation


def refuse_if_limited(verdict: Verdict) -> None:
    """``TooManyAttemptsError`` when the throttle refused the attempt."""
    if not verdict.allowed:
        raise TooManyAttemptsError(retry_after=verdict.retry_after)
