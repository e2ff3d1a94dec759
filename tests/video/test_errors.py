"""Video refusals: each class carries its message, code and kind; the ``/prod`` and admin
renderers (``http_errors.py``) turn the kind into a status."""

from __future__ import annotations

import pytest

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
from commerce_stats.video.errors import (
    CatalogFieldError,
    CatalogNotFoundError,
    CatalogTooLargeError,
    InvalidParameterError,
    MissingIngestKeyError,
    NotStoredError,
    NoVideoFeatureError,
    RejectedEventsError,
    ShardUnavailableError,
    UnknownVideoKeyError,
    VideoAttemptsError,
    VideoError,
    VideoInternalError,
    VideoTooLargeError,
)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (MissingIngestKeyError(), UnauthorizedError),
        (UnknownVideoKeyError("unknown ingest key"), UnauthorizedError),
        (NoVideoFeatureError(), ForbiddenError),
        (VideoTooLargeError("too many"), TooLargeError),
        (VideoAttemptsError(30), TooManyAttemptsError),
        (NotStoredError(), UnavailableError),
        (VideoInternalError(), InternalError),
    ],
)
def test_prod_refusal_has_its_kind(error: VideoError, kind: type[ServiceError]) -> None:
    assert isinstance(error, kind)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (CatalogNotFoundError("video", "v1"), NotFoundError),
        (CatalogFieldError("bad", "title"), InvalidFieldError),
        (CatalogTooLargeError("body is larger than 50 MB"), TooLargeError),
    ],
)
def test_catalog_refusal_is_an_admin_error_of_its_kind(
    error: AdminError, kind: type[ServiceError]
) -> None:
    assert isinstance(error, AdminError)
    assert isinstance(error, kind)


def test_invalid_parameter_names_its_field() -> None:
    error = InvalidParameterError("missing parameter: start_date", field="start_date")

    assert (error.message, error.code, error.field, error.problems) == (
        "missing parameter: start_date",
        "invalid_request",
        "start_date",
        [],
    )


def test_rejected_events_carry_every_problem() -> None:
    error = RejectedEventsError("2 of 3 events rejected", [(0, "bad type"), (2, "no key")])

    assert (error.code, error.problems) == ("invalid_events", [(0, "bad type"), (2, "no key")])


def test_attempts_error_tells_when_to_retry() -> None:
    error = VideoAttemptsError(17)

    assert (error.retry_after, error.code) == (17, "too_many_attempts")


def test_not_stored_says_nothing_was_counted() -> None:
    assert NotStoredError().message == (
        "events could not be stored; nothing was counted, retry later"
    )


def test_internal_error_shows_no_detail() -> None:
    error = VideoInternalError()

    assert (error.message, error.code) == ("internal error", "internal_error")


def test_catalog_not_found_names_what_and_key() -> None:
    error = CatalogNotFoundError("ecommerce item", "i-9")

    assert (error.message, error.code) == ("ecommerce item i-9 not found", "not_found")


def test_shard_unavailable_names_the_shard_one_based() -> None:
    error = ShardUnavailableError(2)

    assert (str(error), error.shard) == ("ClickHouse shard 2 is unavailable", 2)


def test_shard_unavailable_is_no_request_refusal() -> None:
    assert not isinstance(ShardUnavailableError(1), ServiceError)
