"""Failed-attempt limits, in memory and in Redis."""

from __future__ import annotations

import os
import secrets

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from commerce_stats.kit.ratelimit import (
    MemoryFailureLimiter,
    RedisFailureLimiter,
    Verdict,
    first_refusal,
    record_failures,
)

REDIS_URL = os.environ.get("COMMERCE_STATS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_memory_allows_until_the_limit() -> None:
    limiter = MemoryFailureLimiter(limit=3, window_seconds=60, clock=Clock())
    for _ in range(2):
        limiter.record_failure("k")
    assert limiter.check("k") == Verdict(True, 0)


def test_memory_blocks_at_the_limit_with_retry_after() -> None:
    clock = Clock()
    limiter = MemoryFailureLimiter(limit=3, window_seconds=60, clock=clock)
    for _ in range(3):
        limiter.record_failure("k")
    clock.now += 20
    assert limiter.check("k") == Verdict(False, 40)


def test_memory_window_expiry_allows_again() -> None:
    clock = Clock()
    limiter = MemoryFailureLimiter(limit=1, window_seconds=60, clock=clock)
    limiter.record_failure("k")
    clock.now += 60
    assert limiter.check("k").allowed


def test_memory_keys_are_independent() -> None:
    limiter = MemoryFailureLimiter(limit=1, window_seconds=60, clock=Clock())
    limiter.record_failure("a")
    assert not limiter.check("a").allowed
    assert limiter.check("b").allowed


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


def test_redis_blocks_at_the_limit_across_instances(redis_client: Redis) -> None:
    prefix = f"test:{secrets.token_hex(4)}:"
    first = RedisFailureLimiter(redis_client, limit=2, window_seconds=30, prefix=prefix)
    second = RedisFailureLimiter(redis_client, limit=2, window_seconds=30, prefix=prefix)
    first.record_failure("k")
    assert second.check("k").allowed
    second.record_failure("k")
    verdict = first.check("k")
    assert not verdict.allowed
    assert 1 <= verdict.retry_after <= 30


def test_redis_window_expires(redis_client: Redis) -> None:
    prefix = f"test:{secrets.token_hex(4)}:"
    limiter = RedisFailureLimiter(redis_client, limit=1, window_seconds=1, prefix=prefix)
    limiter.record_failure("k")
    assert not limiter.check("k").allowed
    assert 0 < redis_client.pttl(prefix + "k") <= 1000
    redis_client.delete(prefix + "k")
    assert limiter.check("k").allowed


def test_first_refusal_names_the_blocked_key_of_several() -> None:
    clock = Clock()
    limiter = MemoryFailureLimiter(limit=1, window_seconds=60, clock=clock)
    record_failures(limiter, ["b"])
    clock.now += 15
    assert first_refusal(limiter, ["a", "b"]) == Verdict(False, 45)


def test_first_refusal_is_none_when_every_key_is_allowed() -> None:
    limiter = MemoryFailureLimiter(limit=2, window_seconds=60, clock=Clock())
    record_failures(limiter, ["a", "b"])
    assert first_refusal(limiter, ["a", "b"]) is None


def test_without_a_limiter_nothing_is_refused() -> None:
    record_failures(None, ["a"])
    assert first_refusal(None, ["a"]) is None
