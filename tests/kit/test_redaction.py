"""Credential redaction of request targets and log records."""

from __future__ import annotations

import logging
import sys

import pytest

from commerce_stats.kit.redaction import CredentialFilter, redact_target, redact_text


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (
            "/api/s3cret/admin/1/get-statistic_transactions.csv",
            "/api/[redacted]/admin/1/get-statistic_transactions.csv",
        ),
        (
            "/api//s3cret/publisher/7/get-statistic_transactions.xml",
            "/api//[redacted]/publisher/7/get-statistic_transactions.xml",
        ),
        ("/api/s3cret", "/api/[redacted]"),
        (
            "/prod/get_ecommerce_reports?organization_key=s3cret&start_date=2026-11-01",
            "/prod/get_ecommerce_reports?organization_key=[redacted]&start_date=2026-11-01",
        ),
        (
            "/prod/pixel.gif?type=ecommerce_clicked&ingest_key=s3cret",
            "/prod/pixel.gif?type=ecommerce_clicked&ingest_key=[redacted]",
        ),
        ("/REST/orders/?token=s3cret", "/REST/orders/?token=[redacted]"),
        ("/prod/events?Ingest_Key=s3cret", "/prod/events?Ingest_Key=[redacted]"),
        ("/prod/events?ingest%5Fkey=s3cret", "/prod/events?ingest%5Fkey=[redacted]"),
        ("/prod/events?ingest_key=s3;cret", "/prod/events?ingest_key=[redacted]"),
        (
            "/prod/events?ingest_key=one&ingest_key=two",
            "/prod/events?ingest_key=[redacted]&ingest_key=[redacted]",
        ),
    ],
)
def test_credentials_in_a_target_are_replaced(target: str, expected: str) -> None:
    assert redact_target(target) == expected


def test_order_id_token_of_the_conversion_pixel_is_kept() -> None:
    target = "/trck/etrack/?campaign_id=1&trigger_id=2&token=ORDER-42&turnover=10.00"
    assert redact_target(target) == target


def test_other_parameters_are_kept() -> None:
    target = "/prod/pixel.gif?content_key=v1&ecommerce_key=i1&type=ecommerce_viewed"
    assert redact_target(target) == target


def test_targets_inside_free_text_are_replaced() -> None:
    text = 'GET http://127.0.0.1:8000/api/s3cret/admin/1/x.csv?token=t0k "next"'
    assert (
        redact_text(text)
        == 'GET http://127.0.0.1:8000/api/[redacted]/admin/1/x.csv?token=[redacted] "next"'
    )


def _record(msg: str, args: tuple[object, ...]) -> logging.LogRecord:
    return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, msg, args, None)


def test_filter_rewrites_the_access_log_arguments_in_place() -> None:
    record = _record(
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/s3cret/admin/1/x.csv?ingest_key=k3y", "1.1", 200),
    )
    assert CredentialFilter().filter(record) is True
    assert record.args == (
        "127.0.0.1:5000",
        "GET",
        "/api/[redacted]/admin/1/x.csv?ingest_key=[redacted]",
        "1.1",
        200,
    )
    assert record.getMessage() == (
        '127.0.0.1:5000 - "GET /api/[redacted]/admin/1/x.csv?ingest_key=[redacted] HTTP/1.1" 200'
    )


def test_filter_rewrites_the_text_of_an_attached_exception() -> None:
    try:
        raise RuntimeError("cannot open /api/s3cret/admin/1/x.csv")
    except RuntimeError:
        record = logging.LogRecord(
            "commerce_stats", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    CredentialFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "s3cret" not in formatted
    assert "RuntimeError: cannot open /api/[redacted]/admin/1/x.csv" in formatted
