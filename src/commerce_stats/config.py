"""Runtime settings, read from the environment (prefix ``COMMERCE_STATS_``).

Every setting, its default and its meaning is listed in docs/configuration.md.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("data") / "commerce-stats.sqlite3"

MIN_PUBLIC_ADMIN_TOKEN_LENGTH = 32
"""Shortest admin token accepted when the server listens beyond loopback."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def admin_token_problem(host: str, admin_token: str | None) -> str | None:
    """Why ``admin_token`` is too weak to serve on ``host``, or None when it is acceptable.

    On loopback any token will do (only this machine can guess at it); anywhere else a
    short token could be guessed over the network, so it must be long.
    """
    if admin_token is None or is_loopback(host):
        return None
    if len(admin_token) < MIN_PUBLIC_ADMIN_TOKEN_LENGTH:
        return (
            f"COMMERCE_STATS_ADMIN_TOKEN must be at least {MIN_PUBLIC_ADMIN_TOKEN_LENGTH} "
            f"characters when serving on {host} (not a loopback address); "
            f"it has {len(admin_token)}"
        )
    return None


class Settings(BaseSettings):
    """Process-wide configuration; one instance is handed to ``create_app``."""

    model_config = SettingsConfigDict(
        env_prefix="COMMERCE_STATS_",
        extra="ignore",
        # a refused setting's message must not repeat secrets (admin token, database password)
        hide_input_in_errors=True,
    )

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db.",
    )
    admin_token: str | None = Field(
        default=None,
        description="Bearer token of the admin API; generated on loopback when unset.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"
    sqlite_synchronous: str = Field(
        default="FULL",
        description="SQLite PRAGMA synchronous: FULL makes every commit durable on power loss.",
    )
    sqlite_busy_timeout_ms: int = 10_000
    postgres_pool_size: int = 10
    database_replica_urls: str = Field(
        default="",
        description="Comma-separated PostgreSQL URLs of hot standbys that serve report reads.",
    )
    replica_max_lag_seconds: float = Field(
        default=5.0, description="A replica further behind the primary than this is skipped."
    )
    replica_check_seconds: float = Field(
        default=1.0, description="How long a replica's health (reachable, lag) is remembered."
    )
    replica_down_seconds: float = Field(
        default=5.0, description="How long a replica that refused a connection is left out."
    )
    replica_reads_on_primary: bool = Field(
        default=False,
        description="Let the primary take its turn with the healthy replicas for report reads.",
    )
    credential_cache_seconds: float = Field(
        default=5.0,
        description="How long a verified credential is remembered in-process (0 disables).",
    )
    demo_on_first_start: bool = Field(
        default=False,
        description="Load demo data when the database has no account yet (make run sets it).",
    )
    data_dir: Path = Field(default=Path("data"), description="Where local files are kept.")
    redis_url: str | None = Field(
        default=None, description="Redis shared by all processes (failed-attempt counts)."
    )
    session_secret: str | None = Field(
        default=None,
        description="Signs dashboard session cookies; derived from the admin token if unset.",
    )
    session_max_age_seconds: int = Field(
        default=12 * 3600, description="How long a dashboard sign-in lasts."
    )
    auth_failure_limit: int = Field(
        default=10, description="Failed authentications per key and window before 429."
    )
    auth_failure_window_seconds: int = Field(
        default=60, description="Length of the failed-authentication window."
    )
    promotions_token_hours: float = Field(
        default=24.0, description="Lifetime of a promotions API token (POST /v1/login_check)."
    )
    promotions_refresh_days: float = Field(
        default=30.0, description="Lifetime of a promotions API refresh token (single use)."
    )
    promotions_group_commit: bool = Field(
        default=True,
        description="Batch concurrent orders into shared transactions (one durable commit each).",
    )
    body_idle_timeout_seconds: float = Field(
        default=15.0,
        description="Longest wait for the next chunk of a request body; 408 and closed after.",
    )
    body_timeout_seconds: float = Field(
        default=120.0,
        description="Longest time from a request's start to the last byte of its body; 408 after.",
    )
    limit_concurrency: int = Field(
        default=1000,
        description="Open connections plus running requests per process; new ones get 503 past it.",
    )
    timeout_keep_alive_seconds: int = Field(
        default=5, description="How long an idle keep-alive connection stays open."
    )
    affiliate_upload_max_bytes: int = Field(
        default=50 * 1024 * 1024,
        description="Largest order upload accepted (PUT /REST/orders/, JSON twin); 413 above.",
    )

    clickhouse_url: str | None = Field(
        default=None,
        description=(
            "ClickHouse for the video counters, native protocol: clickhouse://host:port"
            "[,host:port...][/database], one host per shard in the cluster's shard order."
        ),
    )
    clickhouse_cluster: str = Field(
        default="commerce_stats",
        description="The <remote_servers> cluster name used for ON CLUSTER and Distributed.",
    )

    @model_validator(mode="after")
    def _admin_token_strong_enough(self) -> Self:
        problem = admin_token_problem(self.host, self.admin_token)
        if problem is not None:
            raise ValueError(problem)
        return self

    @model_validator(mode="after")
    def _replicas_need_postgres(self) -> Self:
        if self.replica_urls and self.is_sqlite:
            raise ValueError(
                "COMMERCE_STATS_DATABASE_REPLICA_URLS needs a PostgreSQL primary; "
                "SQLite has no replicas"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def replica_urls(self) -> tuple[str, ...]:
        """The replica URLs, in the order given (empty entries ignored)."""
        return tuple(url.strip() for url in self.database_replica_urls.split(",") if url.strip())
