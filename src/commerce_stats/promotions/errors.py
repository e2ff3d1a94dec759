"""Why the promotions API refuses a request: one exception class per failure.

Each class knows its wire entries (``{"error": code, "message": text}``, seed 003)
and nothing of HTTP: the status and headers each one is answered with are chosen
in one table next to the routes (``http_errors.py``).
"""

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
    """A refusal of the promotions API, carrying every error entry to report.

    Only its subclasses are raised; the renderer answers each subclass with the
    status its table names (the inherited ``status`` attribute is not read).
    """

    def __init__(self, entries: Sequence[tuple[int, str]]) -> None:
        super().__init__(entries[0][1], code=str(entries[0][0]))
        self.entries = list(entries)


class InvalidContentTypeError(PromotionsError):
    """The body is not declared ``application/json``."""

    def __init__(self) -> None:
        super().__init__([(INVALID_CONTENT_TYPE, "Invalid data format (Content-type).")])


class InvalidJsonError(PromotionsError):
    """The body is not a JSON object."""

    def __init__(self) -> None:
        super().__init__([(INVALID_JSON, "JSON is not valid.")])


class InvalidFieldsError(PromotionsError):
    """One 11010 entry per invalid field, each named once, in the order given."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(dict.fromkeys(names))
        super().__init__([(INVALID_FIELD, f"Invalid field value: {name}") for name in self.names])


class NoPromotionsAccessError(PromotionsError):
    """The account does not have the promotions feature."""

    def __init__(self) -> None:
        super().__init__(
            [
                (
                    NO_PROMOTIONS_ACCESS,
                    "No access to promotion management. Please contact technical support.",
                )
            ]
        )


class PromotionNotFoundError(PromotionsError):
    """No live promotion of the account has this id."""

    def __init__(self, promotion_id: int) -> None:
        self.promotion_id = promotion_id
        super().__init__([(PROMOTION_NOT_FOUND, f"Promotion not found: {promotion_id}")])


class InvalidCredentialsError(PromotionsError):
    """Unknown username, or a password that does not match it."""

    def __init__(self) -> None:
        super().__init__([(INVALID_CREDENTIALS, "Invalid credentials.")])


class TooManyAttemptsError(PromotionsError):
    """Too many failed logins or unknown tokens; a new attempt is heard after ``retry_after`` s."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            [
                (
                    TOO_MANY_ATTEMPTS,
                    f"Too many failed attempts. Try again in {retry_after} seconds.",
                )
            ]
        )


class TokenInvalidError(PromotionsError):
    """A malformed, unknown or revoked token."""

    def __init__(self) -> None:
        super().__init__([(TOKEN_INVALID, "Your token is invalid.")])


class TokenMissingError(PromotionsError):
    """No token was sent."""

    def __init__(self) -> None:
        super().__init__([(TOKEN_MISSING, "Missing token.")])


class TokenExpiredError(PromotionsError):
    """A known token past its lifetime."""

    def __init__(self) -> None:
        super().__init__([(TOKEN_EXPIRED, "Your token is expired.")])


class CodeNotValidError(PromotionsError):
    """An order carries a code no live promotion of the account has."""

    def __init__(self, code: str) -> None:
        self.code_value = code
        super().__init__([(CODE_NOT_VALID, f"Promotion code not valid: {code}")])


class CodeAlreadyUsedError(PromotionsError):
    """An order carries a one-time code another order has redeemed."""

    def __init__(self, code: str) -> None:
        self.code_value = code
        super().__init__([(CODE_NOT_VALID, f"Promotion code already used: {code}")])


class OrderConflictError(PromotionsError):
    """The order id is known with a different body."""

    def __init__(self, order_id: str) -> None:
        self.order_id = order_id
        super().__init__(
            [(ORDER_CONFLICT, f"Order already exists with a different body: {order_id}")]
        )


class OrderNotFoundError(PromotionsError):
    """The account has no order with this id."""

    def __init__(self, order_id: str) -> None:
        self.order_id = order_id
        super().__init__([(ORDER_NOT_FOUND, f"Order not found: {order_id}")])


class BodyTooLargeError(PromotionsError):
    """The request body passed the route's limit of ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__([(BODY_TOO_LARGE, f"Request body is larger than {limit} bytes.")])


class InternalError(PromotionsError):
    """An unexpected failure; its cause is logged, never sent."""

    def __init__(self) -> None:
        super().__init__(
            [(INTERNAL, "Internal Server Error. Please try again later or contact support.")]
        )
