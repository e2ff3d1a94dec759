"""Who may read an export link or upload orders: tokens, logins and refused-attempt limits.

Refused attempts are counted (brute-force protection); past the limit a client
or login is refused with ``TooManyAttemptsError`` until the window ends, even with
right credentials.
"""

from __future__ import annotations

from dataclasses import dataclass

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import repository
from commerce_stats.affiliate.errors import (
    InvalidUploadRequestError,
    NoPermissionError,
    TooManyAttemptsError,
)
from commerce_stats.db.engine import Database
from commerce_stats.kit.errors import AdminError
from commerce_stats.kit.keys import hash_secret
from commerce_stats.kit.ratelimit import FailureLimiter, Verdict
from commerce_stats.kit.tenancy import Account, Feature
from commerce_stats.kit.throttle import Surface, Throttle

MAX_LOGIN_ID_LENGTH = 64
"""Longest ``login_id`` accepted (issued ones have 8 digits); longer ones are refused unread."""


@dataclass(frozen=True, slots=True)
class Owner:
    """Who asks for an export: the network's admin or one publisher."""

    account: Account
    publisher_id: int | None


def refuse_if_limited(verdict: Verdict) -> None:
    """``TooManyAttemptsError`` when the throttle refused the attempt."""
    if not verdict.allowed:
        raise TooManyAttemptsError(verdict.retry_after)


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Access:
    """Checks the credentials of export links and uploads; holds no per-request state."""

    def __init__(
        self, database: Database, accounts: Accounts, failures: FailureLimiter | None
    ) -> None:
        self.database = database
        self.accounts = accounts
        self.failures = failures

    def export_owner(
        self, access_token: str, role: str, owner_id: int | None, client: str = "unknown"
    ) -> Owner:
        """Who the export link belongs to; anything that does not match is ``NoPermissionError``.

        Refusals are counted per client address.
        """
        throttle = Throttle(self.failures)
        refuse_if_limited(throttle.check(Surface.AFFILIATE_EXPORT, client=client))
        try:
            return self._export_owner(access_token, role, owner_id)
        except NoPermissionError:
            throttle.record_failure(Surface.AFFILIATE_EXPORT, client=client)
            raise

    def _export_owner(self, access_token: str, role: str, owner_id: int | None) -> Owner:
        if owner_id is None:
            raise NoPermissionError
        if role == "admin":
            account = self.accounts.authenticate("affiliate_access_token", access_token)
            if account is None or account.id != owner_id or not account.has(Feature.AFFILIATE):
                raise NoPermissionError
            return Owner(account, None)
        if role == "publisher":
            return self._publisher_owner(access_token, owner_id)
        raise NoPermissionError

    def _publisher_owner(self, access_token: str, owner_id: int) -> Owner:
        with self.database.read() as conn:
            publisher = repository.publisher_by_token(conn, hash_secret(access_token))
        if publisher is None or publisher.id != owner_id:
            raise NoPermissionError
        try:
            account = self.accounts.get(publisher.account_id)
        except AdminError as exc:
            raise NoPermissionError from exc
        if account.disabled or not account.has(Feature.AFFILIATE):
            raise NoPermissionError
        return Owner(account, publisher.id)

    def upload_account(self, login_id: str, token: str, client: str = "unknown") -> Account:
        """The login's account; refusals are counted per client address and per login id
        (see ``kit.throttle``). A login id longer than ``MAX_LOGIN_ID_LENGTH``, or a credential
        with a NUL character or invalid Unicode, is refused before it is counted."""
        if len(login_id) > MAX_LOGIN_ID_LENGTH:
            raise InvalidUploadRequestError(
                f"login_id has more than {MAX_LOGIN_ID_LENGTH} characters"
            )
        for field, value in (("login_id", login_id), ("token", token)):
            if "\x00" in value or not _is_unicode(value):
                raise InvalidUploadRequestError(
                    f"{field}: contains a NUL character or is not valid Unicode"
                )
        throttle = Throttle(self.failures)
        refuse_if_limited(throttle.check(Surface.AFFILIATE_UPLOAD, client=client, name=login_id))
        account = self.accounts.authenticate_pair(
            "affiliate_login_id", login_id, "affiliate_rest_token", token
        )
        if account is None or not account.has(Feature.AFFILIATE):
            throttle.record_failure(Surface.AFFILIATE_UPLOAD, client=client, name=login_id)
            raise NoPermissionError
        return account

    def csv_upload_account(
        self, login_id: str, token: str, section: str, client: str = "unknown"
    ) -> Account:
        """The seed's credentials of ``PUT /REST/orders/``, checked before the file is read."""
        account = self.upload_account(login_id, token, client)
        if section.strip().lower() != "admin":
            raise InvalidUploadRequestError("section must be Admin")
        return account
