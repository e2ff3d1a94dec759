"""Accounts refusals: each names its failure, its field and its kind (the admin API's
renderer turns the kind into a status)."""

from __future__ import annotations

from commerce_stats.accounts.errors import (
    AccountFieldError,
    AccountNotFoundError,
    AccountVanishedError,
    UsernameTakenError,
)
from commerce_stats.kit.errors import AdminError, ConflictError, InvalidFieldError, NotFoundError


def test_field_error_names_its_field() -> None:
    error = AccountFieldError("timezone must be an IANA zone name", "timezone")

    assert (error.message, error.code, error.field) == (
        "timezone must be an IANA zone name",
        "invalid_field",
        "timezone",
    )


def test_field_error_is_an_admin_invalid_field() -> None:
    error = AccountFieldError("bad", "name")

    assert isinstance(error, AdminError)
    assert isinstance(error, InvalidFieldError)


def test_not_found_names_the_account() -> None:
    error = AccountNotFoundError(42)

    assert (error.message, error.code, error.account_id) == (
        "account 42 not found",
        "not_found",
        42,
    )
    assert isinstance(error, NotFoundError)


def test_taken_username_is_a_conflict_on_the_username() -> None:
    error = UsernameTakenError("owner")

    assert (error.message, error.code, error.field) == (
        "username 'owner' is taken",
        "conflict",
        "username",
    )
    assert isinstance(error, ConflictError)


def test_vanished_account_is_a_conflict_without_a_field() -> None:
    error = AccountVanishedError()

    assert (error.message, error.code, error.field) == (
        "account vanished during the request",
        "conflict",
        None,
    )
    assert isinstance(error, ConflictError)
