"""affiliate transactions keep their rendered export text; two indexes for reads

Each transaction stores the CSV text of its own 37 export fields (``export_head``
and ``export_tail``, around the campaign and publisher fields that come from a
join) and the key they were rendered under (format version and time zone).
Existing rows get an empty key, so the first CSV export after this migration
renders them (see ``affiliate.export_lines``).

The created-at index also carries the id, so that the id span of a period is
read from the index alone; and the unique order index puts the order token
before the trigger, so that uploads, which look orders up by campaign and token
alone, find them in it (with the trigger first, such a lookup read every
transaction of the campaign).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 14:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("affiliate_transactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("export_head", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("export_tail", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("export_key", sa.String(length=80), nullable=False, server_default="")
        )
        batch_op.drop_index("ix_affiliate_transactions_created")
        batch_op.create_index(
            "ix_affiliate_transactions_created", ["account_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_affiliate_transactions_export_key", ["account_id", "export_key"], unique=False
        )
        batch_op.drop_index("ux_affiliate_transactions_order")
        batch_op.create_index(
            "ux_affiliate_transactions_order",
            ["account_id", "campaign_id", "ordertoken", "trigger_id"],
            unique=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("affiliate_transactions", schema=None) as batch_op:
        batch_op.drop_index("ux_affiliate_transactions_order")
        batch_op.create_index(
            "ux_affiliate_transactions_order",
            ["account_id", "campaign_id", "trigger_id", "ordertoken"],
            unique=True,
        )
        batch_op.drop_index("ix_affiliate_transactions_export_key")
        batch_op.drop_index("ix_affiliate_transactions_created")
        batch_op.create_index(
            "ix_affiliate_transactions_created", ["account_id", "created_at"], unique=False
        )
        batch_op.drop_column("export_key")
        batch_op.drop_column("export_tail")
        batch_op.drop_column("export_head")
