"""The affiliate page: its filters, key figures by status, charts, rankings and downloads."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.figures import (
    CANCELED,
    STATUS_BY_NAME,
    STATUS_NAMES,
    AffiliateFigures,
    DailyTrafficLine,
    DayLine,
    RankedLine,
    Selection,
    SelectionError,
    StatusSums,
    TrafficLine,
    affiliate_figures,
    daily_traffic,
    traffic_figures,
    transactions_download,
)
from commerce_stats.dashboard.charts import (
    STATUS_COLORS,
    ChartSpec,
    Trace,
    bar,
    count_axis,
    day_chart,
)
from commerce_stats.dashboard.charts import day_labels as chart_day_labels
from commerce_stats.dashboard.charts import line as line_trace
from commerce_stats.dashboard.charts import trend as trend_chart
from commerce_stats.dashboard.errors import (
    DashboardError,
    InvalidFilterError,
    UnknownExportFormatError,
)
from commerce_stats.dashboard.figures import Kpi, Period, compared
from commerce_stats.dashboard.pages import (
    count_text,
    money_text,
    parse_period,
    percent,
    require_section,
    with_error,
)
from commerce_stats.db.engine import Database
from commerce_stats.kit.exports import ExportFormat
from commerce_stats.kit.money import exponent, from_minor
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import local_today

STATUS_FILTERS = tuple(STATUS_BY_NAME)
EXPORT_FORMATS = tuple(export_format.value for export_format in ExportFormat)
VALID_STATUSES = tuple(status for status in sorted(STATUS_NAMES) if status != CANCELED)
"""Statuses that count towards turnover and commission; canceled ones are shown apart."""

AnyLine = DayLine | RankedLine


@dataclass(frozen=True, slots=True)
class AffiliateFilters:
    period: Period
    status: str | None
    query: dict[str, str] = field(default_factory=dict)

    def selection(self) -> Selection:
        return Selection(self.period.first, self.period.last, self.status)


@dataclass(frozen=True, slots=True)
class TotalsRow:
    """One line of the top campaigns or top publishers table, its figures as shown."""

    label: str
    detail: str
    id: int
    transactions: str
    turnover: str
    commission: str
    canceled: str


@dataclass(frozen=True, slots=True)
class TrafficRow:
    """One line of a traffic table (net clicks and views), its figures as shown."""

    label: str
    id: int
    currency: str
    clicks: str
    views: str
    conversion_rate: str
    epc: str


def _rate_text(rate: Decimal) -> str:
    """A conversion rate (transactions per click) in percent: ``0.3333`` is "33.33 %"."""
    return f"{rate * 100:.2f} %"


def _epc_text(epc: Decimal, currency: str) -> str:
    """The EPC with its currency; "–" for traffic without transactions (no currency)."""
    return f"{epc} {currency}" if currency else "–"


def traffic_rows(lines: list[TrafficLine], names: Mapping[int, str]) -> list[TrafficRow]:
    """The lines by clicks (most first), then id; ``names`` labels ids (0 = "none")."""
    ranked = sorted(lines, key=lambda line: (-line.clicks, line.id, line.currency))
    return [
        TrafficRow(
            label=names.get(line.id, "none" if line.id == 0 else ""),
            id=line.id,
            currency=line.currency,
            clicks=count_text(line.clicks),
            views=count_text(line.views),
            conversion_rate=_rate_text(line.conversion_rate),
            epc=_epc_text(line.epc, line.currency),
        )
        for line in ranked
    ]


@dataclass(frozen=True, slots=True)
class DailyTrafficRow:
    """One line of the traffic-per-day table (a local day, one currency), as shown."""

    day: str
    clicks: str
    views: str
    conversion_rate: str
    epc: str


def daily_traffic_rows(lines: list[DailyTrafficLine]) -> list[DailyTrafficRow]:
    """Every day in order (a day with sales in several currencies has a row per currency)."""
    return [
        DailyTrafficRow(
            day=line.day.isoformat(),
            clicks=count_text(line.clicks),
            views=count_text(line.views),
            conversion_rate=_rate_text(line.conversion_rate),
            epc=_epc_text(line.epc, line.currency),
        )
        for line in sorted(lines, key=lambda line: (line.day, line.currency))
    ]


@dataclass(slots=True)
class _DayTraffic:
    """A day's clicks and views and its transactions summed over every currency."""

    clicks: int = 0
    views: int = 0
    transactions: int = 0


def _traffic_per_day(lines: list[DailyTrafficLine], period: Period) -> list[_DayTraffic]:
    """One entry per day of the period; each currency's line repeats the day's traffic,
    so clicks and views are taken once and transactions added up."""
    days = {day: _DayTraffic() for day in period.days}
    for daily in lines:
        totals = days.get(daily.day)
        if totals is not None:
            totals.clicks, totals.views = daily.clicks, daily.views
            totals.transactions += daily.transactions
    return list(days.values())


def _epc_trace(
    lines: list[DailyTrafficLine], period: Period, per_day: list[_DayTraffic], currency: str
) -> list[Trace]:
    """The currency's EPC per day as exact decimal strings: 0 on a day with clicks but no
    earnings in it, a gap on a day without clicks; no trace when it never earned."""
    by_day = {daily.day: daily.epc for daily in lines if daily.currency == currency}
    values: list[Decimal | None] = [
        by_day.get(day, Decimal("0.0000")) if totals.clicks else None
        for day, totals in zip(period.days, per_day, strict=True)
    ]
    if not any(values):
        return []
    return [
        line_trace(
            f"EPC ({currency})",
            chart_day_labels(period),
            [None if value is None else str(value) for value in values],
            customdata=["" if value is None else _epc_text(value, currency) for value in values],
            hovertemplate="%{customdata}<extra></extra>",
        )
    ]


def traffic_charts(lines: list[DailyTrafficLine], period: Period) -> dict[str, ChartSpec]:
    """Clicks and views per day, the day's conversion rate (every currency's transactions
    per click, a gap on a day without clicks) and the EPC per day in each currency."""
    x = chart_day_labels(period)
    per_day = _traffic_per_day(lines, period)
    rates = [
        float(percent(day.transactions, day.clicks)) if day.clicks else None for day in per_day
    ]
    charts = {
        "affiliate-traffic": day_chart(
            [
                bar("Clicks", x, [day.clicks for day in per_day], hovertemplate="%{y:,d}"),
                bar("Views", x, [day.views for day in per_day], hovertemplate="%{y:,d}"),
            ],
            period,
            barmode="group",
            yaxis=count_axis(max((max(day.clicks, day.views) for day in per_day), default=0)),
        ),
        "affiliate-conversion": day_chart(
            [line_trace("Conversion rate", x, rates, hovertemplate="%{y:.2f} %<extra></extra>")],
            period,
            yaxis={"ticksuffix": " %", "rangemode": "tozero", "tickformat": ".2f"},
        ),
    }
    for currency in sorted({daily.currency for daily in lines if daily.currency}):
        charts[f"affiliate-epc-{currency.lower()}"] = day_chart(
            _epc_trace(lines, period, per_day, currency),
            period,
            yaxis={"tickformat": ",.4f", "rangemode": "tozero"},
        )
    return charts


@dataclass(frozen=True, slots=True)
class AffiliatePage:
    """What the affiliate page shows; ``error`` names a refused filter (then the default
    view is shown)."""

    params: Mapping[str, str]
    error: DashboardError | None
    filters: AffiliateFilters
    period: Period
    kpis: list[Kpi]
    charts: dict[str, ChartSpec]
    trend: ChartSpec
    top_campaigns: list[TotalsRow]
    top_publishers: list[TotalsRow]
    exports: list[tuple[str, str]]
    traffic: list[tuple[str, str, list[TrafficRow]]] = field(default_factory=list)
    """(title, test id, rows) of the traffic tables: per campaign, publisher and admedia."""
    traffic_charts: dict[str, ChartSpec] = field(default_factory=dict)
    """Clicks and views, conversion rate and EPC (per currency) per local day."""
    daily_traffic: list[DailyTrafficRow] = field(default_factory=list)
    """The same per day as a table: every day of the period, one row per currency."""


def parse_affiliate_filters(params: Mapping[str, str], today: date) -> AffiliateFilters:
    period = parse_period(params, today)
    status = params.get("status", "").strip().lower() or None
    if status is not None and status not in STATUS_FILTERS:
        raise InvalidFilterError("Status must be open, confirmed, canceled or paid.", "status")
    query = {"from": period.first.isoformat(), "to": period.last.isoformat()}
    if status is not None:
        query["status"] = status
    return AffiliateFilters(period, status, query)


def _amounts(sums: StatusSums, values: str) -> dict[int, int]:
    """The counts, turnover or commission of ``sums`` per status."""
    chosen: dict[str, dict[int, int]] = {
        "counts": sums.counts,
        "turnover": sums.turnover,
        "commission": sums.commission,
    }
    return chosen[values]


def _status_sums(lines: Iterable[AnyLine], values: str, currency: str | None) -> dict[int, int]:
    """``values`` (counts, turnover or commission) per status; ``currency`` None: every one."""
    sums = dict.fromkeys(STATUS_NAMES, 0)
    for line in lines:
        if currency is None or line.currency == currency:
            for status, amount in _amounts(line.sums, values).items():
                sums[status] += amount
    return sums


def _valid(sums: Mapping[int, int]) -> int:
    return sum(sums[status] for status in VALID_STATUSES)


def _status_detail(sums: Mapping[int, int], text: Callable[[int], str]) -> str:
    """ "open 2 · confirmed 0 · paid 1": what a valid total is made of."""
    return " · ".join(f"{STATUS_NAMES[status]} {text(sums[status])}" for status in VALID_STATUSES)


def per_day_and_status(
    daily: list[DayLine], period: Period, values: str, currency: str | None
) -> dict[int, list[int]]:
    """``values`` per status for every day of the period (0 on a day without transactions)."""
    index = {day: n for n, day in enumerate(period.days)}
    sums = {status: [0] * period.length for status in STATUS_NAMES}
    for line in daily:
        day = index.get(line.day)
        if day is None or (currency is not None and line.currency != currency):
            continue
        for status, amount in _amounts(line.sums, values).items():
            sums[status][day] += amount
    return sums


def _per_status_traces(
    daily: list[DayLine], period: Period, values: str, currency: str | None
) -> list[Trace]:
    """One trace per status that has any value; ``currency`` None means counts.

    Money traces carry exact decimal strings (Plotly reads them as numbers) and the
    formatted amount for the hover.
    """
    x = chart_day_labels(period)
    traces = []
    for status, amounts in sorted(per_day_and_status(daily, period, values, currency).items()):
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
            bar(
                name,
                x,
                y,
                customdata=hover,
                hovertemplate="%{customdata}",
                marker={"color": STATUS_COLORS[name]},
            )
        )
    return traces


def totals_rows(lines: list[RankedLine], limit: int) -> list[TotalsRow]:
    """The lines with the most valid turnover; canceled turnover has its own column."""
    ranked = sorted(
        lines,
        key=lambda line: (-_valid(line.sums.turnover), -_valid(line.sums.counts), line.id),
    )[:limit]
    return [
        TotalsRow(
            label=line.name,
            detail=line.detail,
            id=line.id,
            transactions=count_text(_valid(line.sums.counts)),
            turnover=money_text(_valid(line.sums.turnover), line.currency),
            commission=money_text(_valid(line.sums.commission), line.currency),
            canceled=money_text(line.sums.turnover[CANCELED], line.currency),
        )
        for line in ranked
    ]


def _money_kpis(daily: list[DayLine], before: list[DayLine], currency: str) -> list[Kpi]:
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


def affiliate_kpis(daily: list[DayLine], before: list[DayLine]) -> list[Kpi]:
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


def _affiliate_charts(daily: list[DayLine], period: Period) -> dict[str, ChartSpec]:
    charts = {
        "affiliate-count": day_chart(
            _per_status_traces(daily, period, "counts", None), period, barmode="stack"
        )
    }
    for currency in sorted({line.currency for line in daily}):
        for values in ("turnover", "commission"):
            charts[f"affiliate-{values}-{currency.lower()}"] = day_chart(
                _per_status_traces(daily, period, values, currency),
                period,
                barmode="stack",
                yaxis={"tickformat": f",.{exponent(currency)}f", "rangemode": "tozero"},
            )
    return charts


def _figures(database: Database, account: Account, filters: AffiliateFilters) -> AffiliateFigures:
    return affiliate_figures(database, account, filters.selection())


def affiliate_page(
    database: Database, account: Account, params: Mapping[str, str]
) -> AffiliatePage:
    """The affiliate page's content; a bad filter yields ``error`` and the default view."""
    require_section(account, "affiliate")
    today = local_today(account.timezone)

    def default() -> AffiliateFilters:
        return parse_affiliate_filters({}, today)

    filters, error = with_error(lambda: parse_affiliate_filters(params, today), default)
    try:
        figures = _figures(database, account, filters)
    except SelectionError as refusal:
        error, filters = InvalidFilterError(refusal.message, "from"), default()
        figures = _figures(database, account, filters)
    previous = replace(filters, period=filters.period.previous())
    before = _figures(database, account, previous)
    per_day = per_day_and_status(figures.daily, filters.period, "counts", None)
    valid_per_day = [sum(day) for day in zip(*(per_day[s] for s in VALID_STATUSES), strict=True)]
    query = urlencode(filters.query)
    traffic = traffic_figures(database, account, filters.selection())
    per_day_traffic = daily_traffic(database, account, filters.selection())
    campaign_names = {line.id: line.name for line in figures.campaigns}
    publisher_names = {line.id: line.name for line in figures.publishers}
    return AffiliatePage(
        params=params,
        error=error,
        filters=filters,
        period=filters.period,
        kpis=affiliate_kpis(figures.daily, before.daily),
        charts=_affiliate_charts(figures.daily, filters.period),
        trend=trend_chart(
            filters.period,
            [
                ("Transactions", valid_per_day),
                ("Canceled", per_day[CANCELED]),
            ],
        ),
        top_campaigns=totals_rows(figures.campaigns, 10),
        top_publishers=totals_rows(figures.publishers, 10),
        exports=[(name, f"/affiliate/export.{name}?{query}") for name in EXPORT_FORMATS],
        traffic=[
            (
                "Traffic by campaign",
                "traffic-campaigns",
                traffic_rows(traffic.campaigns, campaign_names),
            ),
            (
                "Traffic by publisher",
                "traffic-publishers",
                traffic_rows(traffic.publishers, publisher_names),
            ),
            ("Traffic by admedia", "traffic-admedia", traffic_rows(traffic.admedia, {})),
        ],
        traffic_charts=traffic_charts(per_day_traffic, filters.period),
        daily_traffic=daily_traffic_rows(per_day_traffic),
    )


@dataclass(frozen=True, slots=True)
class DashboardExport:
    filename: str
    export_format: ExportFormat
    body: Iterable[bytes]


def affiliate_export(
    database: Database,
    accounts: Accounts,
    account: Account,
    export_format: str,
    params: Mapping[str, str],
    progress: Callable[[int], None] | None = None,
) -> DashboardExport:
    """The transactions export of the viewed account, with the page's filters (``progress``
    may stop it, see ``affiliate.exporting.Progress``)."""
    require_section(account, "affiliate")
    try:
        chosen = ExportFormat(export_format)
    except ValueError:
        raise UnknownExportFormatError(
            f"Unknown export format; use {', '.join(EXPORT_FORMATS)}."
        ) from None
    today = local_today(account.timezone)
    filters = parse_affiliate_filters(params, today)
    try:
        prepared = transactions_download(
            database, accounts, account, chosen, filters.selection(), progress
        )
    except SelectionError as refusal:
        raise InvalidFilterError(refusal.message, "from") from None
    return DashboardExport(prepared.filename, prepared.export_format, prepared.body)
