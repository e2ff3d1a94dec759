"""Security headers on every dashboard response: pages, redirects, downloads and static files.

The policy allows only the server's own scripts, styles and images (plotly.js is served
from the package, nothing comes from another origin), no framing, no MIME sniffing, and
no dashboard URL (with its filters) sent to another site. docs/dashboard.md says why each
source is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

PLOTLY_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",
)
"""The two ``<style>`` elements plotly.js (4.1.1, as packaged) adds to the page: an empty
one its own rules are inserted into (through the CSS object model, which the policy does not
restrict), and its map library's fixed stylesheet. Allowing these two contents by hash is
narrower than ``'unsafe-inline'``: no other inline style can apply. Another plotly.js
release may change the second; the browser test reports it as a policy violation."""

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        " ".join(("style-src 'self'", *PLOTLY_STYLE_HASHES)),
        "img-src 'self'",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def with_security_headers(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


class SecuredRoute(APIRoute):
    """A dashboard route: its answer, or the redirect or 422 that FastAPI would render for
    an exception (a dependency's sign-in redirect, a bad form), carries the headers."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def secured(request: Request) -> Response:
            try:
                response = await handler(request)
            except HTTPException as exc:
                response = await http_exception_handler(request, exc)
            except RequestValidationError as exc:
                response = await request_validation_exception_handler(request, exc)
            return with_security_headers(response)

        return secured


class SecuredStaticFiles(StaticFiles):
    """The dashboard's static files, with the same headers as its pages (404 included)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            response = await http_exception_handler(Request(scope), exc)
        return with_security_headers(response)
