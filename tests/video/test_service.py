"""The video service without HTTP: catalog rules, ingest authentication, batch checks,
file backfill chunks and report parameters."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from commerce_stats.accounts.service import Accounts
from commerce_stats.db.engine import Database
from commerce_stats.kit.ratelimit import MemoryFailureLimiter
from commerce_stats.kit.tenancy import Account
from commerce_stats.video import repository
from commerce_stats.video.catalog import ItemFields, VideoFields
from commerce_stats.video.errors import (
    CatalogFieldError,
    CatalogNotFoundError,
    InvalidParameterError,
    MissingIngestKeyError,
    NoVideoFeatureError,
    RejectedEventsError,
    UnknownVideoKeyError,
    VideoAttemptsError,
    VideoTooLargeError,
)
from commerce_stats.video.events import to_raw_event
from commerce_stats.video.service import (
    MAX_EVENTS_PER_REQUEST,
    MAX_REPORT_DAYS,
    VideoService,
    parse_report_query,
)

AccountMaker = Callable[..., tuple[Account, dict[str, str]]]
LINK = "https://shop.example/item-1"
RECEIVED = datetime(2022, 10, 14, 12, 0, tzinfo=UTC)


@pytest.fixture
def service(database: Database, accounts: Accounts) -> VideoService:
    return VideoService(database, accounts, failures=MemoryFailureLimiter(2, 60))


@pytest.fixture
def shop(make_service_account: AccountMaker) -> tuple[Account, dict[str, str]]:
    return make_service_account("Shop", features=["video_ecommerce"])


@pytest.fixture
def stocked(service: VideoService, shop: tuple[Account, dict[str, str]]) -> Account:
    """The shop with one item and one video showing it."""
    account, _credentials = shop
    service.put_item(account.id, "item-1", ItemFields(ecommerce_name="Mug", ecommerce_link=LINK))
    service.put_video(account.id, "video-1", VideoFields(title="Intro", ecommerce_keys=["item-1"]))
    return account


def _event(type_: str = "ecommerce_viewed", content_key: str = "video-1") -> dict[str, object]:
    return {
        "type": type_,
        "content_key": content_key,
        "ecommerce_key": "item-1",
        "timestamp": "2022-10-14T12:00:00Z",
        "device_type": "Desktop",
    }


# catalog ----------------------------------------------------------------------------------


def test_put_video_answers_the_stored_video_with_its_items(
    service: VideoService, stocked: Account
) -> None:
    video = service.put_video(
        stocked.id, "video-2", VideoFields(title="Two", duration=12.5, ecommerce_keys=["item-1"])
    )

    assert (video["content_key"], video["duration"], video["ecommerce_keys"]) == (
        "video-2",
        "12.5",
        ["item-1"],
    )


def test_get_video_answers_the_stored_fields(service: VideoService, stocked: Account) -> None:
    video = service.get_video(stocked.id, "video-1")

    assert (video["title"], video["description"], video["ecommerce_keys"]) == (
        "Intro",
        "",
        ["item-1"],
    )


def test_put_video_refuses_an_unknown_item_and_writes_nothing(
    service: VideoService, shop: tuple[Account, dict[str, str]]
) -> None:
    account, _credentials = shop
    with pytest.raises(CatalogFieldError) as refused:
        service.put_video(account.id, "video-2", VideoFields(title="X", ecommerce_keys=["nope"]))

    assert refused.value.field == "ecommerce_keys"
    with pytest.raises(CatalogNotFoundError):
        service.get_video(account.id, "video-2")


def test_put_video_refuses_a_malformed_key(
    service: VideoService, shop: tuple[Account, dict[str, str]]
) -> None:
    account, _credentials = shop
    with pytest.raises(CatalogFieldError) as refused:
        service.put_video(account.id, "bad key!", VideoFields(title="X"))

    assert refused.value.field == "content_key"


def test_another_account_does_not_see_the_video(
    service: VideoService, stocked: Account, make_service_account: AccountMaker
) -> None:
    other, _credentials = make_service_account("Other", features=["video_ecommerce"])

    with pytest.raises(CatalogNotFoundError):
        service.get_video(other.id, "video-1")


def test_get_item_answers_the_stored_item(service: VideoService, stocked: Account) -> None:
    assert service.get_item(stocked.id, "item-1") == {
        "ecommerce_key": "item-1",
        "ecommerce_link": LINK,
        "ecommerce_name": "Mug",
    }


def test_get_item_of_a_malformed_key_is_not_found(service: VideoService, stocked: Account) -> None:
    with pytest.raises(CatalogNotFoundError):
        service.get_item(stocked.id, "bad key!")


def test_bulk_upsert_writes_items_before_the_videos_naming_them(
    service: VideoService, shop: tuple[Account, dict[str, str]]
) -> None:
    account, _credentials = shop
    lines = [
        {"kind": "video", "content_key": "v-9", "title": "Nine", "ecommerce_keys": ["i-9"]},
        {
            "kind": "ecommerce_item",
            "ecommerce_key": "i-9",
            "ecommerce_name": "N",
            "ecommerce_link": LINK,
        },
    ]
    written = service.bulk_upsert(account.id, "\n".join(map(json.dumps, lines)).encode())

    assert written == (1, 1)
    assert service.get_video(account.id, "v-9")["ecommerce_keys"] == ["i-9"]


def test_bulk_upsert_with_a_bad_line_writes_nothing(
    service: VideoService, shop: tuple[Account, dict[str, str]]
) -> None:
    account, _credentials = shop
    lines = [
        {
            "kind": "ecommerce_item",
            "ecommerce_key": "i-9",
            "ecommerce_name": "N",
            "ecommerce_link": LINK,
        },
        {
            "kind": "ecommerce_item",
            "ecommerce_key": "i-8",
            "ecommerce_name": "N",
            "ecommerce_link": "ftp://x",
        },
    ]
    with pytest.raises(CatalogFieldError) as refused:
        service.bulk_upsert(account.id, "\n".join(map(json.dumps, lines)).encode())

    assert str(refused.value).startswith("1 bad line(s), nothing written: line 2:")
    with pytest.raises(CatalogNotFoundError):
        service.get_item(account.id, "i-9")


# ingest -----------------------------------------------------------------------------------


def test_ingest_without_a_key_is_refused(service: VideoService) -> None:
    with pytest.raises(MissingIngestKeyError):
        service.authenticate_ingest(None)


def test_ingest_with_an_unknown_key_is_refused(service: VideoService, stocked: Account) -> None:
    with pytest.raises(UnknownVideoKeyError):
        service.authenticate_ingest("not-a-key", client="10.0.0.1")


def test_ingest_key_of_an_account_without_video_is_refused(
    service: VideoService, make_service_account: AccountMaker
) -> None:
    _account, credentials = make_service_account("Plain", features=["affiliate"])

    with pytest.raises(NoVideoFeatureError):
        service.authenticate_ingest(credentials["ingest_key"])


def test_ingest_key_names_its_account(
    service: VideoService, shop: tuple[Account, dict[str, str]]
) -> None:
    account, credentials = shop

    assert service.authenticate_ingest(credentials["ingest_key"]).id == account.id


def test_client_past_the_failure_limit_is_refused_even_with_a_right_key(
    service: VideoService, shop: tuple[Account, dict[str, str]]
) -> None:
    _account, credentials = shop
    for _attempt in range(2):
        with pytest.raises(UnknownVideoKeyError):
            service.authenticate_ingest("wrong", client="10.0.0.2")

    with pytest.raises(VideoAttemptsError):
        service.authenticate_ingest(credentials["ingest_key"], client="10.0.0.2")


def test_failures_of_one_client_do_not_refuse_another(
    service: VideoService, shop: tuple[Account, dict[str, str]]
) -> None:
    account, credentials = shop
    for _attempt in range(2):
        with pytest.raises(UnknownVideoKeyError):
            service.authenticate_ingest("wrong", client="10.0.0.3")

    assert service.authenticate_ingest(credentials["ingest_key"], client="10.0.0.4").id == (
        account.id
    )


def test_prepare_refuses_more_events_than_a_request_may_carry(
    service: VideoService, stocked: Account
) -> None:
    events = [to_raw_event(_event())] * (MAX_EVENTS_PER_REQUEST + 1)

    with pytest.raises(VideoTooLargeError):
        service.prepare(stocked, events, "test-agent", RECEIVED)


def test_prepare_lists_every_rejected_event(service: VideoService, stocked: Account) -> None:
    events = [
        to_raw_event(_event()),
        to_raw_event(_event(content_key="unknown-video")),
        to_raw_event(_event(type_="no_such_type")),
    ]
    with pytest.raises(RejectedEventsError) as refused:
        service.prepare(stocked, events, "test-agent", RECEIVED)

    assert str(refused.value) == "2 of 3 events rejected; nothing was counted"
    assert [index for index, _reason in refused.value.problems] == [1, 2]


def test_prepare_counts_the_batch_of_good_events(service: VideoService, stocked: Account) -> None:
    batch = service.prepare(stocked, [to_raw_event(_event())] * 3, "test-agent", RECEIVED)

    assert (batch.received, batch.bots, sum(map(sum, batch.plain.values()))) == (3, 0, 3)


def test_file_chunk_commits_the_good_lines_and_numbers_the_bad_ones(
    service: VideoService, stocked: Account, database: Database
) -> None:
    lines = [
        json.dumps(_event()).encode(),
        b"{not json",
        b"",
        json.dumps(_event("ecommerce_clicked")).encode(),
        json.dumps(_event(content_key="unknown-video")).encode(),
    ]
    result, problems = service.ingest_file_chunk(stocked, lines, first_line=10)

    assert (result.received, result.counted) == (2, 2)
    assert [number for number, _reason in problems] == [11, 14]
    with database.read() as conn:
        assert repository.counter_totals(conn, stocked.id) == (1, 2)


# report -----------------------------------------------------------------------------------


def _query(**params: str) -> dict[str, str]:
    return {"organization_key": "k", "start_date": "2022-10-01", "end_date": "2022-10-31", **params}


def test_report_query_reads_every_parameter() -> None:
    query = parse_report_query(
        _query(content_key="video-1", include_video_data="1", include_ecommerce_data="0")
    )

    assert (
        query.first,
        query.last,
        query.content_key,
        query.include_video_data,
        query.include_ecommerce_data,
    ) == (date(2022, 10, 1), date(2022, 10, 31), "video-1", True, False)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"organization_key": ""}, "organization_key"),
        ({"start_date": "2022-10-1"}, "start_date"),
        ({"start_date": "2022-02-30"}, "start_date"),
        ({"end_date": "2022-09-30"}, "end_date"),
        ({"include_video_data": "yes"}, "include_video_data"),
        ({"content_key": "a\x00b"}, "content_key"),
    ],
)
def test_report_query_refusal_names_the_parameter(params: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidParameterError) as refused:
        parse_report_query(_query(**params))

    assert refused.value.field == field


def test_report_query_refuses_a_range_longer_than_the_limit() -> None:
    with pytest.raises(InvalidParameterError) as refused:
        parse_report_query(_query(start_date="2000-01-01", end_date="2022-01-01"))

    assert (
        str(refused.value) == f"invalid end_date: the range is longer than {MAX_REPORT_DAYS} days"
    )


def test_report_reads_only_the_key_owners_counters(
    service: VideoService,
    stocked: Account,
    shop: tuple[Account, dict[str, str]],
    make_service_account: AccountMaker,
) -> None:
    other, _other_credentials = make_service_account("Other", features=["video_ecommerce"])
    service.put_item(other.id, "item-1", ItemFields(ecommerce_name="Cup", ecommerce_link=LINK))
    service.put_video(other.id, "video-1", VideoFields(title="Other", ecommerce_keys=["item-1"]))
    service.ingest_file_chunk(stocked, [json.dumps(_event()).encode()] * 2, first_line=1)
    service.ingest_file_chunk(other, [json.dumps(_event()).encode()] * 5, first_line=1)
    _account, credentials = shop

    report = service.report(_query(organization_key=credentials["organization_key"]), "10.0.0.5")
    with report.open() as parts:
        rows = [row for chunk in parts.rows for row in chunk]

    assert [(row[0], row[4]) for row in rows] == [("video-1", 2)]
