"""The dashboard's answer to each refusal: one table from failure to HTTP status.

Pages show the message in their own layout; this table only decides the status and the
headers that go with it.
"""

from __future__ import annotations

from commerce_stats.dashboard.errors import (
    DashboardError,
    FeatureNotEnabledError,
    FormExpiredError,
    InvalidChoiceError,
    InvalidFieldError,
    InvalidFilterError,
    NoSuchAccountError,
    NotAdminError,
    TooManySignInsError,
    UnknownExportFormatError,
    WrongCredentialsError,
)

STATUS_BY_ERROR: dict[type[DashboardError], int] = {
    FormExpiredError: 400,
    InvalidFieldError: 400,
    InvalidChoiceError: 400,
    InvalidFilterError: 400,
    WrongCredentialsError: 401,
    NotAdminError: 403,
    NoSuchAccountError: 404,
    FeatureNotEnabledError: 404,
    UnknownExportFormatError: 404,
    TooManySignInsError: 429,
}


def status_of(error: DashboardError) -> int:
    """The HTTP status of a refusal (its nearest class in the table; 400 otherwise)."""
    for kind in type(error).__mro__:
        if kind in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[kind]
    return 400


def headers_of(error: DashboardError) -> dict[str, str]:
    """Headers the refusal's answer carries: when to try again after too many attempts."""
    if isinstance(error, TooManySignInsError):
        return {"Retry-After": str(error.retry_after)}
    return {}
