"""Admin API for accounts, over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from commerce_stats.accounts.service import Accounts
from commerce_stats.app import create_app
from commerce_stats.config import Settings
from tests.live_server import live_server, send_chunked, send_head_only

CREDENTIAL_NAMES = {
    "organization_key",
    "ingest_key",
    "affiliate_access_token",
    "affiliate_login_id",
    "affiliate_rest_token",
    "promotions_username",
    "promotions_password",
}

MakeAccount = Callable[..., dict[str, Any]]


def _listed(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/admin/v1/accounts", headers=headers)
    assert response.status_code == 200
    accounts: list[dict[str, Any]] = response.json()["accounts"]
    return accounts


def test_create_answers_201_with_every_credential(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.post(
        "/admin/v1/accounts",
        json={"name": "Acme", "features": ["video_ecommerce"], "timezone": "Europe/Berlin"},
        headers=admin_headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["id"] == 1
    assert body["name"] == "Acme"
    assert body["features"] == ["video_ecommerce"]
    assert body["timezone"] == "Europe/Berlin"
    assert body["disabled"] is False
    assert set(body["credentials"]) == CREDENTIAL_NAMES


def test_secrets_are_long_random_and_distinct(make_account: MakeAccount) -> None:
    first = make_account("One")["credentials"]
    second = make_account("Two")["credentials"]
    for name in ("organization_key", "ingest_key", "affiliate_access_token", "promotions_password"):
        assert len(first[name]) >= 32
        assert first[name] != second[name]


def test_defaults_are_every_feature_and_berlin(make_account: MakeAccount) -> None:
    body = make_account()
    assert body["features"] == ["affiliate", "promotions", "video_ecommerce"]
    assert body["timezone"] == "Europe/Berlin"


def test_list_and_get_never_show_secrets(
    client: TestClient, admin_headers: dict[str, str], make_account: MakeAccount
) -> None:
    created = make_account()
    listed = _listed(client, admin_headers)
    single = client.get(f"/admin/v1/accounts/{created['id']}", headers=admin_headers).json()
    for shown in (listed[0], single):
        assert "credentials" not in shown
        for secret in ("organization_key", "ingest_key", "promotions_password"):
            assert created["credentials"][secret] not in str(shown)
    assert single["affiliate_login_id"] == created["credentials"]["affiliate_login_id"]
    assert single["promotions_username"] == created["credentials"]["promotions_username"]


def test_missing_admin_token_is_401_and_creates_nothing(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.post("/admin/v1/accounts", json={"name": "Acme"})
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "unauthorized", "message": "admin token required"}}
    assert _listed(client, admin_headers) == []


def test_wrong_admin_token_is_401(client: TestClient) -> None:
    response = client.get("/admin/v1/accounts", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_malformed_json_is_400_and_creates_nothing(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.post(
        "/admin/v1/accounts",
        content=b'{"name": "Acme"',
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    assert _listed(client, admin_headers) == []


def test_unknown_feature_is_422_naming_features(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.post(
        "/admin/v1/accounts", json={"name": "Acme", "features": ["nope"]}, headers=admin_headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "features.0"
    assert _listed(client, admin_headers) == []


def test_unknown_timezone_is_refused_naming_timezone(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.post(
        "/admin/v1/accounts", json={"name": "Acme", "timezone": "Mars/Base"}, headers=admin_headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "timezone"
    assert _listed(client, admin_headers) == []


def test_missing_name_is_422_naming_name(client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.post("/admin/v1/accounts", json={}, headers=admin_headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "name"
    assert _listed(client, admin_headers) == []


def test_unknown_account_is_404(client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.get("/admin/v1/accounts/99", headers=admin_headers)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "account 99 not found"}}


def test_patch_changes_only_given_fields(
    client: TestClient, admin_headers: dict[str, str], make_account: MakeAccount
) -> None:
    created = make_account(features=["affiliate"])
    response = client.patch(
        f"/admin/v1/accounts/{created['id']}",
        json={"name": "Acme GmbH", "disabled": True},
        headers=admin_headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["disabled"], body["features"]) == ("Acme GmbH", True, ["affiliate"])


def test_patch_with_bad_timezone_changes_nothing(
    client: TestClient, admin_headers: dict[str, str], make_account: MakeAccount
) -> None:
    created = make_account()
    response = client.patch(
        f"/admin/v1/accounts/{created['id']}",
        json={"name": "Renamed", "timezone": "Nowhere/Land"},
        headers=admin_headers,
    )
    assert response.status_code == 422
    after = client.get(f"/admin/v1/accounts/{created['id']}", headers=admin_headers).json()
    assert (after["name"], after["timezone"]) == ("Acme", "Europe/Berlin")


def test_patch_unknown_account_is_404(client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.patch("/admin/v1/accounts/7", json={"name": "x"}, headers=admin_headers)
    assert response.status_code == 404


def test_rotate_returns_a_new_secret(
    client: TestClient, admin_headers: dict[str, str], make_account: MakeAccount
) -> None:
    created = make_account()
    response = client.post(
        f"/admin/v1/accounts/{created['id']}/credentials/rotate",
        json={"credential": "organization_key"},
        headers=admin_headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["credential"] == "organization_key"
    assert body["secret"] != created["credentials"]["organization_key"]
    assert len(body["secret"]) >= 32


def test_rotate_unknown_credential_is_refused(
    client: TestClient, admin_headers: dict[str, str], make_account: MakeAccount, accounts: Accounts
) -> None:
    created = make_account()
    response = client.post(
        f"/admin/v1/accounts/{created['id']}/credentials/rotate",
        json={"credential": "promotions_username"},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "credential"
    credentials = created["credentials"]
    login = client.post(
        "/v1/login_check",
        json={
            "username": credentials["promotions_username"],
            "password": credentials["promotions_password"],
        },
    )
    assert login.status_code == 200
    ingest = accounts.authenticate("ingest_key", credentials["ingest_key"])
    assert ingest is not None
    assert ingest.id == created["id"]


def test_rotate_on_unknown_account_is_404(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.post(
        "/admin/v1/accounts/5/credentials/rotate",
        json={"credential": "ingest_key"},
        headers=admin_headers,
    )
    assert response.status_code == 404


def test_repeated_wrong_tokens_are_answered_429_even_with_the_right_one(
    settings: Settings, admin_headers: dict[str, str]
) -> None:
    limited = settings.model_copy(update={"auth_failure_limit": 3})
    with TestClient(create_app(limited)) as client:
        for _ in range(3):
            assert (
                client.get("/admin/v1/accounts", headers={"Authorization": "Bearer x"}).status_code
                == 401
            )
        response = client.get("/admin/v1/accounts", headers=admin_headers)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_dashboard_login_is_set_with_204(
    client: TestClient, admin_headers: dict[str, str], make_account: MakeAccount, accounts: Accounts
) -> None:
    created = make_account()
    response = client.put(
        f"/admin/v1/accounts/{created['id']}/dashboard-login",
        json={"username": "acme", "password": "a long passphrase"},
        headers=admin_headers,
    )
    assert response.status_code == 204
    login = accounts.verify_dashboard_login("acme", "a long passphrase")
    assert login is not None
    assert login.account.id == created["id"]


def test_dashboard_login_refuses_short_passwords(
    client: TestClient, admin_headers: dict[str, str], make_account: MakeAccount, accounts: Accounts
) -> None:
    created = make_account()
    response = client.put(
        f"/admin/v1/accounts/{created['id']}/dashboard-login",
        json={"username": "acme", "password": "short"},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "password"
    assert accounts.dashboard_login_version(created["id"]) is None


def test_dashboard_username_of_another_account_is_409(
    client: TestClient, admin_headers: dict[str, str], make_account: MakeAccount, accounts: Accounts
) -> None:
    first, second = make_account("One"), make_account("Two")
    body = {"username": "shared", "password": "a long passphrase"}
    url = "/admin/v1/accounts/{}/dashboard-login"
    assert client.put(url.format(first["id"]), json=body, headers=admin_headers).status_code == 204
    response = client.put(url.format(second["id"]), json=body, headers=admin_headers)
    assert response.status_code == 409
    assert response.json()["error"]["field"] == "username"
    assert accounts.dashboard_login_version(second["id"]) is None
    login = accounts.verify_dashboard_login("shared", "a long passphrase")
    assert login is not None
    assert login.account.id == first["id"]


def test_dashboard_login_on_unknown_account_is_404(
    client: TestClient, admin_headers: dict[str, str], accounts: Accounts
) -> None:
    response = client.put(
        "/admin/v1/accounts/9/dashboard-login",
        json={"username": "acme", "password": "a long passphrase"},
        headers=admin_headers,
    )
    assert response.status_code == 404
    assert accounts.verify_dashboard_login("acme", "a long passphrase") is None


def test_body_that_is_not_utf8_is_400_and_creates_nothing(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.post(
        "/admin/v1/accounts",
        content=b'{"name": "\xff"}',
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    assert _listed(client, admin_headers) == []


def test_account_id_beyond_the_integer_range_is_422(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.get("/admin/v1/accounts/99999999999999999999", headers=admin_headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "account_id"


# -- body limits: the admin token before the body, 1 MiB per body --------------------------

A_GIGABYTE = str(10**9)


@pytest.fixture
def live_port(settings: Settings) -> Iterator[int]:
    with live_server(create_app(settings)) as port:
        yield port


def test_wrong_admin_token_with_a_1_gb_declared_body_is_401_before_the_body_is_read(
    live_port: int, client: TestClient, admin_headers: dict[str, str]
) -> None:
    answer = send_head_only(
        live_port,
        "POST",
        "/admin/v1/accounts",
        {
            "Authorization": "Bearer wrong",
            "Content-Type": "application/json",
            "Content-Length": A_GIGABYTE,
        },
    )
    assert answer.status == 401
    assert orjson.loads(answer.body) == {
        "error": {"code": "unauthorized", "message": "admin token is not valid"}
    }
    assert _listed(client, admin_headers) == []


def test_account_body_declared_over_1_mib_is_413_before_it_is_read(
    live_port: int, client: TestClient, admin_headers: dict[str, str]
) -> None:
    answer = send_head_only(
        live_port,
        "POST",
        "/admin/v1/accounts",
        {**admin_headers, "Content-Type": "application/json", "Content-Length": A_GIGABYTE},
    )
    assert answer.status == 413
    assert orjson.loads(answer.body) == {
        "error": {"code": "too_large", "message": "body is larger than 1 MB"}
    }
    assert _listed(client, admin_headers) == []


def test_streamed_account_body_is_cut_at_1_mib_with_413_and_creates_nothing(
    live_port: int, client: TestClient, admin_headers: dict[str, str]
) -> None:
    answer = send_chunked(
        live_port,
        "POST",
        "/admin/v1/accounts",
        {**admin_headers, "Content-Type": "application/json"},
        b'{"name": "' + b"a" * 65536,
        chunks=40,
    )
    assert answer.status == 413
    assert orjson.loads(answer.body)["error"]["code"] == "too_large"
    assert answer.headers["connection"] == "close"  # the rest of the body is not read either
    assert _listed(client, admin_headers) == []
