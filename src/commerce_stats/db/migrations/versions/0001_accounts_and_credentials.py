"""accounts, credentials and dashboard logins

Revision ID: 0001
Revises:
Create Date: 2026-11-24 11:01:30.334994
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commerce_stats.db.types

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    op.create_table(
        "account_credentials",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("public_id", sa.String(length=64), nullable=True),
        sa.Column("secret_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_credentials_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "name", name=op.f("pk_account_credentials")),
    )
    with op.batch_alter_table("account_credentials", schema=None) as batch_op:
        batch_op.create_index("ix_account_credentials_lookup", ["name", "secret_hash"], unique=True)
        batch_op.create_index("ix_account_credentials_public", ["name", "public_id"], unique=True)

    op.create_table(
        "dashboard_logins",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_dashboard_logins_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_dashboard_logins")),
        sa.UniqueConstraint("username", name=op.f("uq_dashboard_logins_username")),
    )


def downgrade() -> None:
    op.drop_table("dashboard_logins")
    with op.batch_alter_table("account_credentials", schema=None) as batch_op:
        batch_op.drop_index("ix_account_credentials_public")
        batch_op.drop_index("ix_account_credentials_lookup")

    op.drop_table("account_credentials")
    op.drop_table("accounts")
