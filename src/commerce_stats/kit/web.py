"""HTTP plumbing shared by the surfaces: one route class per wire envelope.

Each seed API answers errors in its own shape. A surface builds its router with
``surface_route_class`` so that its own ``ServiceError`` subtype, FastAPI's
request-validation errors and unexpected crashes all leave through the same
renderer, and no error of one surface can be rendered in another's envelope.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from commerce_stats.kit.errors import ServiceError
from commerce_stats.kit.redaction import redact_target

log = logging.getLogger("commerce_stats")

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
E = TypeVar("E", bound=ServiceError)


def surface_route_class(
    error_type: type[E],
    render: Callable[[E], Response],
    from_validation: Callable[[RequestValidationError], E],
    internal_error: Callable[[], E],
) -> type[APIRoute]:
    """A route class whose handlers answer every failure in the surface's envelope."""

    class SurfaceRoute(APIRoute):
        def get_route_handler(self) -> Handler:
            handler = super().get_route_handler()

            async def guarded(request: Request) -> Response:
                try:
                    return await handler(request)
                except error_type as exc:
                    return render(exc)
                except RequestValidationError as exc:
                    return render(from_validation(exc))
                except HTTPException as exc:
                    if exc.status_code != 400:
                        raise
                    return render(from_validation(unparsable_body(str(exc.detail))))
                except Exception:
                    path = redact_target(request.url.path)
                    log.exception("unhandled error on %s %s", request.method, path)
                    return render(internal_error())

            return guarded

    return SurfaceRoute


async def read_capped_body(
    request: Request, limit: int, too_large: Callable[[], Exception]
) -> bytes:
    """The request body, refused with ``too_large()`` as soon as it passes ``limit`` bytes
    (by its Content-Length, or while it streams): a too large body is never buffered whole."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def unparsable_body(detail: str) -> RequestValidationError:
    """The validation error for a body that could not even be decoded (bad UTF-8)."""
    return RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": detail}])


def first_error_location(exc: RequestValidationError) -> tuple[str, str]:
    """(field path, message) of the first validation error, field path dotted."""
    errors = exc.errors()
    if not errors:
        return "", "invalid request"
    first = errors[0]
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
    return ".".join(location), str(first.get("msg", "invalid value"))


def is_json_decode_error(exc: RequestValidationError) -> bool:
    return any(error.get("type") == "json_invalid" for error in exc.errors())


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def client_address(request: Request) -> str:
    """The peer's address as the server sees it (proxies are not trusted)."""
    return request.client.host if request.client else "unknown"
