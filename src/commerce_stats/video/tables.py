"""The video domain's tables: the catalog, the daily counters and the dedupe memory."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from commerce_stats.db.metadata import metadata
from commerce_stats.db.types import UTCDateTime

KEY_LENGTH = 64
EVENT_ID_LENGTH = 128

videos = Table(
    "video_videos",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("content_key", String(KEY_LENGTH), primary_key=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("duration", String(64), nullable=True),
    Column("parone_categories", JSON, nullable=False),
    Column("private_categories", JSON, nullable=False),
    Column("private_tags", JSON, nullable=False),
    Column("removed", Integer, nullable=False),
    Column("syndications", JSON, nullable=False),
    Column("thumbnail", Text, nullable=True),
    Column("translations", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

ecommerce_items = Table(
    "video_ecommerce_items",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("ecommerce_key", String(KEY_LENGTH), primary_key=True),
    Column("ecommerce_name", Text, nullable=False),
    Column("ecommerce_link", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

video_items = Table(
    "video_video_items",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("content_key", String(KEY_LENGTH), primary_key=True),
    Column("ecommerce_key", String(KEY_LENGTH), primary_key=True),
    Column("position", Integer, nullable=False),
    ForeignKeyConstraint(
        ["account_id", "content_key"],
        ["video_videos.account_id", "video_videos.content_key"],
        ondelete="CASCADE",
    ),
    ForeignKeyConstraint(
        ["account_id", "ecommerce_key"],
        ["video_ecommerce_items.account_id", "video_ecommerce_items.ecommerce_key"],
        ondelete="CASCADE",
    ),
)

counters = Table(
    "video_counters",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("content_key", String(KEY_LENGTH), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("device_type", String(8), primary_key=True),
    Column("ecommerce_key", String(KEY_LENGTH), primary_key=True),
    Column("viewed", BigInteger, nullable=False),
    Column("clicked", BigInteger, nullable=False),
    Column("hidden", BigInteger, nullable=False),
    Column("bar_shown", BigInteger, nullable=False),
    Column("bar_hidden", BigInteger, nullable=False),
    Index("ix_video_counters_account_day", "account_id", "day"),
    sqlite_with_rowid=False,
)
"""One row per (account, video, UTC day, device type, ecommerce item or "none").

On SQLite the table is WITHOUT ROWID: rows live in the primary-key B-tree, so an
upsert is one lookup instead of two (measured in bench/video_ingest.py)."""

seen_events = Table(
    "video_seen_events",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", String(EVENT_ID_LENGTH), primary_key=True),
    Column("seen_at", UTCDateTime, nullable=False),
    Index("ix_video_seen_events_seen_at", "seen_at"),
    sqlite_with_rowid=False,
)
"""Event ids counted in the dedupe window; older rows are pruned by the flusher."""

counter_outbox = Table(
    "video_counter_outbox",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("batch_id", BigInteger, primary_key=True, autoincrement=False),
    Column("shard", Integer, primary_key=True, autoincrement=False),
    Column("deltas", LargeBinary, nullable=False),
    Index("ix_video_counter_outbox_batch_shard", "batch_id", "shard"),
)
"""One flush's counter deltas of one account for one ClickHouse shard (MessagePack rows:
content_key, day, device_type, ecommerce_key, the five counts), committed with the
flush's dedupe claims and deleted once the shard has them. One row per part, not per
counter, keeps the relational write of a flush small. Used only when ClickHouse holds
the counters (docs/scaling.md)."""
