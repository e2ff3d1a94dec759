"""HTTP surface of the promotions API (seed 003): tokens, promotions, orders, statistics.

Every failure leaves as ``{"errors": [{"error": <code>, "message": <text>}]}``, with the
status ``http_errors.STATUS_OF`` gives its class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Annotated, TypeVar

import orjson
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.web import (
    KIB,
    MIB,
    bearer_token,
    body_limit,
    client_address,
    surface_route_class,
)
from commerce_stats.promotions import schemas
from commerce_stats.promotions.committer import GroupCommitter
from commerce_stats.promotions.errors import (
    BodyTooLargeError,
    InternalError,
    PromotionsError,
    TokenInvalidError,
)
from commerce_stats.promotions.http_errors import ERROR_RESPONSES, from_validation, render
from commerce_stats.promotions.orders import OrderBatch
from commerce_stats.promotions.service import Promotions
from commerce_stats.promotions.specs import PromotionQuery
from commerce_stats.runtime import Runtime

T = TypeVar("T")

SERVICE_KEY = "promotions"


MAX_BODY_BYTES = 16 * MIB
"""Largest body of a promotion or an order: a promotion's 100,000 codes of 64 characters fit
with room. Routes whose body is a few fields declare ``SMALL_BODY_BYTES``."""
SMALL_BODY_BYTES = 64 * KIB
"""Largest body of a login, a token refresh, a statistics query or an order status change."""


PromotionsRoute = surface_route_class(
    PromotionsError,
    render,
    from_validation,
    InternalError,
    too_large=BodyTooLargeError,
    default_body_limit=MAX_BODY_BYTES,
)
"""Every route's body is capped (413 11413); the bearer token is a dependency of the
handlers, which read the body themselves, so it is checked before the body is read."""

router = APIRouter(tags=["promotions"], route_class=PromotionsRoute, responses=ERROR_RESPONSES)


def _json(body: Mapping[str, object], status: int = 200) -> Response:
    return Response(content=orjson.dumps(body), status_code=status, media_type="application/json")


def _build_service(runtime: Runtime, *, group_commit: bool) -> Promotions:
    settings = runtime.settings
    committer = (
        GroupCommitter(runtime.database, OrderBatch, (PromotionsError,)) if group_commit else None
    )
    return Promotions(
        runtime.database,
        runtime.accounts,
        token_hours=settings.promotions_token_hours,
        refresh_days=settings.promotions_refresh_days,
        committer=committer,
    )


def start_promotions(runtime: Runtime) -> None:
    """Start-up hook: the service and, when enabled, its group-commit thread."""
    service = _build_service(runtime, group_commit=runtime.settings.promotions_group_commit)
    if service.committer is not None:
        service.committer.start()
    runtime.services[SERVICE_KEY] = service


def stop_promotions(runtime: Runtime) -> None:
    """Shut-down hook: every order already queued is committed before the database closes."""
    service = runtime.services.pop(SERVICE_KEY, None)
    if isinstance(service, Promotions) and service.committer is not None:
        service.committer.stop()


async def promotions_service(request: Request) -> Promotions:
    """The process's promotions service (made without group commit if start-up did not run).

    Async on purpose, like the other dependencies here: FastAPI runs a sync
    dependency in the thread pool, one thread hop per dependency per request.
    """
    runtime: Runtime = request.app.state.runtime
    service = runtime.services.get(SERVICE_KEY)
    if service is None:
        service = _build_service(runtime, group_commit=False)
        runtime.services[SERVICE_KEY] = service
    assert isinstance(service, Promotions)
    return service


ServiceDep = Annotated[Promotions, Depends(promotions_service)]


async def authenticated_account(
    request: Request, service: ServiceDep, authorization: Annotated[str | None, Header()] = None
) -> Account:
    """401 1008 without a header, 1007 for a malformed or unknown token, 1009 when expired."""
    token = bearer_token(authorization)
    if token is None and authorization is not None and authorization.strip():
        raise TokenInvalidError()
    return await _throttled(request, service.tokens.authenticate, token)


async def _throttled(request: Request, check: Callable[..., T], *credentials: str | None) -> T:
    """``check(*credentials)`` in the thread pool, its failures counted per client address."""
    runtime: Runtime = request.app.state.runtime
    return await run_in_threadpool(
        partial(check, *credentials, failures=runtime.failures, client=client_address(request))
    )


AccountDep = Annotated[Account, Depends(authenticated_account)]


async def _body(request: Request) -> tuple[str | None, bytes]:
    """Content type and body; 413 11413 as soon as the body passes the route's limit
    (``PromotionsRoute`` caps it: a too large body is never buffered whole)."""
    return request.headers.get("content-type"), await request.body()


# --- tokens ------------------------------------------------------------------------------


@router.post(
    "/v1/login_check",
    response_model=schemas.TokensOut,
    openapi_extra=schemas.request_schema(schemas.LoginRequest),
    summary="Get a token (24 h) and a refresh token",
)
@body_limit(SMALL_BODY_BYTES)
async def login_check(request: Request, service: ServiceDep) -> Response:
    login = schemas.parse_login(*await _body(request))
    pair = await _throttled(request, service.tokens.login, login.username, login.password)
    return _json(schemas.tokens_body(pair))


@router.post(
    "/v1/token/refresh",
    response_model=schemas.TokensOut,
    openapi_extra=schemas.request_schema(schemas.RefreshRequest),
    summary="Exchange a refresh token (single use) for a new token pair",
)
@body_limit(SMALL_BODY_BYTES)
async def token_refresh(request: Request, service: ServiceDep) -> Response:
    body = schemas.parse_refresh(*await _body(request))
    pair = await _throttled(request, service.tokens.refresh, body.refresh_token)
    return _json(schemas.tokens_body(pair))


# --- promotions -----------------------------------------------------------------------------


@router.post(
    "/v1/promotion/statistics/",
    response_model=schemas.StatisticsOut,
    openapi_extra=schemas.request_schema(schemas.StatisticsRequest),
    summary="Redemption statistics of a promotion and its codes",
)
@router.post(
    "/v1/promotion/statistics", response_model=schemas.StatisticsOut, include_in_schema=False
)
@body_limit(SMALL_BODY_BYTES)
async def promotion_statistics(
    request: Request, service: ServiceDep, account: AccountDep
) -> Response:
    promotion_id = schemas.parse_statistics(*await _body(request))
    return _json(
        schemas.statistics_body(
            await run_in_threadpool(service.catalog.statistics, account, promotion_id)
        )
    )


@router.post(
    "/v1/promotion",
    response_model=schemas.PromotionOut,
    status_code=201,
    openapi_extra=schemas.request_schema(schemas.PromotionIn),
    summary="Create a promotion",
)
async def create_promotion(request: Request, service: ServiceDep, account: AccountDep) -> Response:
    changes = schemas.parse_promotion(*await _body(request))
    return _json(
        schemas.promotion_body(await run_in_threadpool(service.catalog.create, account, changes)),
        201,
    )


@router.patch(
    "/v1/promotion/{id}",
    response_model=schemas.PromotionOut,
    openapi_extra=schemas.request_schema(schemas.PromotionIn),
    summary="Change a promotion (type, fields, code list)",
)
async def update_promotion(
    id: Annotated[int, Path(ge=0, le=schemas.MAX_ID)],
    request: Request,
    service: ServiceDep,
    account: AccountDep,
) -> Response:
    changes = schemas.parse_promotion(*await _body(request))
    return _json(
        schemas.promotion_body(
            await run_in_threadpool(service.catalog.update, account, id, changes)
        )
    )


@router.get("/v1/promotion", response_model=schemas.PromotionPageOut, summary="List promotion ids")
def list_promotions(
    service: ServiceDep,
    account: AccountDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=schemas.MAX_ID)] = 0,
    status: Annotated[int | None, Query(ge=0, le=1)] = None,
    expired: Annotated[int | None, Query(ge=0, le=1)] = None,
    search_string: Annotated[str | None, Query(pattern=schemas.NO_NUL)] = None,
    sort_by_update_date: Annotated[str | None, Query()] = None,
) -> Response:
    query = PromotionQuery(
        limit=limit,
        offset=offset,
        status=None if status is None else bool(status),
        expired=None if expired is None else bool(expired),
        search_string=search_string,
        sort_by_update_date=sort_by_update_date,
    )
    return _json(schemas.promotion_page_body(service.catalog.page(account, query)))


@router.get("/v1/promotion/{id}", response_model=schemas.PromotionOut, summary="Read a promotion")
def get_promotion(
    id: Annotated[int, Path(ge=0, le=schemas.MAX_ID)],
    service: ServiceDep,
    account: AccountDep,
) -> Response:
    return _json(schemas.promotion_body(service.catalog.get(account, id)))


@router.delete("/v1/promotion/{id}", status_code=204, summary="Delete a promotion and its codes")
def delete_promotion(
    id: Annotated[int, Path(ge=0, le=schemas.MAX_ID)],
    service: ServiceDep,
    account: AccountDep,
) -> Response:
    service.catalog.delete(account, id)
    return Response(status_code=204)


# --- orders ------------------------------------------------------------------------------------


@router.post(
    "/v1/orders",
    response_model=schemas.OrderOut,
    status_code=201,
    openapi_extra=schemas.request_schema(schemas.OrderIn),
    summary="Place an order: price it and record the redemptions",
)
async def place_order(request: Request, service: ServiceDep, account: AccountDep) -> Response:
    draft = schemas.parse_order(*await _body(request))
    return _json(
        schemas.order_body(await run_in_threadpool(service.orders.place, account, draft)), 201
    )


@router.get("/v1/orders/{order_id}", response_model=schemas.OrderOut, summary="Read an order")
def get_order(
    order_id: Annotated[str, Path(pattern=schemas.NO_NUL)], service: ServiceDep, account: AccountDep
) -> Response:
    return _json(schemas.order_body(service.orders.get(account, order_id)))


@router.patch(
    "/v1/orders/{order_id}",
    response_model=schemas.OrderOut,
    openapi_extra=schemas.request_schema(schemas.OrderStatusIn),
    summary="Change an order's status (statistics ignore it)",
)
@body_limit(SMALL_BODY_BYTES)
async def set_order_status(
    order_id: Annotated[str, Path(pattern=schemas.NO_NUL)],
    request: Request,
    service: ServiceDep,
    account: AccountDep,
) -> Response:
    status = schemas.parse_order_status(*await _body(request))
    return _json(
        schemas.order_body(
            await run_in_threadpool(service.orders.set_status, account, order_id, status)
        )
    )
