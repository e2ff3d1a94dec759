"""Tables of the promotions domain.

Identifiers of promotions and codes are allocated per account from
``promo_sequences`` (a composite primary key cannot auto-increment on SQLite).
Redemption counters live on the promotion and code rows and are changed in the
same transaction as the ledger rows they summarise, so statistics never scan
the ledger.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
)

from commerce_stats.db.metadata import metadata
from commerce_stats.db.types import UTCDateTime


def _account_column() -> Column[int]:
    return Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        primary_key=True,
    )


promo_sequences = Table(
    "promo_sequences",
    metadata,
    _account_column(),
    Column("name", String(32), primary_key=True),
    Column("last_value", BigInteger, nullable=False),
)

promo_tokens = Table(
    "promo_tokens",
    metadata,
    _account_column(),
    Column("token_hash", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # The generation of the account's promotions password when the token was issued;
    # a rotation or a disabling moves the password on and voids the token.
    Column("generation", Integer, nullable=False, default=1, server_default="1"),
    Index("ix_promo_tokens_lookup", "token_hash", unique=True),
)

promotions = Table(
    "promotions",
    metadata,
    _account_column(),
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("promotion_type", String(16), nullable=False),
    Column("promotion_name", String(255), nullable=False),
    Column("status", Boolean, nullable=False),
    Column("date_from", UTCDateTime, nullable=False),
    Column("date_to", UTCDateTime, nullable=False),
    Column("coupon_type", String(16), nullable=True),
    Column("discount_percent", String(16), nullable=False),
    Column("product_ids", JSON, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("redemptions", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_promotions_account_updated", "account_id", "updated_at"),
)

promotion_products = Table(
    "promotion_products",
    metadata,
    _account_column(),
    Column("product_id", BigInteger, primary_key=True, autoincrement=False),
    Column("promotion_id", BigInteger, primary_key=True, autoincrement=False),
    ForeignKeyConstraint(
        ["account_id", "promotion_id"],
        ["promotions.account_id", "promotions.id"],
        ondelete="CASCADE",
    ),
)

promotion_codes = Table(
    "promotion_codes",
    metadata,
    _account_column(),
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("promotion_id", BigInteger, nullable=False),
    Column("coupon_code", String(64), nullable=False),
    Column("coupon_type", String(16), nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("consumed_by_order", String(64), nullable=True),
    Column("redemptions", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    ForeignKeyConstraint(
        ["account_id", "promotion_id"],
        ["promotions.account_id", "promotions.id"],
        ondelete="CASCADE",
    ),
    # Covers the statistics query: the code list is read from the index alone, in id order.
    Index(
        "ix_promotion_codes_promotion",
        "account_id",
        "promotion_id",
        "id",
        "deleted",
        "redemptions",
        "coupon_code",
        "coupon_type",
    ),
    Index("ix_promotion_codes_value", "account_id", "coupon_code"),
)

promo_orders = Table(
    "promo_orders",
    metadata,
    _account_column(),
    Column("order_id", String(64), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("coupon_codes", JSON, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("total_minor", BigInteger, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)

promo_order_lines = Table(
    "promo_order_lines",
    metadata,
    _account_column(),
    Column("order_id", String(64), primary_key=True),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("product_id", BigInteger, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_minor", BigInteger, nullable=False),
    Column("promotion_id", BigInteger, nullable=True),
    Column("code_id", BigInteger, nullable=True),
    Column("coupon_code", String(64), nullable=True),
    Column("discount_percent", String(16), nullable=True),
    Column("discounted_unit_minor", BigInteger, nullable=False),
    Column("line_total_minor", BigInteger, nullable=False),
    ForeignKeyConstraint(
        ["account_id", "order_id"],
        ["promo_orders.account_id", "promo_orders.order_id"],
        ondelete="CASCADE",
    ),
)

promo_redemptions = Table(
    "promo_redemptions",
    metadata,
    _account_column(),
    Column("promotion_id", BigInteger, primary_key=True, autoincrement=False),
    Column("order_id", String(64), primary_key=True),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("code_id", BigInteger, nullable=True),
    Column("applied", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    ForeignKeyConstraint(
        ["account_id", "order_id"],
        ["promo_orders.account_id", "promo_orders.order_id"],
        ondelete="CASCADE",
    ),
    Index("ix_promo_redemptions_code", "account_id", "code_id"),
)
