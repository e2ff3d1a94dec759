"""The tenant every domain sees: its features and id bound."""

from __future__ import annotations

from datetime import UTC, datetime

from commerce_stats.kit.tenancy import ALL_FEATURES, MAX_ID, Account, Feature


def _account(features: frozenset[Feature]) -> Account:
    return Account(
        id=7,
        name="Shop",
        features=features,
        timezone="UTC",
        disabled=False,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_max_id_is_the_largest_32_bit_signed_integer() -> None:
    assert MAX_ID == 2_147_483_647


def test_all_features_lists_every_feature_in_declaration_order() -> None:
    assert ALL_FEATURES == (Feature.VIDEO_ECOMMERCE, Feature.AFFILIATE, Feature.PROMOTIONS)


def test_feature_values_are_their_stored_names() -> None:
    assert [feature.value for feature in Feature] == ["video_ecommerce", "affiliate", "promotions"]


def test_has_is_true_for_a_feature_the_account_holds() -> None:
    assert _account(frozenset({Feature.AFFILIATE})).has(Feature.AFFILIATE) is True


def test_has_is_false_for_a_feature_the_account_lacks() -> None:
    assert _account(frozenset({Feature.AFFILIATE})).has(Feature.PROMOTIONS) is False
