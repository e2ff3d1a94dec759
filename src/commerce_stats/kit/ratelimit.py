"""Counting failed attempts per key in fixed windows, in memory or in Redis.

Authentication paths record a failure under one key per client address and,
where a name is tried (a username, a login id), one per name; once a key
reaches its limit in the current window every attempt under it is refused
until the window ends, successful or not. A name's own key has a looser
limit (``NAME_LIMIT_FACTOR`` times the normal one), so that failures from
other addresses cannot lock out a client that presents the right secret from
an address of its own. Which keys an attempt counts under is decided by
``kit.throttle``, the one entry point of every call site. Successes are not counted, so a
well-behaved client is never slowed down.

Keys are chosen by whoever sends the request (a username can be megabytes
long), so the store never keeps them: it keeps a fixed-size digest of each,
forgets a key when its window ends, and in memory holds at most ``max_keys``
windows. One process keeps the counts in memory; several processes share them
through Redis when ``COMMERCE_STATS_REDIS_URL`` is set, where every key
expires with its window.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis import Redis

NAME_LIMIT_FACTOR = 10
"""A name's own key allows this many times the normal limit (see ``kit.throttle``)."""

DEFAULT_MAX_KEYS = 100_000
"""Windows one process keeps at most; about 25 MB when full."""

DIGEST_BYTES = 16


def key_digest(key: str) -> bytes:
    """The fixed-size form in which a key is stored (16 bytes, whatever its length)."""
    data = key.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=DIGEST_BYTES).digest()


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    retry_after: int
    """Whole seconds until the key is allowed again (0 when allowed)."""


ALLOWED = Verdict(allowed=True, retry_after=0)


@dataclass(frozen=True, slots=True)
class FailureKey:
    """A key with a limit of ``factor`` times the limiter's (a plain ``str`` key has 1)."""

    key: str
    factor: int = 1


class FailureLimiter(Protocol):
    limit: int
    window_seconds: int

    def check(self, key: str, limit: int | None = None) -> Verdict:
        """Whether an attempt under ``key`` may proceed now (``limit``: this key's own)."""

    def record_failure(self, key: str) -> None:
        """Count one failed attempt under ``key``."""


class MemoryFailureLimiter:
    """Per-process counts; the clock is injectable so tests need not sleep.

    Windows are kept in the order they started, and all are equally long, so
    the expired ones are always at the front: each failure first drops those.
    When ``max_keys`` live windows are held, a new key takes the place of the
    oldest window. Filling the store takes failures from many addresses, since
    each address is refused after ``limit`` failures of its own.
    """

    def __init__(
        self,
        limit: int,
        window_seconds: int,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = DEFAULT_MAX_KEYS,
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self.max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: OrderedDict[bytes, tuple[float, int]] = OrderedDict()

    def _count(self, digest: bytes, now: float) -> tuple[float, int]:
        started, count = self._windows.get(digest, (now, 0))
        if now - started >= self.window_seconds:
            return now, 0
        return started, count

    def check(self, key: str, limit: int | None = None) -> Verdict:
        now = self._clock()
        digest = key_digest(key)
        with self._lock:
            started, count = self._count(digest, now)
        if count < (self.limit if limit is None else limit):
            return ALLOWED
        return Verdict(False, max(1, math.ceil(started + self.window_seconds - now)))

    def record_failure(self, key: str) -> None:
        now = self._clock()
        digest = key_digest(key)
        with self._lock:
            self._forget_expired(now)
            window = self._windows.get(digest)
            if window is not None:
                self._windows[digest] = (window[0], window[1] + 1)
                return
            while len(self._windows) >= self.max_keys:
                self._windows.popitem(last=False)
            self._windows[digest] = (now, 1)

    def count(self, key: str) -> int:
        """Failures counted under ``key`` in its current window."""
        with self._lock:
            return self._count(key_digest(key), self._clock())[1]

    def stored_keys(self) -> list[bytes]:
        """The digests held now, oldest window first (for diagnostics and tests)."""
        with self._lock:
            return list(self._windows)

    def _forget_expired(self, now: float) -> None:
        while self._windows:
            started, _count = next(iter(self._windows.values()))
            if now - started < self.window_seconds:
                return
            self._windows.popitem(last=False)


class RedisFailureLimiter:
    """Counts shared by every process: one Redis key per limited key, expiring with its window.

    The Redis key is the prefix and the hex digest of the limited key, so it
    has the same length whatever was sent.
    """

    def __init__(
        self, client: Redis, limit: int, window_seconds: int, prefix: str = "cs:fail:"
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._client = client
        self._prefix = prefix

    def redis_key(self, key: str) -> str:
        """The name under which ``key``'s count is stored in Redis."""
        return self._prefix + key_digest(key).hex()

    def check(self, key: str, limit: int | None = None) -> Verdict:
        name = self.redis_key(key)
        count = self._client.get(name)
        if count is None or int(count) < (self.limit if limit is None else limit):
            return ALLOWED
        ttl = int(self._client.ttl(name))
        return Verdict(False, max(1, ttl))

    def record_failure(self, key: str) -> None:
        """Starts the window with its expiry and counts, in one transaction (so a count
        never outlives its window)."""
        name = self.redis_key(key)
        pipe = self._client.pipeline(transaction=True)
        pipe.set(name, 0, ex=self.window_seconds, nx=True)
        pipe.incr(name)
        pipe.execute()


def build_failure_limiter(limit: int, window_seconds: int, redis_url: str | None) -> FailureLimiter:
    if redis_url:
        return RedisFailureLimiter(Redis.from_url(redis_url), limit, window_seconds)
    return MemoryFailureLimiter(limit, window_seconds)
