"""Extreme input on the accounts admin API: ids outside int64 in the path, huge strings,
NUL, and every field of every route (from the OpenAPI description) with extreme values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from hypothesis import given
from hypothesis import strategies as st

from commerce_stats.db.engine import Database
from tests.extreme import (
    EXAMPLES,
    Operation,
    all_targets,
    check_answer,
    extreme_values,
    operations,
    send_operation,
    snapshot,
    sweep_value,
)


@pytest.mark.parametrize("zone", ["E" * 1_000_000, "Europe/" + "x" * 300])
def test_time_zone_longer_than_any_zone_name_is_422_naming_it_and_creates_nothing(
    client: TestClient, admin_headers: dict[str, str], database: Database, zone: str
) -> None:
    before = snapshot(database)
    response = client.post(
        "/admin/v1/accounts", json={"name": "Acme", "timezone": zone}, headers=admin_headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "timezone"
    assert snapshot(database) == before


@pytest.mark.parametrize("account_id", ["99999999999999999999", "9223372036854775808", "-1"])
def test_account_id_outside_the_integer_range_is_422_naming_it(
    client: TestClient, admin_headers: dict[str, str], account_id: str
) -> None:
    response = client.get(f"/admin/v1/accounts/{account_id}", headers=admin_headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "account_id"


# -- every field, extreme values ---------------------------------------------------------------

_OPERATIONS = operations(tag="admin: accounts")
TARGETS = all_targets(_OPERATIONS)
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/admin/v1/accounts"): {"name": "Edge", "timezone": "Europe/Berlin"},
    ("PATCH", "/admin/v1/accounts/{account_id}"): {"name": "Edge renamed"},
    ("POST", "/admin/v1/accounts/{account_id}/credentials/rotate"): {"credential": "ingest_key"},
    ("PUT", "/admin/v1/accounts/{account_id}/dashboard-login"): {
        "username": "edge-ops",
        "password": "a long passphrase",
    },
}


def _envelope(response: Response) -> None:
    error = response.json()["error"]
    assert isinstance(error["code"], str)
    assert isinstance(error["message"], str)


def _send(
    client: TestClient,
    headers: dict[str, str],
    account_id: int,
    operation: Operation,
    target: tuple[str, Any],
    value: Any,
) -> Response:
    return send_operation(
        client,
        operation,
        target,
        value,
        {"account_id": account_id},
        BODIES.get((operation.method, operation.path)),
        None,
        headers,
    )


@pytest.fixture
def account_id(make_account: Callable[..., dict[str, Any]]) -> int:
    created: int = make_account("Edge")["id"]
    return created


def test_every_field_refuses_each_extreme_class_without_a_500(
    client: TestClient, admin_headers: dict[str, str], account_id: int, database: Database
) -> None:
    for position, (operation, target) in enumerate(TARGETS):
        value = sweep_value(position)
        before = snapshot(database)
        response = _send(client, admin_headers, account_id, operation, target, value)
        label = f"{operation.method} {operation.path} {target} <- {value!r:.60}"
        check_answer(response, before, database, _envelope, label)


@EXAMPLES
@given(pair=st.sampled_from(TARGETS), value=extreme_values())
def test_extreme_values_anywhere_never_give_a_500(
    client: TestClient,
    admin_headers: dict[str, str],
    account_id: int,
    database: Database,
    pair: tuple[Operation, tuple[str, Any]],
    value: Any,
) -> None:
    operation, target = pair
    before = snapshot(database)
    response = _send(client, admin_headers, account_id, operation, target, value)
    label = f"{operation.method} {operation.path} {target} <- {value!r:.60}"
    check_answer(response, before, database, _envelope, label)
