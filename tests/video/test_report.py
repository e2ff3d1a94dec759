"""GET /prod/get_ecommerce_reports: the seed's example, its envelope, filters and errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.video.conftest import ITEM_A, ITEM_B, VIDEO_A, VIDEO_B, event

SEED_EXAMPLE = Path(__file__).with_name("seed_000_example.json")
COUNTERS = (
    "ecommerce_bar_hidden",
    "ecommerce_bar_shown",
    "ecommerce_clicked",
    "ecommerce_hidden",
    "ecommerce_viewed",
)


def _merged_seed_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The seed's rows with repeated (content_key, date, device_type, ecommerce_key) summed,
    in the documented order: content_key asc, date desc, device_type, ecommerce_key."""
    merged: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["content_key"], row["date"], row["device_type"], row["ecommerce_key"])
        target = merged.setdefault(key, {**row, **dict.fromkeys(COUNTERS, 0)})
        for name in COUNTERS:
            target[name] = int(target[name]) + int(row[name])
    for row in merged.values():
        row["ecommerce_clicked"] = str(row["ecommerce_clicked"])
    ordered = sorted(
        merged.values(), key=lambda r: (r["content_key"], r["device_type"], r["ecommerce_key"])
    )
    ordered.sort(key=lambda r: r["date"], reverse=True)
    ordered.sort(key=lambda r: r["content_key"])
    return ordered


def _seed_events() -> list[dict[str, Any]]:
    """Events that yield the seed's counters (some with offsets, landing on the UTC day)."""
    events: list[dict[str, Any]] = []

    def add(n: int, type_: str, **fields: Any) -> None:
        events.extend(event(type_, **fields) for _ in range(n))

    oct19 = "2022-10-19T08:30:00Z"
    add(1, "ecommerce_viewed", ecommerce_key=ITEM_A, timestamp=oct19)
    add(1, "ecommerce_hidden", ecommerce_key=ITEM_A, timestamp=oct19)
    add(1, "ecommerce_visible", ecommerce_key=ITEM_B, timestamp="2022-10-18T22:00:00-05:00")
    add(1, "ecommerce_hidden", ecommerce_key=ITEM_B, timestamp=1666180800000)
    oct14 = "2022-10-14T15:00:00+02:00"
    add(6, "ecommerce_viewed", ecommerce_key=ITEM_A, timestamp=oct14)
    add(1, "ecommerce_clicked", ecommerce_key=ITEM_A, timestamp=oct14)
    add(2, "ecommerce_hidden", ecommerce_key=ITEM_A, timestamp="2022-10-13T22:00:00-05:00")
    add(6, "ecommerce_viewed", ecommerce_key=ITEM_B, timestamp=oct14)
    add(1, "ecommerce_clicked", ecommerce_key=ITEM_B, timestamp=oct14)
    add(1, "ecommerce_hidden", ecommerce_key=ITEM_B, timestamp=oct14)
    add(3, "ecommerce_bar_shown", ecommerce_key=None, timestamp=oct14)
    add(4, "ecommerce_bar_hidden", ecommerce_key="none", timestamp=oct14)
    add(
        1,
        "ecommerce_loaded",
        content_key=VIDEO_B,
        ecommerce_key=None,
        device_type="Mobile",
        timestamp="2022-10-15T23:59:59.999Z",
    )
    return events


def _put_seed_catalog(
    client: TestClient, admin_headers: dict[str, str], account_id: int
) -> dict[str, Any]:
    seed = json.loads(SEED_EXAMPLE.read_text(encoding="utf-8"))
    for item in seed["data"]["ecommerce_info"]:
        fields = {k: v for k, v in item.items() if k != "ecommerce_key"}
        url = f"/admin/v1/accounts/{account_id}/ecommerce-items/{item['ecommerce_key']}"
        assert client.put(url, json=fields, headers=admin_headers).status_code == 200
    for video in seed["data"]["video_info"]:
        fields = {k: v for k, v in video.items() if k != "content_key"}
        url = f"/admin/v1/accounts/{account_id}/videos/{video['content_key']}"
        response = client.put(
            url, json={**fields, "ecommerce_keys": [ITEM_A, ITEM_B]}, headers=admin_headers
        )
        assert response.status_code == 200, response.text
    return dict(seed)


def test_seed_example_is_reproduced(
    client: TestClient,
    admin_headers: dict[str, str],
    make_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = make_account("ParOne", features=["video_ecommerce"])
    seed = _put_seed_catalog(client, admin_headers, account["id"])
    assert post_events(account, _seed_events()).status_code == 200

    response = report(account, include_video_data="1", include_ecommerce_data="1")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    expected = {
        **seed,
        "data": {
            **seed["data"],
            "ecommerce_stats": _merged_seed_rows(seed["data"]["ecommerce_stats"]),
        },
    }
    assert body == expected
    assert list(body) == ["data", "message", "status"]
    assert list(body["data"]) == ["ecommerce_info", "ecommerce_stats", "video_info"]
    assert list(body["data"]["ecommerce_stats"][0]) == list(seed["data"]["ecommerce_stats"][0])


def test_merged_seed_rows_sum_repeated_keys() -> None:
    seed = json.loads(SEED_EXAMPLE.read_text(encoding="utf-8"))
    rows = _merged_seed_rows(seed["data"]["ecommerce_stats"])
    oct14_a = [
        r for r in rows if r["date"].startswith("2022-10-14") and r["ecommerce_key"] == ITEM_A
    ]
    assert len(rows) == 6
    assert oct14_a == [
        {
            "content_key": VIDEO_A,
            "date": "2022-10-14T23:59:59.000Z",
            "device_type": "Desktop",
            "ecommerce_bar_hidden": 0,
            "ecommerce_bar_shown": 0,
            "ecommerce_clicked": "1",
            "ecommerce_hidden": 2,
            "ecommerce_key": ITEM_A,
            "ecommerce_viewed": 6,
        }
    ]


def test_flags_default_to_no_video_or_ecommerce_data(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    post_events(account, [event("ecommerce_viewed")])

    body = report(account).json()

    assert body == {
        "data": {
            "ecommerce_stats": [
                {
                    "content_key": VIDEO_A,
                    "date": "2022-10-14T23:59:59.000Z",
                    "device_type": "Desktop",
                    "ecommerce_bar_hidden": 0,
                    "ecommerce_bar_shown": 0,
                    "ecommerce_clicked": "0",
                    "ecommerce_hidden": 0,
                    "ecommerce_key": ITEM_A,
                    "ecommerce_viewed": 1,
                }
            ]
        },
        "message": "ok",
        "status": "ok",
    }


def test_explicit_zero_flags_leave_out_info(
    video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    body = report(video_account(), include_video_data="0", include_ecommerce_data="0").json()
    assert body == {"data": {"ecommerce_stats": []}, "message": "ok", "status": "ok"}


def test_content_key_filters_rows_and_names_the_video(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    post_events(
        account, [event("ecommerce_viewed"), event("ecommerce_clicked", content_key=VIDEO_B)]
    )

    body = report(account, content_key=VIDEO_B, include_video_data="1").json()

    assert [row["content_key"] for row in body["data"]["ecommerce_stats"]] == [VIDEO_B]
    assert [video["content_key"] for video in body["data"]["video_info"]] == [VIDEO_B]


def test_requested_video_is_in_video_info_without_stats(
    video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    body = report(video_account(), content_key=VIDEO_B, include_video_data="1").json()
    assert body["data"]["ecommerce_stats"] == []
    assert [video["content_key"] for video in body["data"]["video_info"]] == [VIDEO_B]


def test_ecommerce_info_lists_only_items_in_the_stats_never_none(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    post_events(
        account,
        [
            event("ecommerce_viewed", ecommerce_key=ITEM_B),
            event("ecommerce_bar_shown", ecommerce_key=None),
        ],
    )

    body = report(account, include_ecommerce_data="1").json()

    assert body["data"]["ecommerce_info"] == [
        {
            "ecommerce_key": ITEM_B,
            "ecommerce_link": "https://www.google.com",
            "ecommerce_name": "Testing2",
        }
    ]


def test_dates_are_inclusive_utc_days(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    post_events(
        account,
        [
            event("ecommerce_viewed", timestamp="2022-10-09T23:59:59Z"),
            event("ecommerce_viewed", timestamp="2022-10-10T00:00:00Z"),
            event("ecommerce_viewed", timestamp="2022-10-12T23:59:59.999Z"),
            event("ecommerce_viewed", timestamp="2022-10-13T00:00:00Z"),
        ],
    )

    body = report(account, start_date="2022-10-10", end_date="2022-10-12").json()

    assert [row["date"] for row in body["data"]["ecommerce_stats"]] == [
        "2022-10-12T23:59:59.000Z",
        "2022-10-10T23:59:59.000Z",
    ]


def test_rows_are_ordered_by_content_key_then_date_desc_then_device_then_item(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    post_events(
        account,
        [
            event(
                "ecommerce_viewed", content_key=VIDEO_B, ecommerce_key=ITEM_B, device_type="Mobile"
            ),
            event("ecommerce_viewed", content_key=VIDEO_A, timestamp="2022-10-13T01:00:00Z"),
            event(
                "ecommerce_viewed", content_key=VIDEO_A, ecommerce_key=ITEM_B, device_type="Mobile"
            ),
            event("ecommerce_viewed", content_key=VIDEO_A, ecommerce_key=ITEM_B),
            event("ecommerce_bar_shown", content_key=VIDEO_A, ecommerce_key=None),
        ],
    )

    rows = report(account).json()["data"]["ecommerce_stats"]

    assert [
        (r["content_key"], r["date"][:10], r["device_type"], r["ecommerce_key"]) for r in rows
    ] == [
        (VIDEO_A, "2022-10-14", "Desktop", "none"),
        (VIDEO_A, "2022-10-14", "Desktop", ITEM_B),
        (VIDEO_A, "2022-10-14", "Mobile", ITEM_B),
        (VIDEO_A, "2022-10-13", "Desktop", ITEM_A),
        (VIDEO_B, "2022-10-14", "Mobile", ITEM_B),
    ]


# errors -------------------------------------------------------------------------------------


def _error(response: Any, status: int, message: str) -> None:
    assert response.status_code == status
    assert response.json() == {"status": "error", "message": message}


def test_missing_organization_key_is_400(client: TestClient) -> None:
    response = client.get(
        "/prod/get_ecommerce_reports", params={"start_date": "2022-10-01", "end_date": "2022-10-02"}
    )
    _error(response, 400, "missing parameter: organization_key")


def test_missing_start_date_is_400(
    video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    _error(report(video_account(), start_date=""), 400, "missing parameter: start_date")


def test_malformed_date_is_400(
    video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    _error(
        report(video_account(), start_date="2022/10/01"),
        400,
        "invalid start_date: must be YYYY-MM-DD",
    )


def test_impossible_date_is_400(
    video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    _error(
        report(video_account(), end_date="2022-02-30"), 400, "invalid end_date: not a calendar date"
    )


def test_end_before_start_is_400(
    video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    response = report(video_account(), start_date="2022-10-05", end_date="2022-10-04")
    _error(response, 400, "invalid end_date: before start_date")


def test_range_of_3660_days_is_read_and_3661_is_400(
    video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    account = video_account()
    assert report(account, start_date="2015-01-01", end_date="2025-01-07").status_code == 200
    response = report(account, start_date="2015-01-01", end_date="2025-01-08")
    _error(response, 400, "invalid end_date: the range is longer than 3660 days")


def test_flag_other_than_0_or_1_is_400(
    video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    _error(
        report(video_account(), include_video_data="2"),
        400,
        "invalid include_video_data: must be 0 or 1",
    )


def test_unknown_organization_key_is_401(client: TestClient) -> None:
    response = client.get(
        "/prod/get_ecommerce_reports",
        params={"organization_key": "nope", "start_date": "2022-10-01", "end_date": "2022-10-02"},
    )
    _error(response, 401, "unknown organization_key")


def test_disabled_account_is_401(
    client: TestClient,
    admin_headers: dict[str, str],
    video_account: Callable[..., dict[str, Any]],
    report: Callable[..., Any],
) -> None:
    account = video_account()
    client.patch(
        f"/admin/v1/accounts/{account['id']}", json={"disabled": True}, headers=admin_headers
    )
    _error(report(account), 401, "unknown organization_key")


def test_account_without_video_feature_is_403(
    make_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    account = make_account("NoVideo", features=["affiliate"])
    _error(report(account), 403, "the organization has no video ecommerce add-on")


def test_report_reads_only_the_callers_account(
    video_account: Callable[..., dict[str, Any]],
    post_events: Callable[..., Any],
    report: Callable[..., Any],
) -> None:
    owner = video_account("Owner")
    other = video_account("Other")
    post_events(owner, [event("ecommerce_viewed")])

    body = report(
        other, content_key=VIDEO_A, include_video_data="1", include_ecommerce_data="1"
    ).json()

    assert body["data"]["ecommerce_stats"] == []
    assert body["data"]["ecommerce_info"] == []
    assert report(owner).json()["data"]["ecommerce_stats"][0]["ecommerce_viewed"] == 1


def test_repeated_wrong_organization_keys_are_answered_429(
    client: TestClient, video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    account = video_account()
    wrong = {"organization_key": "guess", "start_date": "2022-10-01", "end_date": "2022-10-02"}
    statuses = [
        client.get("/prod/get_ecommerce_reports", params=wrong).status_code for _ in range(10)
    ]

    refused = report(account)

    assert statuses == [401] * 10
    assert refused.status_code == 429
    assert refused.json() == {"status": "error", "message": "too many failed attempts; retry later"}
    assert int(refused.headers["retry-after"]) > 0


def test_parameter_with_nul_is_400(
    video_account: Callable[..., dict[str, Any]], report: Callable[..., Any]
) -> None:
    response = report(video_account(), content_key="a\x00b")
    _error(response, 400, "invalid content_key: contains a NUL character")
