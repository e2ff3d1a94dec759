"""affiliate tables

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-24 11:08:00.617853
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commerce_stats.db.types

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("affiliate",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "affiliate_advertisers",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliate_advertisers_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_affiliate_advertisers")),
    )
    op.create_table(
        "affiliate_clicks",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("publisher_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("subid", sa.String(length=255), nullable=False),
        sa.Column("admedia_id", sa.Integer(), nullable=False),
        sa.Column("created_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.Column("referrer", sa.Text(), nullable=False),
        sa.Column("user_agent", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliate_clicks_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_affiliate_clicks")),
    )
    op.create_table(
        "affiliate_counters",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliate_counters_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "name", name=op.f("pk_affiliate_counters")),
    )
    op.create_table(
        "affiliate_publishers",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("prename", sa.String(length=200), nullable=False),
        sa.Column("surname", sa.String(length=200), nullable=False),
        sa.Column("searchtitle", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliate_publishers_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_affiliate_publishers")),
    )
    with op.batch_alter_table("affiliate_publishers", schema=None) as batch_op:
        batch_op.create_index("ux_affiliate_publishers_token", ["token_hash"], unique=True)

    op.create_table(
        "affiliate_transactions",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("ordertoken", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("commission_minor", sa.BigInteger(), nullable=False),
        sa.Column("commission_group_id", sa.Integer(), nullable=False),
        sa.Column("campaign_group_title", sa.String(length=200), nullable=False),
        sa.Column("trigger_id", sa.Integer(), nullable=False),
        sa.Column("trigger_title", sa.String(length=200), nullable=False),
        sa.Column("trigger_type", sa.String(length=16), nullable=False),
        sa.Column("trigger_value_scaled", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("voucher_code", sa.String(length=255), nullable=False),
        sa.Column("turnover_minor", sa.BigInteger(), nullable=False),
        sa.Column("source_turnover_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("click_id", sa.BigInteger(), nullable=True),
        sa.Column("salary_id", sa.Integer(), nullable=False),
        sa.Column("status_change_date", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.Column("last_change", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.Column("payoutdate", commerce_stats.db.types.UTCDateTime(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("user_agent", sa.Text(), nullable=False),
        sa.Column("ebestid", sa.String(length=32), nullable=False),
        sa.Column("order_timestamp", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.Column("action_timestamp", commerce_stats.db.types.UTCDateTime(), nullable=True),
        sa.Column("advertiser_id", sa.Integer(), nullable=False),
        sa.Column("publisher_id", sa.Integer(), nullable=False),
        sa.Column("referrer", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("subid", sa.String(length=255), nullable=False),
        sa.Column("basket_items", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliate_transactions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_affiliate_transactions")),
    )
    with op.batch_alter_table("affiliate_transactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_affiliate_transactions_created", ["account_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_affiliate_transactions_publisher",
            ["account_id", "publisher_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            "ux_affiliate_transactions_order",
            ["account_id", "campaign_id", "trigger_id", "ordertoken"],
            unique=True,
        )

    op.create_table(
        "affiliate_campaigns",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("advertiser_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("target_url", sa.String(length=2000), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("default_group_id", sa.Integer(), nullable=True),
        sa.Column("created_at", commerce_stats.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id", "advertiser_id"],
            ["affiliate_advertisers.account_id", "affiliate_advertisers.id"],
            name=op.f("fk_affiliate_campaigns_account_id_affiliate_advertisers"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliate_campaigns_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_affiliate_campaigns")),
    )
    with op.batch_alter_table("affiliate_campaigns", schema=None) as batch_op:
        batch_op.create_index("ux_affiliate_campaigns_id", ["id"], unique=True)

    op.create_table(
        "affiliate_projects",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("publisher_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id", "publisher_id"],
            ["affiliate_publishers.account_id", "affiliate_publishers.id"],
            name=op.f("fk_affiliate_projects_account_id_affiliate_publishers"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliate_projects_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_affiliate_projects")),
    )
    op.create_table(
        "affiliate_commission_groups",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id", "campaign_id"],
            ["affiliate_campaigns.account_id", "affiliate_campaigns.id"],
            name=op.f("fk_affiliate_commission_groups_account_id_affiliate_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliate_commission_groups_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_affiliate_commission_groups")),
    )
    op.create_table(
        "affiliate_triggers",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id", "campaign_id"],
            ["affiliate_campaigns.account_id", "affiliate_campaigns.id"],
            name=op.f("fk_affiliate_triggers_account_id_affiliate_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliate_triggers_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_affiliate_triggers")),
    )
    op.create_table(
        "affiliate_commission_rates",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("trigger_id", sa.Integer(), nullable=False),
        sa.Column("trigger_type", sa.String(length=16), nullable=False),
        sa.Column(
            "value_scaled",
            sa.BigInteger(),
            nullable=False,
            comment="fixed: minor units of the campaign currency; dynamic: hundredths of a percent",
        ),
        sa.ForeignKeyConstraint(
            ["account_id", "group_id"],
            ["affiliate_commission_groups.account_id", "affiliate_commission_groups.id"],
            name=op.f("fk_affiliate_commission_rates_account_id_affiliate_commission_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id", "trigger_id"],
            ["affiliate_triggers.account_id", "affiliate_triggers.id"],
            name=op.f("fk_affiliate_commission_rates_account_id_affiliate_triggers"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliate_commission_rates_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "group_id", "trigger_id", name=op.f("pk_affiliate_commission_rates")
        ),
    )
    op.create_table(
        "affiliate_memberships",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("publisher_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id", "group_id"],
            ["affiliate_commission_groups.account_id", "affiliate_commission_groups.id"],
            name=op.f("fk_affiliate_memberships_account_id_affiliate_commission_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_affiliate_memberships_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "campaign_id", "publisher_id", name=op.f("pk_affiliate_memberships")
        ),
    )


def downgrade() -> None:
    op.drop_table("affiliate_memberships")
    op.drop_table("affiliate_commission_rates")
    op.drop_table("affiliate_triggers")
    op.drop_table("affiliate_commission_groups")
    op.drop_table("affiliate_projects")
    with op.batch_alter_table("affiliate_campaigns", schema=None) as batch_op:
        batch_op.drop_index("ux_affiliate_campaigns_id")

    op.drop_table("affiliate_campaigns")
    with op.batch_alter_table("affiliate_transactions", schema=None) as batch_op:
        batch_op.drop_index("ux_affiliate_transactions_order")
        batch_op.drop_index("ix_affiliate_transactions_publisher")
        batch_op.drop_index("ix_affiliate_transactions_created")

    op.drop_table("affiliate_transactions")
    with op.batch_alter_table("affiliate_publishers", schema=None) as batch_op:
        batch_op.drop_index("ux_affiliate_publishers_token")

    op.drop_table("affiliate_publishers")
    op.drop_table("affiliate_counters")
    op.drop_table("affiliate_clicks")
    op.drop_table("affiliate_advertisers")
