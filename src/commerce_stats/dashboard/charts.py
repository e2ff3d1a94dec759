"""Chart specs for Plotly: traces, day axes, wrapped labels and the colours of each series.

Every spec leaves here with its texts escaped (``chart_text``), and a chart whose every
value is 0 or missing has no traces, so the page shows its empty state.
"""

from __future__ import annotations

import textwrap
from datetime import date, datetime, time, timedelta
from typing import Any

from commerce_stats.dashboard.chart_text import ChartMarkup, chart_text, escape_chart_spec
from commerce_stats.dashboard.figures import Period

ChartSpec = dict[str, Any]
"""A chart as Plotly reads it: ``{"traces": [...], "layout": {...}}`` (JSON in the page)."""
Trace = dict[str, Any]

DAY_MS = 86_400_000
MAX_DAY_TICKS = 8
"""Day ticks stay readable at phone width up to about this many labels."""
TICK_STEPS_DAYS = (1, 2, 7, 14)
LABEL_LINE_CHARS = 22
SMALL_COUNT = 5
"""Counts up to this get a tick on every whole number."""

STATUS_COLORS = {
    "open": "#f2a93b",
    "confirmed": "#2f6fde",
    "canceled": "#b42318",
    "paid": "#12b76a",
}
"""The colour of each affiliate transaction status, the same in every chart."""


def _moment(day: date, hours: int) -> str:
    return (datetime.combine(day, time()) + timedelta(hours=hours)).isoformat(sep=" ")


def day_axis(period: Period) -> dict[str, Any]:
    """An x axis over the whole period with ticks on whole days, whatever the data cover.

    Half a day of room on each side keeps the first and last day's bars whole.
    """
    axis: dict[str, Any] = {
        "type": "date",
        "range": [_moment(period.first, -12), _moment(period.last, 12)],
        "tickformat": "%b %-d",
        "tick0": period.first.isoformat(),
    }
    steps = [step for step in TICK_STEPS_DAYS if period.length / step <= MAX_DAY_TICKS]
    axis["dtick"] = steps[0] * DAY_MS if steps else "M1"
    if not steps:
        axis["tick0"] = period.first.replace(day=1).isoformat()
    return axis


def count_axis(peak: int) -> dict[str, Any]:
    """A y axis for whole counts up to ``peak``: below about six, Plotly's own ticks fall
    on halves (0, 0.5, 1, ...) that read as repeated whole numbers, so ticks step by one."""
    axis: dict[str, Any] = {"tickformat": ",d", "rangemode": "tozero"}
    if peak <= SMALL_COUNT:
        axis["dtick"] = 1
    return axis


def wrapped_label(name: str, width: int = LABEL_LINE_CHARS) -> ChartMarkup:
    """A chart label shown whole: escaped, broken at spaces into lines of about ``width``.

    Plotly reads tick labels as a small HTML subset, so each line is escaped before the
    ``<br>`` between them is added.
    """
    lines = textwrap.wrap(name, width, break_long_words=True, break_on_hyphens=False) or [name]
    return ChartMarkup("<br>".join(chart_text(line) for line in lines))


def chart(traces: list[Trace], **layout: Any) -> ChartSpec:
    """Every chart's spec, its texts escaped so that none of them shows as markup; a chart
    whose every value is 0 or missing has no traces (its empty state)."""
    numeric = [trace for trace in traces if trace.get("orientation") != "h"]
    if numeric and not any(value for trace in numeric for value in trace["y"]):
        traces = []
    return escape_chart_spec({"traces": traces, "layout": layout})


def day_chart(traces: list[Trace], period: Period, **layout: Any) -> ChartSpec:
    """A chart over the days of ``period``: the x axis spans it whole, ticks on days."""
    return chart(traces, xaxis=day_axis(period), **layout)


def bar(name: str, x: list[Any], y: list[Any], **extra: Any) -> Trace:
    return {"type": "bar", "name": name, "x": x, "y": y, **extra}


def line(name: str, x: list[Any], y: list[Any], **extra: Any) -> Trace:
    return {"type": "scatter", "mode": "lines+markers", "name": name, "x": x, "y": y, **extra}


def day_labels(period: Period) -> list[str]:
    return [day.isoformat() for day in period.days]


def ranking_bar(names: list[str], values: list[int]) -> Trace:
    """Horizontal bars, so that long names stay readable at phone width (wrapped, never cut)."""
    return {
        "type": "bar",
        "orientation": "h",
        "name": "Redemptions",
        "x": values,
        "y": [wrapped_label(name) for name in names],
        "hovertemplate": "%{y}: %{x:,d}<extra></extra>",
    }


def trend(period: Period, series: list[tuple[str, list[int]]]) -> ChartSpec:
    """The overview's trend lines: one line per figure over every day of the period."""
    x = day_labels(period)
    return day_chart(
        [line(name, x, values, hovertemplate="%{y:,d}") for name, values in series], period
    )
