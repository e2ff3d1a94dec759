"""Read routing over PostgreSQL hot standbys.

Reports, statistics, exports and dashboard pages may read data that is a few seconds old;
they ask :class:`ReadRouter` for a connection, and it hands out one from a healthy replica
(round robin), or from the primary when no replica is healthy. Everything else (writes, and
reads that must see what the same request just wrote) uses the primary directly.

A replica is healthy when it answers and its replay lag is at most ``max_lag_seconds``.
The lag is ``now() - pg_last_xact_replay_timestamp()``, with one correction: on an idle
primary that timestamp stops moving, so a standby that has replayed everything it received
(``pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()``) counts as caught up whatever the
timestamp says. A server that is not in recovery (a promoted standby) counts as current.
Each replica's health is checked at most once per ``check_seconds``, so requests do not pay
for it; a replica that refuses a connection is left out for ``down_seconds``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

logger = logging.getLogger(__name__)

Clock = Callable[[], float]

_HEALTH_SQL = text(
    "SELECT pg_is_in_recovery() AS in_recovery,"
    " pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() AS replayed_all,"
    " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) AS behind"
)


def replay_lag(in_recovery: bool, replayed_all: bool, behind: float | None) -> float | None:
    """Seconds a server's data is behind the primary, or None when that cannot be told.

    ``behind`` is ``now() - pg_last_xact_replay_timestamp()`` in seconds (NULL before the
    standby replayed any transaction). A standby that replayed all it received is caught up.
    """
    if not in_recovery or replayed_all:
        return 0.0
    if behind is None:
        return None
    return max(0.0, float(behind))


@dataclass(frozen=True)
class RouterSettings:
    max_lag_seconds: float
    check_seconds: float
    down_seconds: float
    reads_on_primary: bool


class Replica:
    """One standby: its engine and its remembered health."""

    def __init__(self, engine: Engine, settings: RouterSettings, clock: Clock) -> None:
        self.engine = engine
        self.name = engine.url.render_as_string(hide_password=True)
        self._settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._healthy = False
        self._down_until = 0.0

    def usable(self) -> bool:
        """Whether reads may go here now (checks health when the remembered one is old)."""
        with self._lock:
            now = self._clock()
            if now < self._down_until:
                return False
            fresh = (
                self._checked_at is not None
                and now - self._checked_at < self._settings.check_seconds
            )
            if not fresh:
                self._healthy = self._check_health()
                self._checked_at = self._clock()
            return self._healthy

    def mark_down(self, error: DBAPIError) -> None:
        """Leaves the replica out for ``down_seconds`` (it refused a connection)."""
        with self._lock:
            self._mark_down_locked(error)

    def _mark_down_locked(self, error: DBAPIError) -> None:
        now = self._clock()
        if now >= self._down_until:
            logger.warning(
                "replica %s is down (%s); reads skip it for %.1f s",
                self.name,
                _first_line(error),
                self._settings.down_seconds,
            )
        self._down_until = now + self._settings.down_seconds
        self._healthy = False
        self._checked_at = None

    def _check_health(self) -> bool:
        try:
            with self.engine.connect() as conn:
                row = conn.execute(_HEALTH_SQL).one()
        except DBAPIError as error:
            self._mark_down_locked(error)
            return False
        behind = None if row.behind is None else float(row.behind)
        lag = replay_lag(bool(row.in_recovery), bool(row.replayed_all), behind)
        healthy = lag is not None and lag <= self._settings.max_lag_seconds
        if not healthy and self._healthy:
            logger.warning(
                "replica %s is %s behind (limit %.1f s); reads go elsewhere",
                self.name,
                "an unknown time" if lag is None else f"{lag:.1f} s",
                self._settings.max_lag_seconds,
            )
        return healthy


def _first_line(error: DBAPIError) -> str:
    """The driver's own message, first line: it names host and port, never a password."""
    lines = str(error.orig).strip().splitlines()
    return lines[0] if lines else type(error.orig).__name__


class ReadRouter:
    """Hands out read connections: a healthy replica in turn, else the primary."""

    def __init__(
        self,
        primary: Engine,
        replica_engines: Sequence[Engine],
        settings: RouterSettings,
        clock: Clock = time.monotonic,
    ) -> None:
        self.primary = primary
        self.replicas = [Replica(engine, settings, clock) for engine in replica_engines]
        self._settings = settings
        self._turn = 0
        self._turn_lock = threading.Lock()

    def connect(self) -> Connection:
        """A connection for a read that may lag the primary by up to ``max_lag_seconds``."""
        for replica in self._rotation():
            if replica is None:
                return self.primary.connect()
            if not replica.usable():
                continue
            try:
                return replica.engine.connect()
            except DBAPIError as error:
                replica.mark_down(error)
        return self.primary.connect()

    def _rotation(self) -> list[Replica | None]:
        """Every read target once (None stands for the primary), starting at the next turn."""
        targets: list[Replica | None] = list(self.replicas)
        if self._settings.reads_on_primary:
            targets.append(None)
        with self._turn_lock:
            start = self._turn % len(targets)
            self._turn += 1
        return targets[start:] + targets[:start]

    def dispose(self) -> None:
        for replica in self.replicas:
            replica.engine.dispose()
