"""The dashboard's table from failure to status, and the headers that go with them."""

from __future__ import annotations

import pytest

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
from commerce_stats.dashboard.http_errors import headers_of, status_of


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (FormExpiredError(), 400),
        (InvalidFieldError("too long", "username"), 400),
        (InvalidChoiceError(), 400),
        (InvalidFilterError("To must not be before From.", "to"), 400),
        (WrongCredentialsError("Wrong username or password.", "username"), 401),
        (NotAdminError(), 403),
        (NoSuchAccountError(), 404),
        (FeatureNotEnabledError(), 404),
        (UnknownExportFormatError("Unknown export format"), 404),
        (TooManySignInsError(60), 429),
    ],
)
def test_each_failure_has_its_status(error: DashboardError, status: int) -> None:
    assert status_of(error) == status


def test_too_many_sign_ins_says_when_to_retry() -> None:
    error = TooManySignInsError(17)
    assert (error.message, headers_of(error)) == (
        "Too many failed sign-ins. Try again in 17 seconds.",
        {"Retry-After": "17"},
    )


def test_other_refusals_carry_no_headers() -> None:
    assert headers_of(NotAdminError()) == {}


def test_each_failure_keeps_its_code() -> None:
    codes = [error.code for error in (FormExpiredError(), NoSuchAccountError(), NotAdminError())]
    assert codes == ["csrf", "not_found", "forbidden"]
