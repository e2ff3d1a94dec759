"""Streaming tabular export writers: CSV, XLS (BIFF8), XLSX, XML and JSON.

Every writer takes a header and an iterable of rows and yields ``bytes`` chunks,
so a caller can hand the generator to a streaming HTTP response or write it to a
file. Cells are ``str``, ``int``, ``Decimal`` or ``None``; numbers stay numbers
(numeric cells in spreadsheets, unquoted in CSV, JSON numbers) and everything
else is text.

Spreadsheet safety (OWASP "CSV injection"): a text value that starts with
``= + - @``, a tab or a carriage return is prefixed with ``'`` in CSV, so that
no spreadsheet program evaluates it; in XLS and XLSX such values are written as
string cells, which are never evaluated, so their text stays unchanged.

XLS and XLSX need a finished file before its first byte can be sent (the
container formats record sizes up front); those writers build the workbook in a
temporary file with bounded memory and then stream that file.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import IO, Any

import msgspec
import xlsxwriter
import xlwt

Cell = str | int | Decimal | None
Row = Sequence[Cell]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLS_MAX_DATA_ROWS = 65_535
"""BIFF8 holds 65,536 rows per sheet: the header plus 65,535 data rows."""
XLSX_MAX_DATA_ROWS = 1_048_575
MAX_CELL_TEXT = 32_767
"""Both spreadsheet formats refuse longer text in one cell."""
CHUNK_ROWS = 2_000
FILE_CHUNK_BYTES = 256 * 1024
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CSV_GUARDS: dict[str, re.Pattern[str]] = {}
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


class ExportFormat(StrEnum):
    CSV = "csv"
    XLS = "xls"
    XLSX = "xlsx"
    XML = "xml"
    JSON = "json"


MEDIA_TYPES: dict[ExportFormat, str] = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLS: "application/vnd.ms-excel",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.XML: "application/xml; charset=utf-8",
    ExportFormat.JSON: "application/json",
}


def neutralize_formula(text: str) -> str:
    """``text`` made inert for spreadsheet programs that open CSV files."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _guard_csv(text: str, delimiter: str) -> str:
    """Prefixes ``'`` to every quoted CSV field that starts with a formula trigger.

    Text fields are always quoted and numbers never are, so a field that is
    text starting with a trigger appears as a quote right after a delimiter or
    a line start, followed by the trigger. Inside a quoted field every quote is
    doubled, and a closing quote is followed by a delimiter or a line end, so
    the pattern matches opening quotes only.
    """
    pattern = _CSV_GUARDS.get(delimiter)
    if pattern is None:
        pattern = _CSV_GUARDS[delimiter] = re.compile(
            f'(^|{re.escape(delimiter)})"([=+\\-@\t\r])', re.MULTILINE
        )
    return pattern.sub("\\1\"'\\2", text)


def write_csv(
    header: Sequence[str], rows: Iterable[Row], *, delimiter: str = ";"
) -> Iterator[bytes]:
    """UTF-8 CSV: a header row, text in double quotes, numbers bare, formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        quotechar='"',
        quoting=csv.QUOTE_NONNUMERIC,
        lineterminator="\n",
    )
    writer.writerow(header)
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK_ROWS:
            writer.writerows(batch)
            batch.clear()
            yield _guard_csv(buffer.getvalue(), delimiter).encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(batch)
    yield _guard_csv(buffer.getvalue(), delimiter).encode("utf-8")


def _spreadsheet_text(text: str) -> str:
    return text if len(text) <= MAX_CELL_TEXT else text[:MAX_CELL_TEXT]


def _sheet_name(base: str, index: int) -> str:
    return base[:31] if index == 1 else f"{base[:25]} {index}"


def _stream_file(handle: IO[bytes]) -> Iterator[bytes]:
    handle.seek(0)
    while chunk := handle.read(FILE_CHUNK_BYTES):
        yield chunk


def write_xls(
    header: Sequence[str], rows: Iterable[Row], *, sheet_name: str = "export"
) -> Iterator[bytes]:
    """A BIFF8 workbook (Excel 97-2003); a new sheet, with the header, every 65,535 rows."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet: Any = None
    sheets = 0
    row_index = XLS_MAX_DATA_ROWS + 1
    for row in rows:
        if row_index > XLS_MAX_DATA_ROWS:
            if sheet is not None:
                sheet.flush_row_data()
            sheets += 1
            sheet = book.add_sheet(_sheet_name(sheet_name, sheets))
            _xls_row(sheet, 0, header)
            row_index = 1
        _xls_row(sheet, row_index, row)
        row_index += 1
        if row_index % 1000 == 0:
            sheet.flush_row_data()
    if sheet is None:
        sheet = book.add_sheet(_sheet_name(sheet_name, 1))
        _xls_row(sheet, 0, header)
    with tempfile.TemporaryFile() as handle:
        book.save(handle)
        del book, sheet
        yield from _stream_file(handle)


def _xls_row(sheet: Any, index: int, cells: Sequence[Cell]) -> None:
    target = sheet.row(index)
    for column, cell in enumerate(cells):
        if cell is None:
            continue
        if isinstance(cell, str):
            target.set_cell_text(column, _spreadsheet_text(cell))
        else:
            target.set_cell_number(column, float(cell))


def write_xlsx(
    header: Sequence[str], rows: Iterable[Row], *, sheet_name: str = "export"
) -> Iterator[bytes]:
    """An Office Open XML workbook written in constant memory; strings stay strings."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        book = xlsxwriter.Workbook(
            handle.name,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        sheet: Any = None
        sheets = 0
        row_index = XLSX_MAX_DATA_ROWS + 1
        for row in rows:
            if row_index > XLSX_MAX_DATA_ROWS:
                sheets += 1
                sheet = book.add_worksheet(_sheet_name(sheet_name, sheets))
                sheet.write_row(0, 0, header)
                row_index = 1
            _xlsx_row(sheet, row_index, row)
            row_index += 1
        if sheet is None:
            book.add_worksheet(_sheet_name(sheet_name, 1)).write_row(0, 0, header)
        book.close()
        with open(handle.name, "rb") as finished:
            yield from _stream_file(finished)


def _xlsx_row(sheet: Any, index: int, cells: Sequence[Cell]) -> None:
    for column, cell in enumerate(cells):
        if cell is None:
            continue
        if isinstance(cell, str):
            sheet.write_string(index, column, _spreadsheet_text(cell))
        else:
            sheet.write_number(index, column, float(cell))


def xml_text(value: str) -> str:
    """``value`` escaped for XML element content, without characters XML 1.0 forbids."""
    return _XML_INVALID.sub("", value).translate(_XML_ESCAPES)


def write_xml(
    header: Sequence[str], rows: Iterable[Row], *, root: str = "items", item: str = "item"
) -> Iterator[bytes]:
    """One root element, one ``<item>`` per row, one child element per column."""
    opening = [f"<{name}>" for name in header]
    closing = [f"</{name}>" for name in header]
    parts: list[str] = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>\n']
    pending = 0
    for row in rows:
        parts.append(f"<{item}>")
        for open_tag, cell, close_tag in zip(opening, row, closing, strict=True):
            if cell is None:
                parts.append(open_tag + close_tag)
            elif isinstance(cell, str):
                parts.append(open_tag + xml_text(cell) + close_tag)
            else:
                parts.append(f"{open_tag}{cell}{close_tag}")
        parts.append(f"</{item}>\n")
        pending += 1
        if pending >= CHUNK_ROWS:
            yield "".join(parts).encode("utf-8")
            parts.clear()
            pending = 0
    parts.append(f"</{root}>\n")
    yield "".join(parts).encode("utf-8")


_JSON = msgspec.json.Encoder(decimal_format="number")


def write_json(header: Sequence[str], rows: Iterable[Row]) -> Iterator[bytes]:
    """A JSON array of objects keyed by the header; decimals are exact JSON numbers."""
    names = list(header)
    yield b"["
    first = True
    batch: list[dict[str, Cell]] = []
    for row in rows:
        batch.append(dict(zip(names, row, strict=True)))
        if len(batch) >= CHUNK_ROWS:
            yield (b"" if first else b",") + _JSON.encode(batch)[1:-1]
            first = False
            batch.clear()
    if batch:
        yield (b"" if first else b",") + _JSON.encode(batch)[1:-1]
    yield b"]"


def write_export(
    export_format: ExportFormat,
    header: Sequence[str],
    rows: Iterable[Row],
    *,
    name: str = "export",
) -> Iterator[bytes]:
    """The writer for ``export_format``; ``name`` names the sheet of spreadsheets."""
    if export_format is ExportFormat.CSV:
        return write_csv(header, rows)
    if export_format is ExportFormat.XLS:
        return write_xls(header, rows, sheet_name=name)
    if export_format is ExportFormat.XLSX:
        return write_xlsx(header, rows, sheet_name=name)
    if export_format is ExportFormat.XML:
        return write_xml(header, rows)
    return write_json(header, rows)
