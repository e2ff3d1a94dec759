"""Dashboard sign-in rules: sessions, CSRF tokens, attempt limits, the account picker.

A session is a signed, timestamped value kept in an HttpOnly cookie. It names
the account being viewed, whether it was opened with the admin token, the
password version it was opened with (a password change ends older sessions),
the CSRF token every form must echo, and the session's id. The server keeps
the hash of each open session's id; signing out deletes it, so a saved copy of
the cookie no longer opens any page.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeTimedSerializer

from commerce_stats.accounts.service import MAX_USERNAME_LENGTH, Accounts
from commerce_stats.affiliate import exporting as affiliate_exports
from commerce_stats.affiliate.errors import AffiliateError
from commerce_stats.affiliate.exporting import Totals
from commerce_stats.affiliate.filters import dotted_day
from commerce_stats.affiliate.rules import STATUS_BY_NAME, STATUS_NAMES
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.config import Settings
from commerce_stats.dashboard.chart_text import escape_chart_spec
from commerce_stats.db.engine import Database
from commerce_stats.kit.admin_http import admin_failure_key, admin_token_matches
from commerce_stats.kit.errors import ServiceError
from commerce_stats.kit.exports import ExportFormat
from commerce_stats.kit.keys import texts_equal
from commerce_stats.kit.money import exponent, from_minor
from commerce_stats.kit.ratelimit import (
    FailureKey,
    FailureLimiter,
    first_refusal,
    name_keys,
    record_failures,
)
from commerce_stats.kit.tenancy import Account, Feature
from commerce_stats.kit.timeutil import FIRST_DAY, LAST_DAY, check_day, local_today, utc_now
from commerce_stats.promotions.service import promotion_figures
from commerce_stats.video.service import Counts, VideoFigures, catalog_videos, video_figures

SESSION_SALT = "commerce-stats dashboard session"
SIGN_IN_SALT = "commerce-stats dashboard sign-in"
SIGN_IN_MAX_AGE = 3600


class DashboardError(ServiceError):
    """A refusal shown to a person on a dashboard page."""


@dataclass(frozen=True, slots=True)
class Session:
    csrf: str
    admin: bool = False
    account_id: int | None = None
    login_version: int | None = None
    session_id: str = ""


ADMIN_SESSION_OWNER = 0
"""Whose open sessions an admin session is stored under (it may view any account)."""


def session_owner(session: Session) -> int:
    """The account an open session is stored under: the signed-in one, or 0 for the admin."""
    if session.admin or session.account_id is None:
        return ADMIN_SESSION_OWNER
    return session.account_id


def session_secret(settings: Settings) -> str:
    """The cookie-signing key: configured, else derived from the admin token.

    Deriving it keeps sessions valid across every worker of one ``serve`` run
    (they share the admin token) without another secret to manage.
    """
    if settings.session_secret:
        return settings.session_secret
    if settings.admin_token:
        return hmac.new(
            settings.admin_token.encode(), SESSION_SALT.encode(), hashlib.sha256
        ).hexdigest()
    return secrets.token_hex(32)


class SessionCodec:
    """Turns sessions into signed cookie values and back."""

    def __init__(self, secret: str, max_age_seconds: int) -> None:
        self._sessions = URLSafeTimedSerializer(secret, salt=SESSION_SALT)
        self._sign_in = URLSafeTimedSerializer(secret, salt=SIGN_IN_SALT)
        self.max_age_seconds = max_age_seconds

    def dump(self, session: Session) -> str:
        return self._sessions.dumps(
            [
                session.csrf,
                session.admin,
                session.account_id,
                session.login_version,
                session.session_id,
            ]
        )

    def load(self, value: str | None) -> Session | None:
        if not value:
            return None
        try:
            csrf, admin, account_id, version, session_id = self._sessions.loads(
                value, max_age=self.max_age_seconds
            )
        except (BadSignature, ValueError, TypeError):
            return None
        return Session(
            csrf=csrf,
            admin=admin,
            account_id=account_id,
            login_version=version,
            session_id=session_id,
        )

    def new_sign_in_token(self) -> tuple[str, str]:
        """(cookie value, form value) guarding the sign-in form against CSRF."""
        token = secrets.token_urlsafe(24)
        return self._sign_in.dumps(token), token

    def sign_in_token_matches(self, cookie: str | None, form_value: str | None) -> bool:
        if not cookie or not form_value:
            return False
        try:
            expected = self._sign_in.loads(cookie, max_age=SIGN_IN_MAX_AGE)
        except BadSignature:
            return False
        return isinstance(expected, str) and texts_equal(expected, form_value)


def csrf_matches(session: Session, form_value: str | None) -> bool:
    return form_value is not None and texts_equal(session.csrf, form_value)


def _too_many(retry_after: int) -> DashboardError:
    return DashboardError(
        f"Too many failed sign-ins. Try again in {retry_after} seconds.",
        status=429,
        code="too_many_attempts",
        headers={"Retry-After": str(retry_after)},
    )


def _check_not_blocked(failures: FailureLimiter, keys: Sequence[str | FailureKey]) -> None:
    verdict = first_refusal(failures, keys)
    if verdict is not None:
        raise _too_many(verdict.retry_after)


def _wrong_credentials() -> DashboardError:
    return DashboardError(
        "Wrong username or password.", status=401, code="wrong_credentials", field="username"
    )


def sign_in_with_password(
    accounts: Accounts,
    failures: FailureLimiter,
    username: str,
    password: str,
    client: str,
    lifetime: timedelta,
) -> Session:
    if len(username) > MAX_USERNAME_LENGTH:
        raise DashboardError(
            f"The username has more than {MAX_USERNAME_LENGTH} characters.",
            status=400,
            code="invalid_field",
            field="username",
        )
    keys = name_keys("dashboard", username, client)
    _check_not_blocked(failures, keys)
    login = accounts.verify_dashboard_login(username, password)
    if login is None:
        record_failures(failures, keys)
        raise _wrong_credentials()
    return Session(
        csrf=secrets.token_urlsafe(24),
        account_id=login.account.id,
        login_version=login.version,
        session_id=accounts.open_dashboard_session(login.account.id, lifetime),
    )


def sign_in_with_admin_token(
    accounts: Accounts,
    settings: Settings,
    failures: FailureLimiter,
    token: str,
    client: str,
    lifetime: timedelta,
) -> Session:
    key = admin_failure_key(client)
    _check_not_blocked(failures, [key])
    if not admin_token_matches(settings.admin_token, token):
        failures.record_failure(key)
        raise DashboardError(
            "That is not the admin token.",
            status=401,
            code="wrong_credentials",
            field="admin_token",
        )
    return Session(
        csrf=secrets.token_urlsafe(24),
        admin=True,
        session_id=accounts.open_dashboard_session(ADMIN_SESSION_OWNER, lifetime),
    )


def session_is_open(accounts: Accounts, session: Session) -> bool:
    """Whether the session was opened by a sign-in and not signed out of (nor expired)."""
    if not session.session_id:
        return False
    return accounts.dashboard_session_is_open(session_owner(session), session.session_id)


def end_session(accounts: Accounts, session: Session) -> None:
    """Ends the session on the server: the cookie, even if kept, opens nothing any more."""
    if session.session_id:
        accounts.end_dashboard_session(session_owner(session), session.session_id)


MAX_ID_DIGITS = 19
"""Digits of the longest id the picker looks up (int64); a longer one names no account,
and turning thousands of digits into an int is refused by Python itself."""


def _no_such_account() -> DashboardError:
    return DashboardError(
        "There is no account with that id.", status=404, code="not_found", field="account_id"
    )


def choose_account(accounts: Accounts, session: Session, account_id: str) -> Session:
    """An admin session switched to the account the picker's form names.

    The id arrives as form text: anything but digits naming an existing account is
    refused here, in the picker's own answer, rather than by the framework."""
    if not session.admin:
        raise DashboardError("Only the admin can switch accounts.", status=403, code="forbidden")
    text = account_id.strip()
    if not (text.isascii() and text.isdigit()):
        raise DashboardError(
            "Choose an account from the list.", status=400, code="invalid", field="account_id"
        )
    if len(text) > MAX_ID_DIGITS:
        raise _no_such_account()
    try:
        account = accounts.get(int(text))
    except ServiceError:
        raise _no_such_account() from None
    return replace(session, account_id=account.id)


def viewed_account(accounts: Accounts, session: Session) -> Account | None:
    """The account a session may look at now, or None when it must sign in (again).

    A user session dies when its account is disabled or its password changes;
    an admin session may look at any account, disabled ones included.
    """
    if session.account_id is None:
        return None
    try:
        account = accounts.get(session.account_id)
    except ServiceError:
        return None
    if session.admin:
        return account
    if account.disabled:
        return None
    if accounts.dashboard_login_version(account.id) != session.login_version:
        return None
    return account


# Pages ------------------------------------------------------------------------------------------

DEFAULT_DAYS = 30
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_DAYS = 366
MAX_KEY_LENGTH = 64
STATUS_FILTERS = tuple(STATUS_BY_NAME)
EXPORT_FORMATS = tuple(export_format.value for export_format in ExportFormat)
SERIES_COLORS = {
    "open": "#f2a93b",
    "confirmed": "#2f6fde",
    "canceled": "#b42318",
    "paid": "#12b76a",
}


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    label: str
    path: str
    feature: Feature


SECTIONS = (
    Section("video", "Video commerce", "/video", Feature.VIDEO_ECOMMERCE),
    Section("affiliate", "Affiliate", "/affiliate", Feature.AFFILIATE),
    Section("promotions", "Promotions", "/promotions", Feature.PROMOTIONS),
)


def sections_of(account: Account) -> list[Section]:
    """The navigation entries: only the features the account has."""
    return [section for section in SECTIONS if account.has(section.feature)]


def require_section(account: Account, key: str) -> Section:
    for section in sections_of(account):
        if section.key == key:
            return section
    raise DashboardError(
        "This account does not have that feature.", status=404, code="feature_not_enabled"
    )


def count_text(value: int) -> str:
    """1234567 -> "1,234,567"."""
    return f"{value:,}"


def money_text(minor: int, currency: str) -> str:
    """Exact amount with thousands separators and the currency: 123456 EUR -> "1,234.56 EUR"."""
    return f"{from_minor(minor, currency):,} {currency}"


def rate_text(part: int, whole: int) -> str:
    """A percentage with two decimals, "–" when there is nothing to divide by."""
    if whole == 0:
        return "–"
    return f"{_percent(part, whole)} %"


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def _filter_error(message: str, field: str) -> DashboardError:
    return DashboardError(message, status=400, code="invalid_filter", field=field)


def _day(params: Mapping[str, str], name: str, label: str) -> date | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    problem = _filter_error(f"{label} must be a date like 2026-01-31.", name)
    if not _ISO_DAY.fullmatch(text):
        raise problem
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise problem from None
    try:
        return check_day(day)
    except ValueError:
        raise _filter_error(f"{label} must lie between {FIRST_DAY} and {LAST_DAY}.", name) from None


def parse_period(params: Mapping[str, str], today: date) -> Period:
    """``from``/``to`` (YYYY-MM-DD), default: the last 30 days up to ``today``."""
    first = _day(params, "from", "From")
    last = _day(params, "to", "To")
    if last is None:
        last = today if first is None or first <= today else first
    if first is None:
        first = last - timedelta(days=min(DEFAULT_DAYS - 1, (last - FIRST_DAY).days))
    if last < first:
        raise _filter_error("To must not be before From.", "to")
    if (last - first).days + 1 > MAX_DAYS:
        raise _filter_error(f"Choose at most {MAX_DAYS} days.", "to")
    return Period(first, last)


def _chart(traces: list[dict[str, Any]], **layout: Any) -> dict[str, Any]:
    """Every chart's spec; its texts are escaped so that none of them shows as markup."""
    return escape_chart_spec({"traces": traces, "layout": layout})


def _bar(name: str, x: list[Any], y: list[Any], **extra: Any) -> dict[str, Any]:
    return {"type": "bar", "name": name, "x": x, "y": y, **extra}


def _line(name: str, x: list[Any], y: list[Any], **extra: Any) -> dict[str, Any]:
    return {"type": "scatter", "mode": "lines+markers", "name": name, "x": x, "y": y, **extra}


def _ranking_bar(names: list[str], values: list[int]) -> dict[str, Any]:
    """Horizontal bars, so that long names stay readable at phone width."""
    return {
        "type": "bar",
        "orientation": "h",
        "name": "Redemptions",
        "x": values,
        "y": [name if len(name) <= 28 else name[:27] + "…" for name in names],
        "hovertemplate": "%{y}: %{x:,d}<extra></extra>",
    }


# -- video ---------------------------------------------------------------------------------------

VIDEO_SERIES = (
    ("viewed", "Icon views"),
    ("clicked", "Clicks"),
    ("hidden", "Hides"),
    ("bar_shown", "Bar shown"),
    ("bar_hidden", "Bar hidden"),
)


@dataclass(frozen=True, slots=True)
class VideoFilters:
    period: Period
    video: str | None


def parse_video_filters(params: Mapping[str, str], today: date) -> VideoFilters:
    period = parse_period(params, today)
    video = params.get("video", "").strip() or None
    if video is not None and (len(video) > MAX_KEY_LENGTH or "\x00" in video):
        raise _filter_error("That is not a video key.", "video")
    return VideoFilters(period, video)


def _ranked_rows(figures: Iterable[Any]) -> list[dict[str, str]]:
    return [
        {
            "key": ranked.key,
            "name": ranked.name or ranked.key,
            "viewed": count_text(ranked.counts.viewed),
            "clicked": count_text(ranked.counts.clicked),
            "hidden": count_text(ranked.counts.hidden),
            "ctr": rate_text(ranked.counts.clicked, ranked.counts.viewed),
        }
        for ranked in figures
    ]


def _video_charts(figures: VideoFigures, period: Period) -> dict[str, dict[str, Any]]:
    by_day = dict(figures.days)
    days = [day for day in period.days if day in by_day]
    x = [day.isoformat() for day in days]
    icon = [
        _bar(label, x, [getattr(by_day[day], name) for day in days])
        for name, label in VIDEO_SERIES[:3]
    ]
    bar = [
        _bar(label, x, [getattr(by_day[day], name) for day in days])
        for name, label in VIDEO_SERIES[3:]
    ]
    ctr_days = [day for day in days if by_day[day].viewed]
    ctr = [
        _line(
            "Click-through rate",
            [day.isoformat() for day in ctr_days],
            [float(_percent(by_day[day].clicked, by_day[day].viewed)) for day in ctr_days],
            hovertemplate="%{y:.2f} %<extra></extra>",
        )
    ]
    devices = [name for name, _ in figures.devices]
    by_device = [
        _bar(label, devices, [getattr(counts, name) for _, counts in figures.devices])
        for name, label in VIDEO_SERIES[:3]
    ]
    return {
        "video-icon": _chart(icon, barmode="group"),
        "video-bar": _chart(bar, barmode="group"),
        "video-ctr": _chart(ctr, yaxis={"ticksuffix": " %", "rangemode": "tozero"}),
        "video-devices": _chart(by_device, barmode="group"),
    }


def _video_kpis(total: Counts) -> list[tuple[str, str]]:
    return [
        ("Icon views", count_text(total.viewed)),
        ("Clicks", count_text(total.clicked)),
        ("Hides", count_text(total.hidden)),
        ("Click-through rate", rate_text(total.clicked, total.viewed)),
        ("Bar shown", count_text(total.bar_shown)),
        ("Bar hidden", count_text(total.bar_hidden)),
    ]


def video_page(database: Database, account: Account, params: Mapping[str, str]) -> dict[str, Any]:
    """The video commerce page's content; a bad filter yields ``error`` and no figures."""
    require_section(account, "video")
    today = utc_now().date()
    context: dict[str, Any] = {"params": params, "error": None, "charts": {}}
    try:
        filters = parse_video_filters(params, today)
    except DashboardError as error:
        context["error"] = error
        filters = VideoFilters(parse_period({}, today), None)
        context["filters"] = filters
        context["videos"] = catalog_videos(database, account.id)
        return context
    figures = video_figures(
        database, account.id, filters.period.first, filters.period.last, filters.video
    )
    if filters.video is not None and filters.video not in dict(figures.catalog_videos):
        context.update(
            error=_filter_error("There is no video with that key.", "video"),
            filters=filters,
            videos=figures.catalog_videos,
        )
        return context
    context.update(
        filters=filters,
        videos=figures.catalog_videos,
        kpis=_video_kpis(figures.total),
        charts=_video_charts(figures, filters.period),
        top_videos=_ranked_rows(figures.top_videos),
        top_items=_ranked_rows(figures.top_items),
    )
    return context


# -- affiliate -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AffiliateFilters:
    period: Period
    status: str | None
    query: dict[str, str] = field(default_factory=dict)

    def export_params(self) -> list[tuple[str, str]]:
        """The same selection in the Transaktions-API's ``condition[...]`` names."""
        params = [
            ("condition[period][from]", dotted_day(self.period.first)),
            ("condition[period][to]", dotted_day(self.period.last)),
        ]
        if self.status is not None:
            params.append(("condition[l:status]", self.status))
        return params


def parse_affiliate_filters(params: Mapping[str, str], today: date) -> AffiliateFilters:
    period = parse_period(params, today)
    status = params.get("status", "").strip().lower() or None
    if status is not None and status not in STATUS_FILTERS:
        raise _filter_error("Status must be open, confirmed, canceled or paid.", "status")
    query = {"from": period.first.isoformat(), "to": period.last.isoformat()}
    if status is not None:
        query["status"] = status
    return AffiliateFilters(period, status, query)


def _per_status_traces(
    daily: list[Totals], values: str, currency: str | None
) -> list[dict[str, Any]]:
    """One trace per status that has any value; ``currency`` None means counts.

    Money traces carry exact decimal strings (Plotly reads them as numbers) and the
    formatted amount for the hover.
    """
    lines = [line for line in daily if currency is None or line.currency == currency]
    traces = []
    for status, name in sorted(STATUS_NAMES.items()):
        amounts = [getattr(line, values)[status] for line in lines]
        if not any(amounts):
            continue
        if currency is None:
            y: list[Any] = amounts
            hover = [count_text(amount) for amount in amounts]
        else:
            y = [str(from_minor(amount, currency)) for amount in amounts]
            hover = [money_text(amount, currency) for amount in amounts]
        traces.append(
            _bar(
                name,
                [str(line.label[0]) for line in lines],
                y,
                customdata=hover,
                hovertemplate="%{customdata}",
                marker={"color": SERIES_COLORS[name]},
            )
        )
    return traces


def _totals_rows(lines: list[Totals], limit: int) -> list[dict[str, Any]]:
    ranked = sorted(
        lines,
        key=lambda line: (-sum(line.turnover.values()), -sum(line.counts.values()), line.label),
    )[:limit]
    return [
        {
            "label": " ".join(str(part) for part in line.label[1:] if part) or str(line.label[0]),
            "id": line.label[0],
            "transactions": count_text(sum(line.counts.values())),
            "turnover": money_text(sum(line.turnover.values()), line.currency),
            "commission": money_text(sum(line.commission.values()), line.currency),
        }
        for line in ranked
    ]


def _money_kpis(daily: list[Totals]) -> list[tuple[str, str]]:
    currencies = sorted({line.currency for line in daily})
    kpis = [("Transactions", count_text(sum(sum(line.counts.values()) for line in daily)))]
    for currency in currencies:
        lines = [line for line in daily if line.currency == currency]
        turnover = sum(sum(line.turnover.values()) for line in lines)
        commission = sum(sum(line.commission.values()) for line in lines)
        kpis.append(("Turnover", money_text(turnover, currency)))
        kpis.append(("Commission", money_text(commission, currency)))
    return kpis


def affiliate_page(
    network: AffiliateNetwork, account: Account, params: Mapping[str, str]
) -> dict[str, Any]:
    """The affiliate page's content; a bad filter yields ``error`` and no figures."""
    require_section(account, "affiliate")
    today = local_today(account.timezone)
    context: dict[str, Any] = {"params": params, "error": None, "charts": {}, "exports": []}
    try:
        filters = parse_affiliate_filters(params, today)
        figures = affiliate_exports.dashboard_figures(network, account, filters.export_params())
    except DashboardError as error:
        context["error"] = error
        context["filters"] = AffiliateFilters(parse_period({}, today), None)
        return context
    except AffiliateError as error:
        context["error"] = _filter_error(error.message, "from")
        context["filters"] = AffiliateFilters(parse_period({}, today), None)
        return context
    charts = {
        "affiliate-count": _chart(
            _per_status_traces(figures.daily, "counts", None), barmode="stack"
        )
    }
    for currency in sorted({line.currency for line in figures.daily}):
        for values in ("turnover", "commission"):
            charts[f"affiliate-{values}-{currency.lower()}"] = _chart(
                _per_status_traces(figures.daily, values, currency),
                barmode="stack",
                yaxis={"tickformat": f",.{exponent(currency)}f", "rangemode": "tozero"},
            )
    query = urlencode(filters.query)
    context.update(
        filters=filters,
        kpis=_money_kpis(figures.daily),
        charts=charts,
        top_campaigns=_totals_rows(figures.campaigns, 10),
        top_publishers=_totals_rows(figures.publishers, 10),
        exports=[(name, f"/affiliate/export.{name}?{query}") for name in EXPORT_FORMATS],
    )
    return context


@dataclass(frozen=True, slots=True)
class DashboardExport:
    filename: str
    export_format: ExportFormat
    body: Iterable[bytes]


def affiliate_export(
    network: AffiliateNetwork,
    account: Account,
    export_format: str,
    params: Mapping[str, str],
    progress: affiliate_exports.Progress | None = None,
) -> DashboardExport:
    """The transactions export of the viewed account, with the page's filters (``progress``
    may stop it, see ``affiliate.exporting.Progress``)."""
    require_section(account, "affiliate")
    try:
        chosen = ExportFormat(export_format)
    except ValueError:
        raise DashboardError(
            f"Unknown export format; use {', '.join(EXPORT_FORMATS)}.", status=404, code="not_found"
        ) from None
    today = local_today(account.timezone)
    filters = parse_affiliate_filters(params, today)
    prepared = affiliate_exports.account_export(
        network, account, chosen, filters.export_params(), progress
    )
    return DashboardExport(prepared.filename, prepared.export_format, prepared.body)


# -- promotions ----------------------------------------------------------------------------------


def promotions_page(
    database: Database, account: Account, params: Mapping[str, str]
) -> dict[str, Any]:
    """The promotions page's content; a bad filter yields ``error`` and no figures."""
    require_section(account, "promotions")
    today = local_today(account.timezone)
    context: dict[str, Any] = {"params": params, "error": None, "charts": {}}
    try:
        period = parse_period(params, today)
    except DashboardError as error:
        context["error"] = error
        context["period"] = parse_period({}, today)
        return context
    figures = promotion_figures(database, account, period.first, period.last, limit=10)
    promotions = sorted(figures.promotions, key=lambda row: (-row[3], row[0]))
    codes = figures.codes
    order_days = sorted({day for day, _ in figures.orders_by_day})
    order_counts = [
        sum(count for (day, _), (count, _) in figures.orders_by_day.items() if day == wanted)
        for wanted in order_days
    ]
    currencies = sorted({currency for _, currency in figures.orders_by_day})
    order_totals = [
        (
            currency,
            count_text(
                sum(n for (_, cur), (n, _) in figures.orders_by_day.items() if cur == currency)
            ),
            money_text(
                sum(t for (_, cur), (_, t) in figures.orders_by_day.items() if cur == currency),
                currency,
            ),
        )
        for currency in currencies
    ]
    context.update(
        period=period,
        kpis=[
            ("Promotions", count_text(len(promotions))),
            ("Redemptions (all time)", count_text(sum(row[3] for row in promotions))),
            ("Orders", count_text(sum(order_counts))),
        ],
        charts={
            "promotions-redemptions": _chart(
                [
                    _ranking_bar(
                        [f"{row[1]} (#{row[0]})" for row in promotions if row[3]],
                        [row[3] for row in promotions if row[3]],
                    )
                ],
                yaxis={"automargin": True, "autorange": "reversed"},
                xaxis={"tickformat": ",d", "rangemode": "tozero"},
            ),
            "promotions-codes": _chart(
                [_ranking_bar([row[2] for row in codes[:10]], [row[3] for row in codes[:10]])],
                yaxis={"automargin": True, "autorange": "reversed"},
                xaxis={"tickformat": ",d", "rangemode": "tozero"},
            ),
            "promotions-orders": _chart(
                [_bar("Orders", [day.isoformat() for day in order_days], order_counts)]
            ),
        },
        promotions=[
            {
                "id": row[0],
                "name": row[1],
                "active": row[2],
                "redemptions": count_text(row[3]),
            }
            for row in promotions
        ],
        codes=[
            {"promotion": row[1], "code": row[2], "redemptions": count_text(row[3])}
            for row in codes
        ],
        order_totals=order_totals,
    )
    return context


# -- overview ------------------------------------------------------------------------------------


def overview_page(
    database: Database, network: AffiliateNetwork, account: Account
) -> dict[str, Any]:
    """Key figures of each feature the account has, over the last 30 days."""
    blocks: list[dict[str, Any]] = []
    for section in sections_of(account):
        if section.key == "video":
            today = utc_now().date()
            period = parse_period({}, today)
            figures = video_figures(database, account.id, period.first, period.last)
            kpis = _video_kpis(figures.total)[:4]
        elif section.key == "affiliate":
            context = affiliate_page(network, account, {})
            kpis = context["kpis"]
        else:
            context = promotions_page(database, account, {})
            kpis = context["kpis"]
        blocks.append({"section": section, "kpis": kpis})
    return {"blocks": blocks, "days": DEFAULT_DAYS}
