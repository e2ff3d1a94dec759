"""Dashboard pages over HTTP: sign-in, CSRF, limits, picker, tenancy."""

from __future__ import annotations

import random
import re

from fastapi.testclient import TestClient

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.demo import build_catalog, fill_transactions
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.app import create_app
from commerce_stats.config import Settings
from commerce_stats.dashboard.session import Session, SessionCodec, session_secret
from commerce_stats.db.engine import Database
from tests.conftest import ADMIN_TOKEN
from tests.live_server import (
    deleted_files_open,
    live_server,
    request_head,
    send_head_only,
    slow_reader,
    wait_for,
)

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


def test_failures_from_another_address_do_not_lock_out_the_user(
    client: TestClient, settings: Settings, accounts: Accounts
) -> None:
    _user(accounts)
    attacker = TestClient(client.app, client=("203.0.113.7", 50000))
    for _ in range(settings.auth_failure_limit):
        assert _sign_in(attacker, username="acme", password="wrong one!")[0] == 401
    assert _sign_in(attacker, username="acme", password=PASSWORD)[0] == 429
    owner = TestClient(client.app, client=("198.51.100.1", 50000))
    assert _sign_in(owner, username="acme", password=PASSWORD) == (303, "/")
    assert owner.get("/", follow_redirects=False).status_code == 200


def test_an_over_long_username_is_refused_naming_the_field(
    client: TestClient, accounts: Accounts
) -> None:
    _user(accounts)
    status, body = _sign_in(client, username="a" * 101, password=PASSWORD)
    assert status == 400
    assert "The username has more than 100 characters." in body
    assert client.get("/", follow_redirects=False).status_code == 303


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


def _sign_out(client: TestClient, csrf_page: str) -> None:
    response = client.post(
        "/sign-out", data={"csrf_token": _csrf(client.get(csrf_page).text)}, follow_redirects=False
    )
    assert response.headers["location"] == "/sign-in"


def test_a_saved_cookie_does_not_open_pages_after_sign_out(
    client: TestClient, accounts: Accounts
) -> None:
    _user(accounts)
    _sign_in(client, username="acme", password=PASSWORD)
    saved = client.cookies["cs_session"]
    _sign_out(client, "/")
    replay = TestClient(client.app, cookies={"cs_session": saved})
    response = replay.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


def test_a_saved_admin_cookie_does_not_open_the_picker_after_sign_out(
    client: TestClient, accounts: Accounts
) -> None:
    _user(accounts)
    _sign_in(client, admin_token=ADMIN_TOKEN)
    saved = client.cookies["cs_session"]
    _sign_out(client, "/accounts")
    replay = TestClient(client.app, cookies={"cs_session": saved})
    response = replay.get("/accounts", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


def test_signing_out_ends_only_that_session(client: TestClient, accounts: Accounts) -> None:
    _user(accounts)
    other_device = TestClient(client.app)
    _sign_in(other_device, username="acme", password=PASSWORD)
    _sign_in(client, username="acme", password=PASSWORD)
    _sign_out(client, "/")
    assert other_device.get("/", follow_redirects=False).status_code == 200


def test_a_signed_cookie_without_an_open_session_is_refused(
    client: TestClient, settings: Settings, accounts: Accounts
) -> None:
    account_id = _user(accounts)
    codec = SessionCodec(session_secret(settings), settings.session_max_age_seconds)
    forged = codec.dump(Session(csrf="c", account_id=account_id, login_version=1))
    replay = TestClient(client.app, cookies={"cs_session": forged})
    response = replay.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


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


# -- body limits: the session cookie before the form, 16 KiB per form ----------------------


def test_sign_out_without_a_session_and_a_1_gb_declared_form_redirects_before_reading_it(
    settings: Settings,
) -> None:
    with live_server(create_app(settings)) as port:
        answer = send_head_only(
            port,
            "POST",
            "/sign-out",
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Content-Length": str(10**9),
            },
        )
    assert (answer.status, answer.headers["location"]) == (303, "/sign-in")


def test_sign_in_form_over_16_kib_is_413_and_signs_nobody_in(client: TestClient) -> None:
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={"csrf_token": _csrf(page.text), "admin_token": ADMIN_TOKEN, "pad": "x" * 16384},
        follow_redirects=False,
    )
    assert (response.status_code, response.text) == (413, "form is larger than 16 KB")
    assert "cs_session" not in response.cookies


def test_an_xls_download_whose_browser_leaves_stops_and_deletes_its_temp_file(
    settings: Settings, client: TestClient, database: Database, accounts: Accounts
) -> None:
    account, _credentials = accounts.create("Big Network")
    plan = build_catalog(AffiliateNetwork(database, accounts), account)
    fill_transactions(database, account.id, plan, 20_000, random.Random(7), days=25)
    _sign_in(client, admin_token=ADMIN_TOKEN)
    picker = client.get("/accounts")
    client.post(
        "/accounts/select", data={"csrf_token": _csrf(picker.text), "account_id": str(account.id)}
    )
    session = client.cookies["cs_session"]
    before = deleted_files_open()
    with live_server(create_app(settings)) as port:
        sock = slow_reader(port)
        sock.sendall(
            request_head("GET", "/affiliate/export.xls", {"Cookie": f"cs_session={session}"})
        )
        assert sock.recv(15) == b"HTTP/1.1 200 OK"
        assert wait_for(lambda: len(deleted_files_open() - before) == 1)
        sock.close()
        assert wait_for(lambda: deleted_files_open() - before == set())


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
