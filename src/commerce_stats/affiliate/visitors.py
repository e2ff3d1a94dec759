"""Visitor hashes and the reclick filter.

A click or view stores no address: it stores ``visitor``, an HMAC-SHA256 (first 32 hex
characters) of the client address and user agent under a random salt of the account and
UTC day (``affiliate_visitor_salts``). The salt of a day is made by the first click or
view of that day; salts older than yesterday are deleted then, after which nobody, the
server included, can tell which address a stored hash came from.

The reclick filter compares hashes: a click (or view) counts as *net* unless the same
visitor already has a click (a view) of the same campaign within ``RECLICK_WINDOW``. A
visitor is looked up under today's and yesterday's salt, so the window spans midnight.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import Connection

from commerce_stats.affiliate import traffic_repository
from commerce_stats.affiliate.traffic_repository import TrafficKind

RECLICK_WINDOW: Final = timedelta(hours=4)
SALT_BYTES: Final = 32
HASH_CHARS: Final = 32


def visitor_hash(salt: bytes, address: str, user_agent: str) -> str:
    """The keyed hash of one visitor under one day's salt (32 hex characters)."""
    message = f"{address}\n{user_agent}".encode("utf-8", "surrogatepass")
    return hmac.new(salt, message, hashlib.sha256).hexdigest()[:HASH_CHARS]


@dataclass(frozen=True, slots=True)
class Visitor:
    """``stored`` is the hash kept with the row (today's salt); ``known_as`` holds it and,
    when yesterday's salt exists, the hash under yesterday's salt."""

    stored: str
    known_as: tuple[str, ...]


class VisitorSalts:
    """The salts of one account for today and yesterday, read (and made) once per
    transaction; use one instance per write transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._salts: dict[tuple[int, date], tuple[bytes, bytes | None]] = {}

    def _of(self, account_id: int, day: date) -> tuple[bytes, bytes | None]:
        key = (account_id, day)
        if key not in self._salts:
            yesterday = day - timedelta(days=1)
            salts = traffic_repository.visitor_salts_since(self.conn, account_id, yesterday)
            if day not in salts:
                traffic_repository.add_visitor_salt(
                    self.conn, account_id, day, secrets.token_bytes(SALT_BYTES)
                )
                traffic_repository.delete_visitor_salts_before(self.conn, account_id, yesterday)
                salts = traffic_repository.visitor_salts_since(self.conn, account_id, yesterday)
            self._salts[key] = (salts[day], salts.get(yesterday))
        return self._salts[key]

    def visitor(self, account_id: int, now: datetime, address: str, user_agent: str) -> Visitor:
        today, yesterday = self._of(account_id, now.date())
        stored = visitor_hash(today, address, user_agent)
        if yesterday is None:
            return Visitor(stored, (stored,))
        return Visitor(stored, (stored, visitor_hash(yesterday, address, user_agent)))


class ReclickFilter:
    """Decides ``net`` for the clicks or views of one write transaction, including those
    recorded earlier in the same batch.

    ``prefetch`` reads, for many visitors of one campaign at once, which of them were seen
    within the window before the batch; ``net`` then needs no query for them."""

    def __init__(self, conn: Connection, kind: TrafficKind) -> None:
        self.conn = conn
        self.kind = kind
        self._batch: dict[tuple[int, int, str], datetime] = {}
        self._seen: dict[tuple[int, int], tuple[datetime, set[str], set[str]]] = {}

    def prefetch(
        self, account_id: int, campaign_id: int, visitors: Iterable[Visitor], now: datetime
    ) -> None:
        """Looks up ``visitors`` of the campaign in one go (per chunk of hashes)."""
        since = now - RECLICK_WINDOW
        asked = {known for visitor in visitors for known in visitor.known_as}
        seen = traffic_repository.visitors_seen_since(
            self.conn, self.kind, account_id, campaign_id, sorted(asked), since
        )
        self._seen[(account_id, campaign_id)] = (since, asked, seen)

    def net(self, account_id: int, campaign_id: int, visitor: Visitor, now: datetime) -> int:
        """1 when the visitor has no click (view) of the campaign in the window, else 0."""
        since = now - RECLICK_WINDOW
        recent = any(
            self._batch.get((account_id, campaign_id, known), since) > since
            for known in visitor.known_as
        )
        if not recent:
            recent = self._seen_before(account_id, campaign_id, visitor, since)
        self._batch[(account_id, campaign_id, visitor.stored)] = now
        return 0 if recent else 1

    def _seen_before(
        self, account_id: int, campaign_id: int, visitor: Visitor, since: datetime
    ) -> bool:
        """Whether the database holds a click (view) of the visitor after ``since``: from
        the prefetched answer when it covers the visitor and the window, else queried."""
        prefetched = self._seen.get((account_id, campaign_id))
        if prefetched is not None:
            fetched_since, asked, seen = prefetched
            if fetched_since == since and asked.issuperset(visitor.known_as):
                return not seen.isdisjoint(visitor.known_as)
        return traffic_repository.visitor_seen_since(
            self.conn, self.kind, account_id, campaign_id, visitor.known_as, since
        )
