"""HTTP routes of the affiliate network: admin model API, tracking, exports, uploads."""

from __future__ import annotations

import threading
from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import (
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.concurrency import run_in_threadpool

from commerce_stats.affiliate import exporting, ingest, upload
from commerce_stats.affiliate.errors import (
    AffiliateError,
    InvalidUploadRequestError,
    UnknownExportLinkError,
)
from commerce_stats.affiliate.filters import IGNORED_HEADER, ignored_header_value
from commerce_stats.affiliate.http_errors import (
    admin_refusals,
    from_validation,
    internal,
    render_plain,
    render_upload,
    too_large,
)
from commerce_stats.affiliate.manual_statistics import ManualEntry, StatusEntry
from commerce_stats.affiliate.model import RateSpec
from commerce_stats.affiliate.rules import MAX_BIG_ID, MAX_ID
from commerce_stats.affiliate.schemas import (
    CLICK_RESPONSES,
    EXPORT_RESPONSES,
    LIFECYCLE_RESPONSES,
    UPLOAD_RESPONSES,
    AdmediaIn,
    AdmediaOut,
    AdvertiserIn,
    AdvertiserOut,
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    CancelIn,
    GroupIn,
    ListingOut,
    ManualStatisticIn,
    ManualStatisticOut,
    ManualStatisticsOut,
    MembershipIn,
    MembershipOut,
    NewGroupOut,
    NewPublisherOut,
    PartialCancelIn,
    PayoutIn,
    PayoutOut,
    ProjectIn,
    ProjectOut,
    PublisherIn,
    RateIn,
    RatesOut,
    TokenOut,
    TransactionOut,
    TriggerIn,
    TriggerOut,
    UploadCountsOut,
    upload_counts,
)
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.affiliate.tracking import (
    COOKIE_DAYS,
    NO_CACHE,
    PIXEL_GIF,
    click_cookie,
    click_input,
    conversion_input,
    view_cookie,
    view_input,
)
from commerce_stats.kit.admin_http import admin_router
from commerce_stats.kit.exports import MEDIA_TYPES, stop_when
from commerce_stats.kit.multipart import FormError, read_fields_then_file
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.web import (
    KIB,
    BodyTooLarge,
    StoppableStreamingResponse,
    body_limit,
    cap_body,
    client_address,
    closing,
    log,
    read_capped_body,
    surface_route_class,
)
from commerce_stats.runtime import Runtime, get_runtime

DEFAULT_BODY_LIMIT = 64 * KIB
"""Largest body of a public affiliate route that declares none (the conversion pixel's form)."""
MULTIPART_ALLOWANCE = 64 * KIB
"""What the CSV upload's multipart body may carry beyond its file: boundaries, part headers
and the login_id, token and section fields."""

PublicRoute = surface_route_class(
    AffiliateError,
    render_plain,
    from_validation,
    internal,
    too_large=too_large,
    default_body_limit=DEFAULT_BODY_LIMIT,
)
"""The tracking URLs and the exports: refusals in plain text."""
UploadRoute = surface_route_class(
    AffiliateError,
    render_upload,
    from_validation,
    internal,
    too_large=too_large,
    default_body_limit=DEFAULT_BODY_LIMIT,
)
"""The order uploads: refusals in the uploads' JSON envelope."""
public_router = APIRouter(route_class=PublicRoute, tags=["affiliate"])
pixel_router = APIRouter(tags=["affiliate"])
"""The view and conversion pixels, plain Starlette endpoints that render their own errors.
Mounted before every other router (``PIXEL_ROUTERS``): FastAPI tries the routes in order,
and walking the admin routes first cost a view pixel about a third of its time."""
upload_router = APIRouter(route_class=UploadRoute, tags=["affiliate"])
router = admin_router(tags=["admin: affiliate"])


IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
BigIdPath = Annotated[int, Path(ge=1, le=MAX_BIG_ID)]


def _network(runtime: Annotated[Runtime, Depends(get_runtime)]) -> AffiliateNetwork:
    return AffiliateNetwork(runtime.database, runtime.accounts, runtime.failures)


def _account(account_id: IdPath, runtime: Annotated[Runtime, Depends(get_runtime)]) -> Account:
    return runtime.accounts.get(account_id)


NetworkDep = Annotated[AffiliateNetwork, Depends(_network)]
AccountDep = Annotated[Account, Depends(_account)]
BASE = "/accounts/{account_id}/affiliate"

# -- admin: the model ----------------------------------------------------------------------


@router.post(f"{BASE}/advertisers", status_code=201, response_model=AdvertiserOut)
@admin_refusals
def create_advertiser(body: AdvertiserIn, account: AccountDep, network: NetworkDep) -> object:
    return network.model.create_advertiser(account, body.name)


@router.post(f"{BASE}/campaigns", status_code=201, response_model=CampaignOut)
@admin_refusals
def create_campaign(body: CampaignIn, account: AccountDep, network: NetworkDep) -> object:
    return network.model.create_campaign(
        account,
        body.advertiser_id,
        body.title,
        body.target_url,
        body.currency,
        body.postview_window_hours,
    )


@router.patch(f"{BASE}/campaigns/{{campaign_id}}", response_model=CampaignOut)
@admin_refusals
def update_campaign(
    campaign_id: IdPath, body: CampaignPatch, account: AccountDep, network: NetworkDep
) -> object:
    return network.model.set_postview_window(account, campaign_id, body.postview_window_hours)


@router.post(
    f"{BASE}/campaigns/{{campaign_id}}/admedia", status_code=201, response_model=AdmediaOut
)
@admin_refusals
def create_admedia(
    campaign_id: IdPath, body: AdmediaIn, account: AccountDep, network: NetworkDep
) -> object:
    return network.model.create_admedia(
        account, campaign_id, body.title, body.kind, body.target_url
    )


@router.get(f"{BASE}/admedia/{{admedia_id}}", response_model=AdmediaOut)
@admin_refusals
def get_admedia(admedia_id: IdPath, account: AccountDep, network: NetworkDep) -> object:
    return network.model.admedia(account, admedia_id)


@router.post(
    f"{BASE}/campaigns/{{campaign_id}}/triggers", status_code=201, response_model=TriggerOut
)
@admin_refusals
def create_trigger(
    campaign_id: IdPath, body: TriggerIn, account: AccountDep, network: NetworkDep
) -> object:
    return network.model.create_trigger(account, campaign_id, body.title)


def _rates(rates: list[RateIn]) -> list[RateSpec]:
    return [RateSpec(rate.trigger_id, rate.trigger_type, rate.trigger_value) for rate in rates]


@router.post(f"{BASE}/campaigns/{{campaign_id}}/groups", status_code=201)
@admin_refusals
def create_group(
    campaign_id: IdPath, body: GroupIn, account: AccountDep, network: NetworkDep
) -> NewGroupOut:
    created = network.model.create_group(
        account, campaign_id, body.title, _rates(body.triggers), default=body.default
    )
    return NewGroupOut(**asdict(created.group), default=created.default)


@router.put(f"{BASE}/groups/{{group_id}}/triggers")
@admin_refusals
def set_group_rates(
    group_id: IdPath, body: list[RateIn], account: AccountDep, network: NetworkDep
) -> RatesOut:
    stored = network.model.set_rates(account, group_id, _rates(body))
    return RatesOut.model_validate({"rates": [asdict(rate) for rate in stored]})


@router.post(f"{BASE}/publishers", status_code=201)
@admin_refusals
def create_publisher(
    body: PublisherIn, account: AccountDep, network: NetworkDep
) -> NewPublisherOut:
    publisher, token = network.model.create_publisher(
        account, body.prename, body.surname, body.searchtitle
    )
    return NewPublisherOut(**asdict(publisher), access_token=token)


@router.post(f"{BASE}/publishers/{{publisher_id}}/token")
@admin_refusals
def rotate_publisher_token(
    publisher_id: IdPath, account: AccountDep, network: NetworkDep
) -> TokenOut:
    return TokenOut(access_token=network.model.rotate_publisher_token(account, publisher_id))


@router.post(
    f"{BASE}/publishers/{{publisher_id}}/projects", status_code=201, response_model=ProjectOut
)
@admin_refusals
def create_project(
    publisher_id: IdPath, body: ProjectIn, account: AccountDep, network: NetworkDep
) -> object:
    return network.model.create_project(account, publisher_id, body.title)


@router.put(
    f"{BASE}/campaigns/{{campaign_id}}/publishers/{{publisher_id}}", response_model=MembershipOut
)
@admin_refusals
def assign_group(
    campaign_id: IdPath,
    publisher_id: IdPath,
    body: MembershipIn,
    account: AccountDep,
    network: NetworkDep,
) -> object:
    return network.model.assign_group(account, campaign_id, publisher_id, body.group_id)


# -- admin: manual statistics (before the listing, whose path would take theirs) --------


def _manual_entry(body: ManualStatisticIn) -> ManualEntry:
    statuses = {
        name: StatusEntry(figures.count, figures.commission, figures.turnover)
        for name, figures in (
            ("open", body.open),
            ("confirmed", body.confirmed),
            ("canceled", body.canceled),
            ("paid", body.paid),
        )
    }
    return ManualEntry(
        day=body.day,
        campaign_id=body.campaign_id,
        publisher_id=body.publisher_id,
        project_id=body.project_id,
        admedia_id=body.admedia_id,
        views=body.views,
        clicks=body.clicks,
        statuses=statuses,
        note=body.note,
    )


@router.post(f"{BASE}/manual-statistics", status_code=201, response_model=ManualStatisticOut)
@admin_refusals
def create_manual_statistic(
    body: ManualStatisticIn, account: AccountDep, network: NetworkDep
) -> object:
    return asdict(network.manual.create(account, _manual_entry(body)))


@router.get(f"{BASE}/manual-statistics", response_model=ManualStatisticsOut)
@admin_refusals
def list_manual_statistics(
    account: AccountDep,
    network: NetworkDep,
    start: Annotated[date | None, Query()] = None,
    end: Annotated[date | None, Query()] = None,
) -> object:
    rows = network.manual.listing(account, start, end)
    return {"manual_statistics": [asdict(row) for row in rows]}


@router.delete(f"{BASE}/manual-statistics/{{row_id}}", status_code=204)
@admin_refusals
def delete_manual_statistic(row_id: IdPath, account: AccountDep, network: NetworkDep) -> Response:
    network.manual.delete(account, row_id)
    return Response(status_code=204)


@router.get(BASE + "/{kind}", response_model=ListingOut, response_model_exclude_unset=True)
@admin_refusals
def list_items(kind: str, account: AccountDep, network: NetworkDep) -> ListingOut:
    items = network.model.listing(account, kind)
    return ListingOut.model_validate({kind: [asdict(item) for item in items]})


# -- admin: the lifecycle ----------------------------------------------------------------


@router.get(f"{BASE}/transactions/{{transaction_id}}", response_model=TransactionOut)
@admin_refusals
def get_transaction(transaction_id: BigIdPath, account: AccountDep, network: NetworkDep) -> object:
    return network.lifecycle.transaction(account, transaction_id)


@router.post(
    f"{BASE}/transactions/{{transaction_id}}/confirm",
    response_model=TransactionOut,
    responses=LIFECYCLE_RESPONSES,
)
@admin_refusals
def confirm(transaction_id: BigIdPath, account: AccountDep, network: NetworkDep) -> object:
    return network.lifecycle.confirm(account, transaction_id)


@router.post(
    f"{BASE}/transactions/{{transaction_id}}/cancel",
    response_model=TransactionOut,
    responses=LIFECYCLE_RESPONSES,
)
@admin_refusals
def cancel(
    transaction_id: BigIdPath, body: CancelIn, account: AccountDep, network: NetworkDep
) -> object:
    return network.lifecycle.cancel(account, transaction_id, body.cancel_reason)


@router.post(
    f"{BASE}/transactions/{{transaction_id}}/partial-cancel",
    response_model=TransactionOut,
    responses=LIFECYCLE_RESPONSES,
)
@admin_refusals
def partial_cancel(
    transaction_id: BigIdPath, body: PartialCancelIn, account: AccountDep, network: NetworkDep
) -> object:
    return network.lifecycle.partial_cancel(account, transaction_id, body.turnover)


@router.post(f"{BASE}/payouts", status_code=201, response_model=PayoutOut)
@admin_refusals
def payout(body: PayoutIn, account: AccountDep, network: NetworkDep) -> object:
    return network.lifecycle.payout(account, body.publisher_id)


# -- tracking ----------------------------------------------------------------------------


@public_router.get(
    "/trck/eclick/", status_code=302, response_class=RedirectResponse, responses=CLICK_RESPONSES
)
def track_click(request: Request, network: NetworkDep) -> Response:
    """A publisher's tracked link: records the click, redirects with ``emid``."""
    click = click_input(request.query_params, request.headers, client_address(request))
    click_id, location = network.tracker.track_click(click)
    response = RedirectResponse(location, status_code=302, headers=NO_CACHE)
    name, value = click_cookie(click.campaign_id, click_id)
    response.set_cookie(name, value, max_age=COOKIE_DAYS * 86400, httponly=True, samesite="lax")
    return response


async def view_pixel(request: Request) -> Response:
    """``GET /trck/eview/``: the view pixel, a 1x1 GIF once the view is durable, with the
    cookie ``emv_<campaign_id>=<view id>`` for postview attribution. A bot's view is
    answered and not recorded (no cookie). A plain Starlette endpoint, as the conversion
    pixel."""
    try:
        view = view_input(request.query_params, request.headers, client_address(request))
        view_id = await ingest.record_view(get_runtime(request), view)
    except AffiliateError as error:
        return render_plain(error)
    except Exception:
        log.exception("unhandled error on GET /trck/eview/")
        return render_plain(internal())
    response = Response(PIXEL_GIF, media_type="image/gif", headers=NO_CACHE)
    if view_id is not None:
        name, value = view_cookie(view.campaign_id, view_id)
        response.set_cookie(name, value, max_age=COOKIE_DAYS * 86400, httponly=True, samesite="lax")
    return response


pixel_router.add_route("/trck/eview/", view_pixel, methods=["GET"], include_in_schema=False)


async def conversion_pixel(request: Request) -> Response:
    """``GET|POST /trck/etrack/``: the conversion pixel, a 1x1 GIF (``t=img``, default) or an
    empty script (``t=js``) once the conversion is committed; a POST's form fields count
    as parameters too.

    A plain Starlette endpoint rather than a FastAPI route, as the video pixel: FastAPI's
    request handling (dependency solving, the route wrappers) is a large share of a
    pixel's cost. It renders its errors in the surface's envelope itself.
    """
    try:
        params = dict(request.query_params)
        if request.method == "POST":
            cap_body(request, DEFAULT_BODY_LIMIT)
            form = await request.form()
            params.update({key: value for key, value in form.items() if isinstance(value, str)})
        conversion = conversion_input(
            params, request.headers, request.cookies, client_address(request)
        )
        await ingest.record(get_runtime(request), conversion)
    except AffiliateError as error:
        return render_plain(error)
    except BodyTooLarge as error:
        return closing(
            PlainTextResponse(f"form is larger than {error.limit} bytes", status_code=413)
        )
    except Exception:
        log.exception("unhandled error on %s /trck/etrack/", request.method)
        return render_plain(internal())
    if conversion.source == "js":
        return Response(b"", media_type="application/javascript", headers=NO_CACHE)
    return Response(PIXEL_GIF, media_type="image/gif", headers=NO_CACHE)


pixel_router.add_route(
    "/trck/etrack/", conversion_pixel, methods=["GET", "POST"], include_in_schema=False
)


# -- exports -------------------------------------------------------------------------------


EXPORT_PATH = "/{access_token}/{role}/{owner_id}/{filename}"


@public_router.get(
    "/api" + EXPORT_PATH, response_class=StreamingResponse, responses=EXPORT_RESPONSES
)
@public_router.get("/api/" + EXPORT_PATH, response_class=StreamingResponse, include_in_schema=False)
def export_report(
    access_token: str,
    role: str,
    owner_id: str,
    filename: str,
    request: Request,
    network: NetworkDep,
) -> Response:
    """The Transaktions-API (``get-statistic_transactions``) and its sibling reports."""
    stopped = threading.Event()
    prepared = exporting.export(
        network,
        access_token,
        role,
        owner_id,
        filename,
        request.query_params.multi_items(),
        client_address(request),
        progress=stop_when(stopped),
        base_url=str(request.base_url).rstrip("/"),
    )
    headers = {"Content-Disposition": f'attachment; filename="{prepared.filename}"'}
    if prepared.ignored:
        headers[IGNORED_HEADER] = ignored_header_value(prepared.ignored)
    return StoppableStreamingResponse(
        prepared.body, stopped, media_type=MEDIA_TYPES[prepared.export_format], headers=headers
    )


UNKNOWN_EXPORT_LINK = (
    "unknown export link; use /api/{token}/admin/{account_id}/get-statistic_{report}.{format} "
    "or /api/{token}/publisher/{publisher_id}/get-statistic_{report}.{format}"
)
"""The answer to any other path under ``/api/`` (it never repeats the path: it may hold a
token)."""


@public_router.get("/api/{anything:path}", include_in_schema=False)
def unknown_export_link() -> Response:
    """Everything else under ``/api/`` answers in the exports' plain text, not JSON."""
    raise UnknownExportLinkError(UNKNOWN_EXPORT_LINK)


# -- uploads ---------------------------------------------------------------------------------


def _upload_limit(request: Request) -> int:
    limit: int = get_runtime(request).settings.affiliate_upload_max_bytes
    return limit


def _multipart_upload_limit(request: Request) -> int:
    return _upload_limit(request) + MULTIPART_ALLOWANCE


UPLOAD_FORM_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["login_id", "token", "section", "file"],
                "properties": {
                    "login_id": {"type": "string"},
                    "token": {"type": "string"},
                    "section": {"type": "string"},
                    "file": {"type": "string", "format": "binary"},
                },
            },
            "encoding": {"file": {"contentType": "text/csv"}},
        }
    },
}
"""The form of ``PUT /REST/orders/`` (read as a stream, so FastAPI does not describe it)."""
CREDENTIAL_FIELDS = ("login_id", "token", "section")


def _form_refusal(error: FormError, limit: int) -> AffiliateError:
    if error.status == 413:
        return too_large(limit)
    message = f"{error.field}: {error.message}" if error.field else error.message
    return InvalidUploadRequestError(message)


@upload_router.put(
    "/REST/orders/",
    response_model=UploadCountsOut,
    responses=UPLOAD_RESPONSES,
    openapi_extra={"requestBody": UPLOAD_FORM_BODY},
)
@body_limit(_multipart_upload_limit)
async def upload_orders(
    request: Request,
    runtime: Annotated[Runtime, Depends(get_runtime)],
    network: NetworkDep,
) -> UploadCountsOut:
    """The seed's REST upload: a ``;``-separated CSV with the 12 columns. The form's
    ``login_id``, ``token`` and ``section`` must come before ``file``: they are checked
    before any byte of the file is stored."""
    limit = runtime.settings.affiliate_upload_max_bytes
    client = client_address(request)

    async def authorize(fields: dict[str, str]) -> Account:
        return await run_in_threadpool(
            network.access.csv_upload_account,
            fields["login_id"],
            fields["token"],
            fields["section"],
            client,
        )

    try:
        form = await read_fields_then_file(
            request.headers,
            request.stream(),
            file_field="file",
            required=CREDENTIAL_FIELDS,
            limit=limit,
            before_file=authorize,
        )
    except FormError as error:
        raise _form_refusal(error, limit) from error
    with form.file:
        counts = await run_in_threadpool(
            upload.upload_csv, network.database, form.checked, form.file
        )
    return upload_counts(counts)


@upload_router.put(
    "/ws/V6/admin/JSON/Orders", response_model=UploadCountsOut, responses=UPLOAD_RESPONSES
)
@body_limit(_upload_limit)
async def upload_orders_json(
    request: Request,
    network: NetworkDep,
    x_auth_id: Annotated[str, Header()] = "",
    x_auth_token: Annotated[str, Header()] = "",
) -> UploadCountsOut:
    """The JSON twin: ``[{"campaign_id": 1, "id": 12345, "status": 1, ...}]``. The headers
    are checked before a byte of the body is read."""
    limit = _upload_limit(request)
    account = await run_in_threadpool(
        network.access.upload_account, x_auth_id, x_auth_token, client_address(request)
    )
    body = await read_capped_body(request, limit, lambda: too_large(limit))
    counts = await run_in_threadpool(upload.upload_json, network.database, account, body)
    return upload_counts(counts)


ROUTERS: list[APIRouter] = [router, public_router, upload_router]
PIXEL_ROUTERS: list[APIRouter] = [pixel_router]
"""Routers to mount before every other one: the pixels' exact paths, matched first."""
