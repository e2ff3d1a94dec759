"""The ZIP writer, read back by the standard library's zipfile."""

from __future__ import annotations

import io
import tempfile
import zipfile

import pytest

from commerce_stats.kit.ziparchive import ZipArchive


def _archive(entries: dict[str, bytes]) -> zipfile.ZipFile:
    handle = io.BytesIO()
    archive = ZipArchive(handle)
    for name, data in entries.items():
        writer = archive.open(name)
        for start in range(0, len(data), 1000):
            writer.write(data[start : start + 1000])
        writer.close()
    archive.close()
    handle.seek(0)
    return zipfile.ZipFile(handle)


def test_entries_read_back_with_their_names_and_bytes() -> None:
    entries = {"a.xml": b"<a/>" * 5000, "dir/b.txt": "Größe".encode(), "empty": b""}
    with _archive(entries) as package:
        assert package.testzip() is None
        assert package.namelist() == list(entries)
        assert {name: package.read(name) for name in entries} == entries


def test_entries_are_deflated() -> None:
    with _archive({"sheet.xml": b"<row><c>1</c></row>" * 10_000}) as package:
        info = package.getinfo("sheet.xml")
    assert info.compress_type == zipfile.ZIP_DEFLATED
    assert info.compress_size < info.file_size // 20


def test_more_than_65535_entries_use_the_zip64_end_record() -> None:
    entries = {f"e{index}": str(index).encode() for index in range(70_000)}
    with _archive(entries) as package:
        assert len(package.namelist()) == 70_000
        assert package.read("e69999") == b"69999"


def test_an_entry_past_4_gib_is_found_through_its_zip64_offset() -> None:
    with tempfile.TemporaryFile() as handle:
        archive = ZipArchive(handle)
        archive.add("first.txt", "first")
        handle.seek(5 * 2**30)
        archive.add("far.txt", "far away")
        archive.close()
        handle.seek(0)
        with zipfile.ZipFile(handle) as package:
            assert package.getinfo("far.txt").header_offset == 5 * 2**30
            assert package.read("far.txt") == b"far away"
            assert package.read("first.txt") == b"first"


def test_a_second_entry_cannot_open_while_one_is_open() -> None:
    with tempfile.TemporaryFile() as handle:
        archive = ZipArchive(handle)
        archive.open("one")
        with pytest.raises(RuntimeError, match="close the open entry first"):
            archive.open("two")
