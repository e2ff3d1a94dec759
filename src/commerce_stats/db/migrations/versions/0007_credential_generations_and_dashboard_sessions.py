"""credential generations on credentials and promotions tokens; dashboard sessions

A credential's ``generation`` moves on when its secret is replaced or its
account is disabled; promotions tokens carry the generation they were issued
under and are void once it moves on. Existing credentials and tokens start at
generation 1, so tokens issued before this migration keep working.

``dashboard_sessions`` holds one row per open dashboard sign-in (the hash of
the session id carried in the signed cookie); signing out deletes the row, so a
saved cookie stops working. Cookies issued before this migration have no
session id and lead to the sign-in page.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commerce_stats.db.types

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("account_credentials", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("generation", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("promo_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("generation", sa.Integer(), nullable=False, server_default="1")
        )
    op.create_table(
        "dashboard_sessions",
        sa.Column("account_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "session_hash", name=op.f("pk_dashboard_sessions")),
    )


def downgrade() -> None:
    op.drop_table("dashboard_sessions")
    with op.batch_alter_table("promo_tokens", schema=None) as batch_op:
        batch_op.drop_column("generation")
    with op.batch_alter_table("account_credentials", schema=None) as batch_op:
        batch_op.drop_column("generation")
