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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeTimedSerializer

from commerce_stats.accounts.service import MAX_USERNAME_LENGTH, Accounts
from commerce_stats.affiliate import exporting as affiliate_exports
from commerce_stats.affiliate.errors import AffiliateError
from commerce_stats.affiliate.exporting import DashboardFigures, Totals
from commerce_stats.affiliate.filters import dotted_day
from commerce_stats.affiliate.rules import CANCELED, STATUS_BY_NAME, STATUS_NAMES
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.config import Settings
from commerce_stats.dashboard.chart_text import escape_chart_spec
from commerce_stats.dashboard.figures import Kpi, Period, change, compared, day_axis, wrapped_label
from commerce_stats.db.engine import Database
from commerce_stats.kit.admin_http import admin_token_matches
from commerce_stats.kit.errors import ServiceError
from commerce_stats.kit.exports import ExportFormat
from commerce_stats.kit.keys import texts_equal
from commerce_stats.kit.money import exponent, from_minor
from commerce_stats.kit.ratelimit import FailureLimiter
from commerce_stats.kit.tenancy import Account, Feature
from commerce_stats.kit.throttle import Surface, Throttle
from commerce_stats.kit.timeutil import FIRST_DAY, LAST_DAY, check_day, local_today, utc_now
from commerce_stats.promotions.figures import (
    PromotionFigures,
    PromotionRedemptions,
    promotion_figures,
)
from commerce_stats.video.service import Counts, VideoFigures, video_figures

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


def _check_not_blocked(
    throttle: Throttle, surface: Surface, client: str, name: str | None = None
) -> None:
    verdict = throttle.check(surface, client=client, name=name)
    if not verdict.allowed:
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
    throttle = Throttle(failures)
    _check_not_blocked(throttle, Surface.DASHBOARD_SIGN_IN, client, username)
    login = accounts.verify_dashboard_login(username, password)
    if login is None:
        throttle.record_failure(Surface.DASHBOARD_SIGN_IN, client=client, name=username)
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
    throttle = Throttle(failures)
    _check_not_blocked(throttle, Surface.ADMIN, client)
    if not admin_token_matches(settings.admin_token, token):
        throttle.record_failure(Surface.ADMIN, client=client)
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
    """Every chart's spec, its texts escaped so that none of them shows as markup; a chart
    whose every value is 0 or missing has no traces (its empty state)."""
    numeric = [trace for trace in traces if trace.get("orientation") != "h"]
    if numeric and not any(value for trace in numeric for value in trace["y"]):
        traces = []
    return escape_chart_spec({"traces": traces, "layout": layout})


def _day_chart(traces: list[dict[str, Any]], period: Period, **layout: Any) -> dict[str, Any]:
    """A chart over the days of ``period``: the x axis spans it whole, ticks on days."""
    return _chart(traces, xaxis=day_axis(period), **layout)


def _bar(name: str, x: list[Any], y: list[Any], **extra: Any) -> dict[str, Any]:
    return {"type": "bar", "name": name, "x": x, "y": y, **extra}


def _line(name: str, x: list[Any], y: list[Any], **extra: Any) -> dict[str, Any]:
    return {"type": "scatter", "mode": "lines+markers", "name": name, "x": x, "y": y, **extra}


def _day_labels(period: Period) -> list[str]:
    return [day.isoformat() for day in period.days]


def _ranking_bar(names: list[str], values: list[int]) -> dict[str, Any]:
    """Horizontal bars, so that long names stay readable at phone width (wrapped, never cut)."""
    return {
        "type": "bar",
        "orientation": "h",
        "name": "Redemptions",
        "x": values,
        "y": [wrapped_label(name) for name in names],
        "hovertemplate": "%{y}: %{x:,d}<extra></extra>",
    }


def _trend(period: Period, series: list[tuple[str, list[int]]]) -> dict[str, Any]:
    """The overview's trend lines: one line per figure over every day of the period."""
    x = _day_labels(period)
    return _day_chart(
        [_line(name, x, values, hovertemplate="%{y:,d}") for name, values in series], period
    )


def _with_error(
    parse: Callable[[], Any], default: Callable[[], Any]
) -> tuple[Any, DashboardError | None]:
    """The parsed filters, or the defaults and the refusal: a bad filter keeps the page."""
    try:
        return parse(), None
    except DashboardError as error:
        return default(), error


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


def _counts_per_day(figures: VideoFigures, period: Period) -> list[Counts]:
    """The counters of every day of the period; a day without events counts 0."""
    by_day = dict(figures.days)
    return [by_day.get(day, Counts()) for day in period.days]


def _video_charts(figures: VideoFigures, period: Period) -> dict[str, dict[str, Any]]:
    x = _day_labels(period)
    counts = _counts_per_day(figures, period)
    icon = [
        _bar(label, x, [getattr(day, name) for day in counts]) for name, label in VIDEO_SERIES[:3]
    ]
    bar = [
        _bar(label, x, [getattr(day, name) for day in counts]) for name, label in VIDEO_SERIES[3:]
    ]
    # A day without icon views has no rate: a gap in the line, not a 0 %.
    ctr = [
        _line(
            "Click-through rate",
            x,
            [float(_percent(day.clicked, day.viewed)) if day.viewed else None for day in counts],
            hovertemplate="%{y:.2f} %<extra></extra>",
        )
    ]
    devices = [name for name, _ in figures.devices]
    by_device = [
        _bar(label, devices, [getattr(counts, name) for _, counts in figures.devices])
        for name, label in VIDEO_SERIES[:3]
    ]
    return {
        "video-icon": _day_chart(icon, period, barmode="group"),
        "video-bar": _day_chart(bar, period, barmode="group"),
        "video-ctr": _day_chart(
            ctr, period, yaxis={"ticksuffix": " %", "rangemode": "tozero", "tickformat": ".2f"}
        ),
        "video-devices": _chart(by_device, barmode="group"),
    }


def _rate_kpi(label: str, total: Counts, before: Counts) -> Kpi:
    """The click-through rate, compared only when both periods had icon views."""
    text = rate_text(total.clicked, total.viewed)
    if not total.viewed or not before.viewed:
        return Kpi(label, text)
    return Kpi(
        label,
        text,
        change(
            _percent(total.clicked, total.viewed),
            _percent(before.clicked, before.viewed),
            rate_text(before.clicked, before.viewed),
        ),
    )


def video_kpis(total: Counts, before: Counts) -> list[Kpi]:
    """The video key figures of a period against ``before``, the previous period's."""
    return [
        compared("Icon views", total.viewed, before.viewed, count_text),
        compared("Clicks", total.clicked, before.clicked, count_text),
        compared("Hides", total.hidden, before.hidden, count_text, up_is_good=False),
        _rate_kpi("Click-through rate", total, before),
        compared("Bar shown", total.bar_shown, before.bar_shown, count_text),
        compared("Bar hidden", total.bar_hidden, before.bar_hidden, count_text, up_is_good=False),
    ]


def _video_figures(database: Database, account: Account, filters: VideoFilters) -> VideoFigures:
    period = filters.period
    return video_figures(database, account.id, period.first, period.last, filters.video)


def video_page(database: Database, account: Account, params: Mapping[str, str]) -> dict[str, Any]:
    """The video commerce page's content; a bad filter yields ``error`` and the default view."""
    require_section(account, "video")
    today = utc_now().date()
    filters, error = _with_error(
        lambda: parse_video_filters(params, today),
        lambda: VideoFilters(parse_period({}, today), None),
    )
    figures = _video_figures(database, account, filters)
    if filters.video is not None and filters.video not in dict(figures.catalog_videos):
        error = _filter_error("There is no video with that key.", "video")
        filters = VideoFilters(filters.period, None)
        figures = _video_figures(database, account, filters)
    before = _video_figures(database, account, replace(filters, period=filters.period.previous()))
    counts = _counts_per_day(figures, filters.period)
    return {
        "params": params,
        "error": error,
        "filters": filters,
        "period": filters.period,
        "videos": figures.catalog_videos,
        "kpis": video_kpis(figures.total, before.total),
        "charts": _video_charts(figures, filters.period),
        "trend": _trend(
            filters.period,
            [
                ("Icon views", [day.viewed for day in counts]),
                ("Clicks", [day.clicked for day in counts]),
            ],
        ),
        "top_videos": _ranked_rows(figures.top_videos),
        "top_items": _ranked_rows(figures.top_items),
    }


# -- affiliate -----------------------------------------------------------------------------------

VALID_STATUSES = tuple(status for status in sorted(STATUS_NAMES) if status != CANCELED)
"""Statuses that count towards turnover and commission; canceled ones are shown apart."""


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


def _status_sums(lines: Iterable[Totals], values: str, currency: str | None) -> dict[int, int]:
    """``values`` (counts, turnover or commission) per status; ``currency`` None: every one."""
    sums = dict.fromkeys(STATUS_NAMES, 0)
    for line in lines:
        if currency is None or line.currency == currency:
            for status, amount in getattr(line, values).items():
                sums[status] += amount
    return sums


def _valid(sums: Mapping[int, int]) -> int:
    return sum(sums[status] for status in VALID_STATUSES)


def _status_detail(sums: Mapping[int, int], text: Callable[[int], str]) -> str:
    """ "open 2 · confirmed 0 · paid 1": what a valid total is made of."""
    return " · ".join(f"{STATUS_NAMES[status]} {text(sums[status])}" for status in VALID_STATUSES)


def _per_day_and_status(
    daily: list[Totals], period: Period, values: str, currency: str | None
) -> dict[int, list[int]]:
    """``values`` per status for every day of the period (0 on a day without transactions)."""
    index = {day.isoformat(): n for n, day in enumerate(period.days)}
    sums = {status: [0] * period.length for status in STATUS_NAMES}
    for line in daily:
        day = index.get(str(line.label[0]))
        if day is None or (currency is not None and line.currency != currency):
            continue
        for status, amount in getattr(line, values).items():
            sums[status][day] += amount
    return sums


def _per_status_traces(
    daily: list[Totals], period: Period, values: str, currency: str | None
) -> list[dict[str, Any]]:
    """One trace per status that has any value; ``currency`` None means counts.

    Money traces carry exact decimal strings (Plotly reads them as numbers) and the
    formatted amount for the hover.
    """
    x = _day_labels(period)
    traces = []
    for status, amounts in sorted(_per_day_and_status(daily, period, values, currency).items()):
        if not any(amounts):
            continue
        name = STATUS_NAMES[status]
        if currency is None:
            y: list[Any] = amounts
            hover = [count_text(amount) for amount in amounts]
        else:
            y = [str(from_minor(amount, currency)) for amount in amounts]
            hover = [money_text(amount, currency) for amount in amounts]
        traces.append(
            _bar(
                name,
                x,
                y,
                customdata=hover,
                hovertemplate="%{customdata}",
                marker={"color": SERIES_COLORS[name]},
            )
        )
    return traces


def _line_name(label: tuple[Any, ...]) -> tuple[str, str]:
    """(name, search title) of a campaign or publisher line: shown apart, never run together."""
    if len(label) == 4:
        name = " ".join(str(part) for part in label[1:3] if part)
        return name or str(label[0]), str(label[3] or "")
    return str(label[1] or label[0]), ""


def _totals_rows(lines: list[Totals], limit: int) -> list[dict[str, Any]]:
    """The lines with the most valid turnover; canceled turnover has its own column."""
    ranked = sorted(
        lines,
        key=lambda line: (-_valid(line.turnover), -_valid(line.counts), line.label),
    )[:limit]
    rows = []
    for line in ranked:
        name, search_title = _line_name(line.label)
        rows.append(
            {
                "label": name,
                "detail": search_title,
                "id": line.label[0],
                "transactions": count_text(_valid(line.counts)),
                "turnover": money_text(_valid(line.turnover), line.currency),
                "commission": money_text(_valid(line.commission), line.currency),
                "canceled": money_text(line.turnover[CANCELED], line.currency),
            }
        )
    return rows


def _money_kpis(daily: list[Totals], before: list[Totals], currency: str) -> list[Kpi]:
    def text(minor: int) -> str:
        return money_text(minor, currency)

    def amount(minor: int) -> str:
        return f"{from_minor(minor, currency):,}"

    kpis = []
    for values, label in (("turnover", "Turnover"), ("commission", "Commission")):
        now = _status_sums(daily, values, currency)
        was = _status_sums(before, values, currency)
        detail = _status_detail(now, amount)
        kpis.append(compared(label, _valid(now), _valid(was), text, detail=detail))
        kpis.append(
            compared(f"Canceled {values}", now[CANCELED], was[CANCELED], text, up_is_good=False)
        )
    return kpis


def affiliate_kpis(daily: list[Totals], before: list[Totals]) -> list[Kpi]:
    """Transactions, turnover and commission by status, canceled apart, against ``before``."""
    now = _status_sums(daily, "counts", None)
    was = _status_sums(before, "counts", None)
    kpis = [
        compared(
            "Transactions",
            _valid(now),
            _valid(was),
            count_text,
            detail=_status_detail(now, count_text),
        ),
        compared(
            "Canceled transactions", now[CANCELED], was[CANCELED], count_text, up_is_good=False
        ),
    ]
    for currency in sorted({line.currency for line in [*daily, *before]}):
        kpis.extend(_money_kpis(daily, before, currency))
    return kpis


def _affiliate_figures(
    network: AffiliateNetwork, account: Account, filters: AffiliateFilters
) -> DashboardFigures:
    return affiliate_exports.dashboard_figures(network, account, filters.export_params())


def _affiliate_charts(daily: list[Totals], period: Period) -> dict[str, dict[str, Any]]:
    charts = {
        "affiliate-count": _day_chart(
            _per_status_traces(daily, period, "counts", None), period, barmode="stack"
        )
    }
    for currency in sorted({line.currency for line in daily}):
        for values in ("turnover", "commission"):
            charts[f"affiliate-{values}-{currency.lower()}"] = _day_chart(
                _per_status_traces(daily, period, values, currency),
                period,
                barmode="stack",
                yaxis={"tickformat": f",.{exponent(currency)}f", "rangemode": "tozero"},
            )
    return charts


def affiliate_page(
    network: AffiliateNetwork, account: Account, params: Mapping[str, str]
) -> dict[str, Any]:
    """The affiliate page's content; a bad filter yields ``error`` and the default view."""
    require_section(account, "affiliate")
    today = local_today(account.timezone)

    def default() -> AffiliateFilters:
        return parse_affiliate_filters({}, today)

    filters, error = _with_error(lambda: parse_affiliate_filters(params, today), default)
    try:
        figures = _affiliate_figures(network, account, filters)
    except AffiliateError as refusal:
        error, filters = _filter_error(refusal.message, "from"), default()
        figures = _affiliate_figures(network, account, filters)
    previous = replace(filters, period=filters.period.previous())
    before = _affiliate_figures(network, account, previous)
    per_day = _per_day_and_status(figures.daily, filters.period, "counts", None)
    valid_per_day = [sum(day) for day in zip(*(per_day[s] for s in VALID_STATUSES), strict=True)]
    query = urlencode(filters.query)
    return {
        "params": params,
        "error": error,
        "filters": filters,
        "period": filters.period,
        "kpis": affiliate_kpis(figures.daily, before.daily),
        "charts": _affiliate_charts(figures.daily, filters.period),
        "trend": _trend(
            filters.period,
            [
                ("Transactions", valid_per_day),
                ("Canceled", per_day[CANCELED]),
            ],
        ),
        "top_campaigns": _totals_rows(figures.campaigns, 10),
        "top_publishers": _totals_rows(figures.publishers, 10),
        "exports": [(name, f"/affiliate/export.{name}?{query}") for name in EXPORT_FORMATS],
    }


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


def _orders_per_day(figures: PromotionFigures, period: Period) -> list[int]:
    """Orders of every day of the period, all currencies together (0 on a day without)."""
    per_day = dict.fromkeys(period.days, 0)
    for day_orders in figures.orders_by_day:
        if day_orders.day in per_day:
            per_day[day_orders.day] += day_orders.orders
    return list(per_day.values())


def _order_totals(figures: PromotionFigures) -> dict[str, tuple[int, int]]:
    """(orders, total in minor units) per currency."""
    totals: dict[str, tuple[int, int]] = {}
    for day_orders in figures.orders_by_day:
        orders, amount = totals.get(day_orders.currency, (0, 0))
        totals[day_orders.currency] = (
            orders + day_orders.orders,
            amount + day_orders.total_minor,
        )
    return totals


def promotion_kpis(
    figures: PromotionFigures, before: PromotionFigures, period: Period
) -> list[Kpi]:
    """Promotions and redemptions (all time, not compared), orders against ``before``."""
    redemptions = sum(promotion.redemptions for promotion in figures.promotions)
    now, was = _order_totals(figures), _order_totals(before)
    kpis = [
        Kpi("Promotions", count_text(len(figures.promotions))),
        Kpi("Redemptions (all time)", count_text(redemptions)),
        compared(
            "Orders",
            sum(_orders_per_day(figures, period)),
            sum(_orders_per_day(before, period.previous())),
            count_text,
        ),
    ]
    for currency in sorted({*now, *was}):

        def text(minor: int, currency: str = currency) -> str:
            return money_text(minor, currency)

        kpis.append(
            compared(
                f"Order total ({currency})",
                now.get(currency, (0, 0))[1],
                was.get(currency, (0, 0))[1],
                text,
            )
        )
    return kpis


def _promotion_charts(
    figures: PromotionFigures, promotions: list[PromotionRedemptions], period: Period
) -> dict[str, dict[str, Any]]:
    ranking_axes = {
        "yaxis": {"automargin": True, "autorange": "reversed"},
        "xaxis": {"tickformat": ",d", "rangemode": "tozero"},
    }
    redeemed = [promotion for promotion in promotions if promotion.redemptions]
    codes = figures.codes[:10]
    return {
        "promotions-redemptions": _chart(
            [
                _ranking_bar(
                    [f"{promotion.name} (#{promotion.promotion_id})" for promotion in redeemed],
                    [promotion.redemptions for promotion in redeemed],
                )
            ],
            **ranking_axes,
        ),
        "promotions-codes": _chart(
            [
                _ranking_bar(
                    [code.coupon_code for code in codes], [code.redemptions for code in codes]
                )
            ],
            **ranking_axes,
        ),
        "promotions-orders": _day_chart(
            [_bar("Orders", _day_labels(period), _orders_per_day(figures, period))], period
        ),
    }


def promotions_page(
    database: Database, account: Account, params: Mapping[str, str]
) -> dict[str, Any]:
    """The promotions page's content; a bad filter yields ``error`` and the default view."""
    require_section(account, "promotions")
    today = local_today(account.timezone)
    period, error = _with_error(
        lambda: parse_period(params, today), lambda: parse_period({}, today)
    )
    figures = promotion_figures(database, account, period.first, period.last, limit=10)
    previous = period.previous()
    before = promotion_figures(database, account, previous.first, previous.last, limit=10)
    promotions = sorted(
        figures.promotions, key=lambda promotion: (-promotion.redemptions, promotion.promotion_id)
    )
    totals = _order_totals(figures)
    return {
        "params": params,
        "error": error,
        "period": period,
        "kpis": promotion_kpis(figures, before, period),
        "charts": _promotion_charts(figures, promotions, period),
        "trend": _trend(period, [("Orders", _orders_per_day(figures, period))]),
        "promotions": [
            {
                "id": promotion.promotion_id,
                "name": promotion.name,
                "active": promotion.active,
                "redemptions": count_text(promotion.redemptions),
            }
            for promotion in promotions
        ],
        "codes": [
            {
                "promotion": code.promotion_name,
                "code": code.coupon_code,
                "redemptions": count_text(code.redemptions),
            }
            for code in figures.codes
        ],
        "order_totals": [
            (currency, count_text(count), money_text(total, currency))
            for currency, (count, total) in sorted(totals.items())
        ],
    }


# -- overview ------------------------------------------------------------------------------------


def overview_page(
    database: Database, network: AffiliateNetwork, account: Account
) -> dict[str, Any]:
    """Trend lines and key figures of each feature the account has, over the last 30 days,
    each figure compared with the 30 days before."""
    blocks: list[dict[str, Any]] = []
    for section in sections_of(account):
        if section.key == "video":
            content = video_page(database, account, {})
        elif section.key == "affiliate":
            content = affiliate_page(network, account, {})
        else:
            content = promotions_page(database, account, {})
        blocks.append(
            {
                "section": section,
                "kpis": content["kpis"],
                "trend": content["trend"],
                "chart_id": f"overview-{section.key}-trend",
            }
        )
    return {"blocks": blocks, "days": DEFAULT_DAYS}
