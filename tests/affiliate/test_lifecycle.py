"""Confirm, cancel, partial cancel, payout; and the admin model API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.errors import (
    ForbiddenTransitionError,
    ItemNotFoundError,
    TransactionFinalError,
)
from commerce_stats.affiliate.lifecycle import (
    Lifecycle,
    check_changeable,
    check_transition,
    commission_for_turnover,
)
from commerce_stats.affiliate.rules import CANCELED, CONFIRMED, OPEN, PAID
from commerce_stats.db.engine import Database
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import csv_rows


def _only(client: TestClient, network: Network) -> dict[str, str]:
    rows = csv_rows(client, network.export_url())
    assert len(rows) == 1
    return rows[0]


def _post(client: TestClient, headers: dict[str, str], url: str, body: Any = None) -> Any:
    return client.post(url, json=body, headers=headers)


def test_confirm_sets_status_1(
    client: TestClient, network: Network, convert: Callable[..., int], admin_headers: dict[str, str]
) -> None:
    convert(network, "C-1")
    tid = _only(client, network)["id"]
    response = _post(client, admin_headers, f"{network.admin}/transactions/{tid}/confirm")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == 1
    assert _only(client, network)["status"] == "1"


def test_cancel_records_reason(
    client: TestClient, network: Network, convert: Callable[..., int], admin_headers: dict[str, str]
) -> None:
    convert(network, "C-1")
    tid = _only(client, network)["id"]
    _post(
        client,
        admin_headers,
        f"{network.admin}/transactions/{tid}/cancel",
        {"cancel_reason": "Ware retourniert"},
    )
    row = _only(client, network)
    assert (row["status"], row["cancel_reason"]) == ("2", "Ware retourniert")


def test_partial_cancel_recomputes_dynamic_commission_keeps_source_turnover(
    client: TestClient, network: Network, convert: Callable[..., int], admin_headers: dict[str, str]
) -> None:
    convert(network, "P-1", "100.00")
    tid = _only(client, network)["id"]
    response = _post(
        client,
        admin_headers,
        f"{network.admin}/transactions/{tid}/partial-cancel",
        {"turnover": "60.00"},
    )
    assert response.status_code == 200, response.text
    row = _only(client, network)
    assert (row["turnover"], row["commission"], row["source_turnover"], row["status"]) == (
        "60.00",
        "6.00",
        "100.00",
        "0",
    )


def test_partial_cancel_keeps_fixed_commission(
    client: TestClient, network: Network, convert: Callable[..., int], admin_headers: dict[str, str]
) -> None:
    convert(network, "L-1", "30.00", trigger=network.lead_trigger)
    tid = _only(client, network)["id"]
    _post(
        client,
        admin_headers,
        f"{network.admin}/transactions/{tid}/partial-cancel",
        {"turnover": "10.00"},
    )
    row = _only(client, network)
    assert (row["turnover"], row["commission"]) == ("10.00", "2.50")


def test_partial_cancel_must_lower_turnover(
    client: TestClient, network: Network, convert: Callable[..., int], admin_headers: dict[str, str]
) -> None:
    convert(network, "P-1", "100.00")
    tid = _only(client, network)["id"]
    response = _post(
        client,
        admin_headers,
        f"{network.admin}/transactions/{tid}/partial-cancel",
        {"turnover": "120.00"},
    )
    assert response.status_code == 422
    assert _only(client, network)["turnover"] == "100.00"


def test_payout_marks_confirmed_paid_with_salary_id(
    client: TestClient, network: Network, convert: Callable[..., int], admin_headers: dict[str, str]
) -> None:
    convert(network, "PAY")
    convert(network, "STAY")
    rows = {row["ordertoken"]: row for row in csv_rows(client, network.export_url())}
    _post(client, admin_headers, f"{network.admin}/transactions/{rows['PAY']['id']}/confirm")
    response = _post(
        client, admin_headers, f"{network.admin}/payouts", {"publisher_id": network.publisher_id}
    )
    assert response.status_code == 201, response.text
    assert (response.json()["salary_id"], response.json()["transactions"]) == (1, 1)
    rows = {row["ordertoken"]: row for row in csv_rows(client, network.export_url())}
    assert (rows["PAY"]["status"], rows["PAY"]["salary_id"]) == ("3", "1")
    assert len(rows["PAY"]["payoutdate"]) == 19
    assert (rows["STAY"]["status"], rows["STAY"]["salary_id"], rows["STAY"]["payoutdate"]) == (
        "0",
        "-1",
        "",
    )
    paid = csv_rows(client, network.export_url(), **{"condition[timetype]": "2"})
    assert [row["ordertoken"] for row in paid] == ["PAY"]


def test_paid_is_final(
    client: TestClient, network: Network, convert: Callable[..., int], admin_headers: dict[str, str]
) -> None:
    convert(network, "PAY")
    tid = _only(client, network)["id"]
    _post(client, admin_headers, f"{network.admin}/transactions/{tid}/confirm")
    _post(client, admin_headers, f"{network.admin}/payouts", {"publisher_id": network.publisher_id})
    response = _post(
        client, admin_headers, f"{network.admin}/transactions/{tid}/cancel", {"cancel_reason": "x"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "paid transactions are final"
    assert _only(client, network)["status"] == "3"


def test_lifecycle_routes_are_scoped_by_account(
    client: TestClient,
    build_network: Callable[..., Network],
    convert: Callable[..., int],
    admin_headers: dict[str, str],
) -> None:
    first = build_network("First")
    second = build_network("Second")
    convert(first, "F-1")
    tid = _only(client, first)["id"]
    for action in ("confirm", "cancel"):
        response = _post(client, admin_headers, f"{second.admin}/transactions/{tid}/{action}", {})
        assert response.status_code == 404
    response = client.get(f"{second.admin}/transactions/{tid}", headers=admin_headers)
    assert response.status_code == 404
    assert _only(client, first)["status"] == "0"


def test_admin_model_routes_are_scoped_by_account(
    client: TestClient, build_network: Callable[..., Network], admin_headers: dict[str, str]
) -> None:
    first = build_network("First")
    second = build_network("Second")

    def models(network: Network) -> dict[str, Any]:
        return {
            kind: client.get(f"{network.admin}/{kind}", headers=admin_headers).json()[kind]
            for kind in ("triggers", "projects")
        }

    before = models(first), models(second)
    response = _post(
        client,
        admin_headers,
        f"{second.admin}/campaigns/{first.campaign_id}/triggers",
        {"title": "Steal"},
    )
    assert response.status_code == 404
    response = _post(
        client,
        admin_headers,
        f"{second.admin}/publishers/{first.publisher_id + 10}/projects",
        {"title": "x"},
    )
    assert response.status_code == 404
    listed = client.get(f"{second.admin}/campaigns", headers=admin_headers).json()["campaigns"]
    assert [campaign["id"] for campaign in listed] == [second.campaign_id]
    assert (models(first), models(second)) == before
    assert [trigger["id"] for trigger in before[0]["triggers"]] == [
        first.sale_trigger,
        first.lead_trigger,
    ]


def test_admin_routes_need_the_admin_token(client: TestClient, network: Network) -> None:
    response = client.get(f"{network.admin}/campaigns")
    assert response.status_code == 401


def test_group_listing_shows_rates(
    client: TestClient, network: Network, admin_headers: dict[str, str]
) -> None:
    groups = client.get(f"{network.admin}/groups", headers=admin_headers).json()["groups"]
    standard = next(group for group in groups if group["title"] == "Standard")
    assert standard["rates"] == [
        {
            "trigger_id": network.sale_trigger,
            "trigger_type": "sale_dynamic",
            "trigger_value": "10.00",
        },
        {"trigger_id": network.lead_trigger, "trigger_type": "lead_fixed", "trigger_value": "2.50"},
    ]


def test_unknown_trigger_type_is_422(
    client: TestClient, network: Network, admin_headers: dict[str, str]
) -> None:
    response = _post(
        client,
        admin_headers,
        f"{network.admin}/campaigns/{network.campaign_id}/groups",
        {
            "title": "Bad",
            "triggers": [
                {
                    "trigger_id": network.sale_trigger,
                    "trigger_type": "sale_magic",
                    "trigger_value": 1,
                }
            ],
        },
    )
    assert response.status_code == 422
    groups = client.get(f"{network.admin}/groups", headers=admin_headers).json()["groups"]
    assert [group["title"] for group in groups] == ["Standard", "Premium"]


def test_publisher_listing_never_shows_token_hash(
    client: TestClient, network: Network, admin_headers: dict[str, str]
) -> None:
    publishers = client.get(f"{network.admin}/publishers", headers=admin_headers).json()
    assert all("token_hash" not in item for item in publishers["publishers"])


def test_partial_cancel_and_payout_are_scoped_by_account(
    client: TestClient,
    build_network: Callable[..., Network],
    convert: Callable[..., int],
    admin_headers: dict[str, str],
) -> None:
    first = build_network("First")
    second = build_network("Second")
    convert(first, "F-1", "100.00")
    tid = _only(client, first)["id"]
    _post(client, admin_headers, f"{first.admin}/transactions/{tid}/confirm")
    response = _post(
        client,
        admin_headers,
        f"{second.admin}/transactions/{tid}/partial-cancel",
        {"turnover": "1.00"},
    )
    assert response.status_code == 404
    payout = _post(
        client, admin_headers, f"{second.admin}/payouts", {"publisher_id": first.publisher_id}
    )
    assert (payout.status_code, payout.json()["transactions"]) == (201, 0)
    row = _only(client, first)
    assert (row["status"], row["turnover"], row["salary_id"]) == ("1", "100.00", "-1")


def test_out_of_range_transaction_id_is_422(
    client: TestClient, network: Network, admin_headers: dict[str, str]
) -> None:
    response = client.get(f"{network.admin}/transactions/{'9' * 30}", headers=admin_headers)
    assert response.status_code == 422


# -- the lifecycle module's rules, without HTTP ------------------------------------------------


def test_check_transition_refuses_reopening_a_confirmed_transaction() -> None:
    with pytest.raises(ForbiddenTransitionError, match="cannot be reopened") as refused:
        check_transition(CONFIRMED, OPEN)
    assert (refused.value.from_status, refused.value.to_status) == (CONFIRMED, OPEN)


def test_check_transition_leaves_paying_to_the_payout_run() -> None:
    with pytest.raises(ForbiddenTransitionError, match="only a payout run"):
        check_transition(CONFIRMED, PAID)


def test_check_transition_allows_open_to_canceled() -> None:
    check_transition(OPEN, CANCELED)


def test_check_changeable_refuses_a_paid_transaction() -> None:
    with pytest.raises(TransactionFinalError, match="paid transactions are final"):
        check_changeable(PAID)


def test_dynamic_commission_follows_a_lower_turnover() -> None:
    assert commission_for_turnover("sale_dynamic", 750, 750, 10_000, 6_000) == 450


def test_fixed_commission_stays_when_the_turnover_changes() -> None:
    assert commission_for_turnover("sale_fixed", 500, 500, 10_000, 6_000) == 500


def test_lifecycle_payout_of_an_unknown_publisher_books_no_salary(
    database: Database, accounts: Accounts, network: Network
) -> None:
    lifecycle = Lifecycle(database)
    account = accounts.get(network.account_id)
    with pytest.raises(ItemNotFoundError, match="publisher 999 not found"):
        lifecycle.payout(account, 999)
    assert lifecycle.payout(account, network.publisher_id).salary_id == 1


def test_lifecycle_cancel_keeps_a_confirmed_transactions_reason(
    database: Database,
    accounts: Accounts,
    client: TestClient,
    network: Network,
    convert: Callable[..., int],
) -> None:
    convert(network, "L-1")
    tid = int(_only(client, network)["id"])
    lifecycle = Lifecycle(database)
    account = accounts.get(network.account_id)
    lifecycle.confirm(account, tid)
    canceled = lifecycle.cancel(account, tid, "  retour  ")
    assert (canceled.status, canceled.cancel_reason) == (CANCELED, "retour")


def test_lifecycle_refuses_confirming_twice_and_changes_nothing(
    database: Database,
    accounts: Accounts,
    client: TestClient,
    network: Network,
    convert: Callable[..., int],
) -> None:
    convert(network, "L-2")
    tid = int(_only(client, network)["id"])
    lifecycle = Lifecycle(database)
    account = accounts.get(network.account_id)
    confirmed = lifecycle.confirm(account, tid)
    with pytest.raises(ForbiddenTransitionError, match="already has this status"):
        lifecycle.confirm(account, tid)
    assert lifecycle.transaction(account, tid) == confirmed
