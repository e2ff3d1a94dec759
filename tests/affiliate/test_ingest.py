"""Group commit of conversion pixels."""

from __future__ import annotations

from fastapi.testclient import TestClient

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.errors import AffiliateError
from commerce_stats.affiliate.ingest import ConversionBatcher
from commerce_stats.affiliate.service import AffiliateNetwork, ConversionInput
from commerce_stats.db.engine import Database
from commerce_stats.kit.timeutil import utc_now
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import csv_rows


def _click(client: TestClient, net: Network) -> int:
    response = client.get(
        "/trck/eclick/",
        params={"campaign_id": net.campaign_id, "publisher_id": net.publisher_id},
        follow_redirects=False,
    )
    return int(response.headers["location"].rsplit("=", 1)[1])


def _conversion(
    net: Network, token: str, click_id: int | None, currency: str = ""
) -> ConversionInput:
    return ConversionInput(
        campaign_id=net.campaign_id,
        trigger_id=net.sale_trigger,
        ordertoken=token,
        turnover="10.00",
        description="",
        voucher_code="",
        currency=currency,
        click_id=click_id,
        basket_items=1,
        source="img",
        user_agent="",
        referrer="",
        country="",
    )


def test_a_batch_records_valid_conversions_and_refuses_the_others(
    client: TestClient, network: Network, database: Database, accounts: Accounts
) -> None:
    click_id = _click(client, network)
    service = AffiliateNetwork(database, accounts)
    batch = [
        _conversion(network, "OK-1", click_id),
        _conversion(network, "NO-CLICK", None),
        _conversion(network, "OK-1", click_id),
        _conversion(network, "USD", click_id, currency="USD"),
        _conversion(network, "OK-2", click_id),
    ]
    with database.write() as conn:
        outcomes = service.record_conversions(conn, batch, utc_now())
    assert [None if outcome is None else outcome.code for outcome in outcomes] == [
        None,
        "no_click",
        None,
        "invalid_currency",
        None,
    ]
    rows = csv_rows(client, network.export_url())
    assert [row["ordertoken"] for row in rows] == ["OK-1", "OK-2"]


def test_stopping_the_batcher_records_what_was_submitted(
    client: TestClient, network: Network, database: Database, accounts: Accounts
) -> None:
    click_id = _click(client, network)
    batcher = ConversionBatcher(AffiliateNetwork(database, accounts))
    batcher.start()
    futures = [batcher.submit(_conversion(network, f"B-{index}", click_id)) for index in range(20)]
    refused = batcher.submit(_conversion(network, "B-none", None))
    batcher.stop()
    assert all(future.done() and future.exception() is None for future in futures)
    assert isinstance(refused.exception(), AffiliateError)
    assert len(csv_rows(client, network.export_url())) == 20
    late = batcher.submit(_conversion(network, "LATE", click_id))
    assert isinstance(late.exception(), AffiliateError)
