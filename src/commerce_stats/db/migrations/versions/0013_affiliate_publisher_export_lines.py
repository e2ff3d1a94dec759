"""affiliate transactions keep their publisher export text too

A publisher's link exports its own 24 columns; each transaction now stores their CSV
text as well (``publisher_head`` and ``publisher_tail``, around the advertiser, campaign
and project fields that come from a join), rendered with the admin text. Existing rows
get an empty key, so the first CSV export after this migration renders both texts of
them again (see ``affiliate.export_lines``).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("affiliate_transactions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("publisher_head", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("publisher_tail", sa.Text(), nullable=False, server_default="")
        )
    op.execute("UPDATE affiliate_transactions SET export_key = ''")


def downgrade() -> None:
    with op.batch_alter_table("affiliate_transactions", schema=None) as batch_op:
        batch_op.drop_column("publisher_tail")
        batch_op.drop_column("publisher_head")
