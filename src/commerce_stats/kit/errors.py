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
