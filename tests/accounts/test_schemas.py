"""The accounts wire shapes: an account as the admin API answers it."""

from __future__ import annotations

from datetime import UTC, datetime

from commerce_stats.accounts.schemas import AccountOut
from commerce_stats.kit.tenancy import Account, Feature

CREATED = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
ACCOUNT = Account(
    id=3,
    name="Shop",
    features=frozenset({Feature.PROMOTIONS, Feature.AFFILIATE}),
    timezone="Europe/Berlin",
    disabled=False,
    created_at=CREATED,
)


def test_account_out_lists_features_sorted() -> None:
    assert AccountOut.of(ACCOUNT).features == ["affiliate", "promotions"]


def test_account_out_without_public_ids_has_no_logins() -> None:
    out = AccountOut.of(ACCOUNT)

    assert (out.affiliate_login_id, out.promotions_username) == (None, None)


def test_account_out_shows_the_public_login_ids_only() -> None:
    out = AccountOut.of(
        ACCOUNT,
        {"affiliate_login_id": "aff-1", "promotions_username": "shop", "ingest_key": "x"},
    )

    assert out.model_dump() == {
        "id": 3,
        "name": "Shop",
        "features": ["affiliate", "promotions"],
        "timezone": "Europe/Berlin",
        "disabled": False,
        "created_at": CREATED,
        "affiliate_login_id": "aff-1",
        "promotions_username": "shop",
    }
