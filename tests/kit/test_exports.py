"""The export writers, read back by independent readers."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import xlrd
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from commerce_stats.kit.exports import (
    MAX_CELL_TEXT,
    XLS_MAX_DATA_ROWS,
    Cell,
    ExportFormat,
    csv_field,
    neutralize_formula,
    write_csv,
    write_export,
    write_json,
    write_xls,
    write_xlsx,
    write_xml,
)

HEADER = ("id", "amount", "note", "missing")
ROWS = [
    (1, Decimal("12.30"), "plain", None),
    (2, Decimal("-0.50"), '=HYPERLINK("http://evil")', None),
    (3, Decimal("0.00"), 'Größe; "quoted"\nnew line', None),
]


def _bytes(chunks: object) -> bytes:
    return b"".join(chunks)  # type: ignore[arg-type]


def test_csv_is_semicolon_separated_with_quoted_text_and_bare_numbers() -> None:
    text = _bytes(write_csv(HEADER, ROWS[:1])).decode("utf-8")
    assert text == '"id";"amount";"note";"missing"\n1;12.30;"plain";""\n'


def test_csv_reads_back_with_csv_module() -> None:
    text = _bytes(write_csv(HEADER, ROWS)).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"'))
    assert rows[0] == list(HEADER)
    assert rows[3] == ["3", "0.00", 'Größe; "quoted"\nnew line', ""]


def test_csv_neutralises_formula_text() -> None:
    text = _bytes(write_csv(HEADER, ROWS)).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[2][2] == '\'=HYPERLINK("http://evil")'


def test_neutralize_formula_covers_every_trigger() -> None:
    for trigger in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralize_formula(f"{trigger}1") == f"'{trigger}1"
    assert neutralize_formula("1-2") == "1-2"


def test_xls_reads_back_with_xlrd_and_keeps_formula_text_as_string() -> None:
    book = xlrd.open_workbook(file_contents=_bytes(write_xls(HEADER, ROWS, sheet_name="tx")))
    sheet = book.sheet_by_index(0)
    assert sheet.name == "tx"
    assert sheet.row_values(0) == list(HEADER)
    assert sheet.cell_value(1, 1) == 12.3
    assert sheet.cell(2, 2).ctype == xlrd.XL_CELL_TEXT
    assert sheet.cell_value(2, 2) == '=HYPERLINK("http://evil")'
    assert sheet.cell(1, 3).ctype == xlrd.XL_CELL_EMPTY


def test_xls_starts_a_new_sheet_after_65535_rows() -> None:
    rows = [(index, None, None, None) for index in range(XLS_MAX_DATA_ROWS + 2)]
    book = xlrd.open_workbook(file_contents=_bytes(write_xls(HEADER, rows, sheet_name="tx")))
    assert book.nsheets == 2
    first, second = book.sheet_by_index(0), book.sheet_by_index(1)
    assert first.nrows == XLS_MAX_DATA_ROWS + 1
    assert second.row_values(0) == list(HEADER)
    assert second.col_values(0)[1:] == [float(XLS_MAX_DATA_ROWS), float(XLS_MAX_DATA_ROWS + 1)]


def test_xls_without_rows_has_the_header() -> None:
    book = xlrd.open_workbook(file_contents=_bytes(write_xls(HEADER, [])))
    assert book.sheet_by_index(0).row_values(0) == list(HEADER)


def test_xls_reads_back_unicode_empty_text_and_numbers() -> None:
    rows = [(7, Decimal("-1.25"), "Größe ✓ 𝄞", "")]
    sheet = xlrd.open_workbook(file_contents=_bytes(write_xls(HEADER, rows))).sheet_by_index(0)
    assert sheet.row_values(1) == [7.0, -1.25, "Größe ✓ 𝄞", ""]
    assert sheet.cell(1, 3).ctype == xlrd.XL_CELL_TEXT


def test_xls_cuts_text_to_one_record() -> None:
    rows = [(1, None, "x" * 9000, "€" * 5000)]
    sheet = xlrd.open_workbook(file_contents=_bytes(write_xls(HEADER, rows))).sheet_by_index(0)
    assert sheet.cell_value(1, 2) == "x" * 8215
    assert sheet.cell_value(1, 3) == "€" * 4107


def test_xls_starts_new_sheets_at_the_row_limit_and_names_them() -> None:
    rows = [(index, None, f"r{index}", None) for index in range(5)]
    data = _bytes(write_xls(HEADER, rows, sheet_name="tx", max_data_rows=2))
    book = xlrd.open_workbook(file_contents=data)
    assert book.sheet_names() == ["tx", "tx 2", "tx 3"]
    assert [book.sheet_by_index(2).row_values(row) for row in range(2)] == [
        list(HEADER),
        [4.0, "", "r4", ""],
    ]


def test_xls_larger_than_the_header_allocation_table_reads_back() -> None:
    text = "y" * 4000
    rows = [(index, None, text, None) for index in range(2_000)]
    data = _bytes(write_xls(HEADER, rows))
    assert len(data) > 109 * 128 * 512
    sheet = xlrd.open_workbook(file_contents=data).sheet_by_index(0)
    assert sheet.nrows == 2_001
    assert sheet.row_values(2_000) == [1999.0, "", text, ""]


def test_xlsx_reads_back_with_openpyxl_and_never_holds_formulas() -> None:
    data = _bytes(write_xlsx(HEADER, ROWS, sheet_name="tx"))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["tx"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == list(HEADER)
    assert values[1] == [1, 12.3, "plain", None]
    formula_cell = sheet.cell(row=3, column=3)
    assert formula_cell.data_type == "s"
    assert formula_cell.value == '=HYPERLINK("http://evil")'


def test_xlsx_escapes_markup_drops_forbidden_characters_and_keeps_spaces() -> None:
    rows = [(1, None, " a & <b> \x07\x00c ", None)]
    data = _bytes(write_xlsx(HEADER, rows, sheet_name="tx"))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["tx"]
    assert sheet.cell(row=2, column=3).value == " a & <b> c "
    assert sheet.cell(row=2, column=4).value is None


def test_xlsx_writes_tabs_and_newlines_and_keeps_empty_text_as_text() -> None:
    data = _bytes(write_xlsx(HEADER, [(1, None, "a\tb\nc", "")]))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.cell(row=2, column=3).value == "a\tb\nc"
    assert (sheet.cell(row=2, column=4).value, sheet.cell(row=2, column=4).data_type) == ("", "s")
    assert sheet.cell(row=2, column=2).value is None


def test_xlsx_sheets_are_well_formed_xml_with_one_row_per_line() -> None:
    data = _bytes(write_xlsx(HEADER, ROWS, sheet_name="tx"))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheet = etree.fromstring(package.read("xl/worksheets/sheet1.xml"))
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    assert len(sheet.findall(f"{main}sheetData/{main}row")) == 4


def test_xlsx_cuts_text_at_the_cell_limit() -> None:
    data = _bytes(write_xlsx(HEADER, [(1, None, "x" * (MAX_CELL_TEXT + 5), None)]))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.cell(row=2, column=3).value == "x" * MAX_CELL_TEXT


def test_xlsx_starts_a_new_sheet_with_the_header_after_the_row_limit() -> None:
    rows = [(index, None, f"r{index}", None) for index in range(5)]
    data = _bytes(write_xlsx(HEADER, rows, sheet_name="tx", max_data_rows=2))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["tx", "tx 2", "tx 3"]
    last = [[cell.value for cell in row] for row in book["tx 3"].iter_rows()]
    assert last == [list(HEADER), [4, None, "r4", None]]
    assert book["tx 2"].max_row == 3


def test_xlsx_without_rows_has_the_header() -> None:
    book = openpyxl.load_workbook(io.BytesIO(_bytes(write_xlsx(HEADER, []))))
    assert [cell.value for cell in book.worksheets[0][1]] == list(HEADER)


def test_xml_has_one_root_and_an_item_per_row_without_forbidden_characters() -> None:
    rows = [*ROWS, (4, None, "bell\x07 & <tag>", None)]
    root = etree.fromstring(_bytes(write_xml(HEADER, rows)))
    items = root.findall("item")
    assert len(items) == 4
    assert [child.tag for child in items[0]] == list(HEADER)
    assert items[0].findtext("amount") == "12.30"
    assert items[3].findtext("note") == "bell & <tag>"
    assert items[3].findtext("missing") == ""


def test_json_is_an_array_of_objects_with_exact_numbers() -> None:
    text = _bytes(write_json(HEADER, ROWS)).decode("utf-8")
    assert text.startswith('[{"id":1,"amount":12.30,')
    parsed = json.loads(text, parse_float=Decimal)
    assert parsed[2] == {
        "id": 3,
        "amount": Decimal("0.00"),
        "note": 'Größe; "quoted"\nnew line',
        "missing": None,
    }


def test_json_without_rows_is_an_empty_array() -> None:
    assert _bytes(write_json(HEADER, [])) == b"[]"


def test_write_export_streams_in_chunks() -> None:
    rows = [(index, None, "x" * 50, None) for index in range(10_000)]
    chunks = list(write_export(ExportFormat.CSV, HEADER, rows))
    assert len(chunks) > 1
    assert b"".join(chunks).count(b"\n") == 10_001


_TEXT = st.text(alphabet=st.sampled_from(list("ab;\"=+-@\t\r\n '")), max_size=8)


@given(st.lists(st.tuples(_TEXT, st.integers(-5, 5), _TEXT), max_size=6))
def test_csv_guard_matches_neutralize_formula_for_any_text(
    rows: list[tuple[str, int, str]],
) -> None:
    text = _bytes(write_csv(("a", "b", "c"), rows)).decode("utf-8")
    parsed = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[1:]
    expected = [
        [neutralize_formula(first), str(number), neutralize_formula(last)]
        for first, number, last in rows
    ]
    assert parsed == expected


def test_xlsx_rows_of_different_cell_types_each_keep_their_own() -> None:
    rows: list[tuple[str | int | Decimal | None, ...]] = [
        (1, Decimal("1.50"), "a", None),
        ("two", None, 3, "d"),
        (1, Decimal("2.25"), "", "x & y"),
    ]
    data = _bytes(write_xlsx(HEADER, rows))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values == [[1, 1.5, "a", None], ["two", None, 3, "d"], [1, 2.25, "", "x & y"]]


@pytest.mark.parametrize(
    "cell",
    ["plain", 'say "hi"', "=SUM(A1)", "+1", "-2", "@x", "\tt", "\rr", "a;b\nc", "", None, 7,
     Decimal("12.30"), Decimal("0.000")],
)  # fmt: skip
def test_csv_field_matches_the_csv_writer(cell: Cell) -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=";", quoting=csv.QUOTE_NONNUMERIC, lineterminator="").writerow([cell])
    expected = out.getvalue()
    if isinstance(cell, str) and cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        expected = "\"'" + expected[1:]
    assert csv_field(cell) == expected
