"""Reading an upload row's cells: each reader notes what is wrong with a cell and says None.

The upload's checks (``upload.RowChecker``) read every cell through ``Cells``, so
that a refused upload lists every problem (row, column, reason) at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import Row

from commerce_stats.affiliate.errors import RowError
from commerce_stats.affiliate.rules import (
    MAX_BIG_ID,
    MAX_ID,
    TIMESTAMP_FORMAT,
    as_id,
    parse_amount,
    parse_status,
    shown,
)

MAX_ROW_BYTES = 64 * 1024
"""Longest row of an upload file (a quoted field may span lines; they count together), and
so the longest cell."""
EARLIEST_YEAR = 1970


def is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Cells:
    """The cell readers of one upload, and every problem they found."""

    def __init__(self, network_zone: tzinfo) -> None:
        self.zone = network_zone
        self.errors: list[RowError] = []

    def fail(self, row: int, column: str, reason: str) -> None:
        self.errors.append(RowError(row, column, reason))

    def text_ok(self, number: int, values: Mapping[str, str]) -> bool:
        """False (with the problem noted) for a cell no database column can hold: a NUL
        character, or a lone surrogate (which JSON's ``\\ud800`` escapes can make)."""
        fine = True
        for column, text in values.items():
            if text.isascii() and "\x00" not in text and len(text) <= MAX_ROW_BYTES:
                continue
            if len(text) > MAX_ROW_BYTES:
                self.fail(number, column, f"longer than {MAX_ROW_BYTES} characters")
                fine = False
            elif "\x00" in text:
                self.fail(number, column, "contains a NUL character")
                fine = False
            elif not is_unicode(text):
                self.fail(number, column, "not valid Unicode (a lone surrogate)")
                fine = False
        return fine

    def id_of(self, number: int, values: Mapping[str, str], column: str) -> int | None:
        text = values[column]
        if not text:
            return None
        value = as_id(text, MAX_BIG_ID if column == "orderid" else MAX_ID)
        if value is None:
            self.fail(number, column, f"not an id: {shown(text)}")
        return value

    def amount(
        self, number: int, values: Mapping[str, str], column: str, currency: str
    ) -> int | None:
        if not values[column]:
            return None
        try:
            return parse_amount(values[column], currency)
        except ValueError as exc:
            self.fail(number, column, str(exc))
            return None

    def status(self, number: int, values: Mapping[str, str]) -> int | None:
        if not values["status"]:
            return None
        try:
            return parse_status(values["status"])
        except ValueError as exc:
            self.fail(number, "status", str(exc))
            return None

    def lookup(
        self,
        number: int,
        values: Mapping[str, str],
        column: str,
        known: dict[int, Row[Any]],
        *,
        required: bool,
    ) -> Row[Any] | None:
        if not values[column]:
            if required:
                self.fail(number, column, "required for a new transaction")
            return None
        item_id = self.id_of(number, values, column)
        if item_id is None:
            return None
        row = known.get(item_id)
        if row is None:
            self.fail(number, column, f"unknown id {item_id}")
        return row

    def timestamp(self, number: int, values: Mapping[str, str]) -> datetime | None:
        text = values["order_timestamp"]
        if not text:
            return None
        try:
            local = datetime.strptime(text, TIMESTAMP_FORMAT)
        except ValueError:
            self.fail(number, "order_timestamp", f"{shown(text)} is not YYYY-MM-DD HH:MM:SS")
            return None
        ordered = local.replace(tzinfo=self.zone)
        try:
            in_range = local.year >= EARLIEST_YEAR and ordered.astimezone(UTC) is not None
        except OverflowError:
            in_range = False
        if not in_range:
            self.fail(
                number,
                "order_timestamp",
                f"{shown(text)} is out of range (years {EARLIEST_YEAR} to 9999, network time)",
            )
            return None
        return ordered
