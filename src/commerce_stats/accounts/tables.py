"""Accounts and their credentials."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table

from commerce_stats.db.metadata import metadata
from commerce_stats.db.types import UTCDateTime

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("features", JSON, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

account_credentials = Table(
    "account_credentials",
    metadata,
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("name", String(40), primary_key=True),
    Column("public_id", String(64), nullable=True),
    Column("secret_hash", String(64), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    # Counts replacements of the secret and disablings of the account; what was issued
    # under an older generation (promotions tokens) is void.
    Column("generation", Integer, nullable=False, default=1, server_default="1"),
    Index("ix_account_credentials_lookup", "name", "secret_hash", unique=True),
    Index("ix_account_credentials_public", "name", "public_id", unique=True),
)

dashboard_logins = Table(
    "dashboard_logins",
    metadata,
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

dashboard_sessions = Table(
    "dashboard_sessions",
    metadata,
    # The signed-in account, or 0 for an admin session (which may look at any account).
    Column("account_id", Integer, primary_key=True, autoincrement=False),
    Column("session_hash", String(64), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)
