"""HTTP surface of the promotions API (seed 003): tokens, promotions, orders, statistics.

Every failure leaves as ``{"errors": [{"error": <code>, "message": <text>}]}``.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool

from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.web import (
    KIB,
    MIB,
    bearer_token,
    body_limit,
    client_address,
    is_json_decode_error,
    surface_route_class,
)
from commerce_stats.promotions import schemas
from commerce_stats.promotions.committer import GroupCommitter
from commerce_stats.promotions.errors import (
    BODY_TOO_LARGE,
    INTERNAL,
    INVALID_JSON,
    PromotionsError,
    invalid_fields,
    token_invalid,
)
from commerce_stats.promotions.service import OrderBatch, PromotionQuery, Promotions
from commerce_stats.runtime import Runtime

SERVICE_KEY = "promotions"


def _documented(description: str) -> dict[str, Any]:
    return {"model": schemas.ErrorsEnvelope, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented("110 / 111 / 11000 / 11010 (several may come together)"),
    401: _documented("1007 token invalid, 1008 token missing, 1009 token expired"),
    404: _documented("11200 promotion not found / 11404 order not found"),
    409: _documented("11400 the order_id is known with a different body"),
    422: _documented("11300 unknown, deleted or already used promotion code"),
    413: _documented("11413 the request body is larger than the route's limit"),
    429: _documented("1010 too many failed logins or unknown tokens (Retry-After)"),
    500: _documented("Internal Server Error"),
}


def render(error: PromotionsError) -> Response:
    headers = dict(error.headers)
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return _json(schemas.errors_body(error.entries), error.status, headers)


def _from_validation(exc: RequestValidationError) -> PromotionsError:
    """Path and query parameters FastAPI refused: 11010 per parameter (110 for a bad body)."""
    if is_json_decode_error(exc):
        return PromotionsError([(INVALID_JSON, "JSON is not valid.")])
    names = [str(part) for error in exc.errors() for part in error.get("loc", ())[-1:]]
    return invalid_fields(names or ["body"])


def _internal() -> PromotionsError:
    return PromotionsError(
        [(INTERNAL, "Internal Server Error. Please try again later or contact support.")],
        status=500,
    )


MAX_BODY_BYTES = 16 * MIB
"""Largest body of a promotion or an order: a promotion's 100,000 codes of 64 characters fit
with room. Routes whose body is a few fields declare ``SMALL_BODY_BYTES``."""
SMALL_BODY_BYTES = 64 * KIB
"""Largest body of a login, a token refresh, a statistics query or an order status change."""


def _body_too_large(limit: int) -> PromotionsError:
    return PromotionsError(
        [(BODY_TOO_LARGE, f"Request body is larger than {limit} bytes.")], status=413
    )


PromotionsRoute = surface_route_class(
    PromotionsError,
    render,
    _from_validation,
    _internal,
    too_large=_body_too_large,
    default_body_limit=MAX_BODY_BYTES,
)
"""Every route's body is capped (413 11413); the bearer token is a dependency of the
handlers, which read the body themselves, so it is checked before the body is read."""

router = APIRouter(tags=["promotions"], route_class=PromotionsRoute, responses=ERROR_RESPONSES)


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        content=orjson.dumps(body),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


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
        raise token_invalid()
    runtime: Runtime = request.app.state.runtime
    return await run_in_threadpool(
        partial(
            service.authenticate,
            token,
            failures=runtime.failures,
            client=client_address(request),
        )
    )


AccountDep = Annotated[Account, Depends(authenticated_account)]


async def _body(request: Request) -> tuple[str | None, bytes]:
    """Content type and body; 413 11413 as soon as the body passes the route's limit
    (``PromotionsRoute`` caps it: a too large body is never buffered whole)."""
    return request.headers.get("content-type"), await request.body()


# --- tokens ------------------------------------------------------------------------------


@router.post(
    "/v1/login_check",
    openapi_extra=schemas.request_schema(schemas.LoginRequest),
    summary="Get a token (24 h) and a refresh token",
)
@body_limit(SMALL_BODY_BYTES)
async def login_check(request: Request, service: ServiceDep) -> Response:
    login = schemas.parse_login(*await _body(request))
    runtime: Runtime = request.app.state.runtime
    pair = await run_in_threadpool(
        partial(
            service.login,
            login.username,
            login.password,
            failures=runtime.failures,
            client=client_address(request),
        )
    )
    return _json(schemas.tokens_body(pair))


@router.post(
    "/v1/token/refresh",
    openapi_extra=schemas.request_schema(schemas.RefreshRequest),
    summary="Exchange a refresh token (single use) for a new token pair",
)
@body_limit(SMALL_BODY_BYTES)
async def token_refresh(request: Request, service: ServiceDep) -> Response:
    body = schemas.parse_refresh(*await _body(request))
    runtime: Runtime = request.app.state.runtime
    pair = await run_in_threadpool(
        partial(
            service.refresh,
            body.refresh_token,
            failures=runtime.failures,
            client=client_address(request),
        )
    )
    return _json(schemas.tokens_body(pair))


# --- promotions -----------------------------------------------------------------------------


@router.post(
    "/v1/promotion/statistics/",
    openapi_extra=schemas.request_schema(schemas.StatisticsRequest),
    summary="Redemption statistics of a promotion and its codes",
)
@router.post("/v1/promotion/statistics", include_in_schema=False)
@body_limit(SMALL_BODY_BYTES)
async def promotion_statistics(
    request: Request, service: ServiceDep, account: AccountDep
) -> Response:
    promotion_id = schemas.parse_statistics(*await _body(request))
    return _json(
        schemas.statistics_body(await run_in_threadpool(service.statistics, account, promotion_id))
    )


@router.post(
    "/v1/promotion",
    status_code=201,
    openapi_extra=schemas.request_schema(schemas.PromotionIn),
    summary="Create a promotion",
)
async def create_promotion(request: Request, service: ServiceDep, account: AccountDep) -> Response:
    changes = schemas.parse_promotion(*await _body(request))
    return _json(
        schemas.promotion_body(await run_in_threadpool(service.create_promotion, account, changes)),
        201,
    )


@router.patch(
    "/v1/promotion/{id}",
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
            await run_in_threadpool(service.update_promotion, account, id, changes)
        )
    )


@router.get("/v1/promotion", summary="List promotion ids")
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
    return _json(schemas.promotion_page_body(service.list_promotions(account, query)))


@router.get("/v1/promotion/{id}", summary="Read a promotion")
def get_promotion(
    id: Annotated[int, Path(ge=0, le=schemas.MAX_ID)],
    service: ServiceDep,
    account: AccountDep,
) -> Response:
    return _json(schemas.promotion_body(service.get_promotion(account, id)))


@router.delete("/v1/promotion/{id}", status_code=204, summary="Delete a promotion and its codes")
def delete_promotion(
    id: Annotated[int, Path(ge=0, le=schemas.MAX_ID)],
    service: ServiceDep,
    account: AccountDep,
) -> Response:
    service.delete_promotion(account, id)
    return Response(status_code=204)


# --- orders ------------------------------------------------------------------------------------


@router.post(
    "/v1/orders",
    status_code=201,
    openapi_extra=schemas.request_schema(schemas.OrderIn),
    summary="Place an order: price it and record the redemptions",
)
async def place_order(request: Request, service: ServiceDep, account: AccountDep) -> Response:
    draft = schemas.parse_order(*await _body(request))
    return _json(
        schemas.order_body(await run_in_threadpool(service.place_order, account, draft)), 201
    )


@router.get("/v1/orders/{order_id}", summary="Read an order")
def get_order(
    order_id: Annotated[str, Path(pattern=schemas.NO_NUL)], service: ServiceDep, account: AccountDep
) -> Response:
    return _json(schemas.order_body(service.get_order(account, order_id)))


@router.patch(
    "/v1/orders/{order_id}",
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
            await run_in_threadpool(service.set_order_status, account, order_id, status)
        )
    )
