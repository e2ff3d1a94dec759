"""The catalog admin API: videos, ecommerce items, NDJSON bulk upsert, tenancy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from fastapi.testclient import TestClient

from tests.video.conftest import ITEM_A, ITEM_B, VIDEO_A

FULL_VIDEO = {
    "title": "Final Round Highlights",
    "description": "Watch highlights",
    "duration": "281.000000000000000000000000000000",
    "parone_categories": ["News & Tour News", "LPGA Tour"],
    "privateCategories": ["internal"],
    "privateTags": ["golf"],
    "removed": 1,
    "syndications": [
        {"start_date": "2022-08-02T00:00:00Z", "end_date": "2999-12-31", "geos": ["USA", "CAN"]}
    ],
    "thumbnail": "https://thumbnails.example/1.jpg",
    "translations": [{"language": "de", "title": "Finale"}],
    "ecommerce_keys": [ITEM_B, ITEM_A],
}


def _url(account_id: int, kind: str, key: str) -> str:
    return f"/admin/v1/accounts/{account_id}/{kind}/{key}"


def test_video_round_trips_every_field(
    client: TestClient, admin_headers: dict[str, str], video_account: Callable[..., dict[str, Any]]
) -> None:
    account = video_account()
    put = client.put(_url(account["id"], "videos", "v1"), json=FULL_VIDEO, headers=admin_headers)
    got = client.get(_url(account["id"], "videos", "v1"), headers=admin_headers)

    expected = {
        **FULL_VIDEO,
        "content_key": "v1",
        "syndications": [
            {
                "start_date": "2022-08-02T00:00:00.000Z",
                "end_date": "2999-12-31T00:00:00.000Z",
                "geos": ["USA", "CAN"],
            }
        ],
    }
    assert put.status_code == 200
    assert put.json() == expected
    assert got.json() == expected


def test_numeric_duration_becomes_a_decimal_string(
    client: TestClient, admin_headers: dict[str, str], video_account: Callable[..., dict[str, Any]]
) -> None:
    account = video_account()
    response = client.put(
        _url(account["id"], "videos", "v2"),
        json={"title": "T", "duration": 12.5},
        headers=admin_headers,
    )
    assert response.json()["duration"] == "12.5"


def test_video_naming_an_unknown_item_is_422_and_not_written(
    client: TestClient, admin_headers: dict[str, str], video_account: Callable[..., dict[str, Any]]
) -> None:
    account = video_account()
    response = client.put(
        _url(account["id"], "videos", "v3"),
        json={"title": "T", "ecommerce_keys": ["ghost"]},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "ecommerce_keys"
    assert client.get(_url(account["id"], "videos", "v3"), headers=admin_headers).status_code == 404


def test_invalid_video_field_is_422(
    client: TestClient, admin_headers: dict[str, str], video_account: Callable[..., dict[str, Any]]
) -> None:
    account = video_account()
    response = client.put(
        _url(account["id"], "videos", "v4"),
        json={"title": "T", "removed": 3},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "removed"
    assert client.get(_url(account["id"], "videos", "v4"), headers=admin_headers).status_code == 404


def test_item_put_and_get(
    client: TestClient, admin_headers: dict[str, str], video_account: Callable[..., dict[str, Any]]
) -> None:
    account = video_account()
    body = {"ecommerce_name": "Hat", "ecommerce_link": "https://shop.example/hat"}
    put = client.put(
        _url(account["id"], "ecommerce-items", "hat"), json=body, headers=admin_headers
    )
    got = client.get(_url(account["id"], "ecommerce-items", "hat"), headers=admin_headers)
    assert put.status_code == 200
    assert got.json() == {"ecommerce_key": "hat", **body}


def test_item_key_none_is_reserved(
    client: TestClient, admin_headers: dict[str, str], video_account: Callable[..., dict[str, Any]]
) -> None:
    account = video_account()
    response = client.put(
        _url(account["id"], "ecommerce-items", "none"),
        json={"ecommerce_name": "X", "ecommerce_link": "https://x.example"},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert (
        client.get(
            _url(account["id"], "ecommerce-items", "none"), headers=admin_headers
        ).status_code
        == 404
    )


def test_item_link_must_be_http(
    client: TestClient, admin_headers: dict[str, str], video_account: Callable[..., dict[str, Any]]
) -> None:
    account = video_account()
    response = client.put(
        _url(account["id"], "ecommerce-items", "bad"),
        json={"ecommerce_name": "X", "ecommerce_link": "javascript:alert(1)"},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert (
        client.get(_url(account["id"], "ecommerce-items", "bad"), headers=admin_headers).status_code
        == 404
    )


def test_catalog_routes_need_the_admin_token(
    client: TestClient, video_account: Callable[..., dict[str, Any]]
) -> None:
    account = video_account()
    response = client.get(_url(account["id"], "videos", VIDEO_A))
    assert response.status_code == 401


def test_unknown_account_is_404(client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.put(_url(999, "videos", "v"), json={"title": "T"}, headers=admin_headers)
    assert response.status_code == 404


def _bulk(client: TestClient, headers: dict[str, str], account_id: int, lines: list[Any]) -> Any:
    body = b"\n".join(orjson.dumps(line) for line in lines)
    return client.post(
        f"/admin/v1/accounts/{account_id}/catalog/bulk",
        content=body,
        headers={**headers, "Content-Type": "application/x-ndjson"},
    )


def test_bulk_writes_items_then_videos(
    client: TestClient, admin_headers: dict[str, str], make_account: Callable[..., dict[str, Any]]
) -> None:
    account = make_account(features=["video_ecommerce"])
    lines: list[Any] = [
        {"kind": "video", "content_key": f"v{n}", "title": f"Video {n}", "ecommerce_keys": ["i1"]}
        for n in range(1500)
    ]
    lines.append(
        {
            "kind": "ecommerce_item",
            "ecommerce_key": "i1",
            "ecommerce_name": "One",
            "ecommerce_link": "https://one.example",
        }
    )
    response = _bulk(client, admin_headers, account["id"], lines)
    assert response.status_code == 200
    assert response.json() == {"videos": 1500, "ecommerce_items": 1}
    got = client.get(_url(account["id"], "videos", "v1499"), headers=admin_headers).json()
    assert got["ecommerce_keys"] == ["i1"]


def test_bulk_with_a_bad_line_writes_nothing(
    client: TestClient, admin_headers: dict[str, str], make_account: Callable[..., dict[str, Any]]
) -> None:
    account = make_account(features=["video_ecommerce"])
    lines = [
        {"kind": "video", "content_key": "ok", "title": "Fine"},
        {"kind": "video", "content_key": "bad", "title": ""},
    ]
    response = _bulk(client, admin_headers, account["id"], lines)
    assert response.status_code == 422
    assert "line 2" in response.json()["error"]["message"]
    assert client.get(_url(account["id"], "videos", "ok"), headers=admin_headers).status_code == 404


def test_bulk_over_50_mb_is_413_and_writes_nothing(
    client: TestClient, admin_headers: dict[str, str], make_account: Callable[..., dict[str, Any]]
) -> None:
    account = make_account(features=["video_ecommerce"])
    line = orjson.dumps({"kind": "video", "content_key": "big", "title": "x" * 1000})
    body = b"\n".join([line] * (50 * 1024 * 1024 // len(line) + 1))
    response = client.post(
        f"/admin/v1/accounts/{account['id']}/catalog/bulk",
        content=body,
        headers={**admin_headers, "Content-Type": "application/x-ndjson"},
    )
    assert (response.status_code, response.json()["error"]["code"]) == (413, "too_large")
    stored = client.get(_url(account["id"], "videos", "big"), headers=admin_headers)
    assert stored.status_code == 404


# tenancy -----------------------------------------------------------------------------------


def test_video_of_another_account_is_not_readable(
    client: TestClient, admin_headers: dict[str, str], video_account: Callable[..., dict[str, Any]]
) -> None:
    owner, other = video_account("Owner"), video_account("Other")
    put = client.put(
        _url(owner["id"], "videos", "only-owner"), json={"title": "T"}, headers=admin_headers
    )
    assert put.status_code == 200
    assert (
        client.get(_url(other["id"], "videos", "only-owner"), headers=admin_headers).status_code
        == 404
    )


def test_putting_a_video_changes_only_that_account(
    client: TestClient, admin_headers: dict[str, str], video_account: Callable[..., dict[str, Any]]
) -> None:
    owner, other = video_account("Owner"), video_account("Other")
    put = client.put(
        _url(other["id"], "videos", VIDEO_A), json={"title": "Renamed"}, headers=admin_headers
    )
    assert put.status_code == 200
    got = client.get(_url(owner["id"], "videos", VIDEO_A), headers=admin_headers).json()
    assert got["title"] == f"Video {VIDEO_A}"
    other_got = client.get(_url(other["id"], "videos", VIDEO_A), headers=admin_headers).json()
    assert other_got["title"] == "Renamed"


def test_item_of_another_account_is_not_readable_or_attachable(
    client: TestClient,
    admin_headers: dict[str, str],
    video_account: Callable[..., dict[str, Any]],
    make_account: Callable[..., dict[str, Any]],
) -> None:
    owner = video_account("Owner")
    other = make_account("Other", features=["video_ecommerce"])
    assert (
        client.get(_url(other["id"], "ecommerce-items", ITEM_A), headers=admin_headers).status_code
        == 404
    )
    response = client.put(
        _url(other["id"], "videos", "v"),
        json={"title": "T", "ecommerce_keys": [ITEM_A]},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert client.get(_url(other["id"], "videos", "v"), headers=admin_headers).status_code == 404
    assert (
        client.get(_url(other["id"], "ecommerce-items", ITEM_A), headers=admin_headers).status_code
        == 404
    )
    assert (
        client.get(_url(owner["id"], "ecommerce-items", ITEM_A), headers=admin_headers).status_code
        == 200
    )


def test_putting_an_item_changes_only_that_account(
    client: TestClient, admin_headers: dict[str, str], video_account: Callable[..., dict[str, Any]]
) -> None:
    owner, other = video_account("Owner"), video_account("Other")
    put = client.put(
        _url(other["id"], "ecommerce-items", ITEM_A),
        json={"ecommerce_name": "Changed", "ecommerce_link": "https://changed.example"},
        headers=admin_headers,
    )
    assert put.status_code == 200
    got = client.get(_url(owner["id"], "ecommerce-items", ITEM_A), headers=admin_headers).json()
    assert got["ecommerce_name"] == "Testing"
    other_got = client.get(
        _url(other["id"], "ecommerce-items", ITEM_A), headers=admin_headers
    ).json()
    assert other_got["ecommerce_name"] == "Changed"


def test_bulk_changes_only_that_account(
    client: TestClient, admin_headers: dict[str, str], video_account: Callable[..., dict[str, Any]]
) -> None:
    owner, other = video_account("Owner"), video_account("Other")
    bulk = _bulk(
        client,
        admin_headers,
        other["id"],
        [{"kind": "video", "content_key": VIDEO_A, "title": "Bulk"}],
    )
    assert bulk.status_code == 200
    got = client.get(_url(owner["id"], "videos", VIDEO_A), headers=admin_headers).json()
    assert got["title"] == f"Video {VIDEO_A}"
    other_got = client.get(_url(other["id"], "videos", VIDEO_A), headers=admin_headers).json()
    assert other_got["title"] == "Bulk"


def test_nul_character_in_a_video_is_422_and_not_written(
    client: TestClient, admin_headers: dict[str, str], video_account: Callable[..., dict[str, Any]]
) -> None:
    account = video_account()
    response = client.put(
        _url(account["id"], "videos", "nul"),
        json={"title": "T", "privateTags": ["a\x00b"]},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert (
        client.get(_url(account["id"], "videos", "nul"), headers=admin_headers).status_code == 404
    )


def test_nul_character_in_an_item_is_422(
    client: TestClient, admin_headers: dict[str, str], video_account: Callable[..., dict[str, Any]]
) -> None:
    account = video_account()
    response = client.put(
        _url(account["id"], "ecommerce-items", "nul"),
        json={"ecommerce_name": "a\x00", "ecommerce_link": "https://x.example"},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert (
        client.get(_url(account["id"], "ecommerce-items", "nul"), headers=admin_headers).status_code
        == 404
    )


def test_reading_a_malformed_key_is_404(
    client: TestClient, admin_headers: dict[str, str], video_account: Callable[..., dict[str, Any]]
) -> None:
    account = video_account()
    video = client.get(_url(account["id"], "videos", "a%00b"), headers=admin_headers)
    item = client.get(_url(account["id"], "ecommerce-items", "a%00b"), headers=admin_headers)
    assert (video.status_code, item.status_code) == (404, 404)
