"""The one throttle of failed attempts: a call site names its surface and the subject tried.

Every path that checks a secret (a password, a token, a key) asks
``Throttle.check`` before it compares and calls ``Throttle.record_failure``
when the comparison fails. A call site only says which ``Surface`` it is and
who tries: the client address, and for a sign-in the name tried (a username,
a login id). Which keys that makes, and how they are spelled, is decided in
one place, ``throttle_keys``:

- ``<surface>:client:<address>``, held to the limiter's limit;
- ``<surface>:name:<name, trimmed and lower-cased>``, held to
  ``NAME_LIMIT_FACTOR`` times it, so failures from other addresses cannot lock
  out a client that presents the right secret from an address of its own,
  while guessing one name from many addresses stays bounded.

The limiter (``kit.ratelimit``) stores a fixed-size digest of each key, in
memory or in Redis.
"""

from __future__ import annotations

from enum import StrEnum

from commerce_stats.kit.ratelimit import (
    ALLOWED,
    NAME_LIMIT_FACTOR,
    FailureKey,
    FailureLimiter,
    Verdict,
)


class Surface(StrEnum):
    """Every throttled way in; each counts its failures apart from the others."""

    ADMIN = "admin"
    """The admin token: the admin API and the dashboard's admin sign-in share one count."""
    DASHBOARD_SIGN_IN = "dashboard.sign_in"
    PROMOTIONS_SIGN_IN = "promotions.sign_in"
    PROMOTIONS_TOKEN = "promotions.token"  # noqa: S105 (a surface name, not a secret)
    """Bearer and refresh tokens of the promotions API."""
    AFFILIATE_EXPORT = "affiliate.export"
    AFFILIATE_UPLOAD = "affiliate.upload"
    VIDEO_INGEST_KEY = "video.ingest_key"
    VIDEO_ORGANIZATION_KEY = "video.organization_key"


def throttle_keys(surface: Surface, client: str, name: str | None = None) -> list[FailureKey]:
    """The keys an attempt on ``surface`` from ``client`` (at ``name``) is counted under."""
    keys = [FailureKey(f"{surface.value}:client:{client}")]
    if name is not None:
        keys.append(FailureKey(f"{surface.value}:name:{name.strip().lower()}", NAME_LIMIT_FACTOR))
    return keys


class Throttle:
    """Failed attempts counted per surface and subject; without a limiter nothing is limited."""

    def __init__(self, failures: FailureLimiter | None) -> None:
        self.failures = failures

    def check(self, surface: Surface, *, client: str, name: str | None = None) -> Verdict:
        """Whether the attempt may proceed: ``ALLOWED``, or the refusal of the first of its
        keys that is over its limit (with the seconds until it is allowed again)."""
        if self.failures is None:
            return ALLOWED
        for key in throttle_keys(surface, client, name):
            verdict = self.failures.check(key.key, self.failures.limit * key.factor)
            if not verdict.allowed:
                return verdict
        return ALLOWED

    def record_failure(self, surface: Surface, *, client: str, name: str | None = None) -> None:
        """Counts one failed attempt under each of the attempt's keys."""
        if self.failures is not None:
            for key in throttle_keys(surface, client, name):
                self.failures.record_failure(key.key)
