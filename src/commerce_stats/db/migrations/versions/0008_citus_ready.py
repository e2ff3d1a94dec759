"""campaign ids find their account in a directory; no unique index spans accounts

Tracking links name a campaign by a server-wide id and nothing else. Until now
a unique index on ``affiliate_campaigns.id`` alone kept those ids unique, which
a table distributed by account cannot enforce. ``affiliate_campaign_directory``
(campaign id to account, a reference table) takes over both jobs: its primary
key keeps campaign ids unique, and a click finds the campaign's account there
before reading the campaign on that account's shard. Every existing campaign
gets its directory row here, so tracking links issued before the upgrade keep
working.

The other unique indexes that span accounts belong to reference tables (see
``commerce_stats.db.distribution``) and stay as they are.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "affiliate_campaign_directory",
        sa.Column("campaign_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliate_campaign_directory_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_affiliate_campaign_directory")),
    )
    op.execute(
        "INSERT INTO affiliate_campaign_directory (campaign_id, account_id) "
        "SELECT id, account_id FROM affiliate_campaigns"
    )
    with op.batch_alter_table("affiliate_campaigns", schema=None) as batch_op:
        batch_op.drop_index("ux_affiliate_campaigns_id")


def downgrade() -> None:
    with op.batch_alter_table("affiliate_campaigns", schema=None) as batch_op:
        batch_op.create_index("ux_affiliate_campaigns_id", ["id"], unique=True)
    op.drop_table("affiliate_campaign_directory")
