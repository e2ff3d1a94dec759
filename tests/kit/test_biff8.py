"""The BIFF8 (.xls) workbook writer, read back with xlrd."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from itertools import count

import xlrd

from commerce_stats.kit.biff8 import write_workbook

HEADER = ["id", "amount", "note"]


def _names() -> Iterator[str]:
    return (f"part{number}" for number in count(1))


def _book(rows: list[list[str | int | Decimal | None]], max_data_rows: int) -> xlrd.Book:
    data = b"".join(write_workbook(HEADER, iter(rows), _names(), max_data_rows))
    return xlrd.open_workbook(file_contents=data)


def test_no_rows_gives_one_sheet_with_only_the_header() -> None:
    book = _book([], max_data_rows=10)
    assert book.sheet_names() == ["part1"]
    assert book.sheet_by_index(0).row_values(0) == HEADER
    assert book.sheet_by_index(0).nrows == 1


def test_rows_past_the_limit_continue_on_a_new_sheet_with_its_own_header() -> None:
    rows: list[list[str | int | Decimal | None]] = [[n, Decimal("1.50"), f"n{n}"] for n in range(5)]
    book = _book(rows, max_data_rows=2)
    assert book.sheet_names() == ["part1", "part2", "part3"]
    assert [book.sheet_by_index(i).nrows for i in range(3)] == [3, 3, 2]
    assert book.sheet_by_index(2).row_values(0) == HEADER
    assert book.sheet_by_index(2).row_values(1) == [4.0, 1.5, "n4"]


def test_exactly_the_limit_fits_on_one_sheet() -> None:
    rows: list[list[str | int | Decimal | None]] = [[n, None, "x"] for n in range(3)]
    assert _book(rows, max_data_rows=3).sheet_names() == ["part1"]


def test_none_is_an_empty_cell_and_text_stays_text() -> None:
    sheet = _book([[7, None, "=1+1"]], max_data_rows=10).sheet_by_index(0)
    assert sheet.cell(1, 1).ctype == xlrd.XL_CELL_EMPTY
    assert sheet.cell(1, 2).ctype == xlrd.XL_CELL_TEXT
    assert sheet.cell(1, 2).value == "=1+1"


def test_non_latin_text_survives() -> None:
    sheet = _book([[1, None, "Grüße 東京 €"]], max_data_rows=10).sheet_by_index(0)
    assert sheet.cell(1, 2).value == "Grüße 東京 €"


def test_a_workbook_larger_than_the_small_stream_minimum_reads_back_whole() -> None:
    rows: list[list[str | int | Decimal | None]] = [[n, Decimal(n), "y" * 50] for n in range(3000)]
    sheet = _book(rows, max_data_rows=65_535).sheet_by_index(0)
    assert sheet.nrows == 3001
    assert sheet.row_values(3000) == [2999.0, 2999.0, "y" * 50]
