"""Why a video request is refused: one class per failure, no HTTP status in sight.

Failures of the ``/prod`` surface derive from ``VideoError``; those of the video catalog's
admin routes from ``AdminError``. Each also derives from the kind of failure it is
(``kit.errors``); ``http_errors.py`` beside the routes maps classes and kinds to statuses.
"""

from __future__ import annotations

from commerce_stats.kit.errors import (
    AdminError,
    ForbiddenError,
    InternalError,
    InvalidFieldError,
    NotFoundError,
    ServiceError,
    TooLargeError,
    TooManyAttemptsError,
    UnauthorizedError,
    UnavailableError,
)


class VideoError(ServiceError):
    """A refused ``/prod`` request, answered ``{"status": "error", "message": ...}``.

    ``problems`` lists (index, reason) of each rejected event of an ingest batch.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid_request",
        field: str | None = None,
        problems: list[tuple[int, str]] | None = None,
    ) -> None:
        super().__init__(message, code=code, field=field)
        self.problems = problems or []


class InvalidParameterError(VideoError):
    """A query parameter or the body is missing or malformed."""


class MissingIngestKeyError(VideoError, UnauthorizedError):
    """An ingest request names no ingest key."""

    def __init__(self) -> None:
        super().__init__("missing ingest key (X-Ingest-Key header or ingest_key)")


class UnknownVideoKeyError(VideoError, UnauthorizedError):
    """An ingest key or organization key that names no account."""


class NoVideoFeatureError(VideoError, ForbiddenError):
    """The key's account has no video ecommerce add-on."""

    def __init__(self) -> None:
        super().__init__("the organization has no video ecommerce add-on")


class VideoTooLargeError(VideoError, TooLargeError):
    """Too many events, or a body over the surface's limit."""


class RejectedEventsError(VideoError):
    """Some events of a batch are invalid; none of the batch was counted."""

    def __init__(self, message: str, problems: list[tuple[int, str]]) -> None:
        super().__init__(message, code="invalid_events", problems=problems)


class VideoAttemptsError(VideoError, TooManyAttemptsError):
    """Too many failed key attempts from this client; ``retry_after`` seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many failed attempts; retry later", code="too_many_attempts")
        self.retry_after = retry_after


class NotStoredError(VideoError, UnavailableError):
    """The events could not be committed; nothing was counted."""

    def __init__(self) -> None:
        super().__init__(
            "events could not be stored; nothing was counted, retry later", code="unavailable"
        )


class VideoInternalError(VideoError, InternalError):
    """An unexpected failure of a ``/prod`` request."""

    def __init__(self) -> None:
        super().__init__("internal error", code="internal_error")


# -- the video catalog's admin routes ----------------------------------------------------------


class CatalogNotFoundError(AdminError, NotFoundError):
    """A video or ecommerce item that the account's catalog does not have."""

    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"{what} {key} not found", code="not_found")


class CatalogFieldError(AdminError, InvalidFieldError):
    """A catalog field (or a line of a bulk body) has a value the rules refuse."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, code="invalid_field", field=field)


class CatalogTooLargeError(AdminError, TooLargeError):
    """A bulk catalog body over its size or line limit."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="too_large")


class ShardUnavailableError(Exception):
    """A ClickHouse shard holding video counters did not answer (``shard`` is 1-based).

    Ingest refuses new events while it lasts; what was acknowledged waits in the outbox.
    """

    def __init__(self, shard: int) -> None:
        super().__init__(f"ClickHouse shard {shard} is unavailable")
        self.shard = shard
