"""Dashboard pages: sign-in, account picker, and the per-domain pages.

HTML only; every page that shows data needs a session cookie, every form
carries the session's CSRF token.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
)
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from commerce_stats.dashboard.affiliate_page import affiliate_export, affiliate_page
from commerce_stats.dashboard.errors import DashboardError, FormExpiredError
from commerce_stats.dashboard.headers import SecuredRoute
from commerce_stats.dashboard.http_errors import headers_of, status_of
from commerce_stats.dashboard.overview import overview_page
from commerce_stats.dashboard.pages import context, sections_of
from commerce_stats.dashboard.promotions_page import promotions_page
from commerce_stats.dashboard.session import (
    SIGN_IN_MAX_AGE,
    Session,
    SessionCodec,
    choose_account,
    csrf_matches,
    end_session,
    session_is_open,
    session_secret,
    sign_in_with_admin_token,
    sign_in_with_password,
    viewed_account,
)
from commerce_stats.dashboard.video_page import video_page
from commerce_stats.kit.exports import MEDIA_TYPES, stop_when
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.web import (
    KIB,
    BodyTooLarge,
    Handler,
    StoppableStreamingResponse,
    cap_body,
    client_address,
    closing,
    size_text,
)
from commerce_stats.runtime import Runtime, get_runtime

HERE = Path(__file__).parent


def _plotly_js() -> Path:
    """plotly.min.js as shipped inside the plotly package (found without importing it)."""
    spec = find_spec("plotly")
    if spec is None or spec.origin is None:
        raise RuntimeError("the plotly package is not installed")
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


PLOTLY_JS = _plotly_js()
FAVICON = HERE / "static" / "favicon.svg"
FAVICON_URL = "/static/dashboard/favicon.svg"
SESSION_COOKIE = "cs_session"
SIGN_IN_COOKIE = "cs_signin"

FORM_BODY_LIMIT = 16 * KIB
"""Largest body of a dashboard form (sign-in, sign-out, account choice: a few short fields)."""


class FormCappedRoute(APIRoute):
    """Caps every dashboard request's body at ``FORM_BODY_LIMIT`` (413 in plain text).

    Forms that need a session read their fields in the handler, after the session
    dependency ran, so the session cookie is checked before the body is read (FastAPI
    parses ``Form`` parameters before it solves dependencies)."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def capped(request: Request) -> Response:
            cap_body(request, FORM_BODY_LIMIT)
            try:
                return await handler(request)
            except BodyTooLarge as exc:
                message = f"form is larger than {size_text(exc.limit)}"
                return closing(PlainTextResponse(message, status_code=413))

        return capped


class DashboardRoute(SecuredRoute, FormCappedRoute):
    """A dashboard route: its form body capped, every answer (413 included) with the
    security headers."""


router = APIRouter(include_in_schema=False, route_class=DashboardRoute)
templates = Jinja2Templates(directory=HERE / "templates")


@dataclass(frozen=True)
class Viewer:
    session: Session
    account: Account


def _codec(runtime: Runtime) -> SessionCodec:
    codec = runtime.services.get("dashboard.sessions")
    if codec is None:
        codec = SessionCodec(
            session_secret(runtime.settings), runtime.settings.session_max_age_seconds
        )
        runtime.services["dashboard.sessions"] = codec
    assert isinstance(codec, SessionCodec)
    return codec


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def _redirect(location: str) -> HTTPException:
    return HTTPException(status_code=303, headers={"Location": location})


def current_session(request: Request, runtime: RuntimeDep) -> Session:
    session = _codec(runtime).load(request.cookies.get(SESSION_COOKIE))
    if session is None or not session_is_open(runtime.accounts, session):
        raise _redirect("/sign-in")
    return session


SessionDep = Annotated[Session, Depends(current_session)]


def current_viewer(session: SessionDep, runtime: RuntimeDep) -> Viewer:
    account = viewed_account(runtime.accounts, session)
    if account is None:
        raise _redirect("/accounts" if session.admin else "/sign-in")
    return Viewer(session, account)


ViewerDep = Annotated[Viewer, Depends(current_viewer)]


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """A rendered page; ``viewer`` in the context fills the navigation bar."""
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def _sign_in_page(
    request: Request, runtime: Runtime, error: DashboardError | None = None
) -> HTMLResponse:
    cookie, token = _codec(runtime).new_sign_in_token()
    response = page(
        request,
        "sign_in.html",
        {"csrf_token": token, "error": error},
        status_code=status_of(error) if error else 200,
    )
    if error is not None:
        for name, value in headers_of(error).items():
            response.headers[name] = value
    _set_cookie(request, response, SIGN_IN_COOKIE, cookie, SIGN_IN_MAX_AGE)
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    return _sign_in_page(request, runtime)


@router.post("/sign-in", response_model=None)
def sign_in(
    request: Request,
    runtime: RuntimeDep,
    csrf_token: Annotated[str, Form()] = "",
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    admin_token: Annotated[str, Form()] = "",
) -> Response:
    codec = _codec(runtime)
    if not codec.sign_in_token_matches(request.cookies.get(SIGN_IN_COOKIE), csrf_token):
        return _sign_in_page(request, runtime, FormExpiredError())
    client = client_address(request)
    lifetime = timedelta(seconds=codec.max_age_seconds)
    try:
        if admin_token:
            session = sign_in_with_admin_token(
                runtime.accounts, runtime.settings, runtime.failures, admin_token, client, lifetime
            )
        else:
            session = sign_in_with_password(
                runtime.accounts, runtime.failures, username, password, client, lifetime
            )
    except DashboardError as error:
        return _sign_in_page(request, runtime, error)
    response = RedirectResponse("/accounts" if session.admin else "/", status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, codec.dump(session), codec.max_age_seconds)
    response.delete_cookie(SIGN_IN_COOKIE, path="/")
    return response


def _text_field(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


@router.post("/sign-out")
async def sign_out(request: Request, session: SessionDep, runtime: RuntimeDep) -> Response:
    csrf_token = _text_field(await request.form(), "csrf_token")
    if not csrf_matches(session, csrf_token):
        return Response("CSRF token missing or wrong", status_code=400, media_type="text/plain")
    await run_in_threadpool(end_session, runtime.accounts, session)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/accounts", response_class=HTMLResponse)
def account_picker(request: Request, session: SessionDep, runtime: RuntimeDep) -> HTMLResponse:
    if not session.admin:
        raise _redirect("/")
    return page(
        request,
        "picker.html",
        {"accounts": runtime.accounts.list(), "csrf_token": session.csrf, "session": session},
    )


@router.post("/accounts/select")
async def select_account(request: Request, session: SessionDep, runtime: RuntimeDep) -> Response:
    form = await request.form()
    if not csrf_matches(session, _text_field(form, "csrf_token")):
        return Response("CSRF token missing or wrong", status_code=400, media_type="text/plain")
    try:
        chosen = await run_in_threadpool(
            choose_account, runtime.accounts, session, _text_field(form, "account_id")
        )
    except DashboardError as error:
        return _plain_refusal(error)
    codec = _codec(runtime)
    response = RedirectResponse("/", status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, codec.dump(chosen), codec.max_age_seconds)
    return response


def _plain_refusal(error: DashboardError) -> Response:
    return Response(error.message, status_code=status_of(error), media_type="text/plain")


def _domain_page(
    request: Request, viewer: Viewer, template: str, active: str, content: object
) -> HTMLResponse:
    """A signed-in page; a refused filter answers 400 with the page and its message."""
    fields = context(content)
    error = fields.get("error")
    navigation = {"viewer": viewer, "active": active, "sections": sections_of(viewer.account)}
    return page(
        request,
        template,
        {**navigation, **fields},
        status_code=status_of(error) if isinstance(error, DashboardError) else 200,
    )


def _not_enabled(request: Request, viewer: Viewer, error: DashboardError) -> HTMLResponse:
    return page(
        request,
        "not_enabled.html",
        {"viewer": viewer, "sections": sections_of(viewer.account), "error": error},
        status_code=status_of(error),
    )


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, viewer: ViewerDep, runtime: RuntimeDep) -> HTMLResponse:
    content = overview_page(runtime.database, viewer.account)
    return _domain_page(request, viewer, "overview.html", "overview", content)


@router.get("/video", response_class=HTMLResponse)
def video(request: Request, viewer: ViewerDep, runtime: RuntimeDep) -> HTMLResponse:
    try:
        content = video_page(runtime.database, viewer.account, request.query_params)
    except DashboardError as error:
        return _not_enabled(request, viewer, error)
    return _domain_page(request, viewer, "video.html", "video", content)


@router.get("/affiliate", response_class=HTMLResponse)
def affiliate(request: Request, viewer: ViewerDep, runtime: RuntimeDep) -> HTMLResponse:
    try:
        content = affiliate_page(runtime.database, viewer.account, request.query_params)
    except DashboardError as error:
        return _not_enabled(request, viewer, error)
    return _domain_page(request, viewer, "affiliate.html", "affiliate", content)


@router.get("/affiliate/export.{export_format}", response_model=None)
def affiliate_download(
    export_format: str, request: Request, viewer: ViewerDep, runtime: RuntimeDep
) -> Response:
    """The transactions export with the page's filters, for the session's account only."""
    stopped = threading.Event()
    try:
        prepared = affiliate_export(
            runtime.database,
            runtime.accounts,
            viewer.account,
            export_format,
            request.query_params,
            progress=stop_when(stopped),
        )
    except DashboardError as error:
        return _plain_refusal(error)
    return StoppableStreamingResponse(
        iter(prepared.body),
        stopped,
        media_type=MEDIA_TYPES[prepared.export_format],
        headers={"Content-Disposition": f'attachment; filename="{prepared.filename}"'},
    )


@router.get("/promotions", response_class=HTMLResponse)
def promotions(request: Request, viewer: ViewerDep, runtime: RuntimeDep) -> HTMLResponse:
    try:
        content = promotions_page(runtime.database, viewer.account, request.query_params)
    except DashboardError as error:
        return _not_enabled(request, viewer, error)
    return _domain_page(request, viewer, "promotions.html", "promotions", content)


@router.get("/static/vendor/plotly.min.js")
def plotly_js() -> FileResponse:
    """The charting library, served from its Python package: no CDN, works offline."""
    return FileResponse(
        PLOTLY_JS,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """The icon browsers ask for on their own, also for pages that do not link one."""
    return FileResponse(
        FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )
