"""Text handed to the chart library shows as text, never as markup.

Plotly reads a subset of HTML in every label it draws (trace names in the legend, category
ticks, hover labels, titles, annotations): ``<a href>`` becomes a clickable link, ``<b>``,
``<br>`` and ``<span style>`` change what is shown. Promotion names, coupon codes, video and
publisher names are chosen by whoever feeds the account, so each ``<``, ``>`` and ``&`` of them
is handed over as the entity Plotly turns back into that very character, as text.
"""

from __future__ import annotations

from typing import Any

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})

TEMPLATE_SUFFIX = "template"
"""Keys such as ``hovertemplate``: written by the server, their markup is meant."""


class ChartMarkup(str):
    """Text whose markup the server wrote on purpose (the ``<br>`` between the lines of a
    wrapped label, each line already passed through ``chart_text``): handed over as it is."""

    __slots__ = ()


def chart_text(text: str) -> str:
    """``text`` as Plotly shows it literally."""
    return text.translate(_ENTITIES)


def escape_chart_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Every string in a chart spec (traces, layout) made literal, templates excepted."""
    return {name: _escaped(item, name) for name, item in spec.items()}


def _escaped(value: Any, key: str) -> Any:
    if isinstance(value, str):
        kept = isinstance(value, ChartMarkup) or key.endswith(TEMPLATE_SUFFIX)
        return value if kept else chart_text(value)
    if isinstance(value, dict):
        return escape_chart_spec(value)
    if isinstance(value, list | tuple):
        return [_escaped(item, key) for item in value]
    return value
