"""The report's wire rows: the seed's ``ecommerce_stats`` objects, written without brackets."""

from __future__ import annotations

import json

from commerce_stats.video.schemas import stats_rows_json


def test_a_row_becomes_the_seeds_object() -> None:
    row = ("v1", "2022-10-14", "Desktop", "item-1", 5, 2, 1, 3, 4)

    assert json.loads(stats_rows_json([row])) == {
        "content_key": "v1",
        "date": "2022-10-14T23:59:59.000Z",
        "device_type": "Desktop",
        "ecommerce_bar_hidden": 4,
        "ecommerce_bar_shown": 3,
        "ecommerce_clicked": "2",
        "ecommerce_hidden": 1,
        "ecommerce_key": "item-1",
        "ecommerce_viewed": 5,
    }


def test_rows_are_comma_separated_without_brackets() -> None:
    rows = [("a", "2022-10-14", "TV", "none", 1, 0, 0, 0, 0)] * 2

    text = stats_rows_json(rows).decode()

    assert (text[0], text[-1], len(json.loads(f"[{text}]"))) == ("{", "}", 2)


def test_no_rows_write_nothing() -> None:
    assert stats_rows_json([]) == b""
