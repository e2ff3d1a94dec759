"""promotions tables

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-24 11:10:43.054745
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commerce_stats.db.types

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("promotions",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "promo_orders",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("coupon_codes", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_promo_orders_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "order_id", name=op.f("pk_promo_orders")),
    )
    op.create_table(
        "promo_sequences",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_promo_sequences_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "name", name=op.f("pk_promo_sequences")),
    )
    op.create_table(
        "promo_tokens",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("expires_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.Column("created_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_promo_tokens_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "token_hash", name=op.f("pk_promo_tokens")),
    )
    with op.batch_alter_table("promo_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_promo_tokens_lookup", ["token_hash"], unique=True)

    op.create_table(
        "promotions",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("promotion_type", sa.String(length=16), nullable=False),
        sa.Column("promotion_name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.Boolean(), nullable=False),
        sa.Column("date_from", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.Column("date_to", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.Column("coupon_type", sa.String(length=16), nullable=True),
        sa.Column("discount_percent", sa.String(length=16), nullable=False),
        sa.Column("product_ids", sa.JSON(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("redemptions", sa.BigInteger(), nullable=False),
        sa.Column("created_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_promotions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_promotions")),
    )
    with op.batch_alter_table("promotions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_promotions_account_updated", ["account_id", "updated_at"], unique=False
        )

    op.create_table(
        "promo_order_lines",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("promotion_id", sa.BigInteger(), nullable=True),
        sa.Column("code_id", sa.BigInteger(), nullable=True),
        sa.Column("coupon_code", sa.String(length=64), nullable=True),
        sa.Column("discount_percent", sa.String(length=16), nullable=True),
        sa.Column("discounted_unit_minor", sa.BigInteger(), nullable=False),
        sa.Column("line_total_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id", "order_id"],
            ["promo_orders.account_id", "promo_orders.order_id"],
            name=op.f("fk_promo_order_lines_account_id_promo_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_promo_order_lines_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "order_id", "line_no", name=op.f("pk_promo_order_lines")
        ),
    )
    op.create_table(
        "promo_redemptions",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("promotion_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("code_id", sa.BigInteger(), nullable=True),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("created_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id", "order_id"],
            ["promo_orders.account_id", "promo_orders.order_id"],
            name=op.f("fk_promo_redemptions_account_id_promo_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_promo_redemptions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "promotion_id", "order_id", "line_no", name=op.f("pk_promo_redemptions")
        ),
    )
    with op.batch_alter_table("promo_redemptions", schema=None) as batch_op:
        batch_op.create_index("ix_promo_redemptions_code", ["account_id", "code_id"], unique=False)

    op.create_table(
        "promotion_codes",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("promotion_id", sa.BigInteger(), nullable=False),
        sa.Column("coupon_code", sa.String(length=64), nullable=False),
        sa.Column("coupon_type", sa.String(length=16), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("consumed_by_order", sa.String(length=64), nullable=True),
        sa.Column("redemptions", sa.BigInteger(), nullable=False),
        sa.Column("created_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id", "promotion_id"],
            ["promotions.account_id", "promotions.id"],
            name=op.f("fk_promotion_codes_account_id_promotions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_promotion_codes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_promotion_codes")),
    )
    with op.batch_alter_table("promotion_codes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_promotion_codes_promotion",
            [
                "account_id",
                "promotion_id",
                "id",
                "deleted",
                "redemptions",
                "coupon_code",
                "coupon_type",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_promotion_codes_value", ["account_id", "coupon_code"], unique=False
        )

    op.create_table(
        "promotion_products",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("promotion_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id", "promotion_id"],
            ["promotions.account_id", "promotions.id"],
            name=op.f("fk_promotion_products_account_id_promotions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_promotion_products_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "product_id", "promotion_id", name=op.f("pk_promotion_products")
        ),
    )


def downgrade() -> None:
    op.drop_table("promotion_products")
    with op.batch_alter_table("promotion_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_promotion_codes_value")
        batch_op.drop_index("ix_promotion_codes_promotion")

    op.drop_table("promotion_codes")
    with op.batch_alter_table("promo_redemptions", schema=None) as batch_op:
        batch_op.drop_index("ix_promo_redemptions_code")

    op.drop_table("promo_redemptions")
    op.drop_table("promo_order_lines")
    with op.batch_alter_table("promotions", schema=None) as batch_op:
        batch_op.drop_index("ix_promotions_account_updated")

    op.drop_table("promotions")
    with op.batch_alter_table("promo_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_promo_tokens_lookup")

    op.drop_table("promo_tokens")
    op.drop_table("promo_sequences")
    op.drop_table("promo_orders")
