"""Demo clicks and views: the touch points of demo transactions and the traffic that did not
convert.

Demo traffic has no client address, so each generated visitor is a number. Its stored
``visitor`` is the keyed hash the tracker stores (``visitors.visitor_hash``) of an address of
the documentation prefix ``2001:db8::/32`` and the user agent, under a salt of the UTC day
derived from a key the demo draws from its seeded generator (and does not keep). The ``net``
flag follows the tracker's reclick rule (``visitors.RECLICK_WINDOW``), decided on the visitor
numbers, so a repeat across midnight counts as the tracker's look-up under yesterday's salt
would count it.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import Any, Final, Protocol

from sqlalchemy import Connection

from commerce_stats.affiliate import repository, traffic_repository
from commerce_stats.affiliate.tracker import device_columns
from commerce_stats.affiliate.traffic_repository import TrafficKind
from commerce_stats.affiliate.visitors import RECLICK_WINDOW, visitor_hash

USER_AGENTS: Final = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
)
"""Browsers of demo visitors: desktop, phone and tablet, five browsers on five systems."""
COUNTRIES: Final = ("DE", "AT", "CH")
SUBIDS: Final = ("", "newsletter", "sidebar")
PAGES: Final = ("", "angebote", "gutscheine", "vergleich")
"""Paths of the publisher pages demo traffic comes from (empty: the home page)."""
REPEAT_SHARE: Final = {"clicks": 0.12, "views": 0.3}
"""Share of visitors who click (see the banner) once more; a repeat comes 1 minute to 6 hours
later, so most repeats fall in the reclick window and are stored with ``net`` 0."""
REPEAT_GAP_SECONDS: Final = (60, 6 * 3600)


class Placement(Protocol):
    """Where demo traffic comes from: a publisher's project."""

    @property
    def publisher_id(self) -> int: ...

    @property
    def project_id(self) -> int: ...


class DemoVisitors:
    """Numbered demo visitors and the hash the tracker would store for each."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._count = 0
        self._salts: dict[date, bytes] = {}

    def new(self) -> int:
        self._count += 1
        return self._count

    def stored_hash(self, visitor: int, at: datetime, user_agent: str) -> str:
        """The visitor's hash under the salt of ``at``'s UTC day (``at`` is UTC)."""
        day = at.date()
        salt = self._salts.get(day)
        if salt is None:
            message = day.isoformat().encode()
            salt = self._salts[day] = hmac.new(self._key, message, hashlib.sha256).digest()
        address = f"2001:db8::{visitor >> 16:x}:{visitor & 0xFFFF:x}"
        return visitor_hash(salt, address, user_agent)


@dataclass(frozen=True, slots=True)
class Touch:
    """One generated click or view: its columns except ``id`` (given when stored) and
    ``net`` (``mark_net``), and the number of the visitor who made it."""

    kind: TrafficKind
    visitor: int
    values: dict[str, Any]

    @property
    def at(self) -> datetime:
        moment: datetime = self.values["created_at"]
        return moment


@dataclass(frozen=True, slots=True)
class Origin:
    """What a click or view says about where it came from."""

    subid: str
    admedia_id: int
    referrer: str
    country: str
    user_agent: str


def make_touch(
    visitors: DemoVisitors,
    kind: TrafficKind,
    account_id: int,
    campaign_id: int,
    placement: Placement,
    origin: Origin,
    at: datetime,
    visitor: int | None = None,
) -> Touch:
    """A click or view of ``visitor`` (a new visitor when None) with the tracker's columns."""
    if visitor is None:
        visitor = visitors.new()
    values: dict[str, Any] = {
        "account_id": account_id,
        "campaign_id": campaign_id,
        "publisher_id": placement.publisher_id,
        "project_id": placement.project_id,
        "subid": origin.subid,
        "admedia_id": origin.admedia_id,
        "created_at": at,
        "referrer": origin.referrer,
        "country": origin.country,
        "visitor": visitors.stored_hash(visitor, at, origin.user_agent),
        **device_columns(origin.user_agent),
    }
    if kind == "clicks":
        values["user_agent"] = origin.user_agent
    return Touch(kind, visitor, values)


def mark_net(touches: Sequence[Touch]) -> None:
    """Sets ``net``: 0 when the same visitor already has a click (a view) of the same
    campaign less than ``RECLICK_WINDOW`` earlier, counted or not, else 1."""
    last_seen: dict[tuple[str, int, int], datetime] = {}
    for touch in sorted(touches, key=lambda touch: touch.at):
        key = (touch.kind, touch.values["campaign_id"], touch.visitor)
        previous = last_seen.get(key)
        touch.values["net"] = (
            0 if previous is not None and touch.at - previous < RECLICK_WINDOW else 1
        )
        last_seen[key] = touch.at


def store_touches(conn: Connection, account_id: int, touches: Sequence[Touch]) -> None:
    """Numbers the touches (clicks and views, each their own sequence, in time order) and
    inserts them; each touch's ``values`` then holds its id."""
    kinds: tuple[TrafficKind, ...] = ("clicks", "views")
    for kind in kinds:
        rows = sorted(
            (touch.values for touch in touches if touch.kind == kind),
            key=lambda values: values["created_at"],
        )
        if not rows:
            continue
        first = repository.allocate_ids(conn, account_id, kind[:-1], len(rows))
        for offset, values in enumerate(rows):
            values["id"] = first + offset
        traffic_repository.insert_traffic_bulk(conn, kind, rows)


@dataclass(frozen=True, slots=True)
class TrafficSource:
    """A campaign's placements, how much traffic each gets, and the admedia clicked and seen
    (0 = a link that names no admedia)."""

    account_id: int
    campaign_id: int
    placements: Sequence[Placement]
    weights: Sequence[int]
    clicked_admedia: Sequence[int]
    viewed_admedia: Sequence[int]


def unconverted_traffic(
    source: TrafficSource,
    visitors: DemoVisitors,
    rng: random.Random,
    counts: dict[TrafficKind, int],
    end: datetime,
    days: int,
) -> list[Touch]:
    """``counts`` new visitors' clicks and views over the ``days`` before ``end``, with
    their repeats (``REPEAT_SHARE``); none of them led to a transaction."""
    spread = list(accumulate(source.weights))
    touches: list[Touch] = []
    for kind, count in counts.items():
        admedia = source.clicked_admedia if kind == "clicks" else source.viewed_admedia
        for _ in range(count):
            placement = rng.choices(source.placements, cum_weights=spread)[0]
            origin = Origin(
                rng.choice(SUBIDS),
                rng.choice(admedia),
                f"https://publisher{placement.publisher_id}.example/{rng.choice(PAGES)}",
                rng.choice(COUNTRIES),
                rng.choice(USER_AGENTS),
            )
            at = end - timedelta(seconds=rng.randrange(days * 86400))
            touches += _visit(source, visitors, rng, kind, (placement, origin, at), end)
    return touches


def _visit(
    source: TrafficSource,
    visitors: DemoVisitors,
    rng: random.Random,
    kind: TrafficKind,
    first: tuple[Placement, Origin, datetime],
    end: datetime,
) -> list[Touch]:
    """A new visitor's click or view and, for ``REPEAT_SHARE`` of them, the same visitor's
    second one from the same place (unless it would come after ``end``)."""
    placement, origin, at = first
    touch = make_touch(visitors, kind, source.account_id, source.campaign_id, placement, origin, at)
    if rng.random() >= REPEAT_SHARE[kind]:
        return [touch]
    again = at + timedelta(seconds=rng.randrange(*REPEAT_GAP_SECONDS))
    if again >= end:
        return [touch]
    repeat = make_touch(
        visitors,
        kind,
        source.account_id,
        source.campaign_id,
        placement,
        origin,
        again,
        touch.visitor,
    )
    return [touch, repeat]
