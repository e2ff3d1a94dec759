"""Dashboard pages over HTTP: sign-in, CSRF, limits, picker, tenancy."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from commerce_stats.accounts.service import Accounts
from commerce_stats.app import create_app
from commerce_stats.config import Settings
from tests.conftest import ADMIN_TOKEN

PASSWORD = "correct horse battery"


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def _sign_in(client: TestClient, **fields: str) -> tuple[int, str]:
    form = client.get("/sign-in")
    response = client.post(
        "/sign-in", data={"csrf_token": _csrf(form.text), **fields}, follow_redirects=False
    )
    return response.status_code, response.headers.get("location", response.text)


def _user(accounts: Accounts, name: str = "Acme", username: str = "acme") -> int:
    account, _ = accounts.create(name)
    accounts.set_dashboard_login(account.id, username, PASSWORD)
    return account.id


def test_pages_redirect_to_sign_in_without_a_session(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


def test_user_signs_in_and_sees_their_account(client: TestClient, accounts: Accounts) -> None:
    _user(accounts)
    assert _sign_in(client, username="acme", password=PASSWORD) == (303, "/")
    page = client.get("/")
    assert page.status_code == 200
    assert 'data-testid="account-name">Acme<' in page.text


def test_session_cookie_is_httponly_and_samesite(client: TestClient, accounts: Accounts) -> None:
    _user(accounts)
    form = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={"csrf_token": _csrf(form.text), "username": "acme", "password": PASSWORD},
        follow_redirects=False,
    )
    cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith("cs_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie


def test_wrong_password_shows_a_message_and_no_session(
    client: TestClient, accounts: Accounts
) -> None:
    _user(accounts)
    status, body = _sign_in(client, username="acme", password="not the password")
    assert status == 401
    assert "Wrong username or password." in body
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_in_without_the_form_token_is_refused(client: TestClient, accounts: Accounts) -> None:
    _user(accounts)
    client.get("/sign-in")
    response = client.post(
        "/sign-in", data={"csrf_token": "forged", "username": "acme", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "The form expired" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_repeated_failures_are_rate_limited(settings: Settings, accounts: Accounts) -> None:
    _user(accounts)
    with TestClient(create_app(settings.model_copy(update={"auth_failure_limit": 2}))) as client:
        for _ in range(2):
            assert _sign_in(client, username="acme", password="wrong one!")[0] == 401
        status, body = _sign_in(client, username="acme", password=PASSWORD)
        home = client.get("/", follow_redirects=False)
    assert status == 429
    assert "Too many failed sign-ins" in body
    assert home.status_code == 303
    assert home.headers["location"] == "/sign-in"


def test_sign_out_needs_the_csrf_token(client: TestClient, accounts: Accounts) -> None:
    _user(accounts)
    _sign_in(client, username="acme", password=PASSWORD)
    assert client.post("/sign-out", data={"csrf_token": "nope"}).status_code == 400
    assert client.get("/").status_code == 200
    response = client.post(
        "/sign-out", data={"csrf_token": _csrf(client.get("/").text)}, follow_redirects=False
    )
    assert response.headers["location"] == "/sign-in"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_admin_token_opens_the_picker_and_any_account(
    client: TestClient, accounts: Accounts
) -> None:
    _user(accounts, "One", "one")
    second = _user(accounts, "Two", "two")
    assert _sign_in(client, admin_token=ADMIN_TOKEN) == (303, "/accounts")
    picker = client.get("/accounts")
    assert "One" in picker.text
    assert "Two" in picker.text
    chosen = client.post(
        "/accounts/select",
        data={"csrf_token": _csrf(picker.text), "account_id": str(second)},
        follow_redirects=False,
    )
    assert chosen.headers["location"] == "/"
    assert 'data-testid="account-name">Two<' in client.get("/").text


def test_wrong_admin_token_is_refused(client: TestClient) -> None:
    status, body = _sign_in(client, admin_token="not it")
    assert status == 401
    assert "That is not the admin token." in body
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303
    assert home.headers["location"] == "/sign-in"


def test_user_cannot_switch_to_another_account(client: TestClient, accounts: Accounts) -> None:
    _user(accounts, "One", "one")
    other = _user(accounts, "Two", "two")
    _sign_in(client, username="one", password=PASSWORD)
    token = _csrf(client.get("/").text)
    response = client.post("/accounts/select", data={"csrf_token": token, "account_id": str(other)})
    assert response.status_code == 403
    assert 'data-testid="account-name">One<' in client.get("/").text


def test_user_is_sent_away_from_the_picker(client: TestClient, accounts: Accounts) -> None:
    _user(accounts)
    _sign_in(client, username="acme", password=PASSWORD)
    response = client.get("/accounts", follow_redirects=False)
    assert response.headers["location"] == "/"


def test_plotly_is_served_locally(client: TestClient) -> None:
    response = client.get("/static/vendor/plotly.min.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "plotly.js" in response.text[:2000]


def test_non_ascii_csrf_token_is_refused_with_400(client: TestClient, accounts: Accounts) -> None:
    _user(accounts)
    _sign_in(client, username="acme", password=PASSWORD)
    assert client.post("/sign-out", data={"csrf_token": "é"}).status_code == 400
    assert client.get("/").status_code == 200


def test_favicon_is_served_from_the_package(client: TestClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")


def test_pages_link_the_favicon(client: TestClient) -> None:
    page = client.get("/sign-in")
    link = '<link rel="icon" href="/static/dashboard/favicon.svg" type="image/svg+xml">'
    assert link in page.text
    assert client.get("/static/dashboard/favicon.svg").status_code == 200
