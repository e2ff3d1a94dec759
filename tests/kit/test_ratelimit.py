"""Failed-attempt limits, in memory and in Redis."""

from __future__ import annotations

import os
import secrets

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from commerce_stats.kit.ratelimit import (
    DIGEST_BYTES,
    MemoryFailureLimiter,
    RedisFailureLimiter,
    Verdict,
    key_digest,
)

LONG_KEY = "promotions.sign_in:name:" + "x" * (8 * 1024 * 1024)

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


def test_memory_stores_a_fixed_size_digest_of_a_long_key() -> None:
    limiter = MemoryFailureLimiter(limit=3, window_seconds=60, clock=Clock())
    limiter.record_failure(LONG_KEY)
    assert limiter.stored_keys() == [key_digest(LONG_KEY)]
    assert len(limiter.stored_keys()[0]) == DIGEST_BYTES


def test_memory_counts_a_long_key_under_its_digest() -> None:
    limiter = MemoryFailureLimiter(limit=2, window_seconds=60, clock=Clock())
    limiter.record_failure(LONG_KEY)
    limiter.record_failure(LONG_KEY)
    assert not limiter.check(LONG_KEY).allowed
    assert limiter.check(LONG_KEY[:-1]).allowed


def test_memory_forgets_windows_that_have_ended() -> None:
    clock = Clock()
    limiter = MemoryFailureLimiter(limit=3, window_seconds=60, clock=clock)
    limiter.record_failure("old-1")
    limiter.record_failure("old-2")
    clock.now += 30
    limiter.record_failure("young")
    clock.now += 30
    limiter.record_failure("new")
    assert limiter.stored_keys() == [key_digest("young"), key_digest("new")]


def test_memory_cap_holds_under_many_distinct_keys() -> None:
    clock = Clock()
    limiter = MemoryFailureLimiter(limit=3, window_seconds=60, clock=clock, max_keys=100)
    for n in range(5000):
        limiter.record_failure(f"user-{n}")
        clock.now += 0.001
    stored = limiter.stored_keys()
    assert len(stored) == 100
    assert stored[0] == key_digest("user-4900")
    assert stored[-1] == key_digest("user-4999")


def test_memory_cap_keeps_counting_a_key_already_held() -> None:
    limiter = MemoryFailureLimiter(limit=2, window_seconds=60, clock=Clock(), max_keys=2)
    limiter.record_failure("a")
    limiter.record_failure("b")
    limiter.record_failure("a")
    assert limiter.stored_keys() == [key_digest("a"), key_digest("b")]
    assert not limiter.check("a").allowed


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
    assert 0 < redis_client.pttl(limiter.redis_key("k")) <= 1000
    redis_client.delete(limiter.redis_key("k"))
    assert limiter.check("k").allowed


def test_redis_key_has_a_fixed_length_whatever_the_key(redis_client: Redis) -> None:
    prefix = f"test:{secrets.token_hex(4)}:"
    limiter = RedisFailureLimiter(redis_client, limit=2, window_seconds=30, prefix=prefix)
    limiter.record_failure(LONG_KEY)
    stored = redis_client.keys(prefix + "*")
    assert stored == [(prefix + key_digest(LONG_KEY).hex()).encode()]
    assert len(stored[0]) == len(prefix) + 2 * DIGEST_BYTES
    redis_client.delete(*stored)


def test_redis_key_expires_with_its_window(redis_client: Redis) -> None:
    prefix = f"test:{secrets.token_hex(4)}:"
    limiter = RedisFailureLimiter(redis_client, limit=5, window_seconds=30, prefix=prefix)
    for _ in range(3):
        limiter.record_failure("k")
    name = limiter.redis_key("k")
    assert redis_client.get(name) == b"3"
    assert 29_000 < redis_client.pttl(name) <= 30_000
    redis_client.delete(name)
