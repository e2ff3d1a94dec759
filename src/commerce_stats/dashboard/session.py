"""Dashboard sign-in rules: sessions, CSRF tokens, attempt limits, the account picker.

A session is a signed, timestamped value kept in an HttpOnly cookie. It names
the account being viewed, whether it was opened with the admin token, the
password version it was opened with (a password change ends older sessions),
the CSRF token every form must echo, and the session's id. The server keeps
the hash of each open session's id; signing out deletes it, so a saved copy of
the cookie no longer opens any page.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer

from commerce_stats.accounts.service import MAX_USERNAME_LENGTH, Accounts
from commerce_stats.config import Settings
from commerce_stats.dashboard.errors import (
    InvalidChoiceError,
    InvalidFieldError,
    NoSuchAccountError,
    NotAdminError,
    TooManySignInsError,
    WrongCredentialsError,
)
from commerce_stats.kit.admin_http import admin_token_matches
from commerce_stats.kit.errors import ServiceError
from commerce_stats.kit.keys import texts_equal
from commerce_stats.kit.ratelimit import FailureLimiter
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.throttle import Surface, Throttle

SESSION_SALT = "commerce-stats dashboard session"
SIGN_IN_SALT = "commerce-stats dashboard sign-in"
SIGN_IN_MAX_AGE = 3600


@dataclass(frozen=True, slots=True)
class Session:
    csrf: str
    admin: bool = False
    account_id: int | None = None
    login_version: int | None = None
    session_id: str = ""


ADMIN_SESSION_OWNER = 0
"""Whose open sessions an admin session is stored under (it may view any account)."""


def session_owner(session: Session) -> int:
    """The account an open session is stored under: the signed-in one, or 0 for the admin."""
    if session.admin or session.account_id is None:
        return ADMIN_SESSION_OWNER
    return session.account_id


def session_secret(settings: Settings) -> str:
    """The cookie-signing key: configured, else derived from the admin token.

    Deriving it keeps sessions valid across every worker of one ``serve`` run
    (they share the admin token) without another secret to manage.
    """
    if settings.session_secret:
        return settings.session_secret
    if settings.admin_token:
        return hmac.new(
            settings.admin_token.encode(), SESSION_SALT.encode(), hashlib.sha256
        ).hexdigest()
    return secrets.token_hex(32)


class SessionCodec:
    """Turns sessions into signed cookie values and back."""

    def __init__(self, secret: str, max_age_seconds: int) -> None:
        self._sessions = URLSafeTimedSerializer(secret, salt=SESSION_SALT)
        self._sign_in = URLSafeTimedSerializer(secret, salt=SIGN_IN_SALT)
        self.max_age_seconds = max_age_seconds

    def dump(self, session: Session) -> str:
        return self._sessions.dumps(
            [
                session.csrf,
                session.admin,
                session.account_id,
                session.login_version,
                session.session_id,
            ]
        )

    def load(self, value: str | None) -> Session | None:
        if not value:
            return None
        try:
            csrf, admin, account_id, version, session_id = self._sessions.loads(
                value, max_age=self.max_age_seconds
            )
        except (BadSignature, ValueError, TypeError):
            return None
        return Session(
            csrf=csrf,
            admin=admin,
            account_id=account_id,
            login_version=version,
            session_id=session_id,
        )

    def new_sign_in_token(self) -> tuple[str, str]:
        """(cookie value, form value) guarding the sign-in form against CSRF."""
        token = secrets.token_urlsafe(24)
        return self._sign_in.dumps(token), token

    def sign_in_token_matches(self, cookie: str | None, form_value: str | None) -> bool:
        if not cookie or not form_value:
            return False
        try:
            expected = self._sign_in.loads(cookie, max_age=SIGN_IN_MAX_AGE)
        except BadSignature:
            return False
        return isinstance(expected, str) and texts_equal(expected, form_value)


def csrf_matches(session: Session, form_value: str | None) -> bool:
    return form_value is not None and texts_equal(session.csrf, form_value)


def _check_not_blocked(
    throttle: Throttle, surface: Surface, client: str, name: str | None = None
) -> None:
    verdict = throttle.check(surface, client=client, name=name)
    if not verdict.allowed:
        raise TooManySignInsError(verdict.retry_after)


def _wrong_credentials() -> WrongCredentialsError:
    return WrongCredentialsError("Wrong username or password.", "username")


def sign_in_with_password(
    accounts: Accounts,
    failures: FailureLimiter,
    username: str,
    password: str,
    client: str,
    lifetime: timedelta,
) -> Session:
    if len(username) > MAX_USERNAME_LENGTH:
        raise InvalidFieldError(
            f"The username has more than {MAX_USERNAME_LENGTH} characters.", "username"
        )
    throttle = Throttle(failures)
    _check_not_blocked(throttle, Surface.DASHBOARD_SIGN_IN, client, username)
    login = accounts.verify_dashboard_login(username, password)
    if login is None:
        throttle.record_failure(Surface.DASHBOARD_SIGN_IN, client=client, name=username)
        raise _wrong_credentials()
    return Session(
        csrf=secrets.token_urlsafe(24),
        account_id=login.account.id,
        login_version=login.version,
        session_id=accounts.open_dashboard_session(login.account.id, lifetime),
    )


def sign_in_with_admin_token(
    accounts: Accounts,
    settings: Settings,
    failures: FailureLimiter,
    token: str,
    client: str,
    lifetime: timedelta,
) -> Session:
    throttle = Throttle(failures)
    _check_not_blocked(throttle, Surface.ADMIN, client)
    if not admin_token_matches(settings.admin_token, token):
        throttle.record_failure(Surface.ADMIN, client=client)
        raise WrongCredentialsError("That is not the admin token.", "admin_token")
    return Session(
        csrf=secrets.token_urlsafe(24),
        admin=True,
        session_id=accounts.open_dashboard_session(ADMIN_SESSION_OWNER, lifetime),
    )


def session_is_open(accounts: Accounts, session: Session) -> bool:
    """Whether the session was opened by a sign-in and not signed out of (nor expired)."""
    if not session.session_id:
        return False
    return accounts.dashboard_session_is_open(session_owner(session), session.session_id)


def end_session(accounts: Accounts, session: Session) -> None:
    """Ends the session on the server: the cookie, even if kept, opens nothing any more."""
    if session.session_id:
        accounts.end_dashboard_session(session_owner(session), session.session_id)


MAX_ID_DIGITS = 19
"""Digits of the longest id the picker looks up (int64); a longer one names no account,
and turning thousands of digits into an int is refused by Python itself."""


def choose_account(accounts: Accounts, session: Session, account_id: str) -> Session:
    """An admin session switched to the account the picker's form names.

    The id arrives as form text: anything but digits naming an existing account is
    refused here, in the picker's own answer, rather than by the framework."""
    if not session.admin:
        raise NotAdminError()
    text = account_id.strip()
    if not (text.isascii() and text.isdigit()):
        raise InvalidChoiceError()
    if len(text) > MAX_ID_DIGITS:
        raise NoSuchAccountError()
    try:
        account = accounts.get(int(text))
    except ServiceError:
        raise NoSuchAccountError() from None
    return replace(session, account_id=account.id)


def viewed_account(accounts: Accounts, session: Session) -> Account | None:
    """The account a session may look at now, or None when it must sign in (again).

    A user session dies when its account is disabled or its password changes;
    an admin session may look at any account, disabled ones included.
    """
    if session.account_id is None:
        return None
    try:
        account = accounts.get(session.account_id)
    except ServiceError:
        return None
    if session.admin:
        return account
    if account.disabled:
        return None
    if accounts.dashboard_login_version(account.id) != session.login_version:
        return None
    return account
