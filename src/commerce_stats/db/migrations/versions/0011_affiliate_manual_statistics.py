"""affiliate manual statistics: traffic and sales entered by an operator

One row per entry: the network-local day, campaign, publisher, optional project and
admedia (0 = none), views, clicks and per status (open, confirmed, canceled, paid) the
count, commission and turnover in the minor unit of the campaign's currency, and a note.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from commerce_stats.db.types import UTCDateTime

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "affiliate_manual_statistics"
STATUSES = ("open", "confirmed", "canceled", "paid")


def _status_columns() -> list[sa.Column[int]]:
    columns: list[sa.Column[int]] = []
    for status in STATUSES:
        columns += [
            sa.Column(f"{status}_count", sa.BigInteger(), nullable=False),
            sa.Column(f"{status}_commission_minor", sa.BigInteger(), nullable=False),
            sa.Column(f"{status}_turnover_minor", sa.BigInteger(), nullable=False),
        ]
    return columns


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False, comment="the network's local date"),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("publisher_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False, comment="0 = none"),
        sa.Column("admedia_id", sa.Integer(), nullable=False, comment="0 = none"),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.Column("clicks", sa.BigInteger(), nullable=False),
        *_status_columns(),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f(f"fk_{TABLE}_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id", "campaign_id"],
            ["affiliate_campaigns.account_id", "affiliate_campaigns.id"],
            name=op.f(f"fk_{TABLE}_account_id_affiliate_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id", "publisher_id"],
            ["affiliate_publishers.account_id", "affiliate_publishers.id"],
            name=op.f(f"fk_{TABLE}_account_id_affiliate_publishers"),
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index("ix_affiliate_manual_statistics_day", TABLE, ["account_id", "day", "id"])


def downgrade() -> None:
    op.drop_index("ix_affiliate_manual_statistics_day", table_name=TABLE)
    op.drop_table(TABLE)
