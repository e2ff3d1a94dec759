"""The video commerce page: its filters, key figures, charts and rankings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from commerce_stats.dashboard.charts import ChartSpec, bar, chart, day_chart, day_labels, line
from commerce_stats.dashboard.charts import trend as trend_chart
from commerce_stats.dashboard.errors import DashboardError, InvalidFilterError
from commerce_stats.dashboard.figures import Kpi, Period, change, compared
from commerce_stats.dashboard.pages import (
    count_text,
    parse_period,
    percent,
    rate_text,
    require_section,
    with_error,
)
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import utc_now
from commerce_stats.video.figures import CatalogVideo, Counts, Ranked, VideoFigures, video_figures

MAX_KEY_LENGTH = 64
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


@dataclass(frozen=True, slots=True)
class RankedRow:
    """One line of the top videos or top items table, its figures as shown."""

    key: str
    name: str
    viewed: str
    clicked: str
    hidden: str
    ctr: str


@dataclass(frozen=True, slots=True)
class VideoPage:
    """What the video commerce page shows; ``error`` names a refused filter (then the
    default view is shown)."""

    params: Mapping[str, str]
    error: DashboardError | None
    filters: VideoFilters
    period: Period
    videos: list[CatalogVideo]
    kpis: list[Kpi]
    charts: dict[str, ChartSpec]
    trend: ChartSpec
    top_videos: list[RankedRow]
    top_items: list[RankedRow]


def parse_video_filters(params: Mapping[str, str], today: date) -> VideoFilters:
    period = parse_period(params, today)
    video = params.get("video", "").strip() or None
    if video is not None and (len(video) > MAX_KEY_LENGTH or "\x00" in video):
        raise InvalidFilterError("That is not a video key.", "video")
    return VideoFilters(period, video)


def ranked_rows(figures: Iterable[Ranked]) -> list[RankedRow]:
    return [
        RankedRow(
            key=ranked.key,
            name=ranked.name or ranked.key,
            viewed=count_text(ranked.counts.viewed),
            clicked=count_text(ranked.counts.clicked),
            hidden=count_text(ranked.counts.hidden),
            ctr=rate_text(ranked.counts.clicked, ranked.counts.viewed),
        )
        for ranked in figures
    ]


def counts_per_day(figures: VideoFigures, period: Period) -> list[Counts]:
    """The counters of every day of the period; a day without events counts 0."""
    by_day = {day.day: day.counts for day in figures.days}
    return [by_day.get(day, Counts()) for day in period.days]


def video_charts(figures: VideoFigures, period: Period) -> dict[str, ChartSpec]:
    x = day_labels(period)
    counts = counts_per_day(figures, period)
    icon = [
        bar(label, x, [getattr(day, name) for day in counts]) for name, label in VIDEO_SERIES[:3]
    ]
    bars = [
        bar(label, x, [getattr(day, name) for day in counts]) for name, label in VIDEO_SERIES[3:]
    ]
    # A day without icon views has no rate: a gap in the line, not a 0 %.
    ctr = [
        line(
            "Click-through rate",
            x,
            [float(percent(day.clicked, day.viewed)) if day.viewed else None for day in counts],
            hovertemplate="%{y:.2f} %<extra></extra>",
        )
    ]
    devices = [device.device_type for device in figures.devices]
    by_device = [
        bar(label, devices, [getattr(device.counts, name) for device in figures.devices])
        for name, label in VIDEO_SERIES[:3]
    ]
    return {
        "video-icon": day_chart(icon, period, barmode="group"),
        "video-bar": day_chart(bars, period, barmode="group"),
        "video-ctr": day_chart(
            ctr, period, yaxis={"ticksuffix": " %", "rangemode": "tozero", "tickformat": ".2f"}
        ),
        "video-devices": chart(by_device, barmode="group"),
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
            percent(total.clicked, total.viewed),
            percent(before.clicked, before.viewed),
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


def video_page(database: Database, account: Account, params: Mapping[str, str]) -> VideoPage:
    """The video commerce page's content; a bad filter yields ``error`` and the default view."""
    require_section(account, "video")
    today = utc_now().date()
    filters, error = with_error(
        lambda: parse_video_filters(params, today),
        lambda: VideoFilters(parse_period({}, today), None),
    )
    figures = _video_figures(database, account, filters)
    if filters.video is not None and not figures.has_video(filters.video):
        error = InvalidFilterError("There is no video with that key.", "video")
        filters = VideoFilters(filters.period, None)
        figures = _video_figures(database, account, filters)
    before = _video_figures(database, account, replace(filters, period=filters.period.previous()))
    counts = counts_per_day(figures, filters.period)
    return VideoPage(
        params=params,
        error=error,
        filters=filters,
        period=filters.period,
        videos=figures.catalog_videos,
        kpis=video_kpis(figures.total, before.total),
        charts=video_charts(figures, filters.period),
        trend=trend_chart(
            filters.period,
            [
                ("Icon views", [day.viewed for day in counts]),
                ("Clicks", [day.clicked for day in counts]),
            ],
        ),
        top_videos=ranked_rows(figures.top_videos),
        top_items=ranked_rows(figures.top_items),
    )
