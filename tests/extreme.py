"""Extreme values for every field of a route, and the checks every surface must pass with them.

The fields come from the application's own OpenAPI description (path and query
parameters, and every property of a JSON body, nested ones included), so a field
added to a route is tried without touching the tests. A value is put into one
field of an otherwise valid request; the answer must not be a 500, a refusal must
come in the surface's own envelope, and a refused request must leave every table
exactly as it was.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from httpx2 import Response
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import select

from commerce_stats.app import create_app
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.models import metadata

EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
"""Few examples per surface: the fixed list below holds the classes that matter; the drawn
values add variety around them. Derandomized, so a failure is the same on every run."""

DEPTH = 100_000
MEGABYTE = 1_000_000


@dataclass(frozen=True)
class Raw:
    """Bytes put as they are into a JSON body (not JSON-encoded), or percent-encoded in a URL."""

    data: bytes


DEEP_ARRAY = Raw(b"[" * DEPTH + b"]" * DEPTH)
DEEP_OBJECT = Raw(b'{"a":' * DEPTH + b"1" + b"}" * DEPTH)
NESTED_300 = Raw(b"[" * 300 + b"]" * 300)
"""Deep enough to pass a JSON parser's limit and break a serializer's (orjson: 254)."""
BAD_UTF8 = Raw(b'"\xff\xfe\xc3("')
NAN = Raw(b"NaN")

EXTREME_DATES = (
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-14:00",
    "0001-01-01",
    "9999-12-31",
    "01.01.0001",
    "31.12.9999",
)
FIXED: tuple[Any, ...] = (
    *EXTREME_DATES,
    10**40,
    -(10**40),
    2**63,
    -(2**63) - 1,
    2**31,
    0,
    -1,
    1e308,
    -1e308,
    5e-324,
    float("inf"),
    NAN,
    "nan",
    "1e308",
    "9" * 40,
    "-" + "9" * 40,
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    BAD_UTF8,
    "x" * MEGABYTE,
    DEEP_ARRAY,
    DEEP_OBJECT,
    NESTED_300,
    True,
    None,
    [],
    {},
)


def extreme_values() -> st.SearchStrategy[Any]:
    """The fixed classes above, and drawn ones of the same kinds."""
    huge = st.integers(min_value=10**18, max_value=10**45)
    return st.one_of(
        st.sampled_from(FIXED),
        st.one_of(huge, huge.map(lambda n: -n)),
        st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: abs(x) > 1e300 or x != x),
        st.text(
            alphabet=st.characters(codec=None, categories=["Cs", "Cc"]) | st.just("\x00"),
            min_size=1,
            max_size=8,
        ),
    )


# -- requests --------------------------------------------------------------------------------


def json_fragment(value: Any) -> bytes:
    """``value`` as JSON text; NaN and ±Infinity as the bare literals, lone surrogates escaped."""
    if isinstance(value, Raw):
        return value.data
    return json.dumps(value).encode("ascii")


MAX_URL_VALUE = 8_000
"""Bytes of one value in a URL: a megabyte cannot travel in a request line (HTTP servers and
clients cut URLs far shorter), so a long value there is as long as a URL allows."""


def url_text(value: Any) -> str:
    """``value`` percent-encoded for a path segment or a query value (a lone surrogate as its
    invalid UTF-8 bytes), at most ``MAX_URL_VALUE`` bytes of it."""
    if isinstance(value, Raw):
        data = value.data
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
    elif value is None:
        data = b""
    else:
        data = json.dumps(value).encode("ascii")
    return quote(data[:MAX_URL_VALUE], safe="")


_SENTINEL = "__extreme_value__"


def body_with(base: Any, path: tuple[str | int, ...], value: Any) -> bytes:
    """The JSON body ``base`` with the field at ``path`` set to ``value`` (``()``: the whole
    body); missing containers on the way are created."""
    if not path:
        return json_fragment(value)
    body = json.loads(json.dumps(base)) if base is not None else {}
    container: Any = body
    for step, following in itertools.pairwise(path):
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(step, int):
            while len(container) <= step:
                container.append(empty)
            if not isinstance(container[step], type(empty)):
                container[step] = empty
        elif not isinstance(container.get(step), type(empty)):
            container[step] = empty
        container = container[step]
    last = path[-1]
    if isinstance(last, int):
        while len(container) <= last:
            container.append(None)
    container[last] = _SENTINEL
    return json.dumps(body).encode("ascii").replace(f'"{_SENTINEL}"'.encode(), json_fragment(value))


def url_with(
    template: str,
    path_values: Mapping[str, Any],
    query: Mapping[str, Any],
    target: tuple[str, str] | None = None,
    value: Any = None,
) -> str:
    """``template`` filled with ``path_values`` and ``query``; ``target`` = (``path`` or
    ``query``, name) is set to ``value`` instead."""
    path_values = dict(path_values)
    query = dict(query)
    if target is not None:
        where, name = target
        (path_values if where == "path" else query)[name] = value
    url = template
    for name, given in path_values.items():
        # An empty segment would name another route (a routing 404, no surface's answer).
        url = url.replace("{" + name + "}", url_text("null" if given is None else given))
    pairs = [f"{quote(name, safe='')}={url_text(given)}" for name, given in query.items()]
    return url + ("?" + "&".join(pairs) if pairs else "")


# -- the fields of the OpenAPI description ---------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One route as the OpenAPI description states it."""

    method: str
    path: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    body_fields: tuple[tuple[str | int, ...], ...]
    has_json_body: bool

    def targets(self) -> list[tuple[str, Any]]:
        """Every place a value can go: ("path", name), ("query", name), ("body", field path);
        ("body", ()) stands for the whole body."""
        places: list[tuple[str, Any]] = [("path", name) for name in self.path_params]
        places += [("query", name) for name in self.query_params]
        if self.has_json_body:
            places += [("body", ())] + [("body", field) for field in self.body_fields]
        return places


def _resolve(schema: Mapping[str, Any], spec: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def field_paths(
    schema: Mapping[str, Any], spec: Mapping[str, Any], prefix: tuple[str | int, ...] = ()
) -> Iterator[tuple[str | int, ...]]:
    """The path of every property in a JSON schema, nested objects and array items included."""
    schema = _resolve(schema, spec)
    for alternative in schema.get("anyOf", ()):
        yield from field_paths(alternative, spec, prefix)
    if "items" in schema:
        yield (*prefix, 0)
        yield from field_paths(schema["items"], spec, (*prefix, 0))
    for name, child in schema.get("properties", {}).items():
        yield (*prefix, name)
        yield from field_paths(child, spec, (*prefix, name))


@cache
def _schema_app() -> FastAPI:
    """An application instance to read the OpenAPI description from (never started)."""
    folder = tempfile.mkdtemp(prefix="commerce-stats-extreme-")
    return create_app(Settings(database_url=f"sqlite:///{folder}/schema.sqlite3"))


def openapi() -> dict[str, Any]:
    spec: dict[str, Any] = _schema_app().openapi()
    return spec


def operations(
    keep: Callable[[str, str], bool] = lambda method, path: True, tag: str | None = None
) -> list[Operation]:
    """The routes of the OpenAPI description for which ``keep(method, path)`` holds (and that
    carry ``tag``, when given)."""
    spec = openapi()
    found: list[Operation] = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if not keep(method.upper(), path):
                continue
            if tag is not None and tag not in operation.get("tags", ()):
                continue
            parameters = operation.get("parameters", [])
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            fields = tuple(dict.fromkeys(field_paths(schema, spec))) if schema else ()
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    path_params=tuple(p["name"] for p in parameters if p["in"] == "path"),
                    query_params=tuple(p["name"] for p in parameters if p["in"] == "query"),
                    body_fields=fields,
                    has_json_body="application/json" in content,
                )
            )
    return found


def all_targets(ops: list[Operation]) -> list[tuple[Operation, tuple[str, Any]]]:
    return [(operation, target) for operation in ops for target in operation.targets()]


def model_fields(schema_name: str) -> list[tuple[str | int, ...]]:
    """The field paths of a named schema of the OpenAPI description."""
    spec = openapi()
    return list(dict.fromkeys(field_paths(spec["components"]["schemas"][schema_name], spec)))


def sweep_value(position: int) -> Any:
    """The fixed value a deterministic sweep puts into its ``position``-th field, so that
    every field gets one and the classes rotate over the fields."""
    return FIXED[position % len(FIXED)]


def send_operation(
    client: Any,
    operation: Operation,
    target: tuple[str, Any] | None,
    value: Any,
    path_values: Mapping[str, Any],
    body: Any = None,
    query: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``operation`` with valid ``path_values``/``query``/``body``, one place set to ``value``."""
    where = target[0] if target else None
    url = url_with(
        operation.path,
        path_values,
        query or {},
        target if where in ("path", "query") else None,
        value,
    )
    content: bytes | None = None
    if operation.has_json_body:
        content = (
            body_with(body, target[1], value)
            if target and where == "body"
            else json.dumps(body).encode()
        )
    response: Response = client.request(
        operation.method,
        url,
        content=content,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    return response


# -- the checks ------------------------------------------------------------------------------


def snapshot(database: Database) -> dict[str, list[str]]:
    """Every row of every table, as sortable text: equal snapshots mean nothing was stored."""
    with database.read() as conn:
        return {
            table.name: sorted(repr(tuple(row)) for row in conn.execute(select(table)))
            for table in metadata.sorted_tables
        }


def check_answer(
    response: Response,
    before: dict[str, list[str]],
    database: Database,
    envelope: Callable[[Response], None],
    label: str,
) -> None:
    """No 500; a refusal in the surface's envelope that changed no table."""
    assert response.status_code < 500, f"{label}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        try:
            envelope(response)
        except (AssertionError, KeyError, TypeError, ValueError) as exc:
            raise AssertionError(
                f"{label}: not the surface's envelope: {response.text[:300]}"
            ) from exc
        assert snapshot(database) == before, f"{label}: a refused request changed the data"
