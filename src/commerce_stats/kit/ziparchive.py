"""A ZIP archive written entry by entry into a seekable file, deflated by ISA-L.

XLSX exports are ZIP archives whose sheet entries hold gigabytes of XML for a
million rows. ``zipfile`` deflates with zlib, which took longer than building
the XML; ISA-L's deflate (the ``isal`` package) does the same work about four
times faster at a slightly better ratio, and its CRC-32 is faster still. The
archive layout follows what ``zipfile`` writes for ``force_zip64`` entries:

- every entry's local header carries a ZIP64 extra field; the header is
  written first with placeholders and rewritten, with the real CRC and
  sizes, when the entry closes (the file is seekable, so no data descriptor);
- the central directory uses ZIP64 fields only where a value does not fit
  32 bits, followed by a ZIP64 end record when any value needs it.
"""

from __future__ import annotations

import struct
import time
from dataclasses import dataclass
from typing import IO

from isal import isal_zlib

DEFLATE_LEVEL = 1
"""ISA-L levels run 0-3; at 1 the sheet XML already shrinks about fifteenfold."""
_DEFLATED = 8
_ZIP64_VERSION = 45
_LIMIT = 0xFFFFFFFF
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_ZIP64_LOCAL_EXTRA = struct.Struct("<HHQQ")
_CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
_ZIP64_END = struct.Struct("<IQHHIIQQQQ")
_ZIP64_LOCATOR = struct.Struct("<IIQI")
_END = struct.Struct("<IHHHHIIH")


@dataclass
class _Entry:
    name: bytes
    offset: int
    dos_time: int
    dos_date: int
    crc: int = 0
    compressed: int = 0
    size: int = 0


def _dos_stamp(moment: float) -> tuple[int, int]:
    local = time.localtime(moment)
    dos_time = (local.tm_hour << 11) | (local.tm_min << 5) | (local.tm_sec // 2)
    dos_date = ((local.tm_year - 1980) << 9) | (local.tm_mon << 5) | local.tm_mday
    return dos_time, dos_date


class EntryWriter:
    """One entry being written: ``write`` bytes, then ``close``."""

    def __init__(self, archive: ZipArchive, entry: _Entry) -> None:
        self._archive = archive
        self._entry = entry
        self._compressor = isal_zlib.compressobj(DEFLATE_LEVEL, isal_zlib.DEFLATED, -15)

    def write(self, data: bytes) -> None:
        entry = self._entry
        entry.crc = isal_zlib.crc32(data, entry.crc)
        entry.size += len(data)
        self._emit(self._compressor.compress(data))

    def close(self) -> None:
        self._emit(self._compressor.flush())
        self._archive._finish_entry(self._entry)

    def _emit(self, compressed: bytes) -> None:
        if compressed:
            self._archive.handle.write(compressed)
            self._entry.compressed += len(compressed)


class ZipArchive:
    """Entries are written one at a time; ``close`` writes the central directory."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self._entries: list[_Entry] = []
        self._open = False
        self._dos_time, self._dos_date = _dos_stamp(time.time())

    def open(self, name: str) -> EntryWriter:
        if self._open:
            raise RuntimeError("close the open entry first")
        entry = _Entry(name.encode("ascii"), self.handle.tell(), self._dos_time, self._dos_date)
        self._entries.append(entry)
        self.handle.write(_local_header(entry))
        self._open = True
        return EntryWriter(self, entry)

    def add(self, name: str, text: str) -> None:
        """A whole entry at once (the small parts around the sheets)."""
        writer = self.open(name)
        writer.write(text.encode("utf-8"))
        writer.close()

    def _finish_entry(self, entry: _Entry) -> None:
        end = self.handle.tell()
        self.handle.seek(entry.offset)
        self.handle.write(_local_header(entry))
        self.handle.seek(end)
        self._open = False

    def close(self) -> None:
        if self._open:
            raise RuntimeError("close the open entry first")
        directory_offset = self.handle.tell()
        for entry in self._entries:
            self.handle.write(_central_header(entry))
        directory_size = self.handle.tell() - directory_offset
        count = len(self._entries)
        if count > 0xFFFF or directory_size > _LIMIT or directory_offset > _LIMIT:
            zip64_offset = self.handle.tell()
            self.handle.write(
                _ZIP64_END.pack(
                    0x06064B50,
                    _ZIP64_END.size - 12,
                    _ZIP64_VERSION,
                    _ZIP64_VERSION,
                    0,
                    0,
                    count,
                    count,
                    directory_size,
                    directory_offset,
                )
            )
            self.handle.write(_ZIP64_LOCATOR.pack(0x07064B50, 0, zip64_offset, 1))
        self.handle.write(
            _END.pack(
                0x06054B50,
                0,
                0,
                min(count, 0xFFFF),
                min(count, 0xFFFF),
                min(directory_size, _LIMIT),
                min(directory_offset, _LIMIT),
                0,
            )
        )


def _local_header(entry: _Entry) -> bytes:
    return (
        _LOCAL_HEADER.pack(
            0x04034B50,
            _ZIP64_VERSION,
            0,
            _DEFLATED,
            entry.dos_time,
            entry.dos_date,
            entry.crc,
            _LIMIT,
            _LIMIT,
            len(entry.name),
            _ZIP64_LOCAL_EXTRA.size,
        )
        + entry.name
        + _ZIP64_LOCAL_EXTRA.pack(1, 16, entry.size, entry.compressed)
    )


def _central_header(entry: _Entry) -> bytes:
    """The entry's central directory record; ZIP64 fields only for what needs them."""
    wide: list[int] = []
    size, compressed, offset = entry.size, entry.compressed, entry.offset
    if size >= _LIMIT:
        wide.append(size)
        size = _LIMIT
    if compressed >= _LIMIT:
        wide.append(compressed)
        compressed = _LIMIT
    if offset >= _LIMIT:
        wide.append(offset)
        offset = _LIMIT
    extra = struct.pack(f"<HH{len(wide)}Q", 1, 8 * len(wide), *wide) if wide else b""
    return (
        _CENTRAL_HEADER.pack(
            0x02014B50,
            _ZIP64_VERSION,
            _ZIP64_VERSION,
            0,
            _DEFLATED,
            entry.dos_time,
            entry.dos_date,
            entry.crc,
            compressed,
            size,
            len(entry.name),
            len(extra),
            0,
            0,
            0,
            0,
            offset,
        )
        + entry.name
        + extra
    )
