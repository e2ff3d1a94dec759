"""Kinds of failure and the status a table gives them."""

from __future__ import annotations

from commerce_stats.kit.errors import (
    AdminError,
    NotFoundError,
    ServiceError,
    TooManyAttemptsError,
    status_by_kind,
)


class _MissingError(AdminError, NotFoundError):
    pass


def test_the_nearest_kind_in_the_table_decides() -> None:
    table: dict[type[ServiceError], int] = {NotFoundError: 404, ServiceError: 400}
    assert status_by_kind(_MissingError("gone"), table) == 404


def test_an_error_of_no_listed_kind_keeps_the_status_it_carries() -> None:
    assert status_by_kind(ServiceError("old style", status=418), {NotFoundError: 404}) == 418


class _AttemptsError(AdminError, TooManyAttemptsError):
    def __init__(self, retry_after: int) -> None:
        super().__init__("slow down", code="too_many_attempts")
        self.retry_after = retry_after


def test_too_many_attempts_mixes_with_a_surface_error_type() -> None:
    error = _AttemptsError(9)
    table: dict[type[ServiceError], int] = {TooManyAttemptsError: 429}
    assert (status_by_kind(error, table), error.retry_after, error.message) == (429, 9, "slow down")
