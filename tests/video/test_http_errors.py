"""The ``/prod`` surface's table from failure to status, and its envelope."""

from __future__ import annotations

import json

import pytest

from commerce_stats.video.errors import (
    InvalidParameterError,
    MissingIngestKeyError,
    NotStoredError,
    NoVideoFeatureError,
    RejectedEventsError,
    UnknownVideoKeyError,
    VideoAttemptsError,
    VideoError,
    VideoInternalError,
    VideoTooLargeError,
)
from commerce_stats.video.http_errors import render_video_error, video_status


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidParameterError("missing parameter: start_date", field="start_date"), 400),
        (MissingIngestKeyError(), 401),
        (UnknownVideoKeyError("unknown ingest key"), 401),
        (NoVideoFeatureError(), 403),
        (VideoTooLargeError("body is larger than 5 MB"), 413),
        (RejectedEventsError("1 of 1 events rejected; nothing was counted", [(0, "bad")]), 422),
        (VideoAttemptsError(30), 429),
        (VideoInternalError(), 500),
        (NotStoredError(), 503),
        (VideoError("a refusal of no finer kind"), 400),
    ],
)
def test_each_failure_has_its_status(error: VideoError, status: int) -> None:
    assert video_status(error) == status


def test_the_envelope_lists_rejected_events_by_index() -> None:
    response = render_video_error(RejectedEventsError("2 of 3 rejected", [(0, "a"), (2, "b")]))
    assert json.loads(bytes(response.body)) == {
        "status": "error",
        "message": "2 of 3 rejected",
        "errors": [{"index": 0, "reason": "a"}, {"index": 2, "reason": "b"}],
    }


def test_too_many_attempts_says_when_to_retry() -> None:
    response = render_video_error(VideoAttemptsError(42))
    assert (response.status_code, response.headers["retry-after"]) == (429, "42")


def test_other_refusals_carry_no_retry_after() -> None:
    response = render_video_error(MissingIngestKeyError())
    assert "retry-after" not in response.headers
    assert response.headers["access-control-allow-origin"] == "*"
