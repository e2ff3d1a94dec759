"""The calls of existing publisher clients, replayed unchanged against known November data
(PAID-NOV paid 15.11., OPEN-NOV open 20.11., PAID-OCT paid 31.10.2026), read back the way
such a client reads them (PHP SimpleXML -> json, rows found by ``item/criterion``)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.affiliate.conftest import Network
from tests.affiliate.helpers import parse_csv
from tests.affiliate.test_export import november  # noqa: F401  (the known data)
from tests.affiliate.test_exporting import php_client_transactions

NOVEMBER = {"condition[period][from]": "01.11.2026", "condition[period][to]": "30.11.2026"}
NO_BROWSER = {"User-Agent": ""}


def _xml_link(network: Network) -> str:
    return (
        f"/api//{network.publisher_token}/publisher/{network.publisher_id}/"
        "get-statistic_transactions.xml"
    )


def _statuses(client: TestClient, network: Network, params: dict[str, str]) -> list[str]:
    response = client.get(_xml_link(network), params=params, headers=NO_BROWSER)
    assert response.status_code == 200, response.text
    return [row["status"] for row in php_client_transactions(response.content)]


def test_the_php_client_call_gets_novembers_transactions(
    client: TestClient,
    november: Network,  # noqa: F811
) -> None:
    assert _statuses(client, november, NOVEMBER) == ["3", "0"]


def test_parameters_the_server_does_not_know_change_nothing(
    client: TestClient,
    november: Network,  # noqa: F811
) -> None:
    extra = {"condition[mode]": "mine", "condition[paymentstatus]": "all", "foo": "bar"}

    assert _statuses(client, november, NOVEMBER | extra) == ["3", "0"]


def test_iso_dates_and_the_publisher_status_filter_select_the_open_one(
    client: TestClient,
    november: Network,  # noqa: F811
) -> None:
    params = {
        "condition[period][from]": "2026-11-01",
        "condition[period][to]": "2026-11-30",
        "condition[l:processingstate]": "0",
    }

    assert _statuses(client, november, params) == ["0"]


def test_paidout_over_two_months_gets_both_paid_ones(
    client: TestClient,
    november: Network,  # noqa: F811
) -> None:
    params = {
        "condition[period][from]": "01.10.2026",
        "condition[period][to]": "2026-11-30",
        "condition[l:processingstate]": "paidout",
    }

    assert _statuses(client, november, params) == ["3", "3"]


def test_a_month_without_transactions_reads_as_none(
    client: TestClient,
    november: Network,  # noqa: F811
) -> None:
    params = {"condition[period][from]": "01.09.2026", "condition[period][to]": "30.09.2026"}

    assert _statuses(client, november, params) == []


def _rows(client: TestClient, url: str, params: dict[str, str]) -> list[dict[str, str]]:
    response = client.get(url, params=params, headers=NO_BROWSER)
    assert response.status_code == 200, response.text
    return parse_csv(response.text)


def test_the_advertiser_statistic_on_the_double_slash_link(
    client: TestClient,
    november: Network,  # noqa: F811
) -> None:
    token = november.credentials["affiliate_access_token"]
    url = f"/api//{token}/admin/{november.account_id}/get-statistic_advertiser.csv"
    rows = _rows(client, url, NOVEMBER | {"foo": "bar"})
    assert [
        (row["criterion"], row["all_open_count"], row["all_paidout_count"]) for row in rows
    ] == [(str(november.advertiser_id), "1", "1")]


def test_the_publishers_subid_statistic_with_paymentstatus(
    client: TestClient,
    november: Network,  # noqa: F811
) -> None:
    url = (
        f"/api//{november.publisher_token}/publisher/{november.publisher_id}/"
        "get-statistic_subid.csv"
    )
    rows = _rows(client, url, NOVEMBER | {"condition[paymentstatus]": "1"})
    counts = [
        sum(int(row[name]) for row in rows) for name in ("all_open_count", "all_paidout_count")
    ]
    assert counts == [0, 1]


def test_get_orders_on_the_double_slash_link(
    client: TestClient,
    november: Network,  # noqa: F811
) -> None:
    token = november.credentials["affiliate_access_token"]
    url = f"/api//{token}/admin/{november.account_id}/get-orders.csv"
    rows = _rows(client, url, NOVEMBER | {"condition[l:mandant]": "-1"})
    assert len(rows) == 2
