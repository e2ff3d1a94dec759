"""A ``multipart/form-data`` body read as a stream: the fields first, then one file.

A form that carries credentials beside a large file must not cost the server the
file before the credentials are known. ``read_fields_then_file`` feeds the body to
python-multipart's push parser as it arrives, keeps the (small) text fields in
memory, and calls ``before_file`` with them as soon as the file part's headers
arrive: a refusal raised there ends the request before one byte of the file is
stored. Only then is the file spooled (to memory up to ``SPOOL_MEMORY_BYTES``, to
an anonymous temporary file beyond). A declared ``Content-Length`` over the limit
is refused before anything is read, and the running size while it streams.

A file part that comes before the required fields is refused (``fields_first``):
buffering it until the credentials arrive would spool unauthenticated bytes.
Clients send parts in the order given (``curl -F``, browsers in form order,
httpx and requests put plain fields before files).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import IO, Generic, TypeVar

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

MAX_FIELD_BYTES = 4096
"""Largest text field (a login id, a token) of such a form."""
MAX_PARTS = 32
MAX_PART_HEADER_BYTES = 8192
FORM_OVERHEAD_BYTES = 64 * 1024
"""Allowance over the file limit for the text fields and part headers."""
SPOOL_MEMORY_BYTES = 1024 * 1024
FEED_BYTES = 64 * 1024
"""The parser is fed this much at a time, so a body delivered in one piece is still
checked (and refused) before its file bytes are copied."""

T = TypeVar("T")


class FormError(Exception):
    """A refused form: ``status`` 400 (malformed, names ``field``) or 413 (too large)."""

    def __init__(self, message: str, *, field: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


@dataclass
class StreamedForm(Generic[T]):
    """The text fields, what ``before_file`` answered, and the file (positioned at 0)."""

    fields: dict[str, str]
    checked: T
    file: IO[bytes]


@dataclass
class _Part:
    name: str = ""
    is_file: bool = False
    header_name: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    disposition: bytes = b""
    header_bytes: int = 0
    data: bytearray = field(default_factory=bytearray)


class _Events:
    """Collects the parser's callbacks; they are acted on between writes (some need await)."""

    def __init__(self) -> None:
        self.part = _Part()
        self.queue: list[tuple[str, _Part, bytes]] = []
        self.parts = 0
        self.ended = False

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self._begin,
            "on_part_data": self._data,
            "on_part_end": lambda: self.queue.append(("end", self.part, b"")),
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": lambda: self.queue.append(("headers", self.part, b"")),
            "on_end": self._end,
        }

    def _begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise FormError(f"more than {MAX_PARTS} parts")
        self.part = _Part()

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.queue.append(("data", self.part, bytes(data[start:end])))

    def _count_header(self, size: int) -> None:
        self.part.header_bytes += size
        if self.part.header_bytes > MAX_PART_HEADER_BYTES:
            raise FormError(f"a part's headers are longer than {MAX_PART_HEADER_BYTES} bytes")

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self.part.header_name += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self.part.header_value += data[start:end]

    def _header_end(self) -> None:
        if bytes(self.part.header_name).lower() == b"content-disposition":
            self.part.disposition = bytes(self.part.header_value)
        self.part.header_name.clear()
        self.part.header_value.clear()

    def _end(self) -> None:
        self.ended = True


class _FormReader(Generic[T]):
    def __init__(
        self,
        file_field: str,
        required: Sequence[str],
        limit: int,
        before_file: Callable[[dict[str, str]], Awaitable[T]],
    ) -> None:
        self.file_field = file_field
        self.required = required
        self.limit = limit
        self.before_file = before_file
        self.fields: dict[str, str] = {}
        self.checked: tuple[T] | None = None
        self.file: IO[bytes] | None = None
        self.file_size = 0

    async def handle(self, kind: str, part: _Part, data: bytes) -> None:
        if kind == "headers":
            await self._headers(part)
        elif kind == "data":
            self._data(part, data)
        elif not part.is_file:
            self.fields.setdefault(part.name, _text(part.name, part.data))

    async def _headers(self, part: _Part) -> None:
        _kind, options = parse_options_header(part.disposition)
        if b"name" not in options:
            raise FormError("a part has no name in its Content-Disposition")
        part.name = options[b"name"].decode("utf-8", "replace")
        if part.name != self.file_field:
            return
        if self.file is not None:
            raise FormError("more than one file", field=self.file_field)
        missing = [name for name in self.required if name not in self.fields]
        if missing:
            raise FormError(
                f"send {', '.join(self.required)} before {self.file_field}", field=missing[0]
            )
        self.checked = (await self.before_file(dict(self.fields)),)
        part.is_file = True
        self.file = SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115

    def _data(self, part: _Part, data: bytes) -> None:
        if part.is_file:
            assert self.file is not None
            self.file_size += len(data)
            if self.file_size > self.limit:
                raise FormError(f"the upload is larger than {self.limit} bytes", status=413)
            self.file.write(data)
            return
        if len(part.data) + len(data) > MAX_FIELD_BYTES:
            raise FormError(f"longer than {MAX_FIELD_BYTES} bytes", field=part.name)
        part.data += data

    async def finish(self) -> StreamedForm[T]:
        if self.file is None or self.checked is None:
            missing = [name for name in self.required if name not in self.fields]
            if missing:
                raise FormError("field required", field=missing[0])
            await self.before_file(dict(self.fields))
            raise FormError("field required", field=self.file_field)
        self.file.seek(0)
        return StreamedForm(self.fields, self.checked[0], self.file)


def _text(name: str, data: bytearray) -> str:
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormError("not valid UTF-8", field=name) from exc


def _boundary(headers: Mapping[str, str]) -> bytes:
    kind, options = parse_options_header(headers.get("content-type", ""))
    if kind != b"multipart/form-data" or not options.get(b"boundary"):
        raise FormError("the body must be multipart/form-data with a boundary")
    return options[b"boundary"]


def _check_declared_size(headers: Mapping[str, str], limit: int) -> None:
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD_BYTES:
        raise FormError(f"the upload is larger than {limit} bytes", status=413)


async def read_fields_then_file(
    headers: Mapping[str, str],
    stream: AsyncIterator[bytes],
    *,
    file_field: str,
    required: Sequence[str],
    limit: int,
    before_file: Callable[[dict[str, str]], Awaitable[T]],
) -> StreamedForm[T]:
    """Reads the form; ``before_file(fields)`` runs once the ``required`` fields are in and
    before any file byte is stored (its exception ends the read). ``limit`` bounds the
    file; the whole body may be ``FORM_OVERHEAD_BYTES`` larger."""
    _check_declared_size(headers, limit)
    reader = _FormReader(file_field, required, limit, before_file)
    events = _Events()
    parser = MultipartParser(_boundary(headers), events.callbacks())  # type: ignore[arg-type]
    received = 0
    try:
        async for chunk in stream:
            received += len(chunk)
            if received > limit + FORM_OVERHEAD_BYTES:
                raise FormError(f"the upload is larger than {limit} bytes", status=413)
            for start in range(0, len(chunk), FEED_BYTES):
                parser.write(chunk[start : start + FEED_BYTES])
                for kind, part, data in events.queue:
                    await reader.handle(kind, part, data)
                events.queue.clear()
        parser.finalize()
        if not events.ended:
            raise FormError("the multipart body ends before its closing boundary")
        return await reader.finish()
    except FormParserError as exc:
        _close(reader.file)
        raise FormError(f"malformed multipart body: {exc}") from exc
    except BaseException:
        _close(reader.file)
        raise


def _close(file: IO[bytes] | None) -> None:
    if file is not None:
        file.close()
