"""Counting failed attempts per key in fixed windows, in memory or in Redis.

Authentication paths record a failure under one key per credential (the name
tried) and one per client address; once a key reaches ``limit`` failures in
the current window every attempt under it is refused until the window ends,
successful or not. Successes are not counted, so a well-behaved client is
never slowed down. One process keeps the counts in memory; several processes
share them through Redis when ``COMMERCE_STATS_REDIS_URL`` is set.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis import Redis


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    retry_after: int
    """Whole seconds until the key is allowed again (0 when allowed)."""


ALLOWED = Verdict(allowed=True, retry_after=0)


class FailureLimiter(Protocol):
    limit: int
    window_seconds: int

    def check(self, key: str) -> Verdict:
        """Whether an attempt under ``key`` may proceed now."""

    def record_failure(self, key: str) -> None:
        """Count one failed attempt under ``key``."""


class MemoryFailureLimiter:
    """Per-process counts; the clock is injectable so tests need not sleep."""

    def __init__(
        self, limit: int, window_seconds: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def _current(self, key: str, now: float) -> tuple[float, int]:
        started, count = self._windows.get(key, (now, 0))
        if now - started >= self.window_seconds:
            return now, 0
        return started, count

    def check(self, key: str) -> Verdict:
        now = self._clock()
        with self._lock:
            started, count = self._current(key, now)
        if count < self.limit:
            return ALLOWED
        return Verdict(False, max(1, math.ceil(started + self.window_seconds - now)))

    def record_failure(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            started, count = self._current(key, now)
            self._windows[key] = (started, count + 1)
            if len(self._windows) > 100_000:
                self._forget_expired(now)

    def _forget_expired(self, now: float) -> None:
        expired = [
            key
            for key, (started, _count) in self._windows.items()
            if now - started >= self.window_seconds
        ]
        for key in expired:
            del self._windows[key]


class RedisFailureLimiter:
    """Counts shared by every process: one Redis key per limited key, expiring with its window."""

    def __init__(
        self, client: Redis, limit: int, window_seconds: int, prefix: str = "cs:fail:"
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._client = client
        self._prefix = prefix

    def check(self, key: str) -> Verdict:
        name = self._prefix + key
        count = self._client.get(name)
        if count is None or int(count) < self.limit:
            return ALLOWED
        ttl = int(self._client.ttl(name))
        return Verdict(False, max(1, ttl))

    def record_failure(self, key: str) -> None:
        name = self._prefix + key
        pipe = self._client.pipeline()
        pipe.set(name, 0, ex=self.window_seconds, nx=True)
        pipe.incr(name)
        pipe.execute()


def first_refusal(failures: FailureLimiter | None, keys: list[str]) -> Verdict | None:
    """The verdict of the first of ``keys`` that is over its limit, else None."""
    if failures is None:
        return None
    for key in keys:
        verdict = failures.check(key)
        if not verdict.allowed:
            return verdict
    return None


def record_failures(failures: FailureLimiter | None, keys: list[str]) -> None:
    """Count one failed attempt under each of ``keys``."""
    if failures is not None:
        for key in keys:
            failures.record_failure(key)


def build_failure_limiter(limit: int, window_seconds: int, redis_url: str | None) -> FailureLimiter:
    if redis_url:
        return RedisFailureLimiter(Redis.from_url(redis_url), limit, window_seconds)
    return MemoryFailureLimiter(limit, window_seconds)
