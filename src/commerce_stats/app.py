"""The ASGI application: every surface's router, shared state and lifecycle."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi_offline import FastAPIOffline

from commerce_stats import __version__
from commerce_stats.accounts.routes import router as accounts_router
from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import ingest as affiliate_ingest
from commerce_stats.affiliate.routes import PIXEL_ROUTERS as AFFILIATE_PIXEL_ROUTERS
from commerce_stats.affiliate.routes import ROUTERS as AFFILIATE_ROUTERS
from commerce_stats.config import Settings
from commerce_stats.dashboard.headers import SecuredStaticFiles
from commerce_stats.dashboard.routes import FAVICON_URL
from commerce_stats.dashboard.routes import HERE as DASHBOARD_DIR
from commerce_stats.dashboard.routes import router as dashboard_router
from commerce_stats.db.engine import Database
from commerce_stats.kit.body_timeout import BodyTimeoutMiddleware
from commerce_stats.kit.ratelimit import build_failure_limiter
from commerce_stats.kit.redaction import install_credential_filter
from commerce_stats.promotions.routes import router as promotions_router
from commerce_stats.promotions.routes import start_promotions, stop_promotions
from commerce_stats.runtime import Runtime
from commerce_stats.video.routes import admin as video_admin_router
from commerce_stats.video.routes import router as video_router
from commerce_stats.video.routes import start_video, stop_video

Hook = Callable[[Runtime], None]

ROUTERS: list[APIRouter] = [
    *AFFILIATE_PIXEL_ROUTERS,
    accounts_router,
    dashboard_router,
    video_router,
    video_admin_router,
    *AFFILIATE_ROUTERS,
    promotions_router,
]
"""Every surface's router, mounted in this order. FastAPI tries routes in this order, so
the affiliate pixels (exact paths, the most requested) come first."""

STARTUP_HOOKS: list[Hook] = [start_video, affiliate_ingest.start, start_promotions]
"""Domain start-up work (background flushers, caches), run after the database opens."""

SHUTDOWN_HOOKS: list[Hook] = [stop_video, affiliate_ingest.stop, stop_promotions]
"""Domain shut-down work, run before the database closes; must flush what was acknowledged."""


def build_runtime(settings: Settings) -> Runtime:
    database = Database(settings)
    return Runtime(
        settings=settings,
        database=database,
        accounts=Accounts(database, cache_seconds=settings.credential_cache_seconds),
        failures=build_failure_limiter(
            settings.auth_failure_limit, settings.auth_failure_window_seconds, settings.redis_url
        ),
    )


OFFLINE_DOCS_URL = "/static-offline-docs"
REDOC_IMAGES_POLICY = "img-src 'self' data:"
"""ReDoc's side menu always asks a CDN for the Redocly logo; the policy keeps the page offline."""


def _add_offline_redoc(app: FastAPI) -> None:
    """``/redoc`` from the packaged ReDoc bundle, with no request leaving the server."""

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{OFFLINE_DOCS_URL}/redoc.standalone.js",
            redoc_favicon_url=FAVICON_URL,
            with_google_fonts=False,
        )
        page.headers["Content-Security-Policy"] = REDOC_IMAGES_POLICY
        return page


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for ``settings`` (read from the environment when omitted)."""
    runtime = build_runtime(settings or Settings())
    install_credential_filter()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        for start in STARTUP_HOOKS:
            start(runtime)
        try:
            yield
        finally:
            for stop in reversed(SHUTDOWN_HOOKS):
                stop(runtime)
            runtime.database.dispose()

    # /docs and /redoc load Swagger UI and ReDoc from the fastapi-offline package, not a CDN:
    # the server is meant to work without network access.
    app = FastAPIOffline(
        title="commerce-stats",
        favicon_url=FAVICON_URL,
        static_url=OFFLINE_DOCS_URL,
        redoc_url=None,
        version=__version__,
        description=(
            "Self-hosted commerce analytics: shoppable-video ecommerce statistics, "
            "affiliate transactions and promotion-code redemption statistics."
        ),
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.add_middleware(
        BodyTimeoutMiddleware,
        idle_seconds=runtime.settings.body_idle_timeout_seconds,
        total_seconds=runtime.settings.body_timeout_seconds,
    )

    @app.get("/healthz", tags=["operations"])
    def healthz() -> JSONResponse:
        healthy = runtime.database.ping()
        return JSONResponse(
            {"status": "ok" if healthy else "unavailable", "database": runtime.database.dialect},
            status_code=200 if healthy else 503,
        )

    _add_offline_redoc(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount(
        "/static/dashboard",
        SecuredStaticFiles(directory=DASHBOARD_DIR / "static"),
        name="dashboard-static",
    )
    return app


def create_app_from_env() -> FastAPI:
    """Factory for uvicorn workers: settings come from the environment."""
    return create_app(Settings())
