"""Dashboard sign-in rules: sessions, CSRF tokens, attempt limits, the account picker.

A session is a signed, timestamped value kept in an HttpOnly cookie; the server
stores nothing per session. It names the account being viewed, whether it was
opened with the admin token, the password version it was opened with (a
password change ends older sessions) and the CSRF token every form must echo.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace

from itsdangerous import BadSignature, URLSafeTimedSerializer

from commerce_stats.accounts.service import Accounts
from commerce_stats.config import Settings
from commerce_stats.kit.errors import ServiceError
from commerce_stats.kit.keys import digests_equal, hash_secret
from commerce_stats.kit.ratelimit import FailureLimiter
from commerce_stats.kit.tenancy import Account

SESSION_SALT = "commerce-stats dashboard session"
SIGN_IN_SALT = "commerce-stats dashboard sign-in"
SIGN_IN_MAX_AGE = 3600


class DashboardError(ServiceError):
    """A refusal shown to a person on a dashboard page."""


@dataclass(frozen=True, slots=True)
class Session:
    csrf: str
    admin: bool = False
    account_id: int | None = None
    login_version: int | None = None


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
            [session.csrf, session.admin, session.account_id, session.login_version]
        )

    def load(self, value: str | None) -> Session | None:
        if not value:
            return None
        try:
            csrf, admin, account_id, version = self._sessions.loads(
                value, max_age=self.max_age_seconds
            )
        except (BadSignature, ValueError, TypeError):
            return None
        return Session(csrf=csrf, admin=admin, account_id=account_id, login_version=version)

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
        return isinstance(expected, str) and hmac.compare_digest(expected, form_value)


def csrf_matches(session: Session, form_value: str | None) -> bool:
    return form_value is not None and hmac.compare_digest(session.csrf, form_value)


def _too_many(retry_after: int) -> DashboardError:
    return DashboardError(
        f"Too many failed sign-ins. Try again in {retry_after} seconds.",
        status=429,
        code="too_many_attempts",
        headers={"Retry-After": str(retry_after)},
    )


def _check_not_blocked(failures: FailureLimiter, keys: list[str]) -> None:
    for key in keys:
        verdict = failures.check(key)
        if not verdict.allowed:
            raise _too_many(verdict.retry_after)


def _wrong_credentials() -> DashboardError:
    return DashboardError(
        "Wrong username or password.", status=401, code="wrong_credentials", field="username"
    )


def sign_in_with_password(
    accounts: Accounts, failures: FailureLimiter, username: str, password: str, client: str
) -> Session:
    keys = [f"dashboard-user:{username.strip().lower()}", f"dashboard-ip:{client}"]
    _check_not_blocked(failures, keys)
    login = accounts.verify_dashboard_login(username, password)
    if login is None:
        for key in keys:
            failures.record_failure(key)
        raise _wrong_credentials()
    return Session(
        csrf=secrets.token_urlsafe(24), account_id=login.account.id, login_version=login.version
    )


def sign_in_with_admin_token(
    settings: Settings, failures: FailureLimiter, token: str, client: str
) -> Session:
    key = f"admin:{client}"
    _check_not_blocked(failures, [key])
    expected = settings.admin_token
    if expected is None or not digests_equal(hash_secret(token), hash_secret(expected)):
        failures.record_failure(key)
        raise DashboardError(
            "That is not the admin token.",
            status=401,
            code="wrong_credentials",
            field="admin_token",
        )
    return Session(csrf=secrets.token_urlsafe(24), admin=True)


def choose_account(accounts: Accounts, session: Session, account_id: int) -> Session:
    """An admin session switched to ``account_id`` (the account picker)."""
    if not session.admin:
        raise DashboardError("Only the admin can switch accounts.", status=403, code="forbidden")
    account = accounts.get(account_id)
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
