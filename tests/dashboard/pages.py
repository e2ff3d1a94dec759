"""Known data put in through the real APIs, and helpers to read what the pages show."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from commerce_stats.accounts.service import Accounts
from tests.video.conftest import ITEM_A, ITEM_B, VIDEO_A, VIDEO_B, event

PASSWORD = "correct horse battery"
VIDEO_PERIOD = {"from": "2022-10-13", "to": "2022-10-16"}
VIDEO_DAYS = ["2022-10-13", "2022-10-14", "2022-10-15", "2022-10-16"]


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def sign_in(client: TestClient, accounts: Accounts, account_id: int, username: str) -> None:
    """Gives the account a dashboard login and signs ``client`` in with it."""
    accounts.set_dashboard_login(account_id, username, PASSWORD)
    form = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={"csrf_token": csrf(form.text), "username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def chart(html: str, chart_id: str) -> dict[str, Any]:
    """The chart spec a page embeds for ``chart_id``."""
    match = re.search(
        rf'<script type="application/json" id="{re.escape(chart_id)}-spec">(.*?)</script>',
        html,
        re.S,
    )
    assert match is not None, f"no chart {chart_id}"
    spec: dict[str, Any] = json.loads(match.group(1))
    return spec


def traces_by_name(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {trace["name"]: trace for trace in spec["traces"]}


def table_rows(html: str, testid: str) -> list[list[str]]:
    """The text of each body row of the table ``data-testid=testid``."""
    match = re.search(rf'data-testid="{testid}">(.*?)</table>', html, re.S)
    assert match is not None, f"no table {testid}"
    body = match.group(1).split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


VIDEO_EVENTS: list[dict[str, Any]] = [
    # 14 Oct: 3 views, 1 click, 1 hide of item A in video A on desktop; 2 views of B on mobile.
    *[event("ecommerce_viewed", event_id=f"v{n}") for n in range(3)],
    event("ecommerce_clicked", event_id="c1"),
    event("ecommerce_hidden", event_id="h1"),
    *[
        event("ecommerce_viewed", ecommerce_key=ITEM_B, device_type="Mobile", event_id=f"m{n}")
        for n in range(2)
    ],
    event("ecommerce_bar_shown", ecommerce_key=None, event_id="b1"),
    # 15 Oct: video B, 1,200 views of item B on mobile and 300 clicks, one bar hidden.
    *[
        event(
            "ecommerce_viewed",
            content_key=VIDEO_B,
            ecommerce_key=ITEM_B,
            device_type="Mobile",
            timestamp="2022-10-15T08:00:00Z",
            event_id=f"w{n}",
        )
        for n in range(1200)
    ],
    *[
        event(
            "ecommerce_clicked",
            content_key=VIDEO_B,
            ecommerce_key=ITEM_B,
            device_type="Mobile",
            timestamp="2022-10-15T08:00:00Z",
            event_id=f"k{n}",
        )
        for n in range(300)
    ],
    event(
        "ecommerce_bar_hidden",
        content_key=VIDEO_B,
        ecommerce_key=None,
        timestamp="2022-10-15T09:00:00Z",
        event_id="bh",
    ),
]


def load_video_events(client: TestClient, account: dict[str, Any]) -> None:
    response = client.post(
        "/prod/events",
        json=VIDEO_EVENTS,
        headers={"X-Ingest-Key": account["credentials"]["ingest_key"]},
    )
    assert response.status_code == 200, response.text


def load_affiliate(network: Any, convert: Callable[..., int]) -> None:
    """Two sales: Anna (10 %) turnover 1,234.50 EUR; Otto (15 %) turnover 2,000.00 EUR."""
    convert(network, "order-1", "1234.50")
    convert(network, "order-2", "2000.00", other=True)


__all__ = ["ITEM_A", "ITEM_B", "VIDEO_A", "VIDEO_B"]
