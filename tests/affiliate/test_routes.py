"""The affiliate surface's body limits: the JSON twin's headers before its body, caps per route."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import orjson
import pytest
from fastapi.testclient import TestClient

from commerce_stats.app import create_app
from commerce_stats.config import Settings
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import by_token, csv_rows
from tests.live_server import live_server, send_chunked, send_head_only

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
    answer, _sent = send_chunked(
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
