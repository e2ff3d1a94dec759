"""HTTP surface of the video domain: ``/prod`` (ingestion, report) and the catalog admin API.

The ``/prod`` routes answer errors as ``{"status": "error", "message": ...}`` like the
report API; the admin routes use the shared admin envelope.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response, StreamingResponse

from commerce_stats.kit.admin_http import AccountId, admin_router
from commerce_stats.kit.web import (
    body_limit,
    client_address,
    first_error_location,
    read_capped_body,
    size_text,
    surface_route_class,
)
from commerce_stats.runtime import Runtime
from commerce_stats.video.catalog import CatalogVideo, ItemFields, ItemInfo, VideoFields
from commerce_stats.video.clickhouse_store import open_store
from commerce_stats.video.errors import (
    CatalogTooLargeError,
    InvalidParameterError,
    VideoError,
    VideoInternalError,
    VideoTooLargeError,
)
from commerce_stats.video.events import BatchResult, RawEvent
from commerce_stats.video.http_errors import render_video_error
from commerce_stats.video.schemas import (
    BulkResult,
    ErrorAnswer,
    IngestAnswer,
    ItemOut,
    VideoOut,
    stats_rows_json,
)
from commerce_stats.video.service import MAX_BODY_BYTES, MAX_BULK_BYTES, Report, VideoService

SERVICE_KEY = "video"
log = logging.getLogger("commerce_stats.video")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, X-Ingest-Key",
    "Access-Control-Max-Age": "86400",
}
PIXEL_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
PIXEL_FIELDS = ("content_key", "ecommerce_key", "type", "event_id", "device_type", "timestamp")
EVENTS_BODY = {
    "required": True,
    "description": "Events as a JSON array, NDJSON, or a sendBeacon text/plain body.",
    "content": {
        media: {"schema": {"type": "string"}}
        for media in ("application/json", "application/x-ndjson", "text/plain")
    },
}
NDJSON_BODY = {
    "required": True,
    "description": "One JSON object a line (a video or an ecommerce item).",
    "content": {
        media: {"schema": {"type": "string"}} for media in ("application/x-ndjson", "text/plain")
    },
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorAnswer, "description": text}
    for status, text in (
        (400, "Bad or missing parameter, or a body that is not JSON/NDJSON"),
        (401, "Unknown or missing key"),
        (403, "The organization has no video ecommerce add-on"),
        (413, "Too many events or too large a body"),
        (429, "Too many failed key attempts from this address (Retry-After)"),
        (422, "Some events were rejected (each listed with its index); nothing was counted"),
        (503, "The events could not be committed; nothing was counted"),
    )
}


def _from_validation(exc: RequestValidationError) -> VideoError:
    field, message = first_error_location(exc)
    return InvalidParameterError(f"invalid {field}: {message}", field=field)


def _internal() -> VideoError:
    return VideoInternalError()


def _too_large(limit: int) -> VideoError:
    return VideoTooLargeError(f"body is larger than {size_text(limit)}")


VideoRoute = surface_route_class(
    VideoError,
    render_video_error,
    _from_validation,
    _internal,
    too_large=_too_large,
    default_body_limit=MAX_BODY_BYTES,
)
router = APIRouter(prefix="/prod", tags=["video ecommerce"], route_class=VideoRoute)
admin = admin_router(tags=["admin: video catalog"])


def _service_of(request: Request) -> VideoService:
    runtime: Runtime = request.app.state.runtime
    service: VideoService = runtime.services[SERVICE_KEY]
    return service


async def _service(request: Request) -> VideoService:
    """The process's video service. A coroutine on purpose: FastAPI runs a plain-function
    dependency in the thread pool, which cost the beacon route about half its time."""
    return _service_of(request)


ServiceDep = Annotated[VideoService, Depends(_service)]


def start_video(runtime: Runtime) -> None:
    """Startup hook: the service and its group-commit thread."""
    settings = runtime.settings
    service = VideoService(
        runtime.database,
        runtime.accounts,
        runtime.failures,
        clickhouse=open_store(settings.clickhouse_url, settings.clickhouse_cluster),
    )
    service.start()
    runtime.services[SERVICE_KEY] = service


def stop_video(runtime: Runtime) -> None:
    """Shutdown hook: commit everything pending, then stop."""
    service: VideoService | None = runtime.services.pop(SERVICE_KEY, None)
    if service is not None:
        service.stop()


def _ingest_answer(result: BatchResult) -> Response:
    body = {
        "data": {
            "received": result.received,
            "counted": result.counted,
            "duplicates": result.duplicates,
            "bots": result.bots,
        },
        "message": "ok",
        "status": "ok",
    }
    return Response(orjson.dumps(body), media_type="application/json", headers=CORS_HEADERS)


async def _capped_body(request: Request) -> bytes:
    return await read_capped_body(request, MAX_BODY_BYTES, lambda: _too_large(MAX_BODY_BYTES))


def _ingest_key(request: Request) -> str | None:
    return request.headers.get("x-ingest-key") or request.query_params.get("ingest_key")


@router.post(
    "/events",
    response_model=IngestAnswer,
    responses=ERROR_RESPONSES,
    openapi_extra={"requestBody": EVENTS_BODY},
)
@body_limit(MAX_BODY_BYTES)
async def post_events(request: Request) -> Response:
    """A batch of events: a JSON array, NDJSON, or a ``sendBeacon`` text/plain body.

    Answered only after the events are committed; all-or-nothing (422 lists bad events).
    The ingest key is checked before a byte of the body is read.
    """
    service = _service_of(request)
    account = service.authenticate_ingest(_ingest_key(request), client_address(request))
    result = await service.ingest(
        account, await _capped_body(request), request.headers.get("user-agent", "")
    )
    return _ingest_answer(result)


@router.options("/events", include_in_schema=False)
@router.options("/pixel.gif", include_in_schema=False)
async def preflight() -> Response:
    return Response(status_code=204, headers=CORS_HEADERS)


def _pixel_event(request: Request) -> RawEvent:
    """The event of a pixel's query string; an absent or empty parameter is not sent."""
    query = request.query_params

    def text(name: str) -> str | None:
        return query.get(name) or None

    timestamp = text("timestamp")
    return RawEvent(
        type=text("type"),
        content_key=text("content_key"),
        ecommerce_key=text("ecommerce_key"),
        timestamp=None if timestamp is None else _epoch_ms(timestamp),
        device_type=text("device_type"),
        event_id=text("event_id"),
    )


def _epoch_ms(value: str) -> int | str:
    """A pixel's ``timestamp``: ASCII digits are epoch milliseconds, anything else is ISO text.

    More than 18 digits (past any epoch millisecond accepted) stay text, refused as out of
    range, instead of becoming a number that Python may refuse to convert from text."""
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return value


async def pixel(request: Request) -> Response:
    """``GET /prod/pixel.gif``: one event from the query string, a 1x1 GIF once committed.

    A plain Starlette endpoint rather than a FastAPI route: FastAPI's request handling
    (dependency solving, the route wrapper) was a third of a beacon's cost when measured
    (docs/performance.md). It renders its errors in the surface's envelope itself.
    """
    try:
        await _service_of(request).ingest_one(
            _ingest_key(request),
            _pixel_event(request),
            request.headers.get("user-agent", ""),
            client_address(request),
        )
    except VideoError as error:
        return render_video_error(error)
    except Exception:
        log.exception("unhandled error on GET /prod/pixel.gif")
        return render_video_error(_internal())
    return Response(
        PIXEL_GIF,
        media_type="image/gif",
        headers={"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"},
    )


router.add_route("/prod/pixel.gif", pixel, methods=["GET"], include_in_schema=False)


def _report_chunks(report: Report) -> Iterator[bytes]:
    """The seed's envelope, written piece by piece so a large answer never sits in memory."""
    with report.open() as parts:
        yield b'{"data":{'
        if parts.ecommerce_info is not None:
            yield b'"ecommerce_info":' + orjson.dumps(parts.ecommerce_info) + b","
        yield b'"ecommerce_stats":['
        separator = b""
        for chunk in parts.rows:
            if chunk:
                yield separator + stats_rows_json(chunk)
                separator = b","
        yield b"]"
        if parts.video_info is not None:
            yield b',"video_info":' + orjson.dumps(parts.video_info)
        yield b'},"message":"ok","status":"ok"}'


@router.get(
    "/get_ecommerce_reports",
    responses=ERROR_RESPONSES,
    response_class=StreamingResponse,
    openapi_extra={
        "parameters": [
            {"name": name, "in": "query", "required": required, "schema": {"type": "string"}}
            for name, required in (
                ("organization_key", True),
                ("start_date", True),
                ("end_date", True),
                ("content_key", False),
                ("include_video_data", False),
                ("include_ecommerce_data", False),
            )
        ]
    },
)
def get_ecommerce_reports(request: Request, service: ServiceDep) -> StreamingResponse:
    """Ecommerce statistics per video, UTC day, device type and item (seed 000)."""
    report = service.report(dict(request.query_params), client_address(request))
    return StreamingResponse(_report_chunks(report), media_type="application/json")


# Catalog admin ------------------------------------------------------------------------------


@admin.put("/accounts/{account_id}/videos/{content_key}", response_model=VideoOut)
def put_video(
    account_id: AccountId, content_key: str, body: VideoFields, service: ServiceDep
) -> CatalogVideo:
    """Create or replace a video (every ``video_info`` field) and its attached items."""
    return service.put_video(account_id, content_key, body)


@admin.get("/accounts/{account_id}/videos/{content_key}", response_model=VideoOut)
def get_video(account_id: AccountId, content_key: str, service: ServiceDep) -> CatalogVideo:
    return service.get_video(account_id, content_key)


@admin.put("/accounts/{account_id}/ecommerce-items/{ecommerce_key}", response_model=ItemOut)
def put_item(
    account_id: AccountId, ecommerce_key: str, body: ItemFields, service: ServiceDep
) -> ItemInfo:
    return service.put_item(account_id, ecommerce_key, body)


@admin.get("/accounts/{account_id}/ecommerce-items/{ecommerce_key}", response_model=ItemOut)
def get_item(account_id: AccountId, ecommerce_key: str, service: ServiceDep) -> ItemInfo:
    return service.get_item(account_id, ecommerce_key)


@admin.post(
    "/accounts/{account_id}/catalog/bulk",
    response_model=BulkResult,
    openapi_extra={"requestBody": NDJSON_BODY},
)
@body_limit(MAX_BULK_BYTES)
async def bulk_catalog(account_id: AccountId, request: Request) -> BulkResult:
    """NDJSON, one object a line: ``{"kind": "video", "content_key": ..., <video fields>}``
    or ``{"kind": "ecommerce_item", "ecommerce_key": ..., "ecommerce_name", "ecommerce_link"}``.
    All-or-nothing: a bad line refuses the whole body (422 naming the lines)."""
    body = await read_capped_body(
        request,
        MAX_BULK_BYTES,
        lambda: CatalogTooLargeError(f"body is larger than {size_text(MAX_BULK_BYTES)}"),
    )
    videos, items = await run_in_threadpool(_service_of(request).bulk_upsert, account_id, body)
    return BulkResult(videos=videos, ecommerce_items=items)
