"""Tenant isolation audit: every route of the app is accounted for.

``ISOLATION`` maps each (method, path) of ``create_app().routes`` either to the
test proving that account A's credentials can neither read, change nor learn of
the existence of account B's data through it ("module::test"), or to the reason
the route touches no account data of a tenant's own credentials (``NOT_TENANT``
entries: static files, the operator-only admin API whose bearer token is global
by design, sign-in forms). A new route that is missing from the table fails
``test_every_route_is_in_the_isolation_table``; a table entry naming a test
that no longer exists fails ``test_every_named_isolation_test_exists``.

The tests defined here check the "no 403-versus-404 leak" rule: asking for B's
object answers with the same status and the same body (the requested id
substituted) as asking for an object that never existed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from commerce_stats.app import create_app
from commerce_stats.config import Settings
from tests.promotions.conftest import Shop, login

NOT_TENANT = "not-tenant: "
ADMIN = NOT_TENANT + "operator admin API; the admin token is global by design"
FORM = NOT_TENANT + "anonymous sign-in form or static asset"
HERE = "tests.test_tenant_isolation::"
CROSS_NETWORK = (
    "tests.affiliate.test_tracking::"
    "test_click_of_one_network_cannot_attribute_a_conversion_of_another"
)

ISOLATION: dict[tuple[str, str], str] = {
    ("GET", "/openapi.json"): FORM,
    ("GET", "/docs"): FORM,
    ("GET", "/docs/oauth2-redirect"): FORM,
    ("GET", "/redoc"): FORM,
    ("GET", "/healthz"): FORM,
    ("GET", "/static/vendor/plotly.min.js"): FORM,
    ("*", "/static/dashboard"): FORM,
    ("*", "/static-offline-docs"): FORM,
    ("GET", "/favicon.ico"): FORM,
    ("GET", "/sign-in"): FORM,
    ("POST", "/sign-in"): FORM,
    ("POST", "/sign-out"): FORM,
    ("POST", "/admin/v1/accounts"): ADMIN,
    ("GET", "/admin/v1/accounts"): ADMIN,
    ("GET", "/admin/v1/accounts/{account_id}"): ADMIN,
    ("PATCH", "/admin/v1/accounts/{account_id}"): ADMIN,
    ("POST", "/admin/v1/accounts/{account_id}/credentials/rotate"): ADMIN,
    ("PUT", "/admin/v1/accounts/{account_id}/dashboard-login"): (
        "tests.accounts.test_routes::test_dashboard_username_of_another_account_is_409"
    ),
    ("PUT", "/admin/v1/accounts/{account_id}/videos/{content_key}"): ADMIN,
    ("GET", "/admin/v1/accounts/{account_id}/videos/{content_key}"): (
        "tests.video.test_admin::test_video_of_another_account_is_not_readable"
    ),
    ("PUT", "/admin/v1/accounts/{account_id}/ecommerce-items/{ecommerce_key}"): (
        "tests.video.test_admin::test_item_of_another_account_is_not_readable_or_attachable"
    ),
    ("GET", "/admin/v1/accounts/{account_id}/ecommerce-items/{ecommerce_key}"): (
        "tests.video.test_admin::test_item_of_another_account_is_not_readable_or_attachable"
    ),
    ("POST", "/admin/v1/accounts/{account_id}/catalog/bulk"): ADMIN,
    ("POST", "/admin/v1/accounts/{account_id}/affiliate/advertisers"): ADMIN,
    ("POST", "/admin/v1/accounts/{account_id}/affiliate/campaigns"): ADMIN,
    ("POST", "/admin/v1/accounts/{account_id}/affiliate/campaigns/{campaign_id}/triggers"): ADMIN,
    ("POST", "/admin/v1/accounts/{account_id}/affiliate/campaigns/{campaign_id}/groups"): ADMIN,
    ("PUT", "/admin/v1/accounts/{account_id}/affiliate/groups/{group_id}/triggers"): ADMIN,
    ("POST", "/admin/v1/accounts/{account_id}/affiliate/publishers"): ADMIN,
    ("POST", "/admin/v1/accounts/{account_id}/affiliate/publishers/{publisher_id}/token"): ADMIN,
    ("POST", "/admin/v1/accounts/{account_id}/affiliate/publishers/{publisher_id}/projects"): (
        ADMIN
    ),
    (
        "PUT",
        "/admin/v1/accounts/{account_id}/affiliate/campaigns/{campaign_id}/publishers/{publisher_id}",
    ): ADMIN,
    ("GET", "/admin/v1/accounts/{account_id}/affiliate/{kind}"): ADMIN,
    ("GET", "/admin/v1/accounts/{account_id}/affiliate/transactions/{transaction_id}"): ADMIN,
    ("POST", "/admin/v1/accounts/{account_id}/affiliate/transactions/{transaction_id}/confirm"): (
        ADMIN
    ),
    ("POST", "/admin/v1/accounts/{account_id}/affiliate/transactions/{transaction_id}/cancel"): (
        ADMIN
    ),
    (
        "POST",
        "/admin/v1/accounts/{account_id}/affiliate/transactions/{transaction_id}/partial-cancel",
    ): ADMIN,
    ("POST", "/admin/v1/accounts/{account_id}/affiliate/payouts"): ADMIN,
    ("GET", "/accounts"): "tests.dashboard.test_routes::test_user_cannot_switch_to_another_account",
    ("POST", "/accounts/select"): (
        "tests.dashboard.test_routes::test_user_cannot_switch_to_another_account"
    ),
    ("GET", "/"): "tests.dashboard.test_routes::test_user_cannot_switch_to_another_account",
    ("GET", "/video"): (
        "tests.dashboard.test_pages::test_video_page_never_shows_another_accounts_counts"
    ),
    ("GET", "/affiliate"): (
        "tests.dashboard.test_pages::test_affiliate_page_never_shows_another_accounts_transactions"
    ),
    ("GET", "/affiliate/export.{export_format}"): (
        "tests.dashboard.test_pages::test_export_route_only_exports_the_sessions_account"
    ),
    ("GET", "/promotions"): (
        "tests.dashboard.test_pages::test_promotions_page_never_shows_another_accounts_promotions"
    ),
    (
        "POST",
        "/prod/events",
    ): "tests.video.test_ingest::test_ingest_cannot_name_another_accounts_video",
    ("OPTIONS", "/prod/events"): NOT_TENANT + "CORS preflight, no credentials, no data",
    ("OPTIONS", "/prod/pixel.gif"): NOT_TENANT + "CORS preflight, no credentials, no data",
    ("GET", "/prod/pixel.gif"): (
        "tests.video.test_ingest::test_pixel_of_another_accounts_video_is_refused"
    ),
    ("GET", "/prod/get_ecommerce_reports"): HERE
    + "test_video_report_of_another_accounts_video_equals_unknown_video",
    ("GET", "/trck/eclick/"): CROSS_NETWORK,
    ("GET", "/trck/etrack/"): CROSS_NETWORK,
    ("POST", "/trck/etrack/"): CROSS_NETWORK,
    ("GET", "/trck/eview/"): CROSS_NETWORK,
    ("PATCH", "/admin/v1/accounts/{account_id}/affiliate/campaigns/{campaign_id}"): ADMIN,
    ("POST", "/admin/v1/accounts/{account_id}/affiliate/campaigns/{campaign_id}/admedia"): ADMIN,
    ("GET", "/admin/v1/accounts/{account_id}/affiliate/admedia/{admedia_id}"): ADMIN,
    ("POST", "/admin/v1/accounts/{account_id}/affiliate/manual-statistics"): ADMIN,
    ("GET", "/admin/v1/accounts/{account_id}/affiliate/manual-statistics"): ADMIN,
    ("DELETE", "/admin/v1/accounts/{account_id}/affiliate/manual-statistics/{row_id}"): ADMIN,
    ("GET", "/api/{access_token}/{role}/{owner_id}/{filename}"): HERE
    + "test_export_of_another_account_equals_unknown_account",
    ("GET", "/api//{access_token}/{role}/{owner_id}/{filename}"): HERE
    + "test_double_slash_export_of_another_account_equals_unknown_account",
    ("GET", "/api/{anything:path}"): NOT_TENANT
    + "fixed plain-text 404 for unknown links; reads no credential and no data",
    ("PUT", "/REST/orders/"): (
        "tests.affiliate.test_upload::test_upload_cannot_touch_another_accounts_transactions"
    ),
    ("PUT", "/ws/V6/admin/JSON/Orders"): (
        "tests.affiliate.test_upload::test_json_twin_cannot_touch_another_accounts_transactions"
    ),
    ("POST", "/v1/login_check"): (
        "tests.promotions.test_auth::test_login_with_another_accounts_password_is_401"
    ),
    ("POST", "/v1/token/refresh"): HERE + "test_refresh_token_yields_only_its_own_account",
    ("POST", "/v1/promotion/statistics"): HERE + "test_promotion_of_another_account_equals_unknown",
    ("POST", "/v1/promotion/statistics/"): HERE
    + "test_promotion_of_another_account_equals_unknown",
    ("POST", "/v1/promotion"): HERE + "test_promotion_list_shows_only_own_promotions",
    ("PATCH", "/v1/promotion/{id}"): HERE + "test_promotion_of_another_account_equals_unknown",
    ("GET", "/v1/promotion"): HERE + "test_promotion_list_shows_only_own_promotions",
    ("GET", "/v1/promotion/{id}"): HERE + "test_promotion_of_another_account_equals_unknown",
    ("DELETE", "/v1/promotion/{id}"): HERE + "test_promotion_of_another_account_equals_unknown",
    ("POST", "/v1/orders"): HERE + "test_same_order_id_in_two_accounts_are_two_orders",
    ("GET", "/v1/orders/{order_id}"): HERE + "test_order_of_another_account_equals_unknown",
    ("PATCH", "/v1/orders/{order_id}"): HERE + "test_order_of_another_account_equals_unknown",
}


def _walk(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every route, descending into included routers."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            context = getattr(route, "include_context", None)
            yield from _walk(original.routes, prefix + (getattr(context, "prefix", "") or ""))
            continue
        path = getattr(route, "path", None)
        if path is None:
            continue
        methods = set(getattr(route, "methods", None) or {"*"}) - {"HEAD"}
        for method in sorted(methods):
            yield method, prefix + path


def _app_routes(tmp_path: Any) -> set[tuple[str, str]]:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/routes.sqlite3"))
    return set(_walk(list(app.routes)))


def test_every_route_is_in_the_isolation_table(tmp_path: Any) -> None:
    routes = _app_routes(tmp_path)
    assert sorted(routes - ISOLATION.keys()) == []
    assert sorted(ISOLATION.keys() - routes) == []


def test_every_named_isolation_test_exists() -> None:
    missing = []
    for reference in set(ISOLATION.values()):
        if reference.startswith(NOT_TENANT):
            continue
        module_name, _, function = reference.partition("::")
        if not callable(getattr(importlib.import_module(module_name), function, None)):
            missing.append(reference)
    assert missing == []


# --- helpers ---------------------------------------------------------------------------

ABSENT_ID = 987654321


def _same_answer(mine: Any, absent: Any, asked: str, absent_asked: str) -> None:
    """Same status, same headers that matter, same body once the asked id is substituted."""
    assert mine.status_code == absent.status_code
    assert mine.headers.get("content-type") == absent.headers.get("content-type")
    assert mine.text == absent.text.replace(absent_asked, asked)


@pytest.fixture
def two_shops(client: TestClient, make_account: Callable[..., dict[str, Any]]) -> tuple[Shop, Shop]:
    return login(client, make_account("Owner")), login(client, make_account("Stranger"))


# --- promotions ------------------------------------------------------------------------


def test_promotion_of_another_account_equals_unknown(two_shops: tuple[Shop, Shop]) -> None:
    owner, stranger = two_shops
    theirs = owner.promotion([1], "10")
    before = owner.get(f"/v1/promotion/{theirs}").json()
    asked, absent = str(theirs), str(ABSENT_ID)
    for method, path, body in (
        ("GET", "/v1/promotion/{}", None),
        ("PATCH", "/v1/promotion/{}", {"promotion_name": "Hijacked"}),
        ("DELETE", "/v1/promotion/{}", None),
    ):
        mine = stranger.client.request(
            method, path.format(asked), json=body, headers=stranger.headers
        )
        other = stranger.client.request(
            method, path.format(absent), json=body, headers=stranger.headers
        )
        assert mine.status_code == 404, (method, mine.text)
        _same_answer(mine, other, asked, absent)
    for path in ("/v1/promotion/statistics", "/v1/promotion/statistics/"):
        mine = stranger.post(path, {"id": theirs})
        assert mine.status_code == 404
        _same_answer(mine, stranger.post(path, {"id": ABSENT_ID}), asked, absent)
    assert owner.get(f"/v1/promotion/{theirs}").json() == before


def test_promotion_list_shows_only_own_promotions(two_shops: tuple[Shop, Shop]) -> None:
    owner, stranger = two_shops
    owner.promotion([1], "10")
    own = stranger.promotion([2], "5")
    response = stranger.get("/v1/promotion")
    assert response.status_code == 200
    assert response.json()["promotions"] == [own]
    assert response.json()["total"] == 1


def test_order_of_another_account_equals_unknown(two_shops: tuple[Shop, Shop]) -> None:
    owner, stranger = two_shops
    assert owner.order("ORDER-OWNER", [(1, 1, "10.00")]).status_code == 201
    before = owner.get("/v1/orders/ORDER-OWNER").json()
    for method, body in (("GET", None), ("PATCH", {"status": "deleted"})):
        mine = stranger.client.request(
            method, "/v1/orders/ORDER-OWNER", json=body, headers=stranger.headers
        )
        other = stranger.client.request(
            method, "/v1/orders/ORDER-NONE", json=body, headers=stranger.headers
        )
        assert mine.status_code == 404, (method, mine.text)
        _same_answer(mine, other, "ORDER-OWNER", "ORDER-NONE")
    assert owner.get("/v1/orders/ORDER-OWNER").json() == before


def test_same_order_id_in_two_accounts_are_two_orders(two_shops: tuple[Shop, Shop]) -> None:
    owner, stranger = two_shops
    assert owner.order("SHARED-1", [(1, 1, "10.00")]).status_code == 201
    before = owner.get("/v1/orders/SHARED-1").json()
    assert stranger.order("SHARED-1", [(1, 2, "99.00")]).status_code == 201
    assert owner.get("/v1/orders/SHARED-1").json() == before
    assert stranger.get("/v1/orders/SHARED-1").json() != before


def test_refresh_token_yields_only_its_own_account(two_shops: tuple[Shop, Shop]) -> None:
    owner, stranger = two_shops
    owner.promotion([1], "10")
    response = stranger.client.post(
        "/v1/token/refresh", json={"refresh_token": stranger.refresh_token}
    )
    assert response.status_code == 200, response.text
    refreshed = Shop(stranger.client, response.json()["token"], "", stranger.account)
    listing = refreshed.get("/v1/promotion")
    assert listing.status_code == 200
    assert listing.json() == stranger.get("/v1/promotion").json()


# --- video and affiliate ----------------------------------------------------------------


def test_video_report_of_another_accounts_video_equals_unknown_video(
    client: TestClient, make_account: Callable[..., dict[str, Any]], admin_headers: dict[str, str]
) -> None:
    owner = make_account("Owner", features=["video_ecommerce"])
    stranger = make_account("Stranger", features=["video_ecommerce"])
    response = client.put(
        f"/admin/v1/accounts/{owner['id']}/videos/owners-video",
        json={"title": "Owner's secret launch", "ecommerce_keys": []},
        headers=admin_headers,
    )
    assert response.status_code == 200, response.text

    def ask(content_key: str) -> Any:
        return client.get(
            "/prod/get_ecommerce_reports",
            params={
                "organization_key": stranger["credentials"]["organization_key"],
                "start_date": "2022-10-01",
                "end_date": "2022-10-31",
                "content_key": content_key,
                "include_video_data": "1",
                "include_ecommerce_data": "1",
            },
        )

    mine = ask("owners-video")
    assert mine.status_code == 200
    assert "Owner's secret launch" not in mine.text
    _same_answer(mine, ask("never-existed"), "owners-video", "never-existed")


def test_double_slash_export_of_another_account_equals_unknown_account(
    client: TestClient, make_account: Callable[..., dict[str, Any]]
) -> None:
    owner = make_account("Owner", features=["affiliate"])
    stranger = make_account("Stranger", features=["affiliate"])
    token = stranger["credentials"]["affiliate_access_token"]
    name = "get-statistic_transactions.xml"
    mine = client.get(f"/api//{token}/admin/{owner['id']}/{name}")
    absent = client.get(f"/api//{token}/admin/{ABSENT_ID}/{name}")
    assert (mine.status_code, mine.text) == (403, "NO PERMISSION")
    _same_answer(mine, absent, str(owner["id"]), str(ABSENT_ID))


def test_export_of_another_account_equals_unknown_account(
    client: TestClient, make_account: Callable[..., dict[str, Any]]
) -> None:
    owner = make_account("Owner", features=["affiliate"])
    stranger = make_account("Stranger", features=["affiliate"])
    token = stranger["credentials"]["affiliate_access_token"]
    for name in ("get-statistic_transactions.csv", "get-statistic_transactions.xml"):
        mine = client.get(f"/api/{token}/admin/{owner['id']}/{name}")
        absent = client.get(f"/api/{token}/admin/{ABSENT_ID}/{name}")
        assert mine.status_code == 403, mine.text
        _same_answer(mine, absent, str(owner["id"]), str(ABSENT_ID))
