"""The streamed multipart reader: the fields are checked before a byte of the file is kept."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from commerce_stats.kit.multipart import (
    FORM_OVERHEAD_BYTES,
    FormError,
    StreamedForm,
    read_fields_then_file,
)

BOUNDARY = "b0undary"
HEADERS = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def _field(name: str, value: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
    ).encode()


FILE_HEADERS = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="o.csv"\r\n\r\n'
).encode()
END = f"\r\n--{BOUNDARY}--\r\n".encode()


class Stream:
    """The body in the given chunks, counting how many were taken."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.taken += 1
            yield chunk


class RefusedError(Exception):
    pass


def _read(
    stream: Stream, *, limit: int = 1_000_000, headers: dict[str, str] | None = None
) -> StreamedForm[str]:
    async def check(fields: dict[str, str]) -> str:
        if fields["token"] != "right":
            raise RefusedError
        return f"account of {fields['login_id']}"

    # A thread of its own: a browser test earlier in the run may leave an event loop running
    # in the main thread, where asyncio.run refuses to start another.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _parse(stream, limit, headers, check)).result()


async def _parse(
    stream: Stream,
    limit: int,
    headers: dict[str, str] | None,
    check: Callable[[dict[str, str]], Awaitable[str]],
) -> StreamedForm[str]:
    return await read_fields_then_file(
        headers or HEADERS,
        stream.__aiter__(),
        file_field="file",
        required=("login_id", "token"),
        limit=limit,
        before_file=check,
    )


def test_fields_the_check_and_the_file_are_returned() -> None:
    stream = Stream(
        [_field("login_id", "7") + _field("token", "right"), FILE_HEADERS, b"a;b\n", END]
    )
    form = _read(stream)
    assert (form.fields, form.checked, form.file.read()) == (
        {"login_id": "7", "token": "right"},
        "account of 7",
        b"a;b\n",
    )


def test_a_refused_check_ends_the_read_before_any_file_byte() -> None:
    data = [b"x" * 65536] * 100
    stream = Stream([_field("login_id", "7") + _field("token", "wrong"), FILE_HEADERS, *data, END])
    with pytest.raises(RefusedError):
        _read(stream)
    assert stream.taken == 2


def test_a_declared_length_over_the_limit_is_413_before_reading() -> None:
    stream = Stream([_field("login_id", "7")])
    headers = {**HEADERS, "content-length": str(1000 + FORM_OVERHEAD_BYTES + 1)}
    with pytest.raises(FormError) as refused:
        _read(stream, limit=1000, headers=headers)
    assert (refused.value.status, stream.taken) == (413, 0)


def test_a_file_growing_past_the_limit_is_413_while_it_streams() -> None:
    data = [b"x" * 600] * 100
    stream = Stream([_field("login_id", "7") + _field("token", "right"), FILE_HEADERS, *data, END])
    with pytest.raises(FormError) as refused:
        _read(stream, limit=1000)
    assert (refused.value.status, stream.taken) == (413, 4)


def test_a_file_before_the_required_fields_is_refused() -> None:
    stream = Stream([_field("login_id", "7"), FILE_HEADERS, b"a;b\n", END])
    with pytest.raises(FormError) as refused:
        _read(stream)
    assert (refused.value.status, refused.value.field, refused.value.message) == (
        400,
        "token",
        "send login_id, token before file",
    )


def test_a_body_without_its_closing_boundary_is_refused() -> None:
    stream = Stream([_field("login_id", "7") + _field("token", "right"), FILE_HEADERS, b"a;b\n"])
    with pytest.raises(FormError) as refused:
        _read(stream)
    assert refused.value.message == "the multipart body ends before its closing boundary"
