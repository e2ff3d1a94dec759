"""Failed-attempt limits, in memory and in Redis."""

from __future__ import annotations

import os
import secrets

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from commerce_stats.kit.ratelimit import (
    DIGEST_BYTES,
    NAME_LIMIT_FACTOR,
    FailureKey,
    MemoryFailureLimiter,
    RedisFailureLimiter,
    Verdict,
    first_refusal,
    key_digest,
    name_keys,
    record_failures,
)

LONG_KEY = "promotions-user:" + "x" * (8 * 1024 * 1024)

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


def test_a_failure_key_gets_its_factor_times_the_limit() -> None:
    limiter = MemoryFailureLimiter(limit=2, window_seconds=60, clock=Clock())
    record_failures(limiter, [FailureKey("name", 3)] * 5)
    assert first_refusal(limiter, [FailureKey("name", 3)]) is None
    record_failures(limiter, [FailureKey("name", 3)])
    assert first_refusal(limiter, [FailureKey("name", 3)]) == Verdict(False, 60)


def test_name_keys_hold_the_address_to_the_limit_and_the_name_to_ten_times() -> None:
    assert name_keys("promotions", " Shop-1 ", "10.0.0.1") == [
        FailureKey("promotions-ip:10.0.0.1"),
        FailureKey("promotions-user:shop-1", NAME_LIMIT_FACTOR),
    ]


def test_failures_from_other_addresses_do_not_lock_out_a_clean_address() -> None:
    limiter = MemoryFailureLimiter(limit=10, window_seconds=60, clock=Clock())
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        for _ in range(10):
            record_failures(limiter, name_keys("dashboard", "alice", address))
    assert first_refusal(limiter, name_keys("dashboard", "alice", "10.0.0.4")) is None
    assert first_refusal(limiter, name_keys("dashboard", "alice", "10.0.0.1")) == Verdict(False, 60)


def test_the_name_is_locked_for_every_address_at_ten_times_the_limit() -> None:
    limiter = MemoryFailureLimiter(limit=10, window_seconds=60, clock=Clock())
    for n in range(10 * NAME_LIMIT_FACTOR):
        record_failures(limiter, name_keys("dashboard", "alice", f"10.0.{n // 10}.1"))
    assert first_refusal(limiter, name_keys("dashboard", "alice", "192.0.2.1")) == Verdict(
        False, 60
    )


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


def test_redis_name_key_gets_ten_times_the_limit(redis_client: Redis) -> None:
    prefix = f"test:{secrets.token_hex(4)}:"
    limiter = RedisFailureLimiter(redis_client, limit=2, window_seconds=30, prefix=prefix)
    for n in range(2 * NAME_LIMIT_FACTOR - 1):
        record_failures(limiter, name_keys("promotions", "shop-1", f"10.0.0.{n}"))
    assert first_refusal(limiter, name_keys("promotions", "shop-1", "192.0.2.1")) is None
    record_failures(limiter, name_keys("promotions", "shop-1", "10.0.1.1"))
    verdict = first_refusal(limiter, name_keys("promotions", "shop-1", "192.0.2.1"))
    assert verdict is not None
    assert not verdict.allowed
    redis_client.delete(*redis_client.keys(prefix + "*"))
