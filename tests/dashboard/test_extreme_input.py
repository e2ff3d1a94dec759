"""Extreme input on the dashboard: filter days at the edges of the calendar, the account
picker with ids no account can have, and every filter of every page with extreme values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from hypothesis import given
from hypothesis import strategies as st
from starlette.routing import Route

from commerce_stats.dashboard.routes import router
from commerce_stats.db.engine import Database
from tests.conftest import ADMIN_TOKEN
from tests.dashboard.pages import csrf
from tests.extreme import (
    EXAMPLES,
    check_answer,
    extreme_values,
    snapshot,
    sweep_value,
    url_with,
)

FILTERS = ("from", "to", "video", "status")
"""The query parameters the dashboard's pages read."""
PAGES = sorted(
    route.path
    for route in router.routes
    if isinstance(route, Route)
    and "GET" in (route.methods or ())
    and route.path not in ("/sign-in", "/static/vendor/plotly.min.js")
)
PERIOD_PAGES = ("/video", "/affiliate", "/promotions")


def _admin_on(client: TestClient, account_id: int) -> str:
    """Signs ``client`` in as the admin, looking at ``account_id``; returns the CSRF token."""
    form = client.get("/sign-in")
    signed = client.post(
        "/sign-in",
        data={"csrf_token": csrf(form.text), "admin_token": ADMIN_TOKEN},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    token = csrf(client.get("/accounts").text)
    chosen = client.post(
        "/accounts/select",
        data={"csrf_token": token, "account_id": str(account_id)},
        follow_redirects=False,
    )
    assert chosen.status_code == 303, chosen.text
    return token


@pytest.fixture
def admin_client(
    client: TestClient, make_account: Callable[..., dict[str, Any]]
) -> tuple[TestClient, str, int]:
    account = make_account("Edge")
    return client, _admin_on(client, account["id"]), account["id"]


@pytest.mark.parametrize("page", PERIOD_PAGES)
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "0001-01-01"}, "From must lie between 0001-01-02 and 9999-12-30."),
        ({"to": "9999-12-31"}, "To must lie between 0001-01-02 and 9999-12-30."),
    ],
)
def test_filter_day_outside_the_calendar_range_is_400_with_the_message(
    admin_client: tuple[TestClient, str, int], page: str, query: dict[str, str], message: str
) -> None:
    client, _, _ = admin_client
    response = client.get(page, params=query)
    assert response.status_code == 400
    field = next(iter(query))
    assert f'data-field="{field}">{message}</span>' in response.text


@pytest.mark.parametrize("page", PERIOD_PAGES)
def test_to_in_the_first_days_of_year_1_without_from_starts_on_the_first_day(
    admin_client: tuple[TestClient, str, int], page: str
) -> None:
    client, _, _ = admin_client
    response = client.get(page, params={"to": "0001-01-05"})
    assert response.status_code == 200
    assert 'value="0001-01-02"' in response.text


def test_export_download_with_a_day_outside_the_range_is_400_in_plain_text(
    admin_client: tuple[TestClient, str, int],
) -> None:
    client, _, _ = admin_client
    response = client.get("/affiliate/export.csv", params={"from": "0001-01-01"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "From must lie between 0001-01-02 and 9999-12-30."


@pytest.mark.parametrize(
    ("account_id", "status", "message"),
    [
        ("424242", 404, "There is no account with that id."),
        ("0", 404, "There is no account with that id."),
        ("99999999999999999999", 404, "There is no account with that id."),
        ("-1", 400, "Choose an account from the list."),
        ("1e308", 400, "Choose an account from the list."),
    ],
)
def test_picking_an_account_that_cannot_exist_is_refused_and_keeps_the_session(
    admin_client: tuple[TestClient, str, int], account_id: str, status: int, message: str
) -> None:
    client, token, _ = admin_client
    response = client.post(
        "/accounts/select",
        data={"csrf_token": token, "account_id": account_id},
        follow_redirects=False,
    )
    assert (response.status_code, response.text) == (status, message)
    assert response.headers["content-type"].startswith("text/plain")
    assert "set-cookie" not in response.headers
    assert client.get("/accounts").status_code == 200
    assert 'data-testid="account-name">Edge<' in client.get("/").text


# -- every filter, extreme values --------------------------------------------------------------

TARGETS: list[tuple[str, str]] = [
    *((page, name) for page in PAGES for name in FILTERS),
    ("/affiliate/export.{export_format}", "export_format"),
    ("/accounts/select", "account_id"),
]


def _envelope(response: Response) -> None:
    """A page with the message shown, or the message as plain text (downloads, picker)."""
    kind = response.headers["content-type"]
    if kind.startswith("text/html"):
        assert 'role="alert"' in response.text
    else:
        assert kind.startswith("text/plain")
        assert response.text


def _send(client: TestClient, token: str, target: tuple[str, str], value: Any) -> Response:
    page, name = target
    if page == "/accounts/select":
        text = url_with("", {}, {"csrf_token": token}, ("query", name), value).lstrip("?")
        return client.post(
            page,
            content=text,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            follow_redirects=False,
        )
    if name == "export_format":
        return client.get(url_with(page, {name: value}, {}), follow_redirects=False)
    query = {"from": "2026-01-01", "to": "2026-01-31"}
    return client.get(url_with(page, {}, query, ("query", name), value), follow_redirects=False)


def test_every_filter_refuses_each_extreme_class_without_a_500(
    admin_client: tuple[TestClient, str, int], database: Database
) -> None:
    client, token, _ = admin_client
    for position, target in enumerate(TARGETS):
        value = sweep_value(position)
        before = snapshot(database)
        response = _send(client, token, target, value)
        check_answer(response, before, database, _envelope, f"{target} <- {value!r:.60}")


@EXAMPLES
@given(target=st.sampled_from(TARGETS), value=extreme_values())
def test_extreme_values_anywhere_never_give_a_500(
    admin_client: tuple[TestClient, str, int],
    database: Database,
    target: tuple[str, str],
    value: Any,
) -> None:
    client, token, account_id = admin_client
    before = snapshot(database)
    response = _send(client, token, target, value)
    check_answer(response, before, database, _envelope, f"{target} <- {value!r:.60}")
    if target[0] == "/accounts/select" and response.status_code == 303:
        _admin_on(client, account_id)
