"""POST /prod/events and GET /prod/pixel.gif: formats, keys, counting rules, refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from commerce_stats.db.engine import Database
from commerce_stats.video import repository
from tests.video.conftest import ITEM_A, ITEM_B, VIDEO_A, VIDEO_B, event

TV_UA = "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko)"
BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def _rows(report: Callable[..., Any], account: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = report(account).json()["data"]["ecommerce_stats"]
    return rows


def _counts(row: dict[str, Any]) -> tuple[int, int, int, int, int]:
    return (
        row["ecommerce_viewed"],
        int(row["ecommerce_clicked"]),
        row["ecommerce_hidden"],
        row["ecommerce_bar_shown"],
        row["ecommerce_bar_hidden"],
    )


def test_json_array_is_counted_and_answered_after_commit(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    response = post_events(
        account, [event("ecommerce_viewed"), event("ecommerce_clicked"), event("ecommerce_hidden")]
    )

    assert response.status_code == 200
    assert response.json() == {
        "data": {"received": 3, "counted": 3, "duplicates": 0, "bots": 0},
        "message": "ok",
        "status": "ok",
    }
    assert [_counts(row) for row in _rows(report, account)] == [(1, 1, 1, 0, 0)]


def test_ndjson_body_is_accepted(
    client: TestClient, video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    account = video_account()
    body = b"\n".join(orjson.dumps(event("ecommerce_viewed")) for _ in range(3)) + b"\n"
    response = client.post(
        "/prod/events",
        content=body,
        headers={
            "X-Ingest-Key": account["credentials"]["ingest_key"],
            "Content-Type": "application/x-ndjson",
        },
    )
    assert response.status_code == 200
    assert [_counts(row) for row in _rows(report, account)] == [(3, 0, 0, 0, 0)]


def test_send_beacon_text_plain_with_key_in_query(
    client: TestClient, video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    account = video_account()
    response = client.post(
        "/prod/events",
        params={"ingest_key": account["credentials"]["ingest_key"]},
        content=orjson.dumps([event("ecommerce_bar_shown", ecommerce_key=None)]),
        headers={"Content-Type": "text/plain;charset=UTF-8"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert [(row["ecommerce_key"], _counts(row)) for row in _rows(report, account)] == [
        ("none", (0, 0, 0, 1, 0))
    ]


def test_cors_preflight_allows_the_ingest_key_header(client: TestClient) -> None:
    response = client.options(
        "/prod/events",
        headers={"Origin": "https://player.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "X-Ingest-Key" in response.headers["access-control-allow-headers"]
    assert "POST" in response.headers["access-control-allow-methods"]


def test_unknown_ingest_key_is_401_and_counts_nothing(
    client: TestClient, video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    account = video_account()
    response = client.post(
        "/prod/events", json=[event("ecommerce_viewed")], headers={"X-Ingest-Key": "wrong"}
    )
    assert response.status_code == 401
    assert response.json() == {"status": "error", "message": "unknown ingest key"}
    assert _rows(report, account) == []


def test_missing_ingest_key_is_401(client: TestClient) -> None:
    response = client.post("/prod/events", json=[event("ecommerce_viewed")])
    assert response.status_code == 401
    assert response.json()["message"] == "missing ingest key (X-Ingest-Key header or ingest_key)"


def test_account_without_video_feature_cannot_ingest(
    make_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    database: Database,
) -> None:
    account = make_account("NoVideo", features=["promotions"])
    response = post_events(account, [event("ecommerce_viewed")])
    assert response.status_code == 403
    with database.read() as conn:
        assert repository.counter_totals(conn, account["id"]) == (0, 0)


def test_malformed_body_is_400(
    client: TestClient, video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    account = video_account()
    response = client.post(
        "/prod/events",
        content=b'[{"type": "ecommerce_viewed"',
        headers={"X-Ingest-Key": account["credentials"]["ingest_key"]},
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("body is not valid JSON or NDJSON")
    assert _rows(report, account) == []


def test_bad_batch_is_refused_whole_with_each_bad_index(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    response = post_events(
        account,
        [
            event("ecommerce_viewed"),
            event("ecommerce_viewed", content_key="missing"),
            event("ecommerce_clicked", ecommerce_key="nope"),
            event("ecommerce_exploded"),
            event("ecommerce_hidden", ecommerce_key=None),
            event("ecommerce_viewed", timestamp="2022-10-14T12:00:00"),
            event("ecommerce_viewed", device_type="Phone"),
        ],
    )

    assert response.status_code == 422
    assert response.json() == {
        "status": "error",
        "message": "6 of 7 events rejected; nothing was counted",
        "errors": [
            {"index": 1, "reason": "unknown content_key 'missing'"},
            {"index": 2, "reason": "unknown ecommerce_key 'nope'"},
            {"index": 3, "reason": "unknown type 'ecommerce_exploded'"},
            {"index": 4, "reason": "ecommerce_key is required for icon events"},
            {"index": 5, "reason": "timestamp needs a UTC offset"},
            {"index": 6, "reason": "device_type must be one of Mobile, Desktop, Tablet, TV, Other"},
        ],
    }
    assert _rows(report, account) == []


def test_more_than_10000_events_is_413(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    response = post_events(account, [event("ecommerce_viewed")] * 10_001)
    assert response.status_code == 413
    assert _rows(report, account) == []


def test_evening_in_new_york_counts_on_the_next_utc_day(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    post_events(account, [event("ecommerce_viewed", timestamp="2022-01-01T22:00:00-05:00")])
    rows = report(account, start_date="2022-01-01", end_date="2022-01-31").json()["data"]
    assert [row["date"] for row in rows["ecommerce_stats"]] == ["2022-01-02T23:59:59.000Z"]


def test_epoch_milliseconds_timestamp(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    post_events(account, [event("ecommerce_viewed", timestamp=1665791999999)])
    assert [row["date"] for row in _rows(report, account)] == ["2022-10-14T23:59:59.000Z"]


def test_event_id_repeated_in_one_batch_counts_once(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    response = post_events(
        account,
        [event("ecommerce_viewed", event_id="e-1"), event("ecommerce_viewed", event_id="e-1")],
    )
    assert response.json()["data"] == {"received": 2, "counted": 1, "duplicates": 1, "bots": 0}
    assert [_counts(row) for row in _rows(report, account)] == [(1, 0, 0, 0, 0)]


def test_event_id_resent_in_a_later_request_counts_once(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    post_events(account, [event("ecommerce_clicked", event_id="e-9")])
    again = post_events(account, [event("ecommerce_clicked", event_id="e-9")])
    assert again.json()["data"]["duplicates"] == 1
    assert [_counts(row) for row in _rows(report, account)] == [(0, 1, 0, 0, 0)]


def test_same_event_id_in_two_accounts_counts_in_both(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    first, second = video_account("First"), video_account("Second")
    post_events(first, [event("ecommerce_viewed", event_id="shared")])
    post_events(second, [event("ecommerce_viewed", event_id="shared")])
    assert [_counts(row) for row in _rows(report, second)] == [(1, 0, 0, 0, 0)]


def test_device_type_from_request_user_agent_tv(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    post_events(
        account, [event("ecommerce_viewed", device_type=None)], headers={"User-Agent": TV_UA}
    )
    assert [row["device_type"] for row in _rows(report, account)] == ["TV"]


def test_device_type_from_event_user_agent_wins_over_request(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    post_events(
        account,
        [event("ecommerce_viewed", device_type=None, user_agent=IPHONE_UA)],
        headers={"User-Agent": TV_UA},
    )
    assert [row["device_type"] for row in _rows(report, account)] == ["Mobile"]


def test_bot_events_are_not_counted(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    response = post_events(
        account, [event("ecommerce_viewed", device_type=None)], headers={"User-Agent": BOT_UA}
    )
    assert response.json()["data"] == {"received": 1, "counted": 0, "duplicates": 0, "bots": 1}
    assert _rows(report, account) == []


def test_bar_event_counts_under_none_whatever_item_it_names(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    post_events(account, [event("ecommerce_bar_hidden", ecommerce_key=ITEM_B)])
    assert [(row["ecommerce_key"], _counts(row)) for row in _rows(report, account)] == [
        ("none", (0, 0, 0, 0, 1))
    ]


def test_catalog_write_is_seen_by_the_next_ingest(
    client: TestClient,
    admin_headers: dict[str, str],
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
) -> None:
    account = video_account()
    assert post_events(account, [event("ecommerce_viewed", content_key="fresh")]).status_code == 422
    client.put(
        f"/admin/v1/accounts/{account['id']}/videos/fresh",
        json={"title": "Fresh", "ecommerce_keys": [ITEM_A]},
        headers=admin_headers,
    )
    assert post_events(account, [event("ecommerce_viewed", content_key="fresh")]).status_code == 200


def test_ingest_cannot_name_another_accounts_video(
    client: TestClient,
    admin_headers: dict[str, str],
    video_account: Callable[..., dict[str, Any]],
    make_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    owner = video_account("Owner")
    intruder = make_account("Intruder", features=["video_ecommerce"])
    response = post_events(
        intruder, [event("ecommerce_viewed", ecommerce_key=None, type="ecommerce_bar_shown")]
    )
    assert response.status_code == 422
    assert _rows(report, owner) == []


# pixel ---------------------------------------------------------------------------------------


def _pixel(client: TestClient, account: dict[str, Any], **params: Any) -> Any:
    query = {"ingest_key": account["credentials"]["ingest_key"], **params}
    return client.get("/prod/pixel.gif", params=query)


def test_pixel_counts_one_event_and_returns_a_gif(
    client: TestClient, video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    account = video_account()
    response = _pixel(
        client,
        account,
        content_key=VIDEO_B,
        ecommerce_key=ITEM_B,
        type="ecommerce_clicked",
        device_type="Tablet",
        timestamp="1665748800000",
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/gif"
    assert response.content.startswith(b"GIF89a")
    assert [
        (row["content_key"], row["device_type"], _counts(row)) for row in _rows(report, account)
    ] == [(VIDEO_B, "Tablet", (0, 1, 0, 0, 0))]


def test_pixel_with_unknown_key_is_401(client: TestClient) -> None:
    response = client.get(
        "/prod/pixel.gif",
        params={"ingest_key": "nope", "content_key": VIDEO_A, "type": "ecommerce_viewed"},
    )
    assert response.status_code == 401


def test_pixel_of_another_accounts_video_is_refused(
    client: TestClient,
    video_account: Callable[..., dict[str, Any]],
    make_account: Callable[..., dict[str, Any]],
    report: Callable[..., Any],
) -> None:
    owner = video_account("Owner")
    intruder = make_account("Intruder", features=["video_ecommerce"])
    response = _pixel(client, intruder, content_key=VIDEO_A, type="ecommerce_bar_shown")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"index": 0, "reason": f"unknown content_key '{VIDEO_A}'"}]
    assert _rows(report, owner) == []


@pytest.mark.parametrize(
    ("timestamp", "reason"),
    [
        ("0001-01-01T00:00:00+14:00", "timestamp is out of range"),
        ("9" * 5000, "timestamp is out of range"),
        ("\u00b2", "timestamp is not ISO 8601"),
    ],
)
def test_pixel_timestamp_that_cannot_be_a_utc_time_is_422_and_counts_nothing(
    client: TestClient,
    video_account: Callable[..., dict[str, Any]],
    database: Database,
    timestamp: str,
    reason: str,
) -> None:
    account = video_account()
    response = _pixel(
        client, account, content_key=VIDEO_A, type="ecommerce_bar_shown", timestamp=timestamp
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"index": 0, "reason": reason}]
    with database.read() as conn:
        assert repository.counter_totals(conn, account["id"]) == (0, 0)


def test_body_over_5_mb_is_413_and_counts_nothing(
    client: TestClient, video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    account = video_account()
    padding = "x" * 1000
    body = orjson.dumps([event("ecommerce_viewed", pad=padding) for _ in range(5300)])
    response = client.post(
        "/prod/events", content=body, headers={"X-Ingest-Key": account["credentials"]["ingest_key"]}
    )
    assert response.status_code == 413
    assert response.json() == {"status": "error", "message": "body is larger than 5 MB"}
    assert _rows(report, account) == []


def test_event_id_with_nul_is_rejected_not_a_failed_commit(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    response = post_events(account, [event("ecommerce_viewed", event_id="a\x00b")])
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"index": 0, "reason": "event_id must not contain NUL characters"}
    ]
    assert _rows(report, account) == []


def test_repeated_wrong_ingest_keys_are_answered_429_even_for_a_right_key(
    client: TestClient,
    video_account: Callable[..., dict[str, Any]],
    post_events: Any,
    report: Callable[..., Any],
) -> None:
    account = video_account()
    wrong = {"X-Ingest-Key": "guess"}
    statuses = [
        client.post("/prod/events", json=[event("ecommerce_viewed")], headers=wrong).status_code
        for _ in range(10)
    ]
    pixel = client.get(
        "/prod/pixel.gif",
        params={
            "ingest_key": account["credentials"]["ingest_key"],
            "content_key": VIDEO_A,
            "type": "ecommerce_bar_shown",
        },
    )
    refused = post_events(account, [event("ecommerce_viewed")])

    assert statuses == [401] * 10
    assert (pixel.status_code, refused.status_code) == (429, 429)
    assert refused.json() == {"status": "error", "message": "too many failed attempts; retry later"}
    assert int(refused.headers["retry-after"]) > 0
    assert (
        report(account, start_date="2022-01-01", end_date="2026-12-31").json()["data"][
            "ecommerce_stats"
        ]
        == []
    )
