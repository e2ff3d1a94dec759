"""Manual statistics through the admin API: create, list, delete, validation, tenancy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commerce_stats.affiliate import statistics
from commerce_stats.affiliate.manual_statistics import MANUAL_DEFINITION, report_rows
from commerce_stats.affiliate.repository import TransactionQuery
from commerce_stats.affiliate.rules import PAID
from commerce_stats.affiliate.statistics import ADMIN, DEFINITIONS, ReportRow
from commerce_stats.db.engine import Database
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import parse_csv

Headers = dict[str, str]


def _body(network: Network, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "day": "2026-11-05",
        "campaign_id": network.campaign_id,
        "publisher_id": network.other_publisher_id,
        "project_id": network.other_project_id,
        "views": 1000,
        "clicks": 40,
        "open": {"count": 2, "commission": "5.00", "turnover": "50.00"},
        "confirmed": {"count": 3, "commission": "7.5", "turnover": "75"},
        "note": "TV spot, November",
    }
    body.update(fields)
    return body


def _create(
    client: TestClient, headers: Headers, network: Network, **fields: Any
) -> dict[str, Any]:
    response = client.post(
        f"{network.admin}/manual-statistics", json=_body(network, **fields), headers=headers
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _listed(client: TestClient, headers: Headers, network: Network, **params: str) -> list[Any]:
    response = client.get(f"{network.admin}/manual-statistics", params=params, headers=headers)
    assert response.status_code == 200, response.text
    rows: list[Any] = response.json()["manual_statistics"]
    return rows


def test_create_stores_the_row_with_amounts_in_the_campaign_currency(
    client: TestClient, admin_headers: Headers, build_network: Callable[..., Network]
) -> None:
    network = build_network()
    created = _create(client, admin_headers, network)
    created.pop("created_at")
    assert created == {
        "id": 1,
        "day": "2026-11-05",
        "campaign_id": network.campaign_id,
        "publisher_id": network.other_publisher_id,
        "project_id": network.other_project_id,
        "admedia_id": 0,
        "views": 1000,
        "clicks": 40,
        "open": {"count": 2, "commission": "5.00", "turnover": "50.00"},
        "confirmed": {"count": 3, "commission": "7.50", "turnover": "75.00"},
        "canceled": {"count": 0, "commission": "0.00", "turnover": "0.00"},
        "paid": {"count": 0, "commission": "0.00", "turnover": "0.00"},
        "currency": "EUR",
        "note": "TV spot, November",
    }


def test_create_takes_amounts_in_a_currency_with_three_digits(
    client: TestClient, admin_headers: Headers, build_network: Callable[..., Network]
) -> None:
    network = build_network(currency="KWD")
    created = _create(
        client, admin_headers, network, paid={"count": 1, "commission": "1.005", "turnover": "15"}
    )
    assert (created["currency"], created["paid"]) == (
        "KWD",
        {"count": 1, "commission": "1.005", "turnover": "15.000"},
    )


def test_list_returns_the_rows_of_the_period_in_day_order(
    client: TestClient, admin_headers: Headers, build_network: Callable[..., Network]
) -> None:
    network = build_network()
    for day in ("2026-11-07", "2026-10-31", "2026-11-01", "2026-11-30", "2026-12-01"):
        _create(client, admin_headers, network, day=day)
    listed = _listed(client, admin_headers, network, start="2026-11-01", end="2026-11-30")
    assert [row["day"] for row in listed] == ["2026-11-01", "2026-11-07", "2026-11-30"]


def test_list_without_a_period_returns_every_row(
    client: TestClient, admin_headers: Headers, build_network: Callable[..., Network]
) -> None:
    network = build_network()
    for day in ("2026-11-07", "2025-01-01"):
        _create(client, admin_headers, network, day=day)
    assert [row["day"] for row in _listed(client, admin_headers, network)] == [
        "2025-01-01",
        "2026-11-07",
    ]


def test_list_with_a_period_ending_before_it_starts_is_422_naming_end(
    client: TestClient, admin_headers: Headers, build_network: Callable[..., Network]
) -> None:
    network = build_network()
    response = client.get(
        f"{network.admin}/manual-statistics",
        params={"start": "2026-11-02", "end": "2026-11-01"},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "end"


def test_delete_removes_the_row(
    client: TestClient, admin_headers: Headers, build_network: Callable[..., Network]
) -> None:
    network = build_network()
    kept = _create(client, admin_headers, network, day="2026-11-01")
    gone = _create(client, admin_headers, network, day="2026-11-02")
    response = client.delete(
        f"{network.admin}/manual-statistics/{gone['id']}", headers=admin_headers
    )
    assert response.status_code == 204
    assert [row["id"] for row in _listed(client, admin_headers, network)] == [kept["id"]]


def test_delete_of_an_unknown_row_is_404(
    client: TestClient, admin_headers: Headers, build_network: Callable[..., Network]
) -> None:
    network = build_network()
    response = client.delete(f"{network.admin}/manual-statistics/7", headers=admin_headers)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "manual statistic 7 not found"


INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("unknown campaign", {"campaign_id": 999}, "campaign_id"),
    ("unknown publisher", {"publisher_id": 999}, "publisher_id"),
    ("project of no publisher", {"project_id": 999}, "project_id"),
    ("unknown admedia", {"admedia_id": 5}, "admedia_id"),
    ("negative views", {"views": -1}, "views"),
    ("negative clicks", {"clicks": -3}, "clicks"),
    ("negative count", {"paid": {"count": -1}}, "paid.count"),
    ("too many decimals", {"open": {"commission": "1.005"}}, "open.commission"),
    ("not a number", {"canceled": {"turnover": "ten"}}, "canceled.turnover"),
    ("negative amount", {"confirmed": {"turnover": "-5"}}, "confirmed.turnover"),
]


@pytest.mark.parametrize(("fields", "field"), [case[1:] for case in INVALID])
def test_invalid_field_is_422_naming_it_and_stores_nothing(
    client: TestClient,
    admin_headers: Headers,
    build_network: Callable[..., Network],
    fields: dict[str, Any],
    field: str,
) -> None:
    network = build_network()
    response = client.post(
        f"{network.admin}/manual-statistics", json=_body(network, **fields), headers=admin_headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert _listed(client, admin_headers, network) == []


def test_project_of_another_publisher_is_422_naming_project_id(
    client: TestClient, admin_headers: Headers, build_network: Callable[..., Network]
) -> None:
    network = build_network()
    response = client.post(
        f"{network.admin}/manual-statistics",
        json=_body(network, project_id=network.project_id),
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "project_id"
    assert _listed(client, admin_headers, network) == []


def test_publisher_that_is_no_member_of_the_campaign_is_422_naming_publisher_id(
    client: TestClient, admin_headers: Headers, build_network: Callable[..., Network]
) -> None:
    network = build_network()
    response = client.post(
        f"{network.admin}/manual-statistics",
        json=_body(network, publisher_id=network.publisher_id, project_id=0),
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_field",
        "field": "publisher_id",
        "message": (
            f"publisher {network.publisher_id} is no member of campaign {network.campaign_id}"
        ),
    }
    assert _listed(client, admin_headers, network) == []


def test_a_fourth_digit_in_a_three_digit_currency_is_422_naming_the_amount(
    client: TestClient, admin_headers: Headers, build_network: Callable[..., Network]
) -> None:
    network = build_network(currency="KWD")
    response = client.post(
        f"{network.admin}/manual-statistics",
        json=_body(network, open={"commission": "1.0005"}),
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "open.commission"
    assert _listed(client, admin_headers, network) == []


def test_another_accounts_campaign_is_invisible(
    client: TestClient, admin_headers: Headers, build_network: Callable[..., Network]
) -> None:
    network = build_network("Acme")
    other = build_network("Rival")
    response = client.post(
        f"{network.admin}/manual-statistics",
        json=_body(network, campaign_id=other.campaign_id),
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "campaign_id"
    assert _listed(client, admin_headers, network) == []
    assert _listed(client, admin_headers, other) == []


def test_another_accounts_rows_are_not_listed(
    client: TestClient, admin_headers: Headers, build_network: Callable[..., Network]
) -> None:
    network = build_network("Acme")
    other = build_network("Rival")
    _create(client, admin_headers, other)
    assert _listed(client, admin_headers, network) == []


def test_another_accounts_row_cannot_be_deleted(
    client: TestClient, admin_headers: Headers, build_network: Callable[..., Network]
) -> None:
    network = build_network("Acme")
    other = build_network("Rival")
    row = _create(client, admin_headers, other)
    response = client.delete(
        f"{network.admin}/manual-statistics/{row['id']}", headers=admin_headers
    )
    assert response.status_code == 404
    assert [kept["id"] for kept in _listed(client, admin_headers, other)] == [row["id"]]


# -- the manualstatistics report --------------------------------------------------------------

NOVEMBER_BERLIN = (datetime(2026, 10, 31, 23, tzinfo=UTC), datetime(2026, 11, 30, 23, tzinfo=UTC))


def _query(network: Network, **fields: Any) -> TransactionQuery:
    start, end = NOVEMBER_BERLIN
    return TransactionQuery(network.account_id, start, end, "created_at", **fields)


def _report(database: Database, query: TransactionQuery) -> list[ReportRow]:
    with database.read() as conn:
        return list(report_rows(conn, query, "Europe/Berlin"))


def test_the_report_sums_rows_per_day_with_the_daily_columns(
    client: TestClient,
    admin_headers: Headers,
    build_network: Callable[..., Network],
    database: Database,
) -> None:
    network = build_network()
    _create(client, admin_headers, network, day="2026-11-01")
    _create(client, admin_headers, network, day="2026-11-01", views=5, clicks=1, open={})
    _create(client, admin_headers, network, day="2026-11-30", paid={"count": 1, "commission": "2"})
    _create(client, admin_headers, network, day="2026-12-01")
    _create(client, admin_headers, network, day="2026-10-31")
    assert _report(database, _query(network)) == [
        ReportRow(date(2026, 11, 1), "EUR", 1005, 41, (2, 5000, 500, 6, 15000, 1500, *[0] * 6)),
        ReportRow(
            date(2026, 11, 30), "EUR", 1000, 40, (2, 5000, 500, 3, 7500, 750, 0, 0, 0, 1, 0, 200)
        ),
    ]


def test_the_report_keeps_the_chosen_statuses_only(
    client: TestClient,
    admin_headers: Headers,
    build_network: Callable[..., Network],
    database: Database,
) -> None:
    network = build_network()
    _create(client, admin_headers, network, paid={"count": 1, "commission": "2"})
    assert _report(database, _query(network, statuses=(PAID,))) == [
        ReportRow(date(2026, 11, 5), "EUR", 1000, 40, (*[0] * 9, 1, 0, 200)),
    ]


def test_the_report_holds_only_its_own_accounts_rows(
    client: TestClient,
    admin_headers: Headers,
    build_network: Callable[..., Network],
    database: Database,
) -> None:
    network = build_network("Acme")
    other = build_network("Rival")
    _create(client, admin_headers, other)
    assert _report(database, _query(network)) == []


def test_the_report_is_for_admins_only() -> None:
    assert MANUAL_DEFINITION.sides == (ADMIN,)


def test_no_other_report_adds_manual_rows_in(
    client: TestClient,
    admin_headers: Headers,
    build_network: Callable[..., Network],
    database: Database,
) -> None:
    network = build_network()
    _create(client, admin_headers, network)
    with database.read() as conn:
        rows = list(statistics.report_rows(conn, _query(network), DEFINITIONS["campaign"]))
    assert rows == []


def test_the_export_link_serves_the_manual_rows_by_day(
    client: TestClient, admin_headers: Headers, network: Network
) -> None:
    _create(client, admin_headers, network, day="2026-11-05")
    _create(client, admin_headers, network, day="2026-11-05", views=5, clicks=1, open={})
    response = client.get(
        network.export_url("get-statistic_manualstatistics.csv"),
        params={"condition[period][from]": "01.11.2026", "condition[period][to]": "30.11.2026"},
    )
    assert response.status_code == 200, response.text
    rows = parse_csv(response.text)
    assert [
        (row["criterion"], row["views"], row["clicks"], row["all_open_count"],
         row["all_open_provision"], row["all_confirmed_count"], row["all_confirmed_turnover"])
        for row in rows
    ] == [("2026-11-05", "1005", "41", "2", "5.00", "6", "150.00")]  # fmt: skip


def test_the_export_link_of_another_account_shows_none_of_its_rows(
    client: TestClient, admin_headers: Headers, build_network: Callable[..., Network]
) -> None:
    network = build_network("Acme")
    other = build_network("Rival")
    _create(client, admin_headers, other)
    response = client.get(
        network.export_url("get-statistic_manualstatistics.csv"),
        params={"condition[period][from]": "01.11.2026", "condition[period][to]": "30.11.2026"},
    )
    assert parse_csv(response.text) == []
