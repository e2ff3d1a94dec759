"""Dashboard refusals: a message for the person at the page, a code, the field at fault."""

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


@pytest.mark.parametrize(
    ("error", "code", "message", "field"),
    [
        (FormExpiredError(), "csrf", "The form expired; please try again.", None),
        (NotAdminError(), "forbidden", "Only the admin can switch accounts.", None),
        (InvalidChoiceError(), "invalid", "Choose an account from the list.", "account_id"),
        (NoSuchAccountError(), "not_found", "There is no account with that id.", "account_id"),
        (
            FeatureNotEnabledError(),
            "feature_not_enabled",
            "This account does not have that feature.",
            None,
        ),
    ],
)
def test_fixed_refusal_has_its_code_message_and_field(
    error: DashboardError, code: str, message: str, field: str | None
) -> None:
    assert (error.code, error.message, error.field) == (code, message, field)


def test_too_many_sign_ins_tells_the_wait() -> None:
    error = TooManySignInsError(90)

    assert (error.code, error.message, error.retry_after) == (
        "too_many_attempts",
        "Too many failed sign-ins. Try again in 90 seconds.",
        90,
    )


@pytest.mark.parametrize(
    ("cls", "code"),
    [
        (WrongCredentialsError, "wrong_credentials"),
        (InvalidFieldError, "invalid_field"),
        (InvalidFilterError, "invalid_filter"),
        (UnknownExportFormatError, "not_found"),
    ],
)
def test_worded_refusal_keeps_its_message_and_field(cls: type[DashboardError], code: str) -> None:
    error = cls("day must be YYYY-MM-DD", "day")

    assert (error.code, error.message, error.field, str(error)) == (
        code,
        "day must be YYYY-MM-DD",
        "day",
        "day must be YYYY-MM-DD",
    )


def test_base_refusal_code_is_invalid() -> None:
    assert DashboardError("x").code == "invalid"
