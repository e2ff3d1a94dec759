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
container formats record sizes up front); those writers are our own, write the
rows one at a time to a temporary file (XLSX: a deflated ZIP of sheet XML with
inline strings; XLS: BIFF8 records, see ``kit.biff8``) and then stream it, so
memory stays flat whatever the row count.
"""

from __future__ import annotations

import operator
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from itertools import count
from typing import IO

import msgspec

from commerce_stats.kit import biff8
from commerce_stats.kit.ziparchive import EntryWriter, ZipArchive

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
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


class ExportStoppedError(Exception):
    """The export was told to stop (its reader went away); raised from its progress check."""


def stop_when(stopped: threading.Event) -> Callable[[int], None]:
    """A progress callback (told how many more rows were written) that ends the export with
    ``ExportStoppedError`` once ``stopped`` is set: the rows stop being read and written within
    one progress step, and the writers' temporary files are closed and gone."""

    def check(_rows: int) -> None:
        if stopped.is_set():
            raise ExportStoppedError

    return check


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


def csv_field(cell: Cell) -> str:
    """One CSV field, the only place the rule lives: text in double quotes (quotes doubled,
    a formula trigger at the start guarded with ``'``), numbers bare, None as empty text."""
    if cell.__class__ is str:
        text: str = neutralize_formula(cell)
        return '"' + text.replace('"', '""') + '"'
    if cell is None:
        return '""'
    return str(cell)


def csv_line(cells: Iterable[Cell], delimiter: str = ";") -> str:
    """One CSV line (without its line end) of ``cells``."""
    return delimiter.join([csv_field(cell) for cell in cells])


class CsvFields:
    """``csv_field`` with the text of repeated strings remembered: an export's text cells
    repeat (titles, statuses, defaults), and quoting each again is most of a line's cost.
    Only ``str`` cells are remembered (``Decimal("1.00") == 1`` would share a key)."""

    LIMIT = 50_000

    def __init__(self) -> None:
        self._text: dict[str, str] = {}

    def line(self, cells: Iterable[Cell], delimiter: str) -> str:
        remembered = self._text
        fields: list[str] = []
        for cell in cells:
            if cell.__class__ is str:
                text = remembered.get(cell)
                if text is None:
                    if len(remembered) >= self.LIMIT:
                        remembered.clear()
                    text = remembered[cell] = csv_field(cell)
                fields.append(text)
            elif cell is None:
                fields.append('""')
            else:
                fields.append(str(cell))
        return delimiter.join(fields)


def write_csv(
    header: Sequence[str], rows: Iterable[Row], *, delimiter: str = ";"
) -> Iterator[bytes]:
    """UTF-8 CSV: a header row, text in double quotes, numbers bare, formulas neutralised."""
    fields = CsvFields()
    batch = [csv_line(header, delimiter)]
    for row in rows:
        batch.append(fields.line(row, delimiter))
        if len(batch) >= CHUNK_ROWS:
            yield ("\n".join(batch) + "\n").encode("utf-8")
            batch = []
    yield ("\n".join(batch) + "\n").encode("utf-8") if batch else b""


def _sheet_name(base: str, index: int) -> str:
    return base[:31] if index == 1 else f"{base[:25]} {index}"


def _stream_file(handle: IO[bytes]) -> Iterator[bytes]:
    handle.seek(0)
    while chunk := handle.read(FILE_CHUNK_BYTES):
        yield chunk


def write_xls(
    header: Sequence[str],
    rows: Iterable[Row],
    *,
    sheet_name: str = "export",
    max_data_rows: int = XLS_MAX_DATA_ROWS,
) -> Iterator[bytes]:
    """A BIFF8 workbook (Excel 97-2003) in flat memory; a new sheet, with the header,
    every ``max_data_rows`` rows (see ``kit.biff8``)."""
    names = (_sheet_name(sheet_name, index) for index in count(1))
    return biff8.write_workbook(header, iter(rows), names, max_data_rows)


_XLSX_TEXT_OPEN = '<c t="inlineStr"><is><t xml:space="preserve">'
_XLSX_TEXT_CLOSE = "</t></is></c>"
_XLSX_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_XLSX_SHEET_END = "</sheetData></worksheet>"
_XLSX_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XLSX_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XLSX_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XLSX_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_XLSX_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _xlsx_text(text: str) -> str:
    """``text`` escaped for a sheet's inline string, trimmed to what a cell holds."""
    return xml_text(text[:MAX_CELL_TEXT])


@dataclass(frozen=True, slots=True)
class _RowTemplate:
    """The ``<row>`` of one pattern of cell types, as a ``%`` template, and its text cells."""

    xml: str
    texts: Callable[[tuple[Cell, ...]], tuple[str, ...]]


def _row_template(kinds: tuple[type, ...]) -> _RowTemplate:
    """Inline strings for text (empty text too), ``<v>`` numbers, an empty ``<c/>`` for None.

    Cells carry no references: readers place them in order, which is why a
    blank is still written (``%.0s`` consumes the None and prints nothing).
    Empty text stays an empty text cell, as in XLS and as ``""`` in CSV and JSON.
    """
    parts = ["<row>"]
    positions: list[int] = []
    for position, kind in enumerate(kinds):
        if kind is str:
            parts.append(_XLSX_TEXT_OPEN + "%s" + _XLSX_TEXT_CLOSE)
            positions.append(position)
        elif kind is type(None):
            parts.append("<c/>%.0s")
        else:
            parts.append("<c><v>%s</v></c>")
    parts.append("</row>")
    return _RowTemplate("".join(parts), _picker(positions))


def _picker(positions: list[int]) -> Callable[[tuple[Cell, ...]], tuple[str, ...]]:
    if not positions:
        return lambda _cells: ()
    if len(positions) == 1:
        only = positions[0]
        return lambda cells: (cells[only],)  # type: ignore[return-value]
    return operator.itemgetter(*positions)


class _XlsxRows:
    """Sheet XML for rows, fast: one cached ``%`` template per pattern of cell types.

    Exports repeat one pattern (or a few) over millions of rows, so a row costs
    one tuple of types, one dict lookup and one ``%``. Text is escaped only in
    rows whose text holds a character that may need it, which almost no row
    does; escaping also trims text to what a cell holds.
    """

    def __init__(self) -> None:
        self._templates: dict[tuple[type, ...], _RowTemplate] = {}

    def xml(self, row: Row) -> str:
        cells = tuple(row)
        kinds = tuple(map(type, cells))
        template = self._templates.get(kinds)
        if template is None:
            template = self._templates[kinds] = _row_template(kinds)
        texts = "".join(template.texts(cells))
        if texts and not (
            texts.isprintable()
            and "&" not in texts
            and "<" not in texts
            and ">" not in texts
            and len(texts) <= MAX_CELL_TEXT
        ):
            cells = tuple(_xlsx_text(cell) if cell.__class__ is str else cell for cell in cells)
        return template.xml % cells

    def chunk(self, rows: Iterable[Row]) -> str:
        return "".join([self.xml(row) for row in rows])


def _xlsx_package_parts(sheet_names: Sequence[str]) -> dict[str, str]:
    """The workbook, relationships, styles and content types around ``sheet_names``."""
    indexes = range(1, len(sheet_names) + 1)
    sheets = "".join(
        f'<sheet name="{xml_text(name)}" sheetId="{index}" r:id="rId{index}"/>'
        for index, name in zip(indexes, sheet_names, strict=True)
    )
    sheet_relations = "".join(
        f'<Relationship Id="rId{index}" Type="{_XLSX_RELATIONSHIPS}/worksheet" '
        f'Target="worksheets/sheet{index}.xml"/>'
        for index in indexes
    )
    sheet_types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{index}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for index in indexes
    )
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    styles_id = len(sheet_names) + 1
    return {
        "[Content_Types].xml": declaration
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{sheet_types}</Types>",
        "_rels/.rels": declaration + f'<Relationships xmlns="{_XLSX_PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{_XLSX_RELATIONSHIPS}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": declaration
        + f'<workbook xmlns="{_XLSX_MAIN}" xmlns:r="{_XLSX_RELATIONSHIPS}">'
        f"<sheets>{sheets}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": declaration
        + f'<Relationships xmlns="{_XLSX_PACKAGE_RELATIONSHIPS}">{sheet_relations}'
        f'<Relationship Id="rId{styles_id}" Type="{_XLSX_RELATIONSHIPS}/styles" '
        'Target="styles.xml"/></Relationships>',
        "xl/styles.xml": _XLSX_STYLES,
    }


def write_xlsx(
    header: Sequence[str],
    rows: Iterable[Row],
    *,
    sheet_name: str = "export",
    max_data_rows: int = XLSX_MAX_DATA_ROWS,
) -> Iterator[bytes]:
    """An Office Open XML workbook, written row by row in constant memory.

    Each sheet's XML goes straight into a deflated ZIP entry of a temporary
    file (inline strings, so no shared-string table grows in memory); a new
    sheet, with the header, starts every ``max_data_rows`` rows. Text stays
    text: cells are never formulas, numbers or links unless they are numbers.
    """
    renderer = _XlsxRows()
    header_xml = renderer.chunk([header])
    sheet_names: list[str] = []
    with tempfile.TemporaryFile() as handle:
        package = ZipArchive(handle)

        def open_sheet() -> EntryWriter:
            sheet_names.append(_sheet_name(sheet_name, len(sheet_names) + 1))
            opened = package.open(f"xl/worksheets/sheet{len(sheet_names)}.xml")
            opened.write((_XLSX_SHEET_START + header_xml).encode("utf-8"))
            return opened

        entry: EntryWriter | None = None
        row_index = max_data_rows
        batch: list[Row] = []
        for row in rows:
            if row_index == max_data_rows:
                if entry is not None:
                    _write_sheet_rows(entry, renderer, batch, end=True)
                    entry.close()
                entry = open_sheet()
                row_index = 0
            batch.append(row)
            row_index += 1
            if len(batch) >= CHUNK_ROWS:
                _write_sheet_rows(entry, renderer, batch)  # type: ignore[arg-type]
        if entry is None:
            entry = open_sheet()
        _write_sheet_rows(entry, renderer, batch, end=True)
        entry.close()
        for name, text in _xlsx_package_parts(sheet_names).items():
            package.add(name, text)
        package.close()
        yield from _stream_file(handle)


def _write_sheet_rows(
    entry: EntryWriter, renderer: _XlsxRows, batch: list[Row], *, end: bool = False
) -> None:
    """Writes and clears ``batch``; ``end`` closes the sheet's XML after it."""
    text = renderer.chunk(batch)
    batch.clear()
    entry.write((text + _XLSX_SHEET_END if end else text).encode("utf-8"))


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
