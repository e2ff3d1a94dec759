"""Fuzzing the two pixels that are plain Starlette endpoints, outside the OpenAPI document.

Schemathesis covers every route of the OpenAPI document (tests/test_openapi_fuzz.py);
``GET /prod/pixel.gif`` and ``GET|POST /trck/etrack/`` are left out of it for speed, so
hypothesis draws their parameters here: any text (NUL, control and non-ASCII
characters, overlong values) or a real id of the network under test. Neither
pixel may answer 500, and each answers in its own shape: a GIF (or script) on
success, the surface's error envelope otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.affiliate.conftest import Network, build_network
from tests.video.conftest import ITEM_A, ITEM_B, VIDEO_A, put_catalog, video_account

FIXTURES_FROM_DOMAINS = (build_network, put_catalog, video_account)
"""Imported so pytest finds the affiliate and video fixtures."""

FUZZ = hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300) | st.integers(
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
