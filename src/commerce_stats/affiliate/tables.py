"""The affiliate network's tables.

Identifiers are numbered per account (``affiliate_counters``) except campaign
ids, which are unique across the server because the tracking URLs
(``/trck/eclick/``, ``/trck/etrack/``) carry a campaign id and nothing else
that names the network: ``affiliate_campaign_directory`` maps each campaign id
to its account (a reference table, see ``commerce_stats.db.distribution``).
Money is held in the campaign currency's minor unit.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
)

from commerce_stats.db.metadata import metadata
from commerce_stats.db.types import UTCDateTime


def _account_column() -> Column[int]:
    return Column(
        "account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )


counters = Table(
    "affiliate_counters",
    metadata,
    _account_column(),
    Column("name", String(32), primary_key=True),
    Column("last_value", BigInteger, nullable=False),
)

advertisers = Table(
    "affiliate_advertisers",
    metadata,
    _account_column(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

campaigns = Table(
    "affiliate_campaigns",
    metadata,
    _account_column(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("advertiser_id", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    Column("target_url", String(2000), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("default_group_id", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column(
        "postview_window_hours",
        Integer,
        nullable=False,
        server_default="0",
        comment="a conversion without a click is credited to a view this recent; 0 = off",
    ),
    ForeignKeyConstraint(
        ["account_id", "advertiser_id"],
        ["affiliate_advertisers.account_id", "affiliate_advertisers.id"],
    ),
)

campaign_directory = Table(
    "affiliate_campaign_directory",
    metadata,
    Column("campaign_id", Integer, primary_key=True, autoincrement=False),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
)
"""Which account owns each campaign id; written with the campaign, in the same transaction."""

publishers = Table(
    "affiliate_publishers",
    metadata,
    _account_column(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("prename", String(200), nullable=False),
    Column("surname", String(200), nullable=False),
    Column("searchtitle", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ux_affiliate_publishers_token", "token_hash", unique=True),
)

projects = Table(
    "affiliate_projects",
    metadata,
    _account_column(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("publisher_id", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    ForeignKeyConstraint(
        ["account_id", "publisher_id"],
        ["affiliate_publishers.account_id", "affiliate_publishers.id"],
    ),
)

triggers = Table(
    "affiliate_triggers",
    metadata,
    _account_column(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("campaign_id", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    ForeignKeyConstraint(
        ["account_id", "campaign_id"], ["affiliate_campaigns.account_id", "affiliate_campaigns.id"]
    ),
)

commission_groups = Table(
    "affiliate_commission_groups",
    metadata,
    _account_column(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("campaign_id", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    ForeignKeyConstraint(
        ["account_id", "campaign_id"], ["affiliate_campaigns.account_id", "affiliate_campaigns.id"]
    ),
)

commission_rates = Table(
    "affiliate_commission_rates",
    metadata,
    _account_column(),
    Column("group_id", Integer, primary_key=True),
    Column("trigger_id", Integer, primary_key=True),
    Column("trigger_type", String(16), nullable=False),
    Column(
        "value_scaled",
        BigInteger,
        nullable=False,
        comment="fixed: minor units of the campaign currency; dynamic: hundredths of a percent",
    ),
    ForeignKeyConstraint(
        ["account_id", "group_id"],
        ["affiliate_commission_groups.account_id", "affiliate_commission_groups.id"],
    ),
    ForeignKeyConstraint(
        ["account_id", "trigger_id"], ["affiliate_triggers.account_id", "affiliate_triggers.id"]
    ),
)

memberships = Table(
    "affiliate_memberships",
    metadata,
    _account_column(),
    Column("campaign_id", Integer, primary_key=True),
    Column("publisher_id", Integer, primary_key=True),
    Column("group_id", Integer, nullable=False),
    ForeignKeyConstraint(
        ["account_id", "group_id"],
        ["affiliate_commission_groups.account_id", "affiliate_commission_groups.id"],
    ),
)

admedia = Table(
    "affiliate_admedia",
    metadata,
    _account_column(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("campaign_id", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    Column("kind", String(32), nullable=False, comment="banner, textlink, productfeed, ..."),
    Column("target_url", String(2000), nullable=False, comment="empty: the campaign's"),
    Column("created_at", UTCDateTime, nullable=False),
    ForeignKeyConstraint(
        ["account_id", "campaign_id"], ["affiliate_campaigns.account_id", "affiliate_campaigns.id"]
    ),
)
"""Advertising media (Werbemittel) of a campaign; clicks, views and transactions name one
by ``admedia_id`` (0 = none named)."""


def _traffic_columns() -> list[Column[object]]:
    """What a click and a view both record: who sent it, where from, on what device.

    ``visitor`` is a keyed hash of address and user agent under a salt of the UTC day
    (``affiliate_visitor_salts``), never the address itself; ``net`` is 1 unless the same
    visitor already counted for the campaign within the reclick window (four hours).
    Device fields are the user agent parsed once, at ingest.
    """
    return [
        Column("campaign_id", Integer, nullable=False),
        Column("publisher_id", Integer, nullable=False),
        Column("project_id", Integer, nullable=False),
        Column("subid", String(255), nullable=False),
        Column("admedia_id", Integer, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("referrer", Text, nullable=False),
        Column("country", String(2), nullable=False),
        Column("visitor", String(32), nullable=False, server_default=""),
        Column("net", SmallInteger, nullable=False, server_default="1"),
        Column("devicetype", String(16), nullable=False, server_default=""),
        Column("device", String(64), nullable=False, server_default=""),
        Column("browser", String(64), nullable=False, server_default=""),
        Column("os", String(64), nullable=False, server_default=""),
    ]


clicks = Table(
    "affiliate_clicks",
    metadata,
    _account_column(),
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    *_traffic_columns(),
    Column("user_agent", Text, nullable=False),
    Index("ix_affiliate_clicks_created", "account_id", "created_at", "id"),
    Index("ix_affiliate_clicks_visitor", "account_id", "campaign_id", "visitor", "created_at"),
)

views = Table(
    "affiliate_views",
    metadata,
    _account_column(),
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    *_traffic_columns(),
    Index("ix_affiliate_views_created", "account_id", "created_at", "id"),
    Index("ix_affiliate_views_visitor", "account_id", "campaign_id", "visitor", "created_at"),
)
"""Admedia views (postviews, impressions) from the view pixel."""

traffic_quarters = Table(
    "affiliate_traffic_quarters",
    metadata,
    _account_column(),
    Column("quarter", BigInteger, primary_key=True, comment="UTC seconds since 1970 // 900"),
    Column("kind", SmallInteger, primary_key=True, comment="0 click, 1 view"),
    Column("campaign_id", Integer, primary_key=True),
    Column("publisher_id", Integer, primary_key=True),
    Column("project_id", Integer, primary_key=True),
    Column("net", SmallInteger, primary_key=True),
    Column("n", BigInteger, nullable=False),
)
"""Clicks and views counted per UTC quarter hour, campaign, publisher, project and net
flag, kept in the same transaction as every click and view stored: the daily, campaign,
advertiser, publisher and project reports read these counts instead of every row."""

visitor_salts = Table(
    "affiliate_visitor_salts",
    metadata,
    _account_column(),
    Column("day", Date, primary_key=True),
    Column("salt", LargeBinary(32), nullable=False),
)
"""One random salt per account and UTC day; salts older than yesterday are deleted, after
which no stored visitor hash can be linked to an address again."""

transactions = Table(
    "affiliate_transactions",
    metadata,
    _account_column(),
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("status", SmallInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("campaign_id", Integer, nullable=False),
    Column("ordertoken", String(255), nullable=False),
    Column("source", String(16), nullable=False),
    Column("project_id", Integer, nullable=False),
    Column("commission_minor", BigInteger, nullable=False),
    Column("commission_group_id", Integer, nullable=False),
    Column("campaign_group_title", String(200), nullable=False),
    Column("trigger_id", Integer, nullable=False),
    Column("trigger_title", String(200), nullable=False),
    Column("trigger_type", String(16), nullable=False),
    Column("trigger_value_scaled", BigInteger, nullable=False),
    Column("description", Text, nullable=False),
    Column("voucher_code", String(255), nullable=False),
    Column("turnover_minor", BigInteger, nullable=False),
    Column("source_turnover_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("click_id", BigInteger, nullable=True),
    Column("salary_id", Integer, nullable=False),
    Column("status_change_date", UTCDateTime, nullable=False),
    Column("last_change", UTCDateTime, nullable=False),
    Column("payoutdate", UTCDateTime, nullable=True),
    Column("cancel_reason", Text, nullable=False),
    Column("user_agent", Text, nullable=False),
    Column("ebestid", String(32), nullable=False),
    Column("order_timestamp", UTCDateTime, nullable=False),
    Column("action_timestamp", UTCDateTime, nullable=True),
    Column("advertiser_id", Integer, nullable=False),
    Column("publisher_id", Integer, nullable=False),
    Column("referrer", Text, nullable=False),
    Column("country", String(2), nullable=False),
    Column("subid", String(255), nullable=False),
    Column("basket_items", Integer, nullable=False),
    Column(
        "action_type", String(8), nullable=False, server_default="", comment="click, view or ''"
    ),
    Column("view_id", BigInteger, nullable=True, comment="the view a postview sale came from"),
    Column("admedia_id", Integer, nullable=False, server_default="0"),
    Column("devicetype", String(16), nullable=False, server_default=""),
    Column("device", String(64), nullable=False, server_default=""),
    Column("browser", String(64), nullable=False, server_default=""),
    Column("os", String(64), nullable=False, server_default=""),
    Column("export_head", Text, nullable=False, server_default=""),
    Column("export_tail", Text, nullable=False, server_default=""),
    Column("export_key", String(80), nullable=False, server_default=""),
    Column("publisher_head", Text, nullable=False, server_default=""),
    Column("publisher_tail", Text, nullable=False, server_default=""),
    Index(
        "ux_affiliate_transactions_order",
        "account_id",
        "campaign_id",
        "ordertoken",
        "trigger_id",
        unique=True,
    ),
    Index("ix_affiliate_transactions_created", "account_id", "created_at", "id"),
    Index("ix_affiliate_transactions_export_key", "account_id", "export_key"),
    Index("ix_affiliate_transactions_publisher_id", "account_id", "publisher_id", "id"),
)

MANUAL_STATUSES = ("open", "confirmed", "canceled", "paid")
"""The transaction statuses a manual statistic row carries counts and amounts for."""


def _manual_status_columns() -> list[Column[int]]:
    columns: list[Column[int]] = []
    for status in MANUAL_STATUSES:
        columns += [
            Column(f"{status}_count", BigInteger, nullable=False),
            Column(f"{status}_commission_minor", BigInteger, nullable=False),
            Column(f"{status}_turnover_minor", BigInteger, nullable=False),
        ]
    return columns


manual_statistics = Table(
    "affiliate_manual_statistics",
    metadata,
    _account_column(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("day", Date, nullable=False, comment="the network's local date"),
    Column("campaign_id", Integer, nullable=False),
    Column("publisher_id", Integer, nullable=False),
    Column("project_id", Integer, nullable=False, comment="0 = none"),
    Column("admedia_id", Integer, nullable=False, comment="0 = none"),
    Column("views", BigInteger, nullable=False),
    Column("clicks", BigInteger, nullable=False),
    *_manual_status_columns(),
    Column("currency", String(3), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    ForeignKeyConstraint(
        ["account_id", "campaign_id"], ["affiliate_campaigns.account_id", "affiliate_campaigns.id"]
    ),
    ForeignKeyConstraint(
        ["account_id", "publisher_id"],
        ["affiliate_publishers.account_id", "affiliate_publishers.id"],
    ),
    Index("ix_affiliate_manual_statistics_day", "account_id", "day", "id"),
)
"""Traffic and sales an operator enters for what the tracker did not see (a TV campaign, an
offline coupon partner): per network-local day, campaign and publisher; amounts in the
minor unit of the campaign's currency."""
