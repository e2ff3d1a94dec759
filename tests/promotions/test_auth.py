"""POST /v1/login_check, POST /v1/token/refresh and the 401 codes of every protected call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from commerce_stats.accounts.service import Accounts
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.promotions.service import Promotions
from commerce_stats.promotions.tables import promo_tokens, promotions
from tests.promotions.conftest import Shop, login

MakeAccount = Callable[..., dict[str, Any]]


def _errors(body: dict[str, Any]) -> list[int]:
    return [entry["error"] for entry in body["errors"]]


def _token_rows(database: Database) -> int:
    with database.read() as conn:
        return len(conn.execute(select(promo_tokens)).all())


def test_login_returns_token_and_refresh_token(shop: Shop) -> None:
    assert len(shop.token) >= 32
    assert len(shop.refresh_token) >= 32
    assert shop.token != shop.refresh_token
    assert shop.get("/v1/promotion").status_code == 200


def test_login_with_wrong_password_is_401(
    client: TestClient, make_account: MakeAccount, database: Database
) -> None:
    username = make_account()["credentials"]["promotions_username"]
    response = client.post("/v1/login_check", json={"username": username, "password": "nope"})
    assert response.status_code == 401
    assert response.json() == {"errors": [{"error": 1001, "message": "Invalid credentials."}]}
    assert _token_rows(database) == 0


def test_login_with_another_accounts_password_is_401(
    client: TestClient, make_account: MakeAccount, database: Database
) -> None:
    first = make_account("One")["credentials"]
    second = make_account("Two")["credentials"]
    response = client.post(
        "/v1/login_check",
        json={
            "username": first["promotions_username"],
            "password": second["promotions_password"],
        },
    )
    assert response.status_code == 401
    assert _token_rows(database) == 0


def test_missing_token_is_1008(client: TestClient) -> None:
    response = client.post("/v1/promotion/statistics/", json={"id": 1})
    assert response.status_code == 401
    assert response.json() == {"errors": [{"error": 1008, "message": "Missing token."}]}


def test_unknown_token_is_1007(client: TestClient) -> None:
    response = client.post(
        "/v1/promotion/statistics/", json={"id": 1}, headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401
    assert response.json() == {"errors": [{"error": 1007, "message": "Your token is invalid."}]}


def test_non_bearer_authorization_is_1007(client: TestClient) -> None:
    response = client.get("/v1/promotion", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert response.status_code == 401
    assert _errors(response.json()) == [1007]


def test_expired_token_is_1009(
    client: TestClient, settings: Settings, database: Database, make_account: MakeAccount
) -> None:
    credentials = make_account()["credentials"]
    short_lived = Promotions(database, Accounts(database, cache_seconds=0), token_hours=-1)
    pair = short_lived.tokens.login(
        credentials["promotions_username"], credentials["promotions_password"]
    )
    response = client.get("/v1/promotion", headers={"Authorization": f"Bearer {pair.token}"})
    assert response.status_code == 401
    assert response.json() == {"errors": [{"error": 1009, "message": "Your token is expired."}]}


def test_a_new_token_does_not_revoke_the_old_one(client: TestClient, shop: Shop) -> None:
    second = login(client, shop.account)
    assert second.token != shop.token
    assert shop.get("/v1/promotion").status_code == 200
    assert second.get("/v1/promotion").status_code == 200


def test_tokens_are_stored_hashed(shop: Shop, database: Database) -> None:
    with database.read() as conn:
        stored = {row.token_hash for row in conn.execute(select(promo_tokens))}
    assert len(stored) == 2
    assert shop.token not in stored
    assert shop.refresh_token not in stored


def test_refresh_gives_a_new_working_pair(client: TestClient, shop: Shop) -> None:
    response = client.post("/v1/token/refresh", json={"refresh_token": shop.refresh_token})
    assert response.status_code == 200
    body = response.json()
    assert body["token"] not in (shop.token, shop.refresh_token)
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/v1/promotion", headers=headers).status_code == 200


def test_a_refresh_token_works_once(client: TestClient, shop: Shop, database: Database) -> None:
    assert (
        client.post("/v1/token/refresh", json={"refresh_token": shop.refresh_token}).status_code
        == 200
    )
    before = _token_rows(database)
    again = client.post("/v1/token/refresh", json={"refresh_token": shop.refresh_token})
    assert again.status_code == 401
    assert _errors(again.json()) == [1007]
    assert _token_rows(database) == before


def test_a_refresh_token_is_not_an_access_token(client: TestClient, shop: Shop) -> None:
    headers = {"Authorization": f"Bearer {shop.refresh_token}"}
    response = client.get("/v1/promotion", headers=headers)
    assert response.status_code == 401
    assert _errors(response.json()) == [1007]


def test_disabled_account_token_is_1007(
    client: TestClient, shop: Shop, admin_headers: dict[str, str]
) -> None:
    account_id = shop.account["id"]
    patched = client.patch(
        f"/admin/v1/accounts/{account_id}", json={"disabled": True}, headers=admin_headers
    )
    assert patched.status_code == 200
    response = shop.get("/v1/promotion")
    assert response.status_code == 401
    assert _errors(response.json()) == [1007]


def test_login_body_must_be_json(client: TestClient) -> None:
    response = client.post(
        "/v1/login_check", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"errors": [{"error": 110, "message": "JSON is not valid."}]}


def test_repeated_wrong_logins_are_refused_with_429(
    client: TestClient, make_account: MakeAccount, settings: Settings, database: Database
) -> None:
    credentials = make_account()["credentials"]
    wrong = {"username": credentials["promotions_username"], "password": "nope"}
    for _ in range(settings.auth_failure_limit):
        assert client.post("/v1/login_check", json=wrong).status_code == 401
    right = {"username": wrong["username"], "password": credentials["promotions_password"]}
    response = client.post("/v1/login_check", json=right)
    assert response.status_code == 429
    assert response.json()["errors"][0]["error"] == 1010
    assert int(response.headers["Retry-After"]) > 0
    assert _token_rows(database) == 0


def test_repeated_unknown_bearer_tokens_are_refused_with_429(
    client: TestClient, shop: Shop, settings: Settings, database: Database
) -> None:
    for n in range(settings.auth_failure_limit):
        response = client.get("/v1/promotion", headers={"Authorization": f"Bearer guess-{n}"})
        assert response.status_code == 401
    refused = client.post(
        "/v1/promotion",
        headers={"Authorization": f"Bearer {shop.token}"},
        json={
            "promotion_type": "discount",
            "promotion_name": "Blocked",
            "date_from": "2026-01-01T00:00:00+00:00",
            "coupons": {"discount_percent": "10", "product_id": [1]},
        },
    )
    refreshed = client.post("/v1/token/refresh", json={"refresh_token": shop.refresh_token})
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["error"] == 1010
    assert int(refused.headers["Retry-After"]) > 0
    assert refreshed.status_code == 429
    with database.read() as conn:
        assert conn.execute(select(promotions)).all() == []


def test_repeated_unknown_refresh_tokens_are_refused_with_429(
    client: TestClient, shop: Shop, settings: Settings, database: Database
) -> None:
    for n in range(settings.auth_failure_limit):
        response = client.post("/v1/token/refresh", json={"refresh_token": f"guess-{n}"})
        assert response.status_code == 401
    before = _token_rows(database)
    refused = client.post("/v1/token/refresh", json={"refresh_token": shop.refresh_token})
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["error"] == 1010
    assert _token_rows(database) == before


def _from_address(client: TestClient, address: str) -> TestClient:
    """Another client of the same running app, connecting from ``address``."""
    return TestClient(client.app, client=(address, 50000))


def test_wrong_logins_from_one_address_do_not_lock_out_another(
    client: TestClient, make_account: MakeAccount, settings: Settings, database: Database
) -> None:
    credentials = make_account()["credentials"]
    attacker = _from_address(client, "203.0.113.7")
    wrong = {"username": credentials["promotions_username"], "password": "nope"}
    for _ in range(settings.auth_failure_limit):
        assert attacker.post("/v1/login_check", json=wrong).status_code == 401
    right = {"username": wrong["username"], "password": credentials["promotions_password"]}
    assert attacker.post("/v1/login_check", json=right).status_code == 429
    owner = _from_address(client, "198.51.100.1")
    response = owner.post("/v1/login_check", json=right)
    assert response.status_code == 200
    assert _token_rows(database) == 2


def test_a_username_is_locked_for_every_address_at_ten_times_the_limit(
    client: TestClient, make_account: MakeAccount, settings: Settings, database: Database
) -> None:
    credentials = make_account()["credentials"]
    wrong = {"username": credentials["promotions_username"], "password": "nope"}
    for n in range(10 * settings.auth_failure_limit):
        attacker = _from_address(client, f"203.0.113.{n // settings.auth_failure_limit}")
        assert attacker.post("/v1/login_check", json=wrong).status_code == 401
    right = {"username": wrong["username"], "password": credentials["promotions_password"]}
    response = _from_address(client, "198.51.100.1").post("/v1/login_check", json=right)
    assert response.status_code == 429
    assert _errors(response.json()) == [1010]
    assert _token_rows(database) == 0


def test_an_over_long_username_is_refused_as_an_invalid_field(
    client: TestClient, make_account: MakeAccount, database: Database
) -> None:
    password = make_account()["credentials"]["promotions_password"]
    body = {"username": "x" * 256, "password": password}
    response = client.post("/v1/login_check", json=body)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"error": 11010, "message": "Invalid field value: username"}]
    }
    assert _token_rows(database) == 0


def test_an_over_long_username_is_not_counted_as_a_failure(
    client: TestClient, make_account: MakeAccount, settings: Settings
) -> None:
    credentials = make_account()["credentials"]
    for _ in range(settings.auth_failure_limit):
        body = {"username": "x" * 256, "password": "nope"}
        assert client.post("/v1/login_check", json=body).status_code == 400
    right = {
        "username": credentials["promotions_username"],
        "password": credentials["promotions_password"],
    }
    assert client.post("/v1/login_check", json=right).status_code == 200


TOKEN_INVALID_BODY = {"errors": [{"error": 1007, "message": "Your token is invalid."}]}


def _rotate_password(client: TestClient, shop: Shop, admin_headers: dict[str, str]) -> str:
    response = client.post(
        f"/admin/v1/accounts/{shop.account['id']}/credentials/rotate",
        json={"credential": "promotions_password"},
        headers=admin_headers,
    )
    assert response.status_code == 200
    secret: str = response.json()["secret"]
    return secret


def _set_disabled(
    client: TestClient, shop: Shop, admin_headers: dict[str, str], disabled: bool
) -> None:
    response = client.patch(
        f"/admin/v1/accounts/{shop.account['id']}",
        json={"disabled": disabled},
        headers=admin_headers,
    )
    assert response.status_code == 200


def test_rotating_the_password_voids_the_old_token(
    client: TestClient, shop: Shop, admin_headers: dict[str, str]
) -> None:
    _rotate_password(client, shop, admin_headers)
    response = shop.get("/v1/promotion")
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID_BODY


def test_rotating_the_password_voids_the_old_refresh_token(
    client: TestClient, shop: Shop, admin_headers: dict[str, str], database: Database
) -> None:
    _rotate_password(client, shop, admin_headers)
    before = _token_rows(database)
    response = client.post("/v1/token/refresh", json={"refresh_token": shop.refresh_token})
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID_BODY
    assert _token_rows(database) == before


def test_the_new_password_gives_working_tokens_after_a_rotation(
    client: TestClient, shop: Shop, admin_headers: dict[str, str], database: Database
) -> None:
    password = _rotate_password(client, shop, admin_headers)
    body = {"username": shop.account["credentials"]["promotions_username"], "password": password}
    response = client.post("/v1/login_check", json=body)
    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    assert client.get("/v1/promotion", headers=headers).status_code == 200
    assert _token_rows(database) == 2


def test_disabling_and_enabling_again_voids_the_old_token(
    client: TestClient, shop: Shop, admin_headers: dict[str, str]
) -> None:
    _set_disabled(client, shop, admin_headers, True)
    _set_disabled(client, shop, admin_headers, False)
    response = shop.get("/v1/promotion")
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID_BODY


def test_disabling_and_enabling_again_voids_the_old_refresh_token(
    client: TestClient, shop: Shop, admin_headers: dict[str, str], database: Database
) -> None:
    _set_disabled(client, shop, admin_headers, True)
    _set_disabled(client, shop, admin_headers, False)
    before = _token_rows(database)
    response = client.post("/v1/token/refresh", json={"refresh_token": shop.refresh_token})
    assert response.status_code == 401
    assert response.json() == TOKEN_INVALID_BODY
    assert _token_rows(database) == before


def test_a_rename_does_not_void_tokens(
    client: TestClient, shop: Shop, admin_headers: dict[str, str]
) -> None:
    response = client.patch(
        f"/admin/v1/accounts/{shop.account['id']}", json={"name": "Renamed"}, headers=admin_headers
    )
    assert response.status_code == 200
    assert shop.get("/v1/promotion").status_code == 200
