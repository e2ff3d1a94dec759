"""Clicks and conversions through the tracking service (the pixel routes only parse)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import repository, traffic_repository
from commerce_stats.affiliate.errors import (
    AffiliateError,
    InvalidTurnoverError,
    NoTrackedClickError,
    UnknownAdmediaError,
    UnknownCampaignError,
    UnknownProjectError,
    WrongCurrencyError,
)
from commerce_stats.affiliate.model import NetworkModel
from commerce_stats.affiliate.tracker import (
    ClickInput,
    ConversionInput,
    Tracker,
    ViewInput,
    with_emid,
)
from commerce_stats.db.engine import Database
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import csv_rows

NOON = datetime(2026, 3, 10, 12, tzinfo=UTC)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


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
        address="192.0.2.1",
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


def _stored_click(database: Database, network: Network, click_id: int) -> Any:
    with database.read() as conn:
        return traffic_repository.click(conn, network.account_id, click_id)


def _net_of_second_click(
    database: Database, accounts: Accounts, network: Network, first: datetime, second: datetime
) -> int:
    tracker = Tracker(database, accounts)
    tracker.track_click(_click(network), now=first)
    click_id, _location = tracker.track_click(_click(network), now=second)
    return int(_stored_click(database, network, click_id).net)


def test_a_first_click_counts_net(database: Database, accounts: Accounts, network: Network) -> None:
    click_id, _location = Tracker(database, accounts).track_click(_click(network), now=NOON)
    assert _stored_click(database, network, click_id).net == 1


def test_a_second_click_within_four_hours_is_not_net(
    database: Database, accounts: Accounts, network: Network
) -> None:
    assert _net_of_second_click(database, accounts, network, NOON, NOON + timedelta(hours=3)) == 0


def test_a_click_four_hours_later_counts_net_again(
    database: Database, accounts: Accounts, network: Network
) -> None:
    assert _net_of_second_click(database, accounts, network, NOON, NOON + timedelta(hours=4)) == 1


def test_a_second_click_across_midnight_is_not_net(
    database: Database, accounts: Accounts, network: Network
) -> None:
    late = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert _net_of_second_click(database, accounts, network, late, late + timedelta(hours=1)) == 0


def test_a_click_from_another_address_counts_net(
    database: Database, accounts: Accounts, network: Network
) -> None:
    tracker = Tracker(database, accounts)
    tracker.track_click(_click(network), now=NOON)
    other = replace(_click(network), address="198.51.100.7")
    click_id, _location = tracker.track_click(other, now=NOON)
    assert _stored_click(database, network, click_id).net == 1


def test_a_click_on_another_campaign_counts_net(
    client: TestClient,
    admin_headers: dict[str, str],
    database: Database,
    accounts: Accounts,
    network: Network,
) -> None:
    second = client.post(
        network.admin + "/campaigns",
        json={
            "advertiser_id": network.advertiser_id,
            "title": "Zweite",
            "target_url": "https://shop.example/b",
            "currency": "EUR",
        },
        headers=admin_headers,
    ).json()["id"]
    tracker = Tracker(database, accounts)
    tracker.track_click(_click(network), now=NOON)
    click_id, _location = tracker.track_click(_click(network, campaign_id=second), now=NOON)
    assert _stored_click(database, network, click_id).net == 1


def test_a_click_stores_a_visitor_hash_not_the_address(
    database: Database, accounts: Accounts, network: Network
) -> None:
    click_id, _location = Tracker(database, accounts).track_click(_click(network), now=NOON)
    stored = _stored_click(database, network, click_id)
    assert (len(stored.visitor), "192.0.2.1" in repr(tuple(stored))) == (32, False)


def test_a_click_stores_the_device_fields_of_its_user_agent(
    database: Database, accounts: Accounts, network: Network
) -> None:
    click = replace(_click(network), user_agent=IPHONE)
    click_id, _location = Tracker(database, accounts).track_click(click, now=NOON)
    stored = _stored_click(database, network, click_id)
    assert (stored.devicetype, stored.device, stored.browser, stored.os) == (
        "Mobile",
        "iPhone",
        "Mobile Safari",
        "iOS",
    )


# -- postview attribution ---------------------------------------------------------------------


def _postview_network(
    database: Database, accounts: Accounts, network: Network, hours: int = 24
) -> Tracker:
    account = accounts.get(network.account_id)
    NetworkModel(database).set_postview_window(account, network.campaign_id, hours)
    return Tracker(database, accounts)


def _view_of(network: Network, **changes: Any) -> ViewInput:
    view = replace(
        _click(network),
        publisher_id=network.other_publisher_id,
        project_id=network.other_project_id,
        subid="pv",
    )
    return replace(view, **changes)


def _convert_at(
    tracker: Tracker, conversion: ConversionInput, now: datetime
) -> AffiliateError | None:
    with tracker.database.write() as conn:
        return tracker.record_conversions(conn, [conversion], now)[0]


def _postview_conversion(network: Network, view_id: int | None) -> ConversionInput:
    return replace(
        _conversion(network, 0),
        click_id=None,
        view_id=view_id,
        address="192.0.2.1",
        user_agent="UA",
    )


def _stored_transactions(database: Database, network: Network) -> list[Any]:
    with database.read() as conn:
        return repository.transactions_by_ordertokens(
            conn, network.account_id, {(network.campaign_id, "T-1")}
        )


def test_a_conversion_after_a_view_is_credited_to_the_views_publisher_and_time(
    database: Database, accounts: Accounts, network: Network
) -> None:
    tracker = _postview_network(database, accounts, network)
    view_id = tracker.track_view(_view_of(network), now=NOON)
    later = NOON + timedelta(hours=5)
    assert _convert_at(tracker, _postview_conversion(network, view_id), later) is None
    stored = _stored_transactions(database, network)[0]
    assert (
        stored.action_type,
        stored.view_id,
        stored.click_id,
        stored.publisher_id,
        stored.project_id,
        stored.subid,
        stored.action_timestamp,
        stored.commission_minor,
    ) == (
        "view",
        view_id,
        None,
        network.other_publisher_id,
        network.other_project_id,
        "pv",
        NOON,
        150,
    )


def test_without_a_cookie_the_visitors_latest_view_is_credited(
    database: Database, accounts: Accounts, network: Network
) -> None:
    tracker = _postview_network(database, accounts, network)
    tracker.track_view(_view_of(network), now=NOON)
    latest = tracker.track_view(_view_of(network), now=NOON + timedelta(hours=1))
    conversion = _postview_conversion(network, None)
    assert _convert_at(tracker, conversion, NOON + timedelta(hours=2)) is None
    assert _stored_transactions(database, network)[0].view_id == latest


def test_a_conversion_after_the_postview_window_is_refused_and_not_stored(
    database: Database, accounts: Accounts, network: Network
) -> None:
    tracker = _postview_network(database, accounts, network, hours=24)
    view_id = tracker.track_view(_view_of(network), now=NOON)
    refusal = _convert_at(
        tracker, _postview_conversion(network, view_id), NOON + timedelta(hours=25)
    )
    assert (type(refusal), _stored_transactions(database, network)) == (NoTrackedClickError, [])


def test_with_a_postview_window_of_0_a_conversion_after_a_view_is_refused(
    database: Database, accounts: Accounts, network: Network
) -> None:
    tracker = _postview_network(database, accounts, network, hours=0)
    view_id = tracker.track_view(_view_of(network), now=NOON)
    refusal = _convert_at(tracker, _postview_conversion(network, view_id), NOON)
    assert (type(refusal), _stored_transactions(database, network)) == (NoTrackedClickError, [])


def test_a_click_wins_over_a_later_view(
    database: Database, accounts: Accounts, network: Network
) -> None:
    tracker = _postview_network(database, accounts, network)
    click_id, _location = tracker.track_click(_click(network), now=NOON)
    view_id = tracker.track_view(_view_of(network), now=NOON + timedelta(hours=1))
    conversion = replace(_postview_conversion(network, view_id), click_id=click_id)
    assert _convert_at(tracker, conversion, NOON + timedelta(hours=2)) is None
    stored = _stored_transactions(database, network)[0]
    assert (stored.action_type, stored.click_id, stored.view_id, stored.publisher_id) == (
        "click",
        click_id,
        None,
        network.publisher_id,
    )


def test_a_postview_sales_action_id_in_the_export_is_the_view_id(
    client: TestClient, database: Database, accounts: Accounts, network: Network
) -> None:
    tracker = _postview_network(database, accounts, network)
    view_id = tracker.track_view(_view_of(network), now=NOON)
    _convert_at(tracker, _postview_conversion(network, view_id), NOON + timedelta(hours=1))
    period = {"condition[period][from]": "2026-03-01", "condition[period][to]": "2026-03-31"}
    row = csv_rows(client, network.export_url(), **period)[0]
    assert (row["action_id"], row["session_id"]) == (str(view_id), "")


def test_a_conversion_stores_the_clicks_admedia_and_its_own_device_fields(
    database: Database, accounts: Accounts, network: Network
) -> None:
    tracker = Tracker(database, accounts)
    account = accounts.get(network.account_id)
    medium = NetworkModel(database).create_admedia(account, network.campaign_id, "B", "banner")
    click_id, _location = tracker.track_click(
        replace(_click(network), admedia_id=medium.id), now=NOON
    )
    conversion = replace(_conversion(network, click_id), user_agent=IPHONE)
    assert _convert_at(tracker, conversion, NOON) is None
    stored = _stored_transactions(database, network)[0]
    assert (stored.action_type, stored.admedia_id, stored.devicetype, stored.os) == (
        "click",
        medium.id,
        "Mobile",
        "iOS",
    )


def _record_views(
    database: Database, accounts: Accounts, views: list[ViewInput], now: datetime
) -> list[int | AffiliateError | None]:
    with database.write() as conn:
        return Tracker(database, accounts).record_views(conn, views, now)


def _net_of_views(database: Database, network: Network, view_ids: list[int]) -> list[int]:
    with database.read() as conn:
        stored = [traffic_repository.view(conn, network.account_id, vid) for vid in view_ids]
    return [int(row.net) if row is not None else -1 for row in stored]


def test_a_batch_of_views_applies_the_reclick_filter_per_visitor(
    database: Database, accounts: Accounts, network: Network
) -> None:
    Tracker(database, accounts).track_view(_view_of(network, address="192.0.2.1"), now=NOON)
    batch = [
        _view_of(network, address="192.0.2.1"),
        _view_of(network, address="192.0.2.2"),
        _view_of(network, address="192.0.2.2"),
        _view_of(network, address="192.0.2.3"),
    ]
    outcomes = _record_views(database, accounts, batch, NOON + timedelta(hours=1))
    view_ids = [outcome for outcome in outcomes if isinstance(outcome, int)]
    assert _net_of_views(database, network, view_ids) == [0, 1, 0, 1]


def test_a_batch_of_views_ignores_another_accounts_views_of_the_same_visitor(
    database: Database, accounts: Accounts, network: Network, build_network: Any
) -> None:
    other = build_network("Other")
    Tracker(database, accounts).track_view(_view_of(other, address="192.0.2.1"), now=NOON)
    outcomes = _record_views(
        database, accounts, [_view_of(network, address="192.0.2.1")], NOON + timedelta(hours=1)
    )
    view_ids = [outcome for outcome in outcomes if isinstance(outcome, int)]
    assert _net_of_views(database, network, view_ids) == [1]


def test_a_view_of_an_admedia_of_another_campaign_is_refused_in_its_batch_alone(
    database: Database, accounts: Accounts, network: Network, build_network: Any
) -> None:
    other = build_network("Other")
    model = NetworkModel(database)
    account = accounts.get(other.account_id)
    foreign = model.create_admedia(account, other.campaign_id, "Banner", "banner")
    batch = [_view_of(network), _view_of(network, admedia_id=foreign.id)]
    outcomes = _record_views(database, accounts, batch, NOON)
    with database.read() as conn:
        stored = [traffic_repository.view(conn, network.account_id, vid) for vid in (1, 2)]
    assert (outcomes[0], type(outcomes[1]), stored[1]) == (1, UnknownAdmediaError, None)
