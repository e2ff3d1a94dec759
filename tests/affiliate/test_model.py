"""The network model's rules, through its service (the admin routes only translate)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from commerce_stats.affiliate.errors import (
    InvalidFieldError,
    ItemNotFoundError,
    UnknownCollectionError,
)
from commerce_stats.affiliate.model import Campaign, Group, NetworkModel, RateSpec
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account


@pytest.fixture
def account(make_service_account: Callable[..., tuple[Account, dict[str, str]]]) -> Account:
    return make_service_account("Model Net")[0]


@pytest.fixture
def model(database: Database) -> NetworkModel:
    return NetworkModel(database)


def _campaign(model: NetworkModel, account: Account) -> Campaign:
    advertiser = model.create_advertiser(account, "Shop")
    return model.create_campaign(account, advertiser.id, "Kampagne", "https://shop.example/", "eur")


def test_a_campaign_keeps_its_currency_in_capitals(model: NetworkModel, account: Account) -> None:
    assert _campaign(model, account).currency == "EUR"


def test_a_campaign_in_no_iso_currency_is_refused_and_not_stored(
    model: NetworkModel, account: Account
) -> None:
    advertiser = model.create_advertiser(account, "Shop")
    with pytest.raises(InvalidFieldError, match="ISO 4217") as refused:
        model.create_campaign(account, advertiser.id, "K", "https://shop.example/", "EURO")
    assert refused.value.field == "currency"
    assert model.listing(account, "campaigns") == []


def test_a_campaign_needs_an_absolute_http_target(model: NetworkModel, account: Account) -> None:
    advertiser = model.create_advertiser(account, "Shop")
    with pytest.raises(InvalidFieldError, match="absolute http"):
        model.create_campaign(account, advertiser.id, "K", "ftp://shop.example/", "EUR")


def test_a_campaign_of_an_unknown_advertiser_is_refused(
    model: NetworkModel, account: Account
) -> None:
    with pytest.raises(ItemNotFoundError, match="advertiser 5 not found"):
        model.create_campaign(account, 5, "K", "https://shop.example/", "EUR")


def test_the_first_group_becomes_the_campaigns_default(
    model: NetworkModel, account: Account
) -> None:
    campaign = _campaign(model, account)
    trigger = model.create_trigger(account, campaign.id, "Sale")
    rate = RateSpec(trigger.id, "sale_dynamic", Decimal("7.5"))
    first = model.create_group(account, campaign.id, "Standard", [rate], default=False)
    second = model.create_group(account, campaign.id, "Premium", [rate], default=False)
    assert (first.default, second.default) == (True, False)


def test_groups_are_listed_with_exact_rates(model: NetworkModel, account: Account) -> None:
    campaign = _campaign(model, account)
    trigger = model.create_trigger(account, campaign.id, "Sale")
    created = model.create_group(
        account,
        campaign.id,
        "Standard",
        [RateSpec(trigger.id, "sale_fixed", Decimal("2.5"))],
        default=True,
    )
    assert model.listing(account, "groups") == [
        Group(created.group.id, campaign.id, "Standard", [
            RateSpec(trigger.id, "sale_fixed", Decimal("2.50"))
        ])
    ]  # fmt: skip


def test_a_rate_for_another_campaigns_trigger_is_refused_and_no_group_stays(
    model: NetworkModel, account: Account
) -> None:
    campaign = _campaign(model, account)
    other = _campaign(model, account)
    foreign = model.create_trigger(account, other.id, "Sale")
    with pytest.raises(InvalidFieldError, match="not a trigger of this campaign") as refused:
        model.create_group(
            account,
            campaign.id,
            "G",
            [RateSpec(foreign.id, "sale_fixed", Decimal(1))],
            default=False,
        )
    assert refused.value.field == "triggers.0"
    assert model.listing(account, "groups") == []


def test_assigning_a_group_of_another_campaign_is_refused(
    model: NetworkModel, account: Account
) -> None:
    campaign = _campaign(model, account)
    other = _campaign(model, account)
    foreign = model.create_group(account, other.id, "G", [], default=True)
    publisher, _token = model.create_publisher(account, "Ina", "Berg", "ina.example")
    with pytest.raises(InvalidFieldError, match="not a group of this campaign"):
        model.assign_group(account, campaign.id, publisher.id, foreign.group.id)


def test_a_new_publisher_token_is_not_listed(model: NetworkModel, account: Account) -> None:
    publisher, token = model.create_publisher(account, "Ina", "Berg", "ina.example")
    listed = model.listing(account, "publishers")
    assert listed == [publisher]
    assert token not in repr(listed)


def test_an_unknown_collection_is_refused(model: NetworkModel, account: Account) -> None:
    with pytest.raises(UnknownCollectionError, match="'coupons'"):
        model.listing(account, "coupons")


def test_listings_are_scoped_by_account(
    model: NetworkModel,
    account: Account,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> None:
    other, _credentials = make_service_account("Other Net")
    _campaign(model, account)
    assert model.listing(other, "campaigns") == []
    assert model.listing(other, "advertisers") == []


# -- admedia and the postview window ------------------------------------------------------------


def test_an_admedia_is_created_listed_and_read_back(model: NetworkModel, account: Account) -> None:
    campaign = _campaign(model, account)
    created = model.create_admedia(account, campaign.id, "Banner 300x250", "Banner")
    assert (created.kind, created.target_url) == ("banner", "")
    assert model.listing(account, "admedia") == [created]
    assert model.admedia(account, created.id) == created


def test_an_admedia_of_an_unknown_kind_is_refused_and_not_stored(
    model: NetworkModel, account: Account
) -> None:
    campaign = _campaign(model, account)
    with pytest.raises(InvalidFieldError, match="kind must be one of banner") as refused:
        model.create_admedia(account, campaign.id, "Popup", "popup")
    assert (refused.value.field, model.listing(account, "admedia")) == ("kind", [])


def test_an_admedia_target_must_be_an_absolute_url(model: NetworkModel, account: Account) -> None:
    campaign = _campaign(model, account)
    with pytest.raises(InvalidFieldError, match="absolute"):
        model.create_admedia(account, campaign.id, "Link", "textlink", "shop.example/x")
    assert model.listing(account, "admedia") == []


def test_an_admedia_for_another_accounts_campaign_is_refused_and_not_stored(
    model: NetworkModel,
    account: Account,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> None:
    other = make_service_account("Other Net")[0]
    foreign = _campaign(model, other)
    with pytest.raises(ItemNotFoundError):
        model.create_admedia(account, foreign.id, "Banner", "banner")
    assert (model.listing(account, "admedia"), model.listing(other, "admedia")) == ([], [])


def test_an_admedia_of_another_account_is_not_found(
    model: NetworkModel,
    account: Account,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> None:
    other = make_service_account("Other Net")[0]
    theirs = model.create_admedia(other, _campaign(model, other).id, "Banner", "banner")
    with pytest.raises(ItemNotFoundError):
        model.admedia(account, theirs.id)


def test_a_campaign_keeps_its_postview_window(model: NetworkModel, account: Account) -> None:
    advertiser = model.create_advertiser(account, "Shop")
    campaign = model.create_campaign(
        account, advertiser.id, "K", "https://shop.example/", "EUR", postview_window_hours=24
    )
    assert model.set_postview_window(account, campaign.id, 48).postview_window_hours == 48


@pytest.mark.parametrize("hours", [-1, 721])
def test_a_postview_window_outside_0_to_720_hours_is_refused_and_nothing_changes(
    model: NetworkModel, account: Account, hours: int
) -> None:
    campaign = _campaign(model, account)
    with pytest.raises(InvalidFieldError, match="between 0 and 720"):
        model.set_postview_window(account, campaign.id, hours)
    assert model.listing(account, "campaigns") == [campaign]
