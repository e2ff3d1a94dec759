"""The distribution map's own helpers and tables."""

from __future__ import annotations

from commerce_stats.db.distribution import (
    REFERENCE_TABLES,
    TENANT_COLUMN,
    TENANT_KEYS,
    is_reference,
    tenant_key,
)


def test_tenant_column_is_account_id() -> None:
    assert TENANT_COLUMN == "account_id"


def test_tenant_key_of_accounts_is_its_id() -> None:
    assert tenant_key("accounts") == "id"


def test_tenant_key_of_any_other_table_is_the_tenant_column() -> None:
    assert tenant_key("video_counters") == "account_id"


def test_only_accounts_has_a_renamed_tenant_key() -> None:
    assert dict(TENANT_KEYS) == {"accounts": "id"}


def test_reference_tables_are_exactly_the_six_looked_up_before_the_account() -> None:
    assert sorted(REFERENCE_TABLES) == [
        "account_credentials",
        "accounts",
        "affiliate_campaign_directory",
        "affiliate_publishers",
        "dashboard_logins",
        "promo_tokens",
    ]


def test_is_reference_is_true_for_a_reference_table() -> None:
    assert is_reference("promo_tokens") is True


def test_is_reference_is_false_for_a_distributed_table() -> None:
    assert is_reference("video_counters") is False


def test_every_reference_table_states_its_reason() -> None:
    assert all(reason.strip() for reason in REFERENCE_TABLES.values())
