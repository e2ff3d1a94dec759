"""Clicks and conversions through the tracking service (the pixel routes only parse)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.errors import (
    InvalidTurnoverError,
    UnknownCampaignError,
    UnknownProjectError,
    WrongCurrencyError,
)
from commerce_stats.affiliate.tracker import ClickInput, ConversionInput, Tracker, with_emid
from commerce_stats.db.engine import Database
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import csv_rows


def _click(network: Network, *, campaign_id: int = 0, project_id: int = 0) -> ClickInput:
    return ClickInput(
        campaign_id=campaign_id or network.campaign_id,
        publisher_id=network.publisher_id,
        project_id=project_id,
        subid="s1",
        admedia_id=0,
        referrer="https://blog.example/",
        user_agent="UA",
        country="DE",
    )


def _conversion(network: Network, click_id: int, **changes: str) -> ConversionInput:
    values = {"turnover": "10.00", "currency": "", **changes}
    return ConversionInput(
        campaign_id=network.campaign_id,
        trigger_id=network.sale_trigger,
        ordertoken="T-1",
        turnover=values["turnover"],
        description="",
        voucher_code="",
        currency=values["currency"],
        click_id=click_id,
        basket_items=1,
        source="img",
        user_agent="",
        referrer="",
        country="",
    )


def test_with_emid_replaces_an_emid_already_in_the_query() -> None:
    assert with_emid("https://shop.example/?emid=1&ref=a", 9) == (
        "https://shop.example/?ref=a&emid=9"
    )


def test_a_click_lands_on_the_target_with_its_id(
    database: Database, accounts: Accounts, network: Network
) -> None:
    click_id, location = Tracker(database, accounts).track_click(_click(network))
    assert location == f"https://shop.example/landing?ref=aff&emid={click_id}"


def test_a_click_on_an_unknown_campaign_is_refused(
    database: Database, accounts: Accounts, network: Network
) -> None:
    with pytest.raises(UnknownCampaignError):
        Tracker(database, accounts).track_click(_click(network, campaign_id=999))


def test_a_click_naming_another_publishers_project_is_refused(
    database: Database, accounts: Accounts, network: Network
) -> None:
    click = _click(network, project_id=network.other_project_id)
    with pytest.raises(UnknownProjectError):
        Tracker(database, accounts).track_click(click)


def test_a_conversion_in_another_currency_is_refused_and_not_stored(
    client: TestClient, database: Database, accounts: Accounts, network: Network
) -> None:
    tracker = Tracker(database, accounts)
    click_id, _location = tracker.track_click(_click(network))
    with pytest.raises(WrongCurrencyError, match=r"\(EUR\)"):
        tracker.track_conversion(_conversion(network, click_id, currency="USD"))
    assert csv_rows(client, network.export_url()) == []


def test_a_conversion_with_an_unreadable_turnover_is_refused(
    database: Database, accounts: Accounts, network: Network
) -> None:
    tracker = Tracker(database, accounts)
    click_id, _location = tracker.track_click(_click(network))
    with pytest.raises(InvalidTurnoverError, match="turnover: not a number"):
        tracker.track_conversion(_conversion(network, click_id, turnover="zehn"))


def test_a_conversion_is_recorded_once_per_order(
    client: TestClient, database: Database, accounts: Accounts, network: Network
) -> None:
    tracker = Tracker(database, accounts)
    click_id, _location = tracker.track_click(_click(network))
    tracker.track_conversion(_conversion(network, click_id))
    tracker.track_conversion(_conversion(network, click_id))
    rows = csv_rows(client, network.export_url())
    assert [(row["ordertoken"], row["turnover"]) for row in rows] == [("T-1", "10.00")]
