"""The error base every surface's own error type derives from.

Services raise these (no HTTP objects involved); each surface's routes render
them into that surface's wire envelope.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A refused request: an HTTP status, a message for people, and the field at fault."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        code: str = "invalid_request",
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.field = field
        self.headers = headers or {}


class AdminError(ServiceError):
    """A refusal of the admin API (``/admin/v1/...``), shared by every domain's admin routes."""


# What went wrong, whatever the surface: each surface's renderer maps these kinds (and its own
# classes) to its status in one table. A domain's error class names the failure and derives
# from its surface's error type and from one of these kinds.


class UnauthorizedError(ServiceError):
    """A credential is missing or names nobody."""


class ForbiddenError(ServiceError):
    """The credential is known but may not do this."""


class NotFoundError(ServiceError):
    """The thing asked for does not exist (in this account)."""


class ConflictError(ServiceError):
    """The request clashes with what is stored (a taken name, a row that vanished)."""


class TooLargeError(ServiceError):
    """The request carries more than the surface accepts."""


class InvalidFieldError(ServiceError):
    """A field of the request has a value the rules refuse."""


class TooManyAttemptsError(ServiceError):
    """Too many failed attempts from this client: try again in ``retry_after`` seconds
    (each concrete class sets it, so the kind mixes with any surface's error type)."""

    retry_after: int = 0


class UnavailableError(ServiceError):
    """The work could not be done now (storage failed); nothing was changed."""


class InternalError(ServiceError):
    """An unexpected failure; its details are logged, never shown."""


def status_by_kind(error: ServiceError, table: dict[type[ServiceError], int]) -> int:
    """The status ``table`` gives the error's nearest class; else the status it carries
    (errors of surfaces that still choose their own)."""
    for kind in type(error).__mro__:
        status = table.get(kind)
        if status is not None:
            return status
    return error.status
