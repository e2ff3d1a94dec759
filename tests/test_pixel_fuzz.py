"""Fuzzing the pixels and the click URL with any and with extreme values.

Schemathesis covers every route of the OpenAPI document (tests/test_openapi_fuzz.py);
``GET /prod/pixel.gif`` and ``GET|POST /trck/etrack/`` are left out of it for speed, so
hypothesis draws their parameters here: any text (NUL, control and non-ASCII
characters, overlong values) or a real id of the network under test. Neither
pixel may answer 500, and each answers in its own shape: a GIF (or script) on
success, the surface's error envelope otherwise.

The extreme-value tests draw, for every parameter of the click URL and the conversion
pixel, values at the edges of what the storage holds (``1e308``, 40-digit integers,
``nan``, year 1 and 9999 at ±14:00, NUL, invalid UTF-8 sent percent-encoded, values of
10 KB to 1 MB) and check besides that a refused request stored nothing.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from commerce_stats.affiliate.tables import clicks, transactions
from commerce_stats.db.engine import Database
from commerce_stats.video import repository
from tests.affiliate.conftest import Network, build_network
from tests.video.conftest import ITEM_A, ITEM_B, VIDEO_A, put_catalog, video_account

FIXTURES_FROM_DOMAINS = (build_network, put_catalog, video_account)
"""Imported so pytest finds the affiliate and video fixtures."""

FUZZ = hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300) | st.integers(
    min_value=-(2**70), max_value=2**70
).map(str)


CHOICE = st.sampled_from(["known", "known", "known", "known", "drawn", "absent"])
"""Mostly a value the network knows, so that whole valid requests come up too."""


def _params(data: st.DataObject, known: dict[str, list[str]]) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, values in known.items():
        choice = data.draw(CHOICE, label=name)
        if choice == "known" and values:
            params[name] = data.draw(st.sampled_from(values), label=name)
        elif choice != "absent":
            params[name] = data.draw(TEXT, label=name)
    return params


@FUZZ
@given(data=st.data(), method=st.sampled_from(["GET", "POST"]))
def test_conversion_pixel_never_answers_500(
    data: st.DataObject,
    method: str,
    client: TestClient,
    build_network: Callable[..., Network],
) -> None:
    network = build_network("Fuzz")
    click = client.get(
        "/trck/eclick/",
        params={
            "campaign_id": network.campaign_id,
            "publisher_id": network.publisher_id,
            "project_id": network.project_id,
        },
        follow_redirects=False,
    )
    emid = click.headers["location"].rsplit("emid=", 1)[1]
    known = {
        "campaign_id": [str(network.campaign_id)],
        "trigger_id": [str(network.sale_trigger), str(network.lead_trigger)],
        "token": ["order-1"],
        "turnover": ["10.00", "1,5"],
        "currency": ["EUR"],
        "t": ["img", "js"],
        "emid": [emid],
        "descr": [],
        "vc": [],
        "basket_items": ["1"],
    }
    params = _params(data, known)
    if method == "GET":
        response = client.get("/trck/etrack/", params=params)
    else:
        response = client.post("/trck/etrack/", data=params)
    event(f"status {response.status_code}")
    assert response.status_code < 500, response.text
    content_type = response.headers["content-type"]
    if response.status_code == 200:
        assert content_type.startswith(("image/gif", "application/javascript"))
    else:
        assert content_type.startswith("text/plain")


@FUZZ
@given(data=st.data())
def test_video_pixel_never_answers_500(
    data: st.DataObject,
    client: TestClient,
    video_account: Callable[..., dict[str, Any]],
) -> None:
    account = video_account("Fuzz")
    now = datetime.now(UTC)
    known = {
        "ingest_key": [account["credentials"]["ingest_key"]],
        "content_key": [VIDEO_A],
        "ecommerce_key": [ITEM_A, ITEM_B],
        "type": ["ecommerce_bar_shown", "ecommerce_item_clicked"],
        "event_id": ["e-1"],
        "device_type": ["Desktop", "Mobile"],
        "timestamp": [str(int(now.timestamp())), now.isoformat()],
    }
    params = _params(data, known)
    response = client.get("/prod/pixel.gif", params=params)
    event(f"status {response.status_code}")
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        assert response.headers["content-type"] == "image/gif"
    else:
        assert json.loads(response.content)["status"] == "error"


# -- extreme values ------------------------------------------------------------------------


class Raw(str):
    """A value sent exactly as written, percent escapes included (invalid UTF-8 on the wire)."""


EXTREME_VALUES: list[str] = [
    "1e308",
    "-1e308",
    "1e-308",
    "4.9e-324",
    "-0",
    "-0.0",
    "0",
    "nan",
    "-NaN",
    "inf",
    "-Infinity",
    "9" * 40,
    "-" + "9" * 40,
    str(2**31),
    str(2**63),
    str(2**64),
    "1E+999999999",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-14:00",
    "9999-12-31T23:59:59+14:00",
    "9999-12-31T23:59:59-14:00",
    "\x00",
    "order\x00id",
    Raw("%ED%A0%80"),
    Raw("a%ED%A0%80b"),
    Raw("%FF"),
    Raw("%C0%80"),
    Raw("%00"),
    "x" * 10_000,
    "9" * 30_000,
]
"""Values that fit a URL: the test client refuses URLs over 64 KiB."""
BODY_ONLY_VALUES: list[str] = ["9" * 100_000, "y" * 1_000_000]
"""Larger values, sent in a form body (the conversion pixel also reads POSTed fields)."""
EXTREME = st.sampled_from(EXTREME_VALUES) | TEXT
EXTREME_IN_BODY = st.sampled_from(EXTREME_VALUES + BODY_ONLY_VALUES) | TEXT
EXTREME_CHOICE = st.sampled_from(["known"] * 8 + ["extreme", "absent"])
"""For the parameters besides the one under test: mostly valid, so the request gets as far
as the database."""
EXTREME_FUZZ = hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _extreme_query(
    data: st.DataObject, known: dict[str, list[str]], *, in_body: bool = False
) -> str:
    """A query string with one parameter at an extreme value, the others mostly valid."""
    extreme = EXTREME_IN_BODY if in_body else EXTREME
    target = data.draw(st.sampled_from(sorted(known)), label="extreme parameter")
    event(f"extreme: {target}")
    pairs: list[str] = []
    for name, values in known.items():
        choice = "extreme" if name == target else data.draw(EXTREME_CHOICE, label=name)
        if choice == "known" and values:
            value = data.draw(st.sampled_from(values), label=name)
        elif choice != "absent":
            value = data.draw(extreme, label=name)
        else:
            continue
        encoded = value if isinstance(value, Raw) else quote(value, safe="")
        pairs.append(f"{name}={encoded}")
    return "&".join(pairs)


_BUILT: weakref.WeakKeyDictionary[TestClient, Any] = weakref.WeakKeyDictionary()


def _once(client: TestClient, build: Callable[[], Any]) -> Any:
    """What ``build`` makes, made once per test (a test's examples share its database)."""
    if client not in _BUILT:
        _BUILT[client] = build()
    return _BUILT[client]


def _count(database: Database, table: Any) -> int:
    with database.read() as conn:
        counted: int = conn.execute(select(func.count()).select_from(table)).scalar_one()
    return counted


@EXTREME_FUZZ
@given(data=st.data())
def test_click_with_extreme_values_never_answers_500_and_a_refusal_stores_nothing(
    data: st.DataObject,
    client: TestClient,
    database: Database,
    build_network: Callable[..., Network],
) -> None:
    network: Network = _once(client, lambda: build_network("Extreme clicks"))
    known = {
        "campaign_id": [str(network.campaign_id)],
        "publisher_id": [str(network.publisher_id)],
        "project_id": [str(network.project_id)],
        "subid": ["spring"],
        "admedia_id": ["7"],
    }
    query = _extreme_query(data, known)
    before = _count(database, clicks)
    response = client.get(f"/trck/eclick/?{query}", follow_redirects=False)
    event(f"status {response.status_code}")
    assert response.status_code < 500, response.text
    if response.status_code == 302:
        assert _count(database, clicks) == before + 1
    else:
        assert response.headers["content-type"].startswith("text/plain")
        assert _count(database, clicks) == before


@EXTREME_FUZZ
@given(data=st.data(), method=st.sampled_from(["GET", "GET", "POST"]))
def test_conversion_pixel_with_extreme_values_never_answers_500_and_a_refusal_stores_nothing(
    data: st.DataObject,
    method: str,
    client: TestClient,
    database: Database,
    build_network: Callable[..., Network],
) -> None:
    network: Network = _once(client, lambda: build_network("Extreme pixels"))
    click = client.get(
        "/trck/eclick/",
        params={"campaign_id": network.campaign_id, "publisher_id": network.publisher_id},
        follow_redirects=False,
    )
    emid = click.headers["location"].rsplit("emid=", 1)[1]
    known = {
        "campaign_id": [str(network.campaign_id)],
        "trigger_id": [str(network.sale_trigger)],
        "token": [f"order-{data.draw(st.integers(0, 10**9), label='order')}"],
        "turnover": ["10.00"],
        "currency": ["EUR"],
        "t": ["img", "js"],
        "emid": [emid],
        "descr": ["a sale"],
        "vc": ["SPRING"],
        "basket_items": ["1"],
        "timestamp": ["2026-11-30T12:00:00+01:00"],
    }
    query = _extreme_query(data, known, in_body=method == "POST")
    before = _count(database, transactions)
    if method == "GET":
        response = client.get(f"/trck/etrack/?{query}")
    else:
        response = client.post(
            "/trck/etrack/",
            content=query.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    event(f"status {response.status_code}")
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        assert response.headers["content-type"].startswith(("image/gif", "application/javascript"))
        assert _count(database, transactions) in {before, before + 1}  # an order already seen
    else:
        assert response.headers["content-type"].startswith("text/plain")
        assert _count(database, transactions) == before


@EXTREME_FUZZ
@given(data=st.data())
def test_video_pixel_with_extreme_values_never_answers_500_and_a_refusal_counts_nothing(
    data: st.DataObject,
    client: TestClient,
    database: Database,
    video_account: Callable[..., dict[str, Any]],
) -> None:
    account: dict[str, Any] = _once(client, lambda: video_account("Extreme video"))
    known = {
        "ingest_key": [account["credentials"]["ingest_key"]],
        "content_key": [VIDEO_A],
        "ecommerce_key": [ITEM_A],
        "type": ["ecommerce_bar_shown", "ecommerce_item_clicked"],
        "event_id": [f"e-{data.draw(st.integers(0, 10**9), label='event')}"],
        "device_type": ["Desktop"],
        "timestamp": [datetime.now(UTC).isoformat()],
    }
    query = _extreme_query(data, known)
    with database.read() as conn:
        before = repository.counter_totals(conn, account["id"])
    response = client.get(f"/prod/pixel.gif?{query}")
    event(f"status {response.status_code}")
    assert response.status_code < 500, response.text
    with database.read() as conn:
        stored = repository.counter_totals(conn, account["id"])
    if response.status_code == 200:
        assert response.headers["content-type"] == "image/gif"
    else:
        assert json.loads(response.content)["status"] == "error"
        assert stored == before
