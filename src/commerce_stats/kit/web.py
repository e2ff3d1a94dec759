"""HTTP plumbing shared by the surfaces: one route class per wire envelope.

Each seed API answers errors in its own shape. A surface builds its router with
``surface_route_class`` so that its own error type, FastAPI's
request-validation errors and unexpected crashes all leave through the same
renderer, and no error of one surface can be rendered in another's envelope.

The route class also enforces each route's body limit (``body_limit``, else the
surface's default) and runs the surface's header credential check before anything
can read the body: FastAPI reads a ``Body``/``Form`` parameter before it solves the
route's dependencies, so a dependency alone would check the credential too late.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any, TypeVar

import anyio
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from commerce_stats.kit.exports import ExportStoppedError
from commerce_stats.kit.redaction import redact_target

log = logging.getLogger("commerce_stats")

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
E = TypeVar("E", bound=Exception)
F = TypeVar("F", bound=Callable[..., Any])

KIB = 1024
MIB = 1024 * KIB
BODY_LIMIT_ATTRIBUTE = "__commerce_stats_body_limit__"

BodyLimit = int | Callable[[Request], int]
"""A route's largest accepted body in bytes, fixed or read from the request's settings."""


class BodyTooLarge(HTTPException):
    """The body passed its route's limit (by its Content-Length, or while it streamed).

    An ``HTTPException`` so that FastAPI's body parsing lets it through unchanged
    (it turns any other exception raised while reading into a 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"body is larger than {limit} bytes")
        self.limit = limit


def body_limit(limit: BodyLimit) -> Callable[[F], F]:
    """Declares the largest body a route accepts (put it under the route decorator)."""

    def declare(endpoint: F) -> F:
        setattr(endpoint, BODY_LIMIT_ATTRIBUTE, limit)
        return endpoint

    return declare


def declared_body_limit(endpoint: Callable[..., Any], default: BodyLimit) -> BodyLimit:
    """The limit declared on ``endpoint`` with ``body_limit``, else ``default``."""
    limit: BodyLimit = getattr(endpoint, BODY_LIMIT_ATTRIBUTE, default)
    return limit


def resolved_limit(limit: BodyLimit, request: Request) -> int:
    return limit(request) if callable(limit) else limit


def size_text(size: int) -> str:
    """A byte count as people read it in a limit's message: ``5 MB``, ``64 KB``, ``1000 bytes``
    (binary units, as every limit here is a multiple of 1024)."""
    if size >= MIB and size % MIB == 0:
        return f"{size // MIB} MB"
    if size >= KIB and size % KIB == 0:
        return f"{size // KIB} KB"
    return f"{size} bytes"


def cap_body(request: Request, limit: int) -> None:
    """From now on, reading ``request``'s body raises ``BodyTooLarge`` at the first read when
    its declared Content-Length passes ``limit``, else as soon as the bytes received do.

    Nothing is read here: a handler that refuses the request before reading its body
    answers without pulling a byte of it, whatever length the client declared.
    """
    declared = request.headers.get("content-length", "")
    declared_size = int(declared) if declared.isdigit() else None
    receive = request.receive
    received = 0

    async def capped_receive() -> Message:
        nonlocal received
        if declared_size is not None and declared_size > limit:
            raise BodyTooLarge(limit)
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
        return message

    # Starlette reads the body through this attribute; it has no public way to replace it.
    request._receive = capped_receive


def closing(response: Response) -> Response:
    """``response`` with ``Connection: close``: for an answer given while the body is still
    arriving, so that the server closes the connection instead of reading the rest of the
    body to keep it alive."""
    response.headers["Connection"] = "close"
    return response


def surface_route_class(
    error_type: type[E],
    render: Callable[[E], Response],
    from_validation: Callable[[RequestValidationError], E],
    internal_error: Callable[[], E],
    *,
    too_large: Callable[[int], E],
    default_body_limit: BodyLimit,
    before_body: Callable[[Request], Awaitable[None]] | None = None,
) -> type[APIRoute]:
    """A route class whose handlers answer every failure in the surface's envelope.

    Every route's body is capped at its ``body_limit`` (else ``default_body_limit``); a
    body over it is answered ``too_large(limit)``. ``before_body`` is the surface's
    check of the credentials its requests carry in headers or the query: it runs before
    FastAPI parses any body parameter.
    """

    class SurfaceRoute(APIRoute):
        def get_route_handler(self) -> Handler:
            handler = super().get_route_handler()
            endpoint = self.endpoint

            async def guarded(request: Request) -> Response:
                try:
                    if before_body is not None:
                        await before_body(request)
                    limit = declared_body_limit(endpoint, default_body_limit)
                    cap_body(request, resolved_limit(limit, request))
                    return await handler(request)
                except error_type as exc:
                    return render(exc)
                except BodyTooLarge as exc:
                    return closing(render(too_large(exc.limit)))
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
    cap_body(request, limit)
    try:
        return await request.body()
    except BodyTooLarge:
        raise too_large() from None


class StoppableStreamingResponse(StreamingResponse):
    """A streamed answer whose blocking body is stopped and closed when the client goes away.

    Starlette runs a blocking iterator one step at a time in the thread pool; when the client
    disconnects it stops asking for steps, but the step under way runs to its end and the
    iterator is never closed, so a large export kept reading rows and kept its temporary file
    open. Here a disconnect sets ``stopped`` (which the producer checks, see
    ``kit.exports.stop_when``), and the iterator is closed in every case once streaming ends.
    """

    def __init__(
        self,
        content: Iterator[bytes],
        stopped: threading.Event,
        media_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(content, media_type=media_type, headers=headers)
        self.blocking_body = content
        self.stopped = stopped

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(self._stop_on_disconnect, receive, group.cancel_scope)
                # The client went away while a chunk was sent, or the export was stopped
                # for it: nobody is left to answer.
                with contextlib.suppress(OSError, ExportStoppedError):
                    await self.stream_response(send)
                group.cancel_scope.cancel()
        finally:
            self.stopped.set()
            close = getattr(self.blocking_body, "close", None)
            if close is not None:
                await run_in_threadpool(close)

    async def _stop_on_disconnect(self, receive: Receive, scope: anyio.CancelScope) -> None:
        while (await receive())["type"] != "http.disconnect":
            continue
        self.stopped.set()
        scope.cancel()


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
