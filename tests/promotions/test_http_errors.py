"""The promotions renderer table (http_errors.py): each refusal → status, envelope, headers."""

from __future__ import annotations

import orjson
import pytest
from fastapi.exceptions import RequestValidationError

from commerce_stats.promotions import errors
from commerce_stats.promotions.http_errors import STATUS_OF, from_validation, render


def _concrete_classes(base: type[errors.PromotionsError]) -> set[type[errors.PromotionsError]]:
    found: set[type[errors.PromotionsError]] = set()
    for subclass in base.__subclasses__():
        found.add(subclass)
        found |= _concrete_classes(subclass)
    return found


def test_every_refusal_class_has_a_status() -> None:
    assert _concrete_classes(errors.PromotionsError) == set(STATUS_OF)


CASES: list[tuple[errors.PromotionsError, int, list[dict[str, object]]]] = [
    (
        errors.InvalidContentTypeError(),
        400,
        [{"error": 111, "message": "Invalid data format (Content-type)."}],
    ),
    (errors.InvalidJsonError(), 400, [{"error": 110, "message": "JSON is not valid."}]),
    (
        errors.InvalidFieldsError(["limit", "offset", "limit"]),
        400,
        [
            {"error": 11010, "message": "Invalid field value: limit"},
            {"error": 11010, "message": "Invalid field value: offset"},
        ],
    ),
    (
        errors.NoPromotionsAccessError(),
        400,
        [
            {
                "error": 11000,
                "message": "No access to promotion management. Please contact technical support.",
            }
        ],
    ),
    (errors.InvalidCredentialsError(), 401, [{"error": 1001, "message": "Invalid credentials."}]),
    (errors.TokenInvalidError(), 401, [{"error": 1007, "message": "Your token is invalid."}]),
    (errors.TokenMissingError(), 401, [{"error": 1008, "message": "Missing token."}]),
    (errors.TokenExpiredError(), 401, [{"error": 1009, "message": "Your token is expired."}]),
    (
        errors.PromotionNotFoundError(42),
        404,
        [{"error": 11200, "message": "Promotion not found: 42"}],
    ),
    (errors.OrderNotFoundError("A-1"), 404, [{"error": 11404, "message": "Order not found: A-1"}]),
    (
        errors.OrderConflictError("A-1"),
        409,
        [{"error": 11400, "message": "Order already exists with a different body: A-1"}],
    ),
    (
        errors.BodyTooLargeError(65536),
        413,
        [{"error": 11413, "message": "Request body is larger than 65536 bytes."}],
    ),
    (
        errors.CodeNotValidError("NOPE"),
        422,
        [{"error": 11300, "message": "Promotion code not valid: NOPE"}],
    ),
    (
        errors.CodeAlreadyUsedError("ONCE"),
        422,
        [{"error": 11300, "message": "Promotion code already used: ONCE"}],
    ),
    (
        errors.TooManyAttemptsError(retry_after=17),
        429,
        [{"error": 1010, "message": "Too many failed attempts. Try again in 17 seconds."}],
    ),
    (
        errors.InternalError(),
        500,
        [
            {
                "error": 500,
                "message": "Internal Server Error. Please try again later or contact support.",
            }
        ],
    ),
]


@pytest.mark.parametrize(
    ("error", "status", "entries"), CASES, ids=[type(case[0]).__name__ for case in CASES]
)
def test_each_refusal_is_rendered_with_its_status_and_envelope(
    error: errors.PromotionsError, status: int, entries: list[dict[str, object]]
) -> None:
    response = render(error)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert orjson.loads(response.body) == {"errors": entries}


@pytest.mark.parametrize(
    "error",
    [
        errors.InvalidCredentialsError(),
        errors.TokenInvalidError(),
        errors.TokenMissingError(),
        errors.TokenExpiredError(),
    ],
)
def test_a_401_carries_the_bearer_challenge(error: errors.PromotionsError) -> None:
    assert render(error).headers["www-authenticate"] == "Bearer"


def test_too_many_attempts_carries_retry_after() -> None:
    headers = render(errors.TooManyAttemptsError(retry_after=17)).headers
    assert headers["retry-after"] == "17"
    assert "www-authenticate" not in headers


def test_other_refusals_carry_neither_header() -> None:
    headers = render(errors.PromotionNotFoundError(1)).headers
    assert "retry-after" not in headers
    assert "www-authenticate" not in headers


def test_refused_query_parameters_become_one_11010_each() -> None:
    exc = RequestValidationError(
        [
            {"loc": ("query", "limit"), "msg": "too large", "type": "less_than_equal"},
            {"loc": ("path", "id"), "msg": "not an int", "type": "int_parsing"},
        ]
    )
    refusal = from_validation(exc)
    assert isinstance(refusal, errors.InvalidFieldsError)
    assert refusal.names == ["limit", "id"]
