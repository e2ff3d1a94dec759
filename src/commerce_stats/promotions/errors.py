"""The promotions surface's error: one or more ``{"error": code, "message": text}`` entries."""

from __future__ import annotations

from collections.abc import Sequence

from commerce_stats.kit.errors import ServiceError

INVALID_JSON = 110
INVALID_CONTENT_TYPE = 111
NO_PROMOTIONS_ACCESS = 11000
INVALID_FIELD = 11010
PROMOTION_NOT_FOUND = 11200
INVALID_CREDENTIALS = 1001
TOO_MANY_ATTEMPTS = 1010
TOKEN_INVALID = 1007
TOKEN_MISSING = 1008
TOKEN_EXPIRED = 1009
CODE_NOT_VALID = 11300
ORDER_CONFLICT = 11400
ORDER_NOT_FOUND = 11404
BODY_TOO_LARGE = 11413
INTERNAL = 500


class PromotionsError(ServiceError):
    """A refusal of the promotions API, carrying every error entry to report."""

    def __init__(
        self,
        entries: Sequence[tuple[int, str]],
        *,
        status: int = 400,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(entries[0][1], status=status, code=str(entries[0][0]), headers=headers)
        self.entries = list(entries)


def invalid_fields(names: Sequence[str]) -> PromotionsError:
    """400 with one 11010 entry per field name, each named once, in the order given."""
    unique = list(dict.fromkeys(names))
    return PromotionsError([(INVALID_FIELD, f"Invalid field value: {name}") for name in unique])


def token_invalid() -> PromotionsError:
    return PromotionsError([(TOKEN_INVALID, "Your token is invalid.")], status=401)


def token_missing() -> PromotionsError:
    return PromotionsError([(TOKEN_MISSING, "Missing token.")], status=401)


def token_expired() -> PromotionsError:
    return PromotionsError([(TOKEN_EXPIRED, "Your token is expired.")], status=401)


def no_access() -> PromotionsError:
    return PromotionsError(
        [
            (
                NO_PROMOTIONS_ACCESS,
                "No access to promotion management. Please contact technical support.",
            )
        ]
    )


def promotion_not_found(promotion_id: object) -> PromotionsError:
    return PromotionsError(
        [(PROMOTION_NOT_FOUND, f"Promotion not found: {promotion_id}")], status=404
    )
