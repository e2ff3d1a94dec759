"""The admin surface's HTTP plumbing: bearer-token check and the error envelope.

Every domain mounts its admin routes (``/admin/v1/...``) with ``admin_router``
so they share one authentication rule and one error shape:
``{"error": {"code": ..., "message": ..., "field": ...}}``.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from commerce_stats.kit.errors import (
    AdminError,
    ConflictError,
    ForbiddenError,
    InternalError,
    InvalidFieldError,
    NotFoundError,
    ServiceError,
    TooLargeError,
    TooManyAttemptsError,
    UnauthorizedError,
    UnavailableError,
    status_by_kind,
)
from commerce_stats.kit.keys import digests_equal, hash_secret
from commerce_stats.kit.tenancy import MAX_ID
from commerce_stats.kit.throttle import Surface, Throttle
from commerce_stats.kit.web import (
    MIB,
    bearer_token,
    client_address,
    first_error_location,
    is_json_decode_error,
    size_text,
    surface_route_class,
)

AccountId = Annotated[int, Path(ge=1, le=MAX_ID, description="The account's id.")]
"""An account id in an admin path: bounded so it always fits the database's integer."""

ADMIN_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed request"},
    401: {"description": "Missing or wrong admin token"},
    429: {"description": "Too many failed attempts from this address"},
    404: {"description": "Unknown resource"},
    413: {"description": "The body is larger than the route's limit"},
    422: {"description": "A field has an invalid value"},
}

DEFAULT_BODY_LIMIT = 1 * MIB
"""Largest body of an admin route that declares none (its JSON describes one object)."""


ADMIN_STATUS_BY_ERROR: dict[type[ServiceError], int] = {
    UnauthorizedError: 401,
    ForbiddenError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    TooLargeError: 413,
    InvalidFieldError: 422,
    TooManyAttemptsError: 429,
    InternalError: 500,
    UnavailableError: 503,
}
"""The admin API's status of each kind of failure (errors that carry their own status keep it)."""


def render_admin_error(error: AdminError) -> JSONResponse:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.field is not None:
        body["field"] = error.field
    status = status_by_kind(error, ADMIN_STATUS_BY_ERROR)
    headers = dict(error.headers)
    if isinstance(error, TooManyAttemptsError):
        headers["Retry-After"] = str(error.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _from_validation(exc: RequestValidationError) -> AdminError:
    field, message = first_error_location(exc)
    if is_json_decode_error(exc):
        return AdminError(f"request body is not valid JSON: {message}", code="malformed_json")
    return AdminError(f"{field}: {message}", status=422, code="invalid_field", field=field)


def _internal() -> AdminError:
    return AdminError("internal error", status=500, code="internal_error")


def _too_large(limit: int) -> AdminError:
    return AdminError(f"body is larger than {size_text(limit)}", status=413, code="too_large")


async def _admin_before_body(request: Request) -> None:
    require_admin(request, request.headers.get("authorization"))


def admin_token_matches(expected: str | None, given: str) -> bool:
    """Constant-time check of an admin token against the configured one (None: no admin)."""
    return expected is not None and digests_equal(hash_secret(given), hash_secret(expected))


def require_admin(request: Request, authorization: str | None) -> None:
    """Refuses the request unless it carries the configured admin token.

    Wrong tokens are counted per client address; past the limit every attempt
    from that address is answered 429 until the window ends.
    """
    runtime = request.app.state.runtime
    expected: str | None = runtime.settings.admin_token
    given = bearer_token(authorization)
    if expected is None or given is None:
        raise AdminError("admin token required", status=401, code="unauthorized")
    throttle, client = Throttle(runtime.failures), client_address(request)
    verdict = throttle.check(Surface.ADMIN, client=client)
    if not verdict.allowed:
        raise AdminError(
            "too many failed attempts; retry later",
            status=429,
            code="too_many_attempts",
            headers={"Retry-After": str(verdict.retry_after)},
        )
    if not admin_token_matches(expected, given):
        throttle.record_failure(Surface.ADMIN, client=client)
        raise AdminError("admin token is not valid", status=401, code="unauthorized")


AdminRoute = surface_route_class(
    AdminError,
    render_admin_error,
    _from_validation,
    _internal,
    too_large=_too_large,
    default_body_limit=DEFAULT_BODY_LIMIT,
    before_body=_admin_before_body,
)
"""Admin routes: the token is checked (by ``require_admin``) before any body is read."""


def _documents_admin_header(authorization: Annotated[str | None, Header()] = None) -> None:
    """Puts the ``Authorization`` header into the OpenAPI of every admin route; the header
    itself is checked by ``AdminRoute`` before the body is read, not here."""


def admin_router(tags: list[str | Enum]) -> APIRouter:
    """A router for ``/admin/v1`` routes: admin token required, admin error envelope."""
    return APIRouter(
        prefix="/admin/v1",
        tags=tags,
        route_class=AdminRoute,
        dependencies=[Depends(_documents_admin_header)],
        responses=ADMIN_ERROR_RESPONSES,
    )
