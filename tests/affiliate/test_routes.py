"""The affiliate surface's body limits: the JSON twin's headers before its body, caps per route."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.demo import build_catalog, fill_transactions
from commerce_stats.affiliate.routes import UNKNOWN_EXPORT_LINK
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.affiliate.tables import views as affiliate_views
from commerce_stats.app import create_app
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import by_token, csv_rows, parse_csv
from tests.live_server import (
    Answer,
    connect,
    deleted_files_open,
    live_server,
    read_answer,
    request_head,
    send_chunked,
    send_head_only,
    slow_reader,
    wait_for,
)

UPLOAD_LIMIT = 1000
"""The upload limit of the live server in these tests (the default is 50 MiB)."""


@pytest.fixture
def live_port(settings: Settings) -> Iterator[int]:
    small = settings.model_copy(update={"affiliate_upload_max_bytes": UPLOAD_LIMIT})
    with live_server(create_app(small)) as port:
        yield port


def _statuses(client: TestClient, network: Network) -> dict[str, str]:
    return {
        token: row["status"]
        for token, row in by_token(csv_rows(client, network.export_url())).items()
    }


def test_json_twin_wrong_token_with_a_1_gb_declared_body_is_403_before_the_body_is_read(
    live_port: int, client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    answer = send_head_only(
        live_port,
        "PUT",
        "/ws/V6/admin/JSON/Orders",
        {
            "X-Auth-ID": network.credentials["affiliate_login_id"],
            "X-Auth-Token": "wrong",
            "Content-Type": "application/json",
            "Content-Length": str(10**9),
        },
    )
    assert (answer.status, answer.body) == (403, b"NO PERMISSION")
    assert _statuses(client, network) == {"A": "0"}


def test_json_twin_body_declared_over_the_upload_limit_is_413_before_it_is_read(
    live_port: int, client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    answer = send_head_only(
        live_port,
        "PUT",
        "/ws/V6/admin/JSON/Orders",
        {
            "X-Auth-ID": network.credentials["affiliate_login_id"],
            "X-Auth-Token": network.credentials["affiliate_rest_token"],
            "Content-Type": "application/json",
            "Content-Length": str(10**9),
        },
    )
    assert answer.status == 413
    assert orjson.loads(answer.body) == {
        "status": "error",
        "message": f"the upload is larger than {UPLOAD_LIMIT} bytes",
        "errors": [],
    }
    assert _statuses(client, network) == {"A": "0"}


def test_json_twin_streamed_body_over_the_upload_limit_is_413_and_changes_nothing(
    live_port: int, client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    row = b'{"campaign_id": %d, "ordertoken": "A", "status": 2},' % network.campaign_id
    answer = send_chunked(
        live_port,
        "PUT",
        "/ws/V6/admin/JSON/Orders",
        {
            "X-Auth-ID": network.credentials["affiliate_login_id"],
            "X-Auth-Token": network.credentials["affiliate_rest_token"],
            "Content-Type": "application/json",
        },
        b"[" + row * 30,
        chunks=4,
    )
    assert answer.status == 413
    assert orjson.loads(answer.body)["message"] == f"the upload is larger than {UPLOAD_LIMIT} bytes"
    assert _statuses(client, network) == {"A": "0"}


def test_conversion_pixel_form_over_64_kib_is_413_and_records_nothing(
    client: TestClient, network: Network
) -> None:
    response = client.post(
        "/trck/etrack/",
        data={
            "campaign_id": str(network.campaign_id),
            "trigger_id": str(network.sale_trigger),
            "token": "BIG",
            "turnover": "10.00",
            "descr": "x" * (64 * 1024),
        },
    )
    assert (response.status_code, response.text) == (413, "form is larger than 65536 bytes")
    assert _statuses(client, network) == {}


# -- an abandoned export stops and removes its temporary file --------------------------------

EXPORT_ROWS = 20_000


def test_an_xls_export_whose_client_leaves_stops_and_deletes_its_temp_file(
    settings: Settings, database: Database, accounts: Accounts
) -> None:
    account, credentials = accounts.create("Big Network")
    plan = build_catalog(AffiliateNetwork(database, accounts), account)
    fill_transactions(database, account.id, plan, EXPORT_ROWS, random.Random(7), days=25)
    token = credentials["affiliate_access_token"]
    before = deleted_files_open()
    with live_server(create_app(settings)) as port:
        sock = slow_reader(port)
        path = (
            f"/api/{token}/admin/{account.id}/get-statistic_transactions.xls"
            "?condition[dynamicdate]=last30d"
        )
        sock.sendall(request_head("GET", path, {}))
        assert sock.recv(15) == b"HTTP/1.1 200 OK"
        assert wait_for(lambda: len(deleted_files_open() - before) == 1)
        sock.close()
        assert wait_for(lambda: deleted_files_open() - before == set())


def _raw_get(port: int, path: str) -> Answer:
    """A GET with no User-Agent at all, the path sent byte for byte (``//`` kept)."""
    with connect(port) as sock:
        sock.sendall(request_head("GET", path, {"Connection": "close"}))
        return read_answer(sock)


def _dechunked(body: bytes) -> bytes:
    """The content of a body sent with chunked transfer coding (a streamed export)."""
    content = b""
    while True:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return content
        content += rest[:size]
        body = rest[size + 2 :]


def test_live_server_serves_both_link_forms_to_a_client_without_user_agent(
    live_port: int, client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "LIVE")
    token = network.credentials["affiliate_access_token"]
    tail = f"{token}/admin/{network.account_id}/get-statistic_transactions.csv?foo=bar"
    for path in (f"/api/{tail}", f"/api//{tail}"):
        answer = _raw_get(live_port, path)
        assert answer.status == 200, path
        assert answer.headers["x-ignored-parameters"] == "foo"
        assert answer.headers["transfer-encoding"] == "chunked"
        rows = parse_csv(_dechunked(answer.body).decode())
        assert [row["ordertoken"] for row in rows] == ["LIVE"]


def test_live_server_answers_unknown_paths_under_api_in_plain_text(
    live_port: int, network: Network
) -> None:
    token = network.credentials["affiliate_access_token"]
    for path in ("/api/", "/api//", f"/api//{token}/admin", f"/api//{token}/admin/1/x/y.csv"):
        answer = _raw_get(live_port, path)
        assert (answer.status, answer.body.decode()) == (404, UNKNOWN_EXPORT_LINK), path
        assert answer.headers["content-type"].startswith("text/plain")


# -- the view pixel ---------------------------------------------------------------------------

GIF_MAGIC = b"GIF89a"


def _views(database: Database) -> list[Any]:
    with database.read() as conn:
        return list(conn.execute(select(affiliate_views).order_by(affiliate_views.c.id)))


def _view_params(network: Network, **changes: str | int) -> dict[str, str | int]:
    return {
        "campaign_id": network.campaign_id,
        "publisher_id": network.publisher_id,
        "project_id": network.project_id,
        "subid": "banner-top",
        **changes,
    }


def test_a_view_is_stored_once_and_answered_with_a_gif_and_its_cookie(
    client: TestClient, database: Database, network: Network
) -> None:
    response = client.get("/trck/eview/", params=_view_params(network))
    stored = _views(database)
    assert (response.status_code, response.content[:6]) == (200, GIF_MAGIC)
    assert [(row.publisher_id, row.project_id, row.subid, row.net) for row in stored] == [
        (network.publisher_id, network.project_id, "banner-top", 1)
    ]
    assert response.cookies[f"emv_{network.campaign_id}"] == str(stored[0].id)


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"campaign_id": 999}, 404, "unknown campaign"),
        ({"publisher_id": 999}, 404, "unknown publisher"),
        ({"project_id": "other"}, 404, "unknown project"),
        ({"admedia_id": 5}, 404, "unknown admedia_id for the campaign"),
        ({"campaign_id": "x"}, 400, "campaign_id must be a whole number"),
        ({"publisher_id": ""}, 400, "publisher_id is required"),
    ],
)
def test_a_refused_view_is_answered_in_plain_text_and_stored_nowhere(
    client: TestClient,
    database: Database,
    network: Network,
    changes: dict[str, str | int],
    status: int,
    message: str,
) -> None:
    if changes.get("project_id") == "other":
        changes = {"project_id": network.other_project_id}
    response = client.get("/trck/eview/", params=_view_params(network, **changes))
    assert (response.status_code, response.text, _views(database)) == (status, message, [])


def test_a_view_of_a_publisher_outside_a_campaign_without_default_group_is_refused(
    client: TestClient, admin_headers: dict[str, str], database: Database, network: Network
) -> None:
    campaign = client.post(
        network.admin + "/campaigns",
        json={
            "advertiser_id": network.advertiser_id,
            "title": "Geschlossen",
            "target_url": "https://shop.example/c",
            "currency": "EUR",
        },
        headers=admin_headers,
    ).json()
    response = client.get(
        "/trck/eview/", params=_view_params(network, campaign_id=campaign["id"], project_id=0)
    )
    assert (response.status_code, response.text, _views(database)) == (
        404,
        "the publisher is not a member of the campaign",
        [],
    )


def test_a_bots_view_is_answered_but_not_stored(
    client: TestClient, database: Database, network: Network
) -> None:
    response = client.get(
        "/trck/eview/",
        params=_view_params(network),
        headers={"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"},
    )
    assert (response.status_code, response.content[:6], _views(database)) == (200, GIF_MAGIC, [])
    assert f"emv_{network.campaign_id}" not in response.cookies


def test_a_repeated_view_is_stored_again_and_not_net(
    client: TestClient, database: Database, network: Network
) -> None:
    for _ in range(2):
        assert client.get("/trck/eview/", params=_view_params(network)).status_code == 200
    assert [row.net for row in _views(database)] == [1, 0]


# -- admin: admedia -------------------------------------------------------------------------


def test_admedia_are_created_read_and_listed_over_the_admin_api(
    client: TestClient, admin_headers: dict[str, str], network: Network
) -> None:
    created = client.post(
        f"{network.admin}/campaigns/{network.campaign_id}/admedia",
        json={"title": "Textlink", "kind": "textlink", "target_url": "https://shop.example/t"},
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    admedia_id = created.json()["id"]
    one = client.get(f"{network.admin}/admedia/{admedia_id}", headers=admin_headers).json()
    listed = client.get(f"{network.admin}/admedia", headers=admin_headers).json()
    assert (one["title"], one["kind"], one["target_url"]) == (
        "Textlink",
        "textlink",
        "https://shop.example/t",
    )
    assert listed == {"admedia": [one]}


def test_an_admedia_for_another_accounts_campaign_is_404_and_stores_nothing(
    client: TestClient,
    admin_headers: dict[str, str],
    network: Network,
    build_network: Callable[..., Network],
) -> None:
    other = build_network("Other")
    response = client.post(
        f"{network.admin}/campaigns/{other.campaign_id}/admedia",
        json={"title": "Banner", "kind": "banner"},
        headers=admin_headers,
    )
    assert response.status_code == 404
    for owner in (network, other):
        listed = client.get(f"{owner.admin}/admedia", headers=admin_headers).json()
        assert listed == {"admedia": []}


def test_an_admedia_of_an_unknown_kind_is_422_naming_the_field(
    client: TestClient, admin_headers: dict[str, str], network: Network
) -> None:
    response = client.post(
        f"{network.admin}/campaigns/{network.campaign_id}/admedia",
        json={"title": "Popup", "kind": "popup"},
        headers=admin_headers,
    )
    assert (response.status_code, response.json()["error"]["field"]) == (422, "kind")
    listed = client.get(f"{network.admin}/admedia", headers=admin_headers).json()
    assert listed == {"admedia": []}


def test_a_campaigns_postview_window_is_changed_over_the_admin_api(
    client: TestClient, admin_headers: dict[str, str], network: Network
) -> None:
    response = client.patch(
        f"{network.admin}/campaigns/{network.campaign_id}",
        json={"postview_window_hours": 72},
        headers=admin_headers,
    )
    assert (response.status_code, response.json()["postview_window_hours"]) == (200, 72)
