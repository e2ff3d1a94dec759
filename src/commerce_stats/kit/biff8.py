"""A streaming BIFF8 (Excel 97-2003) workbook writer with flat memory.

xlwt keeps every cell, and at save time the whole file, in memory. This writer
keeps one row at a time: each sheet's records go to a temporary file as rows
arrive; at the end the small workbook globals (fonts, formats, sheet
directory) are put in front of them, and the compound file (OLE2/CFB) around
the ``Workbook`` stream is emitted from its header, the stream, then its
allocation table and directory, which are computed from the stream's size.

Text cells are ``LABEL`` records (no shared-string table, which would grow
with the rows); numbers are ``NUMBER`` records; blank cells are not written.
A record holds at most 8,224 bytes, so a text cell holds at most 8,215
Latin-1 characters or 4,107 UTF-16 code units; longer text is cut.
"""

from __future__ import annotations

import struct
import tempfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import IO

MAX_RECORD_DATA = 8_224
SECTOR = 512
_FAT_PER_SECTOR = SECTOR // 4
_HEADER_DIFAT = 109
_FREE = -1
_END_OF_CHAIN = -2
_FAT_SECTOR = -3
_DIFAT_SECTOR = -4
_MIN_STREAM = 4_096
"""Smaller streams live in the mini stream; the workbook is padded up to this size."""
_CELL_XF = 15
"""The first cell format after Excel's 15 built-in style formats."""

_BOF, _EOF, _CODEPAGE, _WINDOW1, _FONT, _XF, _STYLE = 0x809, 0xA, 0x42, 0x3D, 0x31, 0xE0, 0x293
_BOUNDSHEET, _DIMENSIONS, _WINDOW2, _NUMBER, _LABEL = 0x85, 0x200, 0x23E, 0x203, 0x204
_GLOBALS, _WORKSHEET = 0x0005, 0x0010
_LABEL_LIMIT = MAX_RECORD_DATA - 9


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(substream: int) -> bytes:
    return _record(_BOF, struct.pack("<HHHHII", 0x0600, substream, 0x0DBB, 0x07CC, 0, 0x06))


def _short_text(text: str) -> bytes:
    """A ShortXLUnicodeString: 8-bit length, a flags byte, then UTF-16LE characters."""
    encoded = text.encode("utf-16-le")
    return struct.pack("<BB", len(encoded) // 2, 1) + encoded


def _text_payload(text: str) -> bytes:
    """An XLUnicodeString (16-bit length), Latin-1 when possible, cut to fit one record."""
    try:
        encoded, flags, unit = text.encode("latin-1"), 0, 1
    except UnicodeEncodeError:
        encoded, flags, unit = text.encode("utf-16-le", "surrogatepass"), 1, 2
    if len(encoded) > _LABEL_LIMIT:
        encoded = encoded[: _LABEL_LIMIT - _LABEL_LIMIT % unit]
    return struct.pack("<HB", len(encoded) // unit, flags) + encoded


def _globals(sheets: Sequence[tuple[str, int]]) -> bytes:
    """The workbook globals for sheets given as (name, offset of its BOF in the stream)."""
    font = _record(
        _FONT, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + _short_text("Arial")
    )
    style_xf = _record(
        _XF, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0xF4, 0, 0, 0x20C0)
    )
    cell_xf = _record(_XF, struct.pack("<HHHBBBBIIH", 0, 0, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    parts = [
        _bof(_GLOBALS),
        _record(_CODEPAGE, struct.pack("<H", 1200)),
        _record(_WINDOW1, struct.pack("<HHHHHHHHH", 0, 0, 0x4000, 0x2000, 0x38, 0, 0, 1, 600)),
        font * 4,
        font,
        style_xf * _CELL_XF,
        cell_xf,
        _record(_STYLE, struct.pack("<HBB", 0x8000, 0, 0xFF)),
    ]
    for name, offset in sheets:
        parts.append(_record(_BOUNDSHEET, struct.pack("<IBB", offset, 0, 0) + _short_text(name)))
    parts.append(_record(_EOF, b""))
    return b"".join(parts)


class _SheetWriter:
    """Writes the sheets' records to a temporary file, one row at a time."""

    def __init__(self, handle: IO[bytes], columns: int) -> None:
        self.handle = handle
        self.columns = columns
        self.sheets: list[tuple[str, int]] = []
        self._dimensions_at = 0
        self._rows = 0

    def start_sheet(self, name: str) -> None:
        self.sheets.append((name, self.handle.tell()))
        self.handle.write(_bof(_WORKSHEET))
        self._dimensions_at = self.handle.tell()
        self.handle.write(_record(_DIMENSIONS, bytes(14)))
        self.handle.write(_record(_WINDOW2, struct.pack("<HHHHHHHI", 0x06B6, 0, 0, 64, 0, 0, 0, 0)))
        self._rows = 0

    def row(self, cells: Sequence[str | int | Decimal | None]) -> None:
        index = self._rows
        parts: list[bytes] = []
        for column, cell in enumerate(cells):
            if cell is None:
                continue
            if isinstance(cell, str):
                payload = struct.pack("<HHH", index, column, _CELL_XF) + _text_payload(cell)
                parts.append(struct.pack("<HH", _LABEL, len(payload)) + payload)
            else:
                parts.append(
                    struct.pack("<HHHHHd", _NUMBER, 14, index, column, _CELL_XF, float(cell))
                )
        self.handle.write(b"".join(parts))
        self._rows += 1

    def end_sheet(self) -> None:
        end = self.handle.tell()
        self.handle.seek(self._dimensions_at)
        dimensions = struct.pack("<IIHHH", 0, self._rows, 0, self.columns, 0)
        self.handle.write(_record(_DIMENSIONS, dimensions))
        self.handle.seek(end)
        self.handle.write(_record(_EOF, b""))


def _fat_layout(stream_sectors: int) -> tuple[int, int]:
    """How many FAT and DIFAT sectors a file with ``stream_sectors`` data sectors needs."""
    fat = difat = 0
    while True:
        total = stream_sectors + fat + difat + 1
        needed_fat = -(-total // _FAT_PER_SECTOR)
        needed_difat = max(0, -(-(needed_fat - _HEADER_DIFAT) // (_FAT_PER_SECTOR - 1)))
        if (needed_fat, needed_difat) == (fat, difat):
            return fat, difat
        fat, difat = needed_fat, needed_difat


def _ints(values: Sequence[int]) -> bytes:
    return struct.pack(f"<{len(values)}i", *values)


def _directory_entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBBiii", len(encoded), kind, 1, -1, -1, child)
        + bytes(16 + 4 + 16)
        + struct.pack("<iII", start, size, 0)
    )


def _container_tail(stream_size: int) -> tuple[bytes, Iterator[bytes]]:
    """The CFB header and the sectors after the stream (FAT, DIFAT, directory)."""
    stream_sectors = -(-stream_size // SECTOR)
    fat, difat = _fat_layout(stream_sectors)
    fat_start = stream_sectors
    difat_start = fat_start + fat
    directory = difat_start + difat
    fat_sectors = list(range(fat_start, fat_start + fat))
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<iiiiiiiii", 0, fat, directory, 0, _MIN_STREAM, _END_OF_CHAIN, 0,
                      difat_start if difat else _END_OF_CHAIN, difat)
        + _ints((fat_sectors[:_HEADER_DIFAT] + [_FREE] * _HEADER_DIFAT)[:_HEADER_DIFAT])
    )  # fmt: skip

    def tail() -> Iterator[bytes]:
        yield from _fat_entries(stream_sectors, fat, difat)
        rest = fat_sectors[_HEADER_DIFAT:]
        for number in range(difat):
            chunk = rest[number * 127 : (number + 1) * 127]
            following = difat_start + number + 1 if number + 1 < difat else _END_OF_CHAIN
            yield _ints(chunk + [_FREE] * (127 - len(chunk)) + [following])
        yield (
            _directory_entry("Root Entry", 5, 1, _END_OF_CHAIN, 0)
            + _directory_entry("Workbook", 2, -1, 0, stream_size)
            + _directory_entry("", 0, -1, 0, 0) * 2
        )

    return header, tail()


def _fat_entries(stream_sectors: int, fat: int, difat: int) -> Iterator[bytes]:
    """The allocation table: the stream's chain, FAT and DIFAT marks, the directory, padding."""
    step = 65_536
    for first in range(0, stream_sectors, step):
        last = min(first + step, stream_sectors)
        chain = list(range(first + 1, last + 1))
        if last == stream_sectors:
            chain[-1] = _END_OF_CHAIN
        yield _ints(chain)
    marks = [_FAT_SECTOR] * fat + [_DIFAT_SECTOR] * difat + [_END_OF_CHAIN]
    used = stream_sectors + len(marks)
    yield _ints(marks + [_FREE] * (fat * _FAT_PER_SECTOR - used))


def _copy(handle: IO[bytes], chunk: int = 256 * 1024) -> Iterator[bytes]:
    handle.seek(0)
    while data := handle.read(chunk):
        yield data


def write_workbook(
    header: Sequence[str],
    rows: Iterator[Sequence[str | int | Decimal | None]],
    sheet_names: Iterator[str],
    max_data_rows: int,
) -> Iterator[bytes]:
    """A BIFF8 workbook: a new sheet (named by ``sheet_names``), with the header, every
    ``max_data_rows`` rows; at least one sheet."""
    with tempfile.TemporaryFile() as handle:
        sheets = _SheetWriter(handle, len(header))
        written = max_data_rows
        for row in rows:
            if written == max_data_rows:
                if sheets.sheets:
                    sheets.end_sheet()
                sheets.start_sheet(next(sheet_names))
                sheets.row(header)
                written = 0
            sheets.row(row)
            written += 1
        if not sheets.sheets:
            sheets.start_sheet(next(sheet_names))
            sheets.row(header)
        sheets.end_sheet()
        body_size = handle.tell()
        placeholder = _globals([(name, 0) for name, _ in sheets.sheets])
        workbook_globals = _globals(
            [(name, len(placeholder) + offset) for name, offset in sheets.sheets]
        )
        stream_size = len(workbook_globals) + body_size
        padding = max(0, _MIN_STREAM - stream_size)
        stream_size += padding
        container_header, tail = _container_tail(stream_size)
        yield container_header
        yield workbook_globals
        yield from _copy(handle)
        yield bytes(padding + (-stream_size % SECTOR))
        yield from tail
