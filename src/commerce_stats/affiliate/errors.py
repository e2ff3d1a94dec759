"""The affiliate surfaces' refusals.

The tracking URLs and the Transaktions-API answer errors as plain text (the
seed's clients expect the body ``NO PERMISSION`` for a wrong token); the order
uploads answer JSON listing every invalid row.
"""

from __future__ import annotations

from dataclasses import dataclass

from commerce_stats.kit.errors import ServiceError
from commerce_stats.kit.ratelimit import Verdict

NO_PERMISSION = "NO PERMISSION"


class AffiliateError(ServiceError):
    """A refusal of a tracking or export URL; its message is the plain-text body."""


def no_permission() -> AffiliateError:
    return AffiliateError(NO_PERMISSION, status=403, code="no_permission")


@dataclass(frozen=True, slots=True)
class RowError:
    """One reason why a row of an upload cannot be applied (rows count from 1 = header)."""

    row: int
    column: str
    reason: str


class UploadError(AffiliateError):
    """A refused order upload (answered as JSON); ``rows`` lists every invalid row."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        code: str = "invalid_request",
        rows: list[RowError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, headers=headers)
        self.rows = rows or []


TOO_MANY_ATTEMPTS = "too many failed attempts; retry later"


def refuse_if_limited(verdict: Verdict, *, upload: bool) -> None:
    """429 with ``Retry-After`` when the throttle refused the attempt; an upload answers
    in its JSON envelope, an export in plain text."""
    if verdict.allowed:
        return
    headers = {"Retry-After": str(verdict.retry_after)}
    if upload:
        raise UploadError(TOO_MANY_ATTEMPTS, status=429, code="too_many_attempts", headers=headers)
    raise AffiliateError(TOO_MANY_ATTEMPTS, status=429, code="too_many_attempts", headers=headers)
