"""Key-figure cards as tests compare them."""

from __future__ import annotations

from commerce_stats.dashboard.figures import Kpi


def cards(kpis: list[Kpi]) -> dict[str, tuple[str, str | None, str | None]]:
    """label -> (value, change text, previous value)."""
    return {
        kpi.label: (
            kpi.value,
            kpi.change.text if kpi.change else None,
            kpi.change.previous if kpi.change else None,
        )
        for kpi in kpis
    }
