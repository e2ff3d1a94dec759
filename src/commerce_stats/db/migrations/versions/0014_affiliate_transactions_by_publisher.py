"""affiliate transactions: the publisher index leads to ids instead of statuses

A publisher's link exports its own transactions in id order. With the index of
(account, publisher, status) the read walked every transaction of the period along the
primary key and dropped the other publishers' rows; the index of (account, publisher, id)
lets it walk the publisher's own rows, already in id order. It replaces the status index
instead of joining it, so a conversion writes no more index entries than before, and a
status change (confirm, cancel, payout) rewrites none in it; the payout, the one read by
publisher and status, now filters the publisher's rows by status.

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
    op.drop_index("ix_affiliate_transactions_publisher", "affiliate_transactions")
    op.create_index(
        "ix_affiliate_transactions_publisher_id",
        "affiliate_transactions",
        ["account_id", "publisher_id", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_affiliate_transactions_publisher_id", "affiliate_transactions")
    op.create_index(
        "ix_affiliate_transactions_publisher",
        "affiliate_transactions",
        ["account_id", "publisher_id", "status"],
    )
