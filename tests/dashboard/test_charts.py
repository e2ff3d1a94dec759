"""Chart specs: day axes, wrapped labels, the empty state, escaped texts, trend lines."""

from __future__ import annotations

from datetime import date

from commerce_stats.dashboard.charts import (
    STATUS_COLORS,
    bar,
    chart,
    count_axis,
    day_axis,
    day_labels,
    ranking_bar,
    trend,
    wrapped_label,
)
from commerce_stats.dashboard.figures import Period


def test_a_short_period_has_a_tick_every_day_over_its_whole_span() -> None:
    axis = day_axis(Period(date(2026, 11, 25), date(2026, 11, 28)))
    assert axis == {
        "type": "date",
        "range": ["2026-11-24 12:00:00", "2026-11-28 12:00:00"],
        "tickformat": "%b %-d",
        "tick0": "2026-11-25",
        "dtick": 86_400_000,
    }


def test_thirty_days_have_a_tick_every_week_from_the_first_day() -> None:
    axis = day_axis(Period(date(2026, 11, 2), date(2026, 12, 1)))
    assert (axis["tick0"], axis["dtick"]) == ("2026-11-02", 7 * 86_400_000)


def test_a_year_has_a_tick_every_month() -> None:
    axis = day_axis(Period(date(2025, 12, 2), date(2026, 12, 1)))
    assert (axis["tick0"], axis["dtick"]) == ("2025-12-01", "M1")


def test_a_long_label_is_wrapped_whole_never_cut() -> None:
    assert wrapped_label("Flash sale (coupon, later turned into a discount)") == (
        "Flash sale (coupon,<br>later turned into a<br>discount)"
    )


def test_label_lines_are_escaped() -> None:
    assert wrapped_label("<b>Bold</b> & co") == "&lt;b&gt;Bold&lt;/b&gt; &amp; co"


def test_a_chart_whose_every_value_is_zero_has_no_traces() -> None:
    spec = chart([bar("Clicks", ["2026-11-25"], [0]), bar("Views", ["2026-11-25"], [None])])
    assert spec == {"traces": [], "layout": {}}


def test_a_chart_with_a_value_keeps_its_traces_and_layout() -> None:
    spec = chart([bar("Clicks", ["2026-11-25"], [3])], barmode="group")
    assert spec == {
        "traces": [{"type": "bar", "name": "Clicks", "x": ["2026-11-25"], "y": [3]}],
        "layout": {"barmode": "group"},
    }


def test_a_ranking_of_nothing_but_zeros_still_shows_its_bars() -> None:
    spec = chart([ranking_bar(["SAVE10"], [0])])
    assert [trace["x"] for trace in spec["traces"]] == [[0]]


def test_trace_names_are_escaped_templates_are_not() -> None:
    spec = chart([bar("<b>x</b>", ["a"], [1], hovertemplate="%{y}<extra></extra>")])
    trace = spec["traces"][0]
    assert (trace["name"], trace["hovertemplate"]) == (
        "&lt;b&gt;x&lt;/b&gt;",
        "%{y}<extra></extra>",
    )


def test_day_labels_name_every_day_of_the_period() -> None:
    period = Period(date(2026, 2, 27), date(2026, 3, 1))
    assert day_labels(period) == ["2026-02-27", "2026-02-28", "2026-03-01"]


def test_a_trend_has_one_line_per_figure_over_the_period() -> None:
    period = Period(date(2026, 11, 25), date(2026, 11, 26))
    spec = trend(period, [("Orders", [1, 2]), ("Clicks", [0, 5])])
    assert [(t["name"], t["mode"], t["x"], t["y"]) for t in spec["traces"]] == [
        ("Orders", "lines+markers", ["2026-11-25", "2026-11-26"], [1, 2]),
        ("Clicks", "lines+markers", ["2026-11-25", "2026-11-26"], [0, 5]),
    ]
    assert spec["layout"]["xaxis"]["tick0"] == "2026-11-25"


def test_every_transaction_status_has_a_colour() -> None:
    assert sorted(STATUS_COLORS) == ["canceled", "confirmed", "open", "paid"]


def test_small_counts_get_a_tick_on_every_whole_number() -> None:
    assert count_axis(5) == {"tickformat": ",d", "rangemode": "tozero", "dtick": 1}


def test_larger_counts_leave_the_tick_step_to_plotly() -> None:
    assert count_axis(6) == {"tickformat": ",d", "rangemode": "tozero"}
