"""The ``/prod`` surface's answer to each refusal: one table from failure to HTTP status,
and the seed API's envelope ``{"status": "error", "message": ..., "errors": [...]}``."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from commerce_stats.kit.errors import (
    ForbiddenError,
    InternalError,
    ServiceError,
    TooLargeError,
    TooManyAttemptsError,
    UnauthorizedError,
    UnavailableError,
    status_by_kind,
)
from commerce_stats.video.errors import InvalidParameterError, RejectedEventsError, VideoError

STATUS_BY_ERROR: dict[type[ServiceError], int] = {
    InvalidParameterError: 400,
    UnauthorizedError: 401,
    ForbiddenError: 403,
    TooLargeError: 413,
    RejectedEventsError: 422,
    TooManyAttemptsError: 429,
    InternalError: 500,
    UnavailableError: 503,
}
"""Listed by kind (a ``VideoError`` of no listed kind keeps the 400 it carries)."""


def video_status(error: VideoError) -> int:
    return status_by_kind(error, STATUS_BY_ERROR)


def render_video_error(error: VideoError) -> Response:
    body: dict[str, Any] = {"status": "error", "message": error.message}
    if error.problems:
        body["errors"] = [{"index": index, "reason": reason} for index, reason in error.problems]
    headers = {"Access-Control-Allow-Origin": "*"}
    if isinstance(error, TooManyAttemptsError):
        headers["Retry-After"] = str(error.retry_after)
    return Response(
        orjson.dumps(body),
        status_code=video_status(error),
        media_type="application/json",
        headers=headers,
    )
