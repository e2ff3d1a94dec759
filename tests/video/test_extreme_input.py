"""Extreme input on the video surface: ingestion, report, pixel and the catalog admin API.

Specific refusals first (each held a 500 once), then one hypothesis test that puts
extreme values into every field of every route (the fields from the OpenAPI
description and from the event's own definition).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from hypothesis import given
from hypothesis import strategies as st

from commerce_stats.db.engine import Database
from commerce_stats.video.events import RawEvent
from commerce_stats.video.routes import PIXEL_FIELDS
from tests.extreme import (
    DEEP_ARRAY,
    EXAMPLES,
    all_targets,
    body_with,
    check_answer,
    extreme_values,
    json_fragment,
    model_fields,
    operations,
    send_operation,
    snapshot,
    sweep_value,
    url_with,
)
from tests.video.conftest import ITEM_A, VIDEO_A, event

DEEP = DEEP_ARRAY.data


def _video_envelope(response: Response) -> None:
    body = response.json()
    assert body["status"] == "error"
    assert isinstance(body["message"], str)


def _admin_envelope(response: Response) -> None:
    error = response.json()["error"]
    assert isinstance(error["code"], str)
    assert isinstance(error["message"], str)


@pytest.mark.parametrize(
    "body",
    [DEEP, b'{"a":' * 100_000 + b"1" + b"}" * 100_000, b'{"type": "x"}\n' + DEEP],
    ids=["array", "object", "ndjson-line"],
)
@pytest.mark.parametrize("media_type", ["application/json", "application/x-ndjson", "text/plain"])
def test_events_nested_100000_deep_are_400_and_nothing_is_counted(
    video_account: Callable[..., dict[str, Any]],
    client: TestClient,
    database: Database,
    body: bytes,
    media_type: str,
) -> None:
    account = video_account()
    before = snapshot(database)
    response = client.post(
        "/prod/events",
        content=body,
        headers={"X-Ingest-Key": account["credentials"]["ingest_key"], "Content-Type": media_type},
    )
    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "message": "body is not valid JSON or NDJSON: JSON is nested too deeply",
    }
    assert snapshot(database) == before


def test_event_timestamp_before_year_1_in_utc_is_rejected_and_nothing_is_counted(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    database: Database,
) -> None:
    account = video_account()
    before = snapshot(database)
    response = post_events(
        account, [event("ecommerce_viewed", timestamp="0001-01-01T00:00:00+14:00")]
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"index": 0, "reason": "timestamp is out of range"}]
    assert snapshot(database) == before


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [("start_date", "0001-01-01", "0001-01-02"), ("end_date", "9999-12-30", "9999-12-31")],
)
def test_report_day_outside_the_supported_range_is_400_naming_it(
    video_account: Callable[..., dict[str, Any]],
    report: Callable[..., Any],
    name: str,
    start: str,
    end: str,
) -> None:
    response = report(video_account(), start_date=start, end_date=end)
    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "message": f"invalid {name}: date must lie between 0001-01-02 and 9999-12-30",
    }


def test_report_accepts_the_first_and_last_supported_days(
    video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    first = report(video_account(), start_date="0001-01-02", end_date="0001-01-03")
    assert first.status_code == 200
    assert first.json()["data"]["ecommerce_stats"] == []


def test_syndication_date_before_year_1_in_utc_is_422_and_not_stored(
    video_account: Callable[..., dict[str, Any]],
    client: TestClient,
    admin_headers: dict[str, str],
    database: Database,
) -> None:
    account = video_account()
    before = snapshot(database)
    response = client.put(
        f"/admin/v1/accounts/{account['id']}/videos/v-edge",
        json={
            "title": "Edge",
            "syndications": [
                {"start_date": "0001-01-01T00:00:00+14:00", "end_date": "2026-01-01T00:00:00Z"}
            ],
        },
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "syndications.0.start_date"
    assert snapshot(database) == before


def test_translations_nested_300_deep_are_422_naming_the_field_and_not_stored(
    video_account: Callable[..., dict[str, Any]],
    client: TestClient,
    admin_headers: dict[str, str],
    database: Database,
) -> None:
    account = video_account()
    before = snapshot(database)
    response = client.put(
        f"/admin/v1/accounts/{account['id']}/videos/v-deep",
        content=b'{"title": "Deep", "translations": [' + b"[" * 300 + b"]" * 300 + b"]}",
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_field",
        "message": "translations: Value error, nests more than 32 levels deep",
        "field": "translations",
    }
    assert snapshot(database) == before


def test_lone_surrogate_in_translations_is_422_naming_the_field_and_not_stored(
    video_account: Callable[..., dict[str, Any]],
    client: TestClient,
    admin_headers: dict[str, str],
    database: Database,
) -> None:
    account = video_account()
    before = snapshot(database)
    response = client.put(
        f"/admin/v1/accounts/{account['id']}/videos/v-surrogate",
        content=b'{"title": "S", "translations": ["x\\udfffy"]}',
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "translations"
    assert snapshot(database) == before


def test_nul_in_a_video_title_is_422_naming_the_title(
    video_account: Callable[..., dict[str, Any]],
    client: TestClient,
    admin_headers: dict[str, str],
    database: Database,
) -> None:
    account = video_account()
    before = snapshot(database)
    response = client.put(
        f"/admin/v1/accounts/{account['id']}/videos/v-nul",
        json={"title": "a\x00b"},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "title"
    assert snapshot(database) == before


# -- every field, extreme values ---------------------------------------------------------------


_OPERATIONS = operations(
    lambda method, path: (
        path.startswith("/prod/")
        or "/videos/" in path
        or "/ecommerce-items/" in path
        or path.endswith("/catalog/bulk")
    )
)
_EVENT_FIELDS = list(msgspec.structs.fields(RawEvent))
Target = tuple[str, Any]
TARGETS: list[Target] = [
    *(("event", field.encode_name) for field in _EVENT_FIELDS),
    ("event", None),
    *(("pixel", name) for name in PIXEL_FIELDS),
    *(("bulk", path) for path in model_fields("VideoFields")),
    ("bulk", ()),
    *(("route", pair) for pair in all_targets(_OPERATIONS)),
]


class Surface:
    """One account with the seed's catalog, and how to send a value into any target."""

    def __init__(self, client: TestClient, account: dict[str, Any], admin: dict[str, str]):
        self.client = client
        self.account = account
        self.admin = admin
        self.ingest = {"X-Ingest-Key": account["credentials"]["ingest_key"]}

    def send(self, target: Target, value: Any) -> tuple[Response, Callable[[Response], None]]:
        kind, where = target
        if kind == "event":
            base = event("ecommerce_viewed", timestamp="2022-10-14T12:00:00Z")
            body = body_with([base], (0, where) if where else (), value)
            return self.client.post("/prod/events", content=body, headers=self.ingest), (
                _video_envelope
            )
        if kind == "pixel":
            query = {"content_key": VIDEO_A, "ecommerce_key": ITEM_A, "type": "ecommerce_viewed"}
            url = url_with(
                "/prod/pixel.gif",
                {},
                {**query, "ingest_key": self.ingest["X-Ingest-Key"]},
                ("query", where),
                value,
            )
            return self.client.get(url), _video_envelope
        if kind == "bulk":
            line = {"kind": "video", "content_key": "bulk-edge", "title": "Edge"}
            body = body_with(line, where, value) if where else json_fragment(value)
            url = f"/admin/v1/accounts/{self.account['id']}/catalog/bulk"
            return self.client.post(url, content=body, headers=self.admin), _admin_envelope
        operation, place = where
        keys = {"account_id": self.account["id"], "content_key": VIDEO_A, "ecommerce_key": ITEM_A}
        query = {
            "organization_key": self.account["credentials"]["organization_key"],
            "start_date": "2022-10-01",
            "end_date": "2022-10-31",
            "include_video_data": "1",
            "include_ecommerce_data": "1",
        }
        bodies = {
            "/videos/": {"title": "T", "ecommerce_keys": [ITEM_A]},
            "/ecommerce-items/": {
                "ecommerce_name": "N",
                "ecommerce_link": "https://shop.example/n",
            },
        }
        route_body = next((b for part, b in bodies.items() if part in operation.path), None)
        response = send_operation(
            self.client,
            operation,
            place,
            value,
            keys,
            route_body,
            query if operation.query_params else None,
            self.admin,
        )
        envelope = _video_envelope if operation.path.startswith("/prod/") else _admin_envelope
        return response, envelope


@pytest.fixture
def surface(
    video_account: Callable[..., dict[str, Any]], client: TestClient, admin_headers: dict[str, str]
) -> Surface:
    return Surface(client, video_account(), admin_headers)


def test_every_field_refuses_each_extreme_class_without_a_500(
    surface: Surface, database: Database
) -> None:
    for position, target in enumerate(TARGETS):
        value = sweep_value(position)
        before = snapshot(database)
        response, envelope = surface.send(target, value)
        check_answer(response, before, database, envelope, f"{target} <- {value!r:.60}")


@EXAMPLES
@given(target=st.sampled_from(TARGETS), value=extreme_values())
def test_extreme_values_anywhere_never_give_a_500(
    surface: Surface, database: Database, target: Target, value: Any
) -> None:
    before = snapshot(database)
    response, envelope = surface.send(target, value)
    check_answer(response, before, database, envelope, f"{target} <- {value!r:.60}")
