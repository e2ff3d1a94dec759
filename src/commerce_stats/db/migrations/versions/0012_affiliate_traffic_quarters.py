"""affiliate traffic quarters: clicks and views counted per UTC quarter hour

One row per (account, quarter hour, kind, campaign, publisher, project, net flag) with the
number of clicks (kind 0) or views (kind 1); filled here from the stored clicks and views
and kept by every later insert.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "affiliate_traffic_quarters"
SOURCES = (("affiliate_clicks", 0), ("affiliate_views", 1))


def _quarter_sql() -> str:
    if op.get_bind().dialect.name == "sqlite":
        return "CAST(strftime('%s', substr(created_at, 1, 19)) AS INTEGER) / 900"
    return "CAST(floor(date_part('epoch', created_at) / 900) AS BIGINT)"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column(
            "quarter", sa.BigInteger(), nullable=False, comment="UTC seconds since 1970 // 900"
        ),
        sa.Column("kind", sa.SmallInteger(), nullable=False, comment="0 click, 1 view"),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("publisher_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("net", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f(f"fk_{TABLE}_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id",
            "quarter",
            "kind",
            "campaign_id",
            "publisher_id",
            "project_id",
            "net",
            name=op.f(f"pk_{TABLE}"),
        ),
    )
    quarter = _quarter_sql()
    for source, kind in SOURCES:
        op.execute(
            f"INSERT INTO {TABLE} (account_id, quarter, kind, campaign_id, publisher_id, "  # noqa: S608
            f"project_id, net, n) SELECT account_id, {quarter}, {kind}, campaign_id, "
            f"publisher_id, project_id, net, COUNT(*) FROM {source} GROUP BY account_id, "
            f"{quarter}, campaign_id, publisher_id, project_id, net"
        )


def downgrade() -> None:
    op.drop_table(TABLE)
