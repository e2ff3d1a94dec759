"""video tables

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 11:06:52.937125
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commerce_stats.db.types

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("video",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "video_counters",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("content_key", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("device_type", sa.String(length=8), nullable=False),
        sa.Column("ecommerce_key", sa.String(length=64), nullable=False),
        sa.Column("viewed", sa.BigInteger(), nullable=False),
        sa.Column("clicked", sa.BigInteger(), nullable=False),
        sa.Column("hidden", sa.BigInteger(), nullable=False),
        sa.Column("bar_shown", sa.BigInteger(), nullable=False),
        sa.Column("bar_hidden", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_video_counters_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id",
            "content_key",
            "day",
            "device_type",
            "ecommerce_key",
            name=op.f("pk_video_counters"),
        ),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("video_counters", schema=None) as batch_op:
        batch_op.create_index("ix_video_counters_account_day", ["account_id", "day"], unique=False)

    op.create_table(
        "video_ecommerce_items",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("ecommerce_key", sa.String(length=64), nullable=False),
        sa.Column("ecommerce_name", sa.Text(), nullable=False),
        sa.Column("ecommerce_link", sa.Text(), nullable=False),
        sa.Column("created_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_video_ecommerce_items_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "ecommerce_key", name=op.f("pk_video_ecommerce_items")
        ),
    )
    op.create_table(
        "video_seen_events",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("seen_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_video_seen_events_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "event_id", name=op.f("pk_video_seen_events")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("video_seen_events", schema=None) as batch_op:
        batch_op.create_index("ix_video_seen_events_seen_at", ["seen_at"], unique=False)

    op.create_table(
        "video_videos",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("content_key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("duration", sa.String(length=64), nullable=True),
        sa.Column("parone_categories", sa.JSON(), nullable=False),
        sa.Column("private_categories", sa.JSON(), nullable=False),
        sa.Column("private_tags", sa.JSON(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("syndications", sa.JSON(), nullable=False),
        sa.Column("thumbnail", sa.Text(), nullable=True),
        sa.Column("translations", sa.JSON(), nullable=False),
        sa.Column("created_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_video_videos_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "content_key", name=op.f("pk_video_videos")),
    )
    op.create_table(
        "video_video_items",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("content_key", sa.String(length=64), nullable=False),
        sa.Column("ecommerce_key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id", "content_key"],
            ["video_videos.account_id", "video_videos.content_key"],
            name=op.f("fk_video_video_items_account_id_video_videos"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id", "ecommerce_key"],
            ["video_ecommerce_items.account_id", "video_ecommerce_items.ecommerce_key"],
            name=op.f("fk_video_video_items_account_id_video_ecommerce_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "content_key", "ecommerce_key", name=op.f("pk_video_video_items")
        ),
    )


def downgrade() -> None:
    op.drop_table("video_video_items")
    op.drop_table("video_videos")
    with op.batch_alter_table("video_seen_events", schema=None) as batch_op:
        batch_op.drop_index("ix_video_seen_events_seen_at")

    op.drop_table("video_seen_events")
    op.drop_table("video_ecommerce_items")
    with op.batch_alter_table("video_counters", schema=None) as batch_op:
        batch_op.drop_index("ix_video_counters_account_day")

    op.drop_table("video_counters")
