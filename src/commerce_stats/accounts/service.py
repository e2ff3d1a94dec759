"""Account rules: creation with fresh credentials, changes, rotation, authentication."""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row

from commerce_stats.accounts import repository
from commerce_stats.accounts.errors import (
    AccountFieldError,
    AccountNotFoundError,
    AccountVanishedError,
    UsernameTakenError,
)
from commerce_stats.db.engine import Database
from commerce_stats.kit.keys import (
    digests_equal,
    hash_password,
    hash_secret,
    new_secret,
    verify_password,
)
from commerce_stats.kit.tenancy import ALL_FEATURES, MAX_ID, Account, Feature
from commerce_stats.kit.timeutil import is_valid_zone, utc_now

SECRET_CREDENTIALS: tuple[str, ...] = (
    "organization_key",
    "ingest_key",
    "affiliate_access_token",
    "affiliate_rest_token",
    "promotions_password",
)
PUBLIC_CREDENTIALS: tuple[str, ...] = ("affiliate_login_id", "promotions_username")
DEFAULT_TIMEZONE = "Europe/Berlin"
MAX_NAME_LENGTH = 200
MIN_PASSWORD_LENGTH = 10
MAX_USERNAME_LENGTH = 100


@functools.cache
def _dummy_password_hash() -> str:
    """What an unknown username's password is checked against, so that it takes as long
    as a known one; made on first use (scrypt costs tens of ms, not worth paying at import)."""
    return hash_password("timing-equaliser")


@dataclass(frozen=True, slots=True)
class DashboardLogin:
    """A verified dashboard sign-in: the account and the version of its password.

    The version goes into the session so that changing the password ends every
    session opened with the old one.
    """

    account: Account
    version: int


@dataclass(frozen=True, slots=True)
class AccountChanges:
    name: str | None = None
    features: Sequence[str] | None = None
    timezone: str | None = None
    disabled: bool | None = None


def _row_to_account(row: Row[Any]) -> Account:
    return Account(
        id=row.id,
        name=row.name,
        features=frozenset(Feature(name) for name in row.features),
        timezone=row.timezone,
        disabled=bool(row.disabled),
        created_at=row.created_at,
    )


def _checked_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise AccountFieldError("name must not be empty", "name")
    if "\x00" in cleaned:
        raise AccountFieldError("name must not contain NUL characters", "name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise AccountFieldError(f"name is longer than {MAX_NAME_LENGTH} characters", "name")
    return cleaned


def _checked_features(features: Iterable[str]) -> list[str]:
    known = {feature.value for feature in ALL_FEATURES}
    chosen = list(dict.fromkeys(features))
    unknown = [name for name in chosen if name not in known]
    if unknown:
        raise AccountFieldError(
            f"unknown feature(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}",
            "features",
        )
    return chosen


def _checked_timezone(timezone: str) -> str:
    if not is_valid_zone(timezone):
        raise AccountFieldError(f"unknown time zone: {timezone}", "timezone")
    return timezone


def _not_found(account_id: int) -> AccountNotFoundError:
    return AccountNotFoundError(account_id)


def _unique_public_id(conn: Connection, name: str) -> str:
    while True:
        if name == "affiliate_login_id":
            candidate = str(10_000_000 + secrets.randbelow(90_000_000))
        else:
            candidate = f"shop-{secrets.token_hex(5)}"
        if not repository.public_id_taken(conn, name=name, public_id=candidate):
            return candidate


class Accounts:
    """The accounts service; one per process, shared by every surface for authentication.

    Verified credentials are remembered for ``cache_seconds`` so that hot paths
    (beacons, pixels) do not hash-and-query on every request. Any change made
    through this object clears the memory at once; another process sees a
    rotation or a disabling after at most ``cache_seconds``.
    """

    def __init__(self, database: Database, cache_seconds: float = 5.0) -> None:
        self.database = database
        self.cache_seconds = cache_seconds
        self._cache: dict[tuple[str, str], tuple[float, Account]] = {}

    def create(
        self,
        name: str,
        features: Iterable[str] | None = None,
        timezone: str | None = None,
    ) -> tuple[Account, dict[str, str]]:
        """A new account and its credentials; the secrets are never retrievable again."""
        clean_name = _checked_name(name)
        chosen = _checked_features(
            features if features is not None else [f.value for f in ALL_FEATURES]
        )
        zone_name = _checked_timezone(timezone or DEFAULT_TIMEZONE)
        now = utc_now()
        credentials = {name: new_secret() for name in SECRET_CREDENTIALS}
        with self.database.write() as conn:
            account_id = repository.insert_account(
                conn, name=clean_name, features=chosen, timezone=zone_name, now=now
            )
            for public in PUBLIC_CREDENTIALS:
                credentials[public] = _unique_public_id(conn, public)
            repository.insert_credentials(conn, self._credential_rows(account_id, credentials, now))
            account = _row_to_account(_require(repository.select_account(conn, account_id)))
        return account, credentials

    @staticmethod
    def _credential_rows(
        account_id: int, credentials: dict[str, str], now: datetime
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for name in SECRET_CREDENTIALS:
            rows.append(
                {
                    "account_id": account_id,
                    "name": name,
                    "public_id": None,
                    "secret_hash": hash_secret(credentials[name]),
                    "created_at": now,
                }
            )
        for name in PUBLIC_CREDENTIALS:
            rows.append(
                {
                    "account_id": account_id,
                    "name": name,
                    "public_id": credentials[name],
                    "secret_hash": None,
                    "created_at": now,
                }
            )
        return rows

    def get(self, account_id: int, conn: Connection | None = None) -> Account:
        """The account ``account_id``; not found also for an id no account can have (0, -1,
        twenty digits), which is never sent to the database (it overflows its integer).

        With ``conn``, read in the caller's transaction (a token check reads its token and
        the account in one) instead of one of its own.
        """
        if not 1 <= account_id <= MAX_ID:
            raise _not_found(account_id)
        if conn is not None:
            row = repository.select_account(conn, account_id)
        else:
            with self.database.read() as own:
                row = repository.select_account(own, account_id)
        if row is None:
            raise _not_found(account_id)
        return _row_to_account(row)

    def describe(self, account_id: int) -> tuple[Account, dict[str, str]]:
        """The account with its non-secret identifiers (affiliate login id, username)."""
        with self.database.read() as conn:
            row = repository.select_account(conn, account_id)
            if row is None:
                raise _not_found(account_id)
            return _row_to_account(row), repository.public_ids(conn, account_id)

    def list(self) -> list[Account]:
        with self.database.read() as conn:
            return [_row_to_account(row) for row in repository.select_accounts(conn)]

    def count(self) -> int:
        with self.database.read() as conn:
            return repository.count_accounts(conn)

    def update(self, account_id: int, changes: AccountChanges) -> tuple[Account, dict[str, str]]:
        """Applies ``changes``; disabling also moves every credential on a generation, so
        the tokens they issued stay void when the account is enabled again."""
        values: dict[str, Any] = {}
        if changes.name is not None:
            values["name"] = _checked_name(changes.name)
        if changes.features is not None:
            values["features"] = _checked_features(changes.features)
        if changes.timezone is not None:
            values["timezone"] = _checked_timezone(changes.timezone)
        if changes.disabled is not None:
            values["disabled"] = changes.disabled
        with self.database.write() as conn:
            if repository.select_account(conn, account_id) is None:
                raise _not_found(account_id)
            if values:
                values["updated_at"] = utc_now()
                repository.update_account(conn, account_id, values)
            if changes.disabled:
                repository.advance_generations(conn, account_id)
            row = _require(repository.select_account(conn, account_id))
            ids = repository.public_ids(conn, account_id)
        self._cache.clear()
        return _row_to_account(row), ids

    def rotate(self, account_id: int, credential: str) -> str:
        """Replace one secret; the old one stops working at once in this process.

        The credential moves on a generation, which voids every promotions token
        issued under the old promotions password (in every process, at once).
        """
        if credential not in SECRET_CREDENTIALS:
            raise AccountFieldError(
                f"cannot rotate {credential!r}; rotatable: {', '.join(SECRET_CREDENTIALS)}",
                "credential",
            )
        secret = new_secret()
        with self.database.write() as conn:
            if repository.select_account(conn, account_id) is None:
                raise _not_found(account_id)
            repository.replace_secret(
                conn,
                account_id=account_id,
                name=credential,
                secret_hash=hash_secret(secret),
                now=utc_now(),
            )
        self._cache.clear()
        return secret

    def authenticate(self, credential: str, secret: str | None) -> Account | None:
        """The enabled account whose ``credential`` is ``secret``, else None."""
        if not secret:
            return None
        digest = hash_secret(secret)
        key = (credential, digest)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        with self.database.read() as conn:
            row = repository.account_by_secret(conn, name=credential, secret_hash=digest)
        if row is None or row.disabled:
            return None
        account = _row_to_account(row)
        if self.cache_seconds > 0:
            self._cache[key] = (time.monotonic() + self.cache_seconds, account)
        return account

    def authenticate_pair(
        self, public_name: str, public_id: str | None, secret_name: str, secret: str | None
    ) -> Account | None:
        """The enabled account whose identifier and secret both match, else None."""
        if not public_id or not secret:
            return None
        digest = hash_secret(secret)
        with self.database.read() as conn:
            row = repository.account_by_public_id(
                conn, public_name=public_name, public_id=public_id, secret_name=secret_name
            )
        if row is None or row.secret_hash is None:
            return None
        if not digests_equal(row.secret_hash, digest) or row.disabled:
            return None
        return _row_to_account(row)

    def set_dashboard_login(self, account_id: int, username: str, password: str) -> None:
        """Create or replace the account's dashboard sign-in; old sessions stop working."""
        clean = _checked_username(username)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountFieldError(
                f"password must have at least {MIN_PASSWORD_LENGTH} characters", "password"
            )
        password_hash = hash_password(password)
        with self.database.write() as conn:
            if repository.select_account(conn, account_id) is None:
                raise _not_found(account_id)
            if repository.username_taken_by_other(conn, username=clean, account_id=account_id):
                raise UsernameTakenError(clean)
            repository.save_dashboard_login(
                conn,
                account_id=account_id,
                username=clean,
                password_hash=password_hash,
                now=utc_now(),
            )

    def verify_dashboard_login(self, username: str, password: str) -> DashboardLogin | None:
        """The enabled account whose dashboard sign-in this is, else None.

        An unknown username costs the same scrypt work as a wrong password, so
        the answer's timing does not tell which usernames exist.
        """
        with self.database.read() as conn:
            row = repository.select_dashboard_login_by_username(conn, username.strip())
        if row is None:
            verify_password(password, _dummy_password_hash())
            return None
        if not verify_password(password, row.password_hash) or row.disabled:
            return None
        return DashboardLogin(_row_to_account(row), row.version)

    def open_dashboard_session(self, owner_id: int, lifetime: timedelta) -> str:
        """A new dashboard session id for ``owner_id`` (an account, or 0 for the admin).

        Only its hash is stored; the owner's ended sessions are cleared on the way.
        """
        session_id = new_secret()
        now = utc_now()
        with self.database.write() as conn:
            repository.delete_expired_dashboard_sessions(conn, owner_id=owner_id, now=now)
            repository.insert_dashboard_session(
                conn,
                owner_id=owner_id,
                session_hash=hash_secret(session_id),
                now=now,
                expires_at=now + lifetime,
            )
        return session_id

    def dashboard_session_is_open(self, owner_id: int, session_id: str) -> bool:
        """Whether the session was opened, has not ended and was not signed out of."""
        with self.database.read() as conn:
            expires_at = repository.dashboard_session_expiry(
                conn, owner_id=owner_id, session_hash=hash_secret(session_id)
            )
        return expires_at is not None and expires_at > utc_now()

    def end_dashboard_session(self, owner_id: int, session_id: str) -> None:
        """Signs the session out in every process: its id is no longer accepted."""
        with self.database.write() as conn:
            repository.delete_dashboard_session(
                conn, owner_id=owner_id, session_hash=hash_secret(session_id)
            )

    def dashboard_login_version(self, account_id: int) -> int | None:
        """The current password version of the account's dashboard sign-in, if it has one."""
        with self.database.read() as conn:
            row = repository.select_dashboard_login(conn, account_id)
        return None if row is None else int(row.version)


def _checked_username(username: str) -> str:
    clean = username.strip()
    if (
        not clean
        or len(clean) > MAX_USERNAME_LENGTH
        or any(ch.isspace() or ch == "\x00" for ch in clean)
    ):
        raise AccountFieldError(
            f"username must be 1 to {MAX_USERNAME_LENGTH} characters without spaces or NUL",
            "username",
        )
    return clean


def _require(row: Row[Any] | None) -> Row[Any]:
    if row is None:
        raise AccountVanishedError()
    return row
