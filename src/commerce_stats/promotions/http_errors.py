"""How the promotions surface answers each refusal: one table from error class to status.

The envelope is always ``{"errors": [{"error": <code>, "message": <text>}, ...]}``;
a 401 also carries ``WWW-Authenticate: Bearer`` and a ``TooManyAttemptsError`` its
``Retry-After``.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Response
from fastapi.exceptions import RequestValidationError

from commerce_stats.kit.web import is_json_decode_error
from commerce_stats.promotions import errors, schemas

STATUS_OF: dict[type[errors.PromotionsError], int] = {
    errors.InvalidContentTypeError: 400,
    errors.InvalidJsonError: 400,
    errors.InvalidFieldsError: 400,
    errors.NoPromotionsAccessError: 400,
    errors.InvalidCredentialsError: 401,
    errors.TokenInvalidError: 401,
    errors.TokenMissingError: 401,
    errors.TokenExpiredError: 401,
    errors.PromotionNotFoundError: 404,
    errors.OrderNotFoundError: 404,
    errors.OrderConflictError: 409,
    errors.BodyTooLargeError: 413,
    errors.CodeNotValidError: 422,
    errors.CodeAlreadyUsedError: 422,
    errors.TooManyAttemptsError: 429,
    errors.InternalError: 500,
}
"""The status of every refusal; a class missing here is a programming error (tested)."""

UNAUTHORIZED = 401


def _documented(description: str) -> dict[str, Any]:
    return {"model": schemas.ErrorsEnvelope, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented("110 / 111 / 11000 / 11010 (several may come together)"),
    401: _documented("1007 token invalid, 1008 token missing, 1009 token expired"),
    404: _documented("11200 promotion not found / 11404 order not found"),
    409: _documented("11400 the order_id is known with a different body"),
    422: _documented("11300 unknown, deleted or already used promotion code"),
    413: _documented("11413 the request body is larger than the route's limit"),
    429: _documented("1010 too many failed logins or unknown tokens (Retry-After)"),
    500: _documented("Internal Server Error"),
}
"""The OpenAPI description of the refusals above, by status."""


def status_of(error: errors.PromotionsError) -> int:
    return STATUS_OF[type(error)]


def headers_of(error: errors.PromotionsError) -> dict[str, str]:
    headers: dict[str, str] = {}
    if status_of(error) == UNAUTHORIZED:
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, errors.TooManyAttemptsError):
        headers["Retry-After"] = str(error.retry_after)
    return headers


def render(error: errors.PromotionsError) -> Response:
    """The refusal in the surface's envelope, with its status and headers."""
    return Response(
        content=orjson.dumps(schemas.errors_body(error.entries)),
        status_code=status_of(error),
        media_type="application/json",
        headers=headers_of(error),
    )


def from_validation(exc: RequestValidationError) -> errors.PromotionsError:
    """Path and query parameters FastAPI refused: 11010 per parameter (110 for a bad body)."""
    if is_json_decode_error(exc):
        return errors.InvalidJsonError()
    names = [str(part) for error in exc.errors() for part in error.get("loc", ())[-1:]]
    return errors.InvalidFieldsError(names or ["body"])
