"""video counter outbox: counter deltas waiting to be copied into ClickHouse

When ClickHouse holds the video counters, a flush commits its dedupe claims and its
counter deltas (one MessagePack row per account and shard) to this table in one
transaction (the acknowledgement); each (batch, shard) part is then inserted into the
shard and deleted once confirmed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "video_counter_outbox",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("deltas", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_video_counter_outbox_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "batch_id", "shard", name=op.f("pk_video_counter_outbox")
        ),
    )
    op.create_index(
        "ix_video_counter_outbox_batch_shard",
        "video_counter_outbox",
        ["batch_id", "shard"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_video_counter_outbox_batch_shard", table_name="video_counter_outbox")
    op.drop_table("video_counter_outbox")
