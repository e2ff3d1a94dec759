"""What a running server holds: settings, the database, and the shared services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from commerce_stats.accounts.service import Accounts
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.kit.ratelimit import FailureLimiter


@dataclass
class Runtime:
    settings: Settings
    database: Database
    accounts: Accounts
    failures: FailureLimiter
    """Failed-authentication counts, per credential and per client address."""
    services: dict[str, Any] = field(default_factory=dict)
    """Long-lived per-domain objects (ingest buffers, rate limiters), keyed by domain."""


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime
