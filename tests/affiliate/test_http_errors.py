"""Each affiliate surface renders a refusal in its own envelope, with the status of its table."""

from __future__ import annotations

import json

from commerce_stats.affiliate.errors import (
    AffiliateError,
    ForbiddenTransitionError,
    InvalidFieldError,
    ItemNotFoundError,
    NoPermissionError,
    RefusedRowsError,
    RowError,
    TooManyAttemptsError,
    TransactionFinalError,
    UnknownCampaignError,
)
from commerce_stats.affiliate.http_errors import as_admin_error, render_plain, render_upload
from commerce_stats.affiliate.rules import CANCELED, OPEN, PAID


def test_plain_surface_answers_no_permission_as_403_text() -> None:
    response = render_plain(NoPermissionError())
    assert (response.status_code, response.body) == (403, b"NO PERMISSION")
    assert response.headers["content-type"].startswith("text/plain")


def test_plain_surface_answers_too_many_attempts_429_with_retry_after() -> None:
    response = render_plain(TooManyAttemptsError(42))
    assert (response.status_code, response.headers["retry-after"]) == (429, "42")


def test_plain_surface_answers_unknown_campaign_404() -> None:
    response = render_plain(UnknownCampaignError())
    assert (response.status_code, response.body) == (404, b"unknown campaign")


def test_plain_surface_answers_an_unlisted_refusal_as_internal_error() -> None:
    response = render_plain(AffiliateError("a detail no client should see"))
    assert (response.status_code, response.body) == (500, b"internal error")


def test_upload_surface_lists_refused_rows_as_json_422() -> None:
    error = RefusedRowsError("1 problem(s)", [RowError(2, "price", "not a number: 'x'")])
    response = render_upload(error)
    assert response.status_code == 422
    assert json.loads(bytes(response.body)) == {
        "status": "error",
        "message": "1 problem(s)",
        "errors": [{"row": 2, "column": "price", "reason": "not a number: 'x'"}],
    }


def test_upload_surface_answers_too_many_attempts_as_json_with_retry_after() -> None:
    response = render_upload(TooManyAttemptsError(7))
    assert (response.status_code, response.headers["retry-after"]) == (429, "7")
    assert json.loads(bytes(response.body))["message"] == "too many failed attempts; retry later"


def test_upload_surface_answers_no_permission_as_the_seeds_plain_text() -> None:
    response = render_upload(NoPermissionError())
    assert (response.status_code, response.body) == (403, b"NO PERMISSION")


def test_admin_surface_maps_a_missing_item_to_404_not_found() -> None:
    error = as_admin_error(ItemNotFoundError("campaign", 9))
    assert (error.status, error.code, error.message) == (404, "not_found", "campaign 9 not found")


def test_admin_surface_names_the_field_of_an_invalid_value() -> None:
    error = as_admin_error(InvalidFieldError("currency", "currency must be ..."))
    assert (error.status, error.code, error.field) == (422, "invalid_field", "currency")


def test_admin_surface_answers_a_forbidden_transition_409_on_status() -> None:
    error = as_admin_error(ForbiddenTransitionError(PAID, OPEN, "paid transactions are final"))
    assert (error.status, error.code, error.field) == (409, "conflict", "status")


def test_admin_surface_answers_a_final_transaction_409_without_field() -> None:
    error = as_admin_error(TransactionFinalError(CANCELED, "canceled transactions are final"))
    assert (error.status, error.code, error.field) == (409, "conflict", None)
