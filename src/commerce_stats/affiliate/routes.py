"""HTTP routes of the affiliate network: admin model API, tracking, exports, uploads."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.concurrency import run_in_threadpool

from commerce_stats.affiliate import exporting, ingest, upload
from commerce_stats.affiliate.errors import AffiliateError, UploadError
from commerce_stats.affiliate.filters import IGNORED_HEADER, ignored_header_value
from commerce_stats.affiliate.rules import MAX_BIG_ID, MAX_ID
from commerce_stats.affiliate.schemas import (
    CLICK_RESPONSES,
    EXPORT_RESPONSES,
    LIFECYCLE_RESPONSES,
    UPLOAD_RESPONSES,
    AdvertiserIn,
    CampaignIn,
    CancelIn,
    GroupIn,
    MembershipIn,
    PartialCancelIn,
    PayoutIn,
    ProjectIn,
    PublisherIn,
    RateIn,
    TriggerIn,
    UploadCountsOut,
    plain,
    upload_counts,
    upload_errors,
)
from commerce_stats.affiliate.service import AffiliateNetwork, RateSpec
from commerce_stats.affiliate.tracking import (
    NO_CACHE,
    PIXEL_GIF,
    click_cookie,
    click_input,
    conversion_input,
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
    first_error_location,
    log,
    read_capped_body,
    surface_route_class,
)
from commerce_stats.runtime import Runtime, get_runtime

# -- the public surfaces' envelope ------------------------------------------------------


def render_error(error: AffiliateError) -> Response:
    """Uploads answer JSON; tracking and exports answer plain text (``NO PERMISSION``)."""
    if isinstance(error, UploadError):
        return JSONResponse(
            upload_errors(error.message, error.rows),
            status_code=error.status,
            headers=error.headers,
        )
    return PlainTextResponse(error.message, status_code=error.status, headers=error.headers)


def _from_validation(exc: RequestValidationError) -> AffiliateError:
    field, message = first_error_location(exc)
    return UploadError(f"{field}: {message}", code="invalid_request")


def _internal() -> AffiliateError:
    return AffiliateError("internal error", status=500, code="internal_error")


DEFAULT_BODY_LIMIT = 64 * KIB
"""Largest body of a public affiliate route that declares none (the conversion pixel's form)."""
MULTIPART_ALLOWANCE = 64 * KIB
"""What the CSV upload's multipart body may carry beyond its file: boundaries, part headers
and the login_id, token and section fields."""

PublicRoute = surface_route_class(
    AffiliateError,
    render_error,
    _from_validation,
    _internal,
    too_large=upload.too_large,
    default_body_limit=DEFAULT_BODY_LIMIT,
)
public_router = APIRouter(route_class=PublicRoute, tags=["affiliate"])
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


@router.post(f"{BASE}/advertisers", status_code=201)
def create_advertiser(body: AdvertiserIn, account: AccountDep, network: NetworkDep) -> Any:
    return plain(network.create_advertiser(account, body.name))


@router.post(f"{BASE}/campaigns", status_code=201)
def create_campaign(body: CampaignIn, account: AccountDep, network: NetworkDep) -> Any:
    return plain(
        network.create_campaign(
            account, body.advertiser_id, body.title, body.target_url, body.currency
        )
    )


@router.post(f"{BASE}/campaigns/{{campaign_id}}/triggers", status_code=201)
def create_trigger(
    campaign_id: IdPath, body: TriggerIn, account: AccountDep, network: NetworkDep
) -> Any:
    return plain(network.create_trigger(account, campaign_id, body.title))


def _rates(rates: list[RateIn]) -> list[RateSpec]:
    return [RateSpec(rate.trigger_id, rate.trigger_type, rate.trigger_value) for rate in rates]


@router.post(f"{BASE}/campaigns/{{campaign_id}}/groups", status_code=201)
def create_group(
    campaign_id: IdPath, body: GroupIn, account: AccountDep, network: NetworkDep
) -> Any:
    return plain(
        network.create_group(
            account, campaign_id, body.title, _rates(body.triggers), default=body.default
        )
    )


@router.put(f"{BASE}/groups/{{group_id}}/triggers")
def set_group_rates(
    group_id: IdPath, body: list[RateIn], account: AccountDep, network: NetworkDep
) -> Any:
    return plain({"rates": network.set_rates(account, group_id, _rates(body))})


@router.post(f"{BASE}/publishers", status_code=201)
def create_publisher(body: PublisherIn, account: AccountDep, network: NetworkDep) -> Any:
    publisher, token = network.create_publisher(
        account, body.prename, body.surname, body.searchtitle
    )
    return plain({**publisher, "access_token": token})


@router.post(f"{BASE}/publishers/{{publisher_id}}/token")
def rotate_publisher_token(publisher_id: IdPath, account: AccountDep, network: NetworkDep) -> Any:
    return {"access_token": network.rotate_publisher_token(account, publisher_id)}


@router.post(f"{BASE}/publishers/{{publisher_id}}/projects", status_code=201)
def create_project(
    publisher_id: IdPath, body: ProjectIn, account: AccountDep, network: NetworkDep
) -> Any:
    return plain(network.create_project(account, publisher_id, body.title))


@router.put(f"{BASE}/campaigns/{{campaign_id}}/publishers/{{publisher_id}}")
def assign_group(
    campaign_id: IdPath,
    publisher_id: IdPath,
    body: MembershipIn,
    account: AccountDep,
    network: NetworkDep,
) -> Any:
    return plain(network.assign_group(account, campaign_id, publisher_id, body.group_id))


@router.get(BASE + "/{kind}")
def list_items(kind: str, account: AccountDep, network: NetworkDep) -> Any:
    return plain({kind: network.listing(account, kind)})


# -- admin: the lifecycle ----------------------------------------------------------------


@router.get(f"{BASE}/transactions/{{transaction_id}}")
def get_transaction(transaction_id: BigIdPath, account: AccountDep, network: NetworkDep) -> Any:
    return plain(network.transaction(account, transaction_id))


@router.post(f"{BASE}/transactions/{{transaction_id}}/confirm", responses=LIFECYCLE_RESPONSES)
def confirm(transaction_id: BigIdPath, account: AccountDep, network: NetworkDep) -> Any:
    return plain(network.confirm(account, transaction_id))


@router.post(f"{BASE}/transactions/{{transaction_id}}/cancel", responses=LIFECYCLE_RESPONSES)
def cancel(
    transaction_id: BigIdPath, body: CancelIn, account: AccountDep, network: NetworkDep
) -> Any:
    return plain(network.cancel(account, transaction_id, body.cancel_reason))


@router.post(
    f"{BASE}/transactions/{{transaction_id}}/partial-cancel", responses=LIFECYCLE_RESPONSES
)
def partial_cancel(
    transaction_id: BigIdPath, body: PartialCancelIn, account: AccountDep, network: NetworkDep
) -> Any:
    return plain(network.partial_cancel(account, transaction_id, body.turnover))


@router.post(f"{BASE}/payouts", status_code=201)
def payout(body: PayoutIn, account: AccountDep, network: NetworkDep) -> Any:
    return plain(network.payout(account, body.publisher_id))


# -- tracking ----------------------------------------------------------------------------


@public_router.get(
    "/trck/eclick/", status_code=302, response_class=RedirectResponse, responses=CLICK_RESPONSES
)
def track_click(request: Request, network: NetworkDep) -> Response:
    """A publisher's tracked link: records the click, redirects with ``emid``."""
    click = click_input(request.query_params, request.headers)
    click_id, location = network.track_click(click)
    response = RedirectResponse(location, status_code=302, headers=NO_CACHE)
    name, value = click_cookie(click.campaign_id, click_id)
    response.set_cookie(name, value, max_age=30 * 86400, httponly=True, samesite="lax")
    return response


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
        conversion = conversion_input(params, request.headers, request.cookies)
        await ingest.record(get_runtime(request), conversion)
    except AffiliateError as error:
        return render_error(error)
    except BodyTooLarge as error:
        return closing(
            PlainTextResponse(f"form is larger than {error.limit} bytes", status_code=413)
        )
    except Exception:
        log.exception("unhandled error on %s /trck/etrack/", request.method)
        return render_error(_internal())
    if conversion.source == "js":
        return Response(b"", media_type="application/javascript", headers=NO_CACHE)
    return Response(PIXEL_GIF, media_type="image/gif", headers=NO_CACHE)


public_router.add_route(
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
    raise AffiliateError(UNKNOWN_EXPORT_LINK, status=404, code="not_found")


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


def _form_refusal(error: FormError, limit: int) -> UploadError:
    if error.status == 413:
        return upload.too_large(limit)
    message = f"{error.field}: {error.message}" if error.field else error.message
    return UploadError(message, code="invalid_request")


@public_router.put(
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
) -> Any:
    """The seed's REST upload: a ``;``-separated CSV with the 12 columns. The form's
    ``login_id``, ``token`` and ``section`` must come before ``file``: they are checked
    before any byte of the file is stored."""
    limit = runtime.settings.affiliate_upload_max_bytes
    client = client_address(request)

    async def authorize(fields: dict[str, str]) -> Account:
        return await run_in_threadpool(
            upload.authorize_csv_upload,
            network,
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
        counts = await run_in_threadpool(upload.upload_csv, network, form.checked, form.file)
    return upload_counts(counts)


@public_router.put(
    "/ws/V6/admin/JSON/Orders", response_model=UploadCountsOut, responses=UPLOAD_RESPONSES
)
@body_limit(_upload_limit)
async def upload_orders_json(
    request: Request,
    network: NetworkDep,
    x_auth_id: Annotated[str, Header()] = "",
    x_auth_token: Annotated[str, Header()] = "",
) -> Any:
    """The JSON twin: ``[{"campaign_id": 1, "id": 12345, "status": 1, ...}]``. The headers
    are checked before a byte of the body is read."""
    limit = _upload_limit(request)
    account = await run_in_threadpool(
        upload.authenticate_upload, network, x_auth_id, x_auth_token, client_address(request)
    )
    body = await read_capped_body(request, limit, lambda: upload.too_large(limit))
    counts = await run_in_threadpool(upload.upload_json, network, account, body)
    return upload_counts(counts)


ROUTERS: list[APIRouter] = [router, public_router]
