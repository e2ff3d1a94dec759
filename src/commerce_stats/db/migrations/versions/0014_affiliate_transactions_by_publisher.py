"""affiliate transactions: an index of each publisher's transactions in id order

A publisher's link exports its own transactions in id order. Without this index the
read walks every transaction of the period along the primary key and drops the other
publishers' rows; with it, the read walks the publisher's own rows only.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 16:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_affiliate_transactions_publisher_id",
        "affiliate_transactions",
        ["account_id", "publisher_id", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_affiliate_transactions_publisher_id", "affiliate_transactions")
