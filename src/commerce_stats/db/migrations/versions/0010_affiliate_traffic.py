"""affiliate traffic: admedia, views, visitor salts; clicks and transactions learn the device

Clicks and views record a salted visitor hash (for the four-hour reclick filter), whether
they count net, and the user agent parsed into device type, device, browser and OS.
Transactions record which touch point led to them (a click or, for postview sales, a
view), its admedia and the device fields; campaigns get a postview window (0 = off).
Existing rows get the defaults: every old click counts net, with no device known.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from commerce_stats.db.types import UTCDateTime

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEVICE_COLUMNS = (("devicetype", 16), ("device", 64), ("browser", 64), ("os", 64))


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"],
        ["accounts.id"],
        name=op.f(f"fk_{table}_account_id_accounts"),
        ondelete="CASCADE",
    )


def _device_columns() -> list[sa.Column[str]]:
    return [
        sa.Column(name, sa.String(length), nullable=False, server_default="")
        for name, length in DEVICE_COLUMNS
    ]


def upgrade() -> None:
    op.add_column(
        "affiliate_campaigns",
        sa.Column(
            "postview_window_hours",
            sa.Integer(),
            nullable=False,
            server_default="0",
            comment="a conversion without a click is credited to a view this recent; 0 = off",
        ),
    )
    op.create_table(
        "affiliate_admedia",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column(
            "kind", sa.String(32), nullable=False, comment="banner, textlink, productfeed, ..."
        ),
        sa.Column("target_url", sa.String(2000), nullable=False, comment="empty: the campaign's"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _account_fk("affiliate_admedia"),
        sa.ForeignKeyConstraint(
            ["account_id", "campaign_id"],
            ["affiliate_campaigns.account_id", "affiliate_campaigns.id"],
            name=op.f("fk_affiliate_admedia_account_id_affiliate_campaigns"),
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_affiliate_admedia")),
    )
    with op.batch_alter_table("affiliate_clicks") as batch:
        batch.add_column(sa.Column("visitor", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("net", sa.SmallInteger(), nullable=False, server_default="1"))
        for column in _device_columns():
            batch.add_column(column)
    op.create_index(
        "ix_affiliate_clicks_created", "affiliate_clicks", ["account_id", "created_at", "id"]
    )
    op.create_index(
        "ix_affiliate_clicks_visitor",
        "affiliate_clicks",
        ["account_id", "campaign_id", "visitor", "created_at"],
    )
    op.create_table(
        "affiliate_views",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("publisher_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("subid", sa.String(255), nullable=False),
        sa.Column("admedia_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("referrer", sa.Text(), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("visitor", sa.String(32), nullable=False, server_default=""),
        sa.Column("net", sa.SmallInteger(), nullable=False, server_default="1"),
        *_device_columns(),
        _account_fk("affiliate_views"),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_affiliate_views")),
    )
    op.create_index(
        "ix_affiliate_views_created", "affiliate_views", ["account_id", "created_at", "id"]
    )
    op.create_index(
        "ix_affiliate_views_visitor",
        "affiliate_views",
        ["account_id", "campaign_id", "visitor", "created_at"],
    )
    op.create_table(
        "affiliate_visitor_salts",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("salt", sa.LargeBinary(32), nullable=False),
        _account_fk("affiliate_visitor_salts"),
        sa.PrimaryKeyConstraint("account_id", "day", name=op.f("pk_affiliate_visitor_salts")),
    )
    with op.batch_alter_table("affiliate_transactions") as batch:
        batch.add_column(
            sa.Column(
                "action_type",
                sa.String(8),
                nullable=False,
                server_default="",
                comment="click, view or ''",
            )
        )
        batch.add_column(
            sa.Column(
                "view_id",
                sa.BigInteger(),
                nullable=True,
                comment="the view a postview sale came from",
            )
        )
        batch.add_column(sa.Column("admedia_id", sa.Integer(), nullable=False, server_default="0"))
        for column in _device_columns():
            batch.add_column(column)
    op.execute("UPDATE affiliate_transactions SET action_type = 'click' WHERE click_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("affiliate_transactions") as batch:
        for name, _length in reversed(DEVICE_COLUMNS):
            batch.drop_column(name)
        batch.drop_column("admedia_id")
        batch.drop_column("view_id")
        batch.drop_column("action_type")
    op.drop_table("affiliate_visitor_salts")
    op.drop_index("ix_affiliate_views_visitor", table_name="affiliate_views")
    op.drop_index("ix_affiliate_views_created", table_name="affiliate_views")
    op.drop_table("affiliate_views")
    op.drop_index("ix_affiliate_clicks_visitor", table_name="affiliate_clicks")
    op.drop_index("ix_affiliate_clicks_created", table_name="affiliate_clicks")
    with op.batch_alter_table("affiliate_clicks") as batch:
        for name, _length in reversed(DEVICE_COLUMNS):
            batch.drop_column(name)
        batch.drop_column("net")
        batch.drop_column("visitor")
    op.drop_table("affiliate_admedia")
    op.drop_column("affiliate_campaigns", "postview_window_hours")
