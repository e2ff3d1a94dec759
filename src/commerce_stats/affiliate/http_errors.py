"""How each affiliate surface answers a refusal: one table of statuses per surface.

- The tracking URLs and the Transaktions-API answer plain text (the seed's
  clients expect the body ``NO PERMISSION`` for a wrong token).
- The order uploads answer JSON listing every invalid row, except a wrong
  login, which answers the seed's plain ``NO PERMISSION`` too.
- The admin API answers the admin surface's JSON error object.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from commerce_stats.affiliate.errors import (
    AffiliateError,
    ForbiddenTransitionError,
    InvalidFieldError,
    InvalidFilterError,
    InvalidManualAmountError,
    InvalidParameterError,
    InvalidPeriodError,
    InvalidTurnoverError,
    InvalidUploadBodyError,
    InvalidUploadRequestError,
    ItemNotFoundError,
    MalformedJsonError,
    ManualPublisherNotAMemberError,
    ManualStatisticNotFoundError,
    NegativeCountError,
    NoPermissionError,
    NotAMemberError,
    NoTrackedClickError,
    RefusedRowsError,
    ShuttingDownError,
    TooManyAttemptsError,
    TransactionFinalError,
    UnknownAdmediaError,
    UnknownCampaignError,
    UnknownCollectionError,
    UnknownCommissionTriggerError,
    UnknownExportLinkError,
    UnknownManualReferenceError,
    UnknownProjectError,
    UnknownPublisherError,
    UnknownReportError,
    UploadTooLargeError,
    WrongCurrencyError,
)
from commerce_stats.affiliate.schemas import upload_errors
from commerce_stats.kit.errors import AdminError
from commerce_stats.kit.web import first_error_location

INTERNAL_ERROR = "internal error"
P = ParamSpec("P")
R = TypeVar("R")

PLAIN_STATUS: dict[type[AffiliateError], int] = {
    NoPermissionError: 403,
    TooManyAttemptsError: 429,
    InvalidParameterError: 400,
    InvalidFilterError: 400,
    WrongCurrencyError: 400,
    InvalidTurnoverError: 400,
    UnknownCampaignError: 404,
    UnknownPublisherError: 404,
    UnknownProjectError: 404,
    NotAMemberError: 404,
    UnknownAdmediaError: 404,
    NoTrackedClickError: 404,
    UnknownCommissionTriggerError: 404,
    UnknownReportError: 404,
    UnknownExportLinkError: 404,
    ShuttingDownError: 503,
    InvalidUploadRequestError: 400,
    UploadTooLargeError: 413,
}
"""The tracking URLs' and the exports' statuses (plain-text bodies)."""

UPLOAD_STATUS: dict[type[AffiliateError], int] = {
    TooManyAttemptsError: 429,
    InvalidUploadRequestError: 400,
    MalformedJsonError: 400,
    UploadTooLargeError: 413,
    InvalidUploadBodyError: 422,
    RefusedRowsError: 422,
}
"""The uploads' statuses (JSON bodies); ``NoPermissionError`` is answered as plain text."""

ADMIN_STATUS: dict[type[AffiliateError], tuple[int, str]] = {
    ItemNotFoundError: (404, "not_found"),
    UnknownCollectionError: (404, "not_found"),
    InvalidFieldError: (422, "invalid_field"),
    ForbiddenTransitionError: (409, "conflict"),
    TransactionFinalError: (409, "conflict"),
    ManualStatisticNotFoundError: (404, "not_found"),
    UnknownManualReferenceError: (422, "invalid_field"),
    ManualPublisherNotAMemberError: (422, "invalid_field"),
    InvalidManualAmountError: (422, "invalid_field"),
    NegativeCountError: (422, "invalid_field"),
    InvalidPeriodError: (422, "invalid_field"),
}
"""The admin API's (status, code) per refusal."""


def _retry_after(error: AffiliateError) -> dict[str, str]:
    if isinstance(error, TooManyAttemptsError):
        return {"Retry-After": str(error.retry_after)}
    return {}


def _plain(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message, status_code=status, headers=headers)


def render_plain(error: AffiliateError) -> Response:
    """A refusal of a tracking URL or an export, as plain text."""
    status = PLAIN_STATUS.get(type(error))
    if status is None:
        return _plain(INTERNAL_ERROR, 500)
    return _plain(error.message, status, _retry_after(error))


def render_upload(error: AffiliateError) -> Response:
    """A refusal of an order upload, as the uploads' JSON envelope."""
    if isinstance(error, NoPermissionError):
        return _plain(error.message, 403)
    status = UPLOAD_STATUS.get(type(error))
    if status is None:
        return _plain(INTERNAL_ERROR, 500)
    rows = error.rows if isinstance(error, RefusedRowsError) else []
    return JSONResponse(
        upload_errors(error.message, rows), status_code=status, headers=_retry_after(error)
    )


def as_admin_error(error: AffiliateError) -> AdminError:
    """A refusal of the admin model or lifecycle as the admin surface's error."""
    status, code = ADMIN_STATUS.get(type(error), (500, "internal_error"))
    if status == 500:
        return AdminError(INTERNAL_ERROR, status=status, code=code)
    field = error.field if isinstance(error, InvalidFieldError) else None
    if isinstance(error, ForbiddenTransitionError):
        field = "status"
    return AdminError(error.message, status=status, code=code, field=field)


def admin_refusals(endpoint: Callable[P, R]) -> Callable[P, R]:
    """Marks an affiliate admin route: its refusals leave in the admin surface's envelope."""

    @functools.wraps(endpoint)
    def translated(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return endpoint(*args, **kwargs)
        except AffiliateError as error:
            raise as_admin_error(error) from error

    return translated


def from_validation(exc: RequestValidationError) -> AffiliateError:
    field, message = first_error_location(exc)
    return InvalidUploadRequestError(f"{field}: {message}")


class InternalError(AffiliateError):
    """What an unexpected failure is answered as (its details go to the log only)."""

    def __init__(self) -> None:
        super().__init__(INTERNAL_ERROR)


def internal() -> AffiliateError:
    return InternalError()


def too_large(limit: int) -> AffiliateError:
    return UploadTooLargeError(limit)
