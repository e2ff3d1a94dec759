"""The admin API's envelope and its table from kind of failure to status."""

from __future__ import annotations

import json

import pytest

from commerce_stats.accounts.errors import (
    AccountFieldError,
    AccountNotFoundError,
    AccountVanishedError,
    UsernameTakenError,
)
from commerce_stats.kit.admin_http import render_admin_error
from commerce_stats.kit.errors import AdminError, TooManyAttemptsError, UnauthorizedError


class _AttemptsError(AdminError, TooManyAttemptsError):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many failed attempts; retry later", code="too_many_attempts")
        self.retry_after = retry_after


class _UnauthorizedError(AdminError, UnauthorizedError):
    pass


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (AccountFieldError("name must not be empty", "name"), 422),
        (AccountNotFoundError(7), 404),
        (UsernameTakenError("acme"), 409),
        (AccountVanishedError(), 409),
        (AdminError("carries its own", status=418), 418),
    ],
)
def test_each_failure_has_its_status(error: AdminError, status: int) -> None:
    assert render_admin_error(error).status_code == status


def test_the_envelope_names_code_message_and_field() -> None:
    response = render_admin_error(UsernameTakenError("acme"))
    assert json.loads(bytes(response.body)) == {
        "error": {"code": "conflict", "message": "username 'acme' is taken", "field": "username"}
    }


def test_too_many_attempts_says_when_to_retry() -> None:
    response = render_admin_error(_AttemptsError(12))
    assert (response.status_code, response.headers["retry-after"]) == (429, "12")


def test_an_unauthorized_answer_names_the_bearer_scheme() -> None:
    response = render_admin_error(_UnauthorizedError("admin token required", code="unauthorized"))
    assert (response.status_code, response.headers["www-authenticate"]) == (401, "Bearer")
