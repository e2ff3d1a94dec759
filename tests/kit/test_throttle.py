"""The one throttle: a surface and a subject make the keys, counted in memory or in Redis."""

from __future__ import annotations

import os
import secrets

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from commerce_stats.kit.ratelimit import (
    ALLOWED,
    NAME_LIMIT_FACTOR,
    FailureKey,
    MemoryFailureLimiter,
    RedisFailureLimiter,
    Verdict,
)
from commerce_stats.kit.throttle import Surface, Throttle, throttle_keys

REDIS_URL = os.environ.get("COMMERCE_STATS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _throttle(limit: int, clock: Clock | None = None) -> tuple[Throttle, MemoryFailureLimiter]:
    limiter = MemoryFailureLimiter(limit=limit, window_seconds=60, clock=clock or Clock())
    return Throttle(limiter), limiter


def test_an_attempt_without_a_name_is_counted_under_its_client_alone() -> None:
    assert throttle_keys(Surface.ADMIN, "10.0.0.1") == [FailureKey("admin:client:10.0.0.1")]


def test_a_named_attempt_adds_the_trimmed_lower_cased_name_at_ten_times_the_limit() -> None:
    assert throttle_keys(Surface.PROMOTIONS_SIGN_IN, "10.0.0.1", " Shop-1 ") == [
        FailureKey("promotions.sign_in:client:10.0.0.1"),
        FailureKey("promotions.sign_in:name:shop-1", NAME_LIMIT_FACTOR),
    ]


def test_a_recorded_failure_is_counted_under_each_key_of_the_attempt() -> None:
    throttle, limiter = _throttle(limit=5)

    throttle.record_failure(Surface.DASHBOARD_SIGN_IN, client="1.2.3.4", name="Acme")

    assert limiter.count("dashboard.sign_in:client:1.2.3.4") == 1
    assert limiter.count("dashboard.sign_in:name:acme") == 1


def test_the_client_is_refused_at_the_limit_with_the_rest_of_its_window() -> None:
    clock = Clock()
    throttle, _limiter = _throttle(limit=2, clock=clock)
    throttle.record_failure(Surface.VIDEO_INGEST_KEY, client="10.0.0.1")
    assert throttle.check(Surface.VIDEO_INGEST_KEY, client="10.0.0.1") == ALLOWED
    throttle.record_failure(Surface.VIDEO_INGEST_KEY, client="10.0.0.1")
    clock.now += 15

    assert throttle.check(Surface.VIDEO_INGEST_KEY, client="10.0.0.1") == Verdict(False, 45)


def test_surfaces_count_apart() -> None:
    throttle, _limiter = _throttle(limit=1)

    throttle.record_failure(Surface.VIDEO_INGEST_KEY, client="10.0.0.1")

    assert throttle.check(Surface.VIDEO_ORGANIZATION_KEY, client="10.0.0.1") == ALLOWED


def test_failures_from_other_addresses_do_not_lock_out_a_clean_address() -> None:
    throttle, _limiter = _throttle(limit=10)
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        for _ in range(10):
            throttle.record_failure(Surface.DASHBOARD_SIGN_IN, client=address, name="alice")

    assert throttle.check(Surface.DASHBOARD_SIGN_IN, client="10.0.0.4", name="alice") == ALLOWED
    assert throttle.check(Surface.DASHBOARD_SIGN_IN, client="10.0.0.1", name="alice") == Verdict(
        False, 60
    )


def test_the_name_is_locked_for_every_address_at_ten_times_the_limit() -> None:
    throttle, _limiter = _throttle(limit=10)
    for n in range(10 * NAME_LIMIT_FACTOR):
        address = f"10.0.{n // 10}.1"
        throttle.record_failure(Surface.DASHBOARD_SIGN_IN, client=address, name="alice")

    verdict = throttle.check(Surface.DASHBOARD_SIGN_IN, client="192.0.2.1", name="Alice")

    assert verdict == Verdict(False, 60)


def test_without_a_limiter_nothing_is_refused() -> None:
    throttle = Throttle(None)

    throttle.record_failure(Surface.ADMIN, client="10.0.0.1")

    assert throttle.check(Surface.ADMIN, client="10.0.0.1") == ALLOWED


@pytest.fixture
def redis_client() -> Redis:
    client = Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except RedisConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    return client


def test_in_redis_the_name_gets_ten_times_the_limit(redis_client: Redis) -> None:
    prefix = f"test:{secrets.token_hex(4)}:"
    throttle = Throttle(
        RedisFailureLimiter(redis_client, limit=2, window_seconds=30, prefix=prefix)
    )
    surface = Surface.PROMOTIONS_SIGN_IN
    for n in range(2 * NAME_LIMIT_FACTOR - 1):
        throttle.record_failure(surface, client=f"10.0.0.{n}", name="shop-1")
    assert throttle.check(surface, client="192.0.2.1", name="shop-1") == ALLOWED
    throttle.record_failure(surface, client="10.0.1.1", name="shop-1")

    verdict = throttle.check(surface, client="192.0.2.1", name="shop-1")

    redis_client.delete(*redis_client.keys(prefix + "*"))
    assert not verdict.allowed
    assert 1 <= verdict.retry_after <= 30
