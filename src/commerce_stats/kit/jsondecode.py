"""One JSON decoding rule for every body decoded by hand: nesting has a limit.

msgspec decodes recursively and raises RecursionError (not a decode error) on a
body nested deeper than the interpreter's recursion limit (about a thousand
levels), e.g. ``[[[[...]]]]`` 100,000 deep. ``decode_json`` turns that into a
``msgspec.DecodeError`` like any other malformed body, so every caller's existing
"not valid JSON" refusal covers it.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

_ANY: Final = msgspec.json.Decoder()
TOO_DEEP: Final = "JSON is nested too deeply"


def decode_json(data: bytes | str, decoder: msgspec.json.Decoder[Any] = _ANY) -> Any:
    """``decoder.decode(data)``; a body nested too deeply raises ``msgspec.DecodeError``."""
    try:
        return decoder.decode(data)
    except RecursionError:
        raise msgspec.DecodeError(TOO_DEEP) from None


MAX_NESTING: Final = 32
"""How deeply a free-form JSON value (one a schema leaves open, such as a video's
``translations``) may nest. Stored values are serialized again later, and serializers
have their own, lower limits (orjson: 254 levels), so a value is refused on the way
in rather than failing on the way out."""


def check_nesting(value: Any, limit: int = MAX_NESTING) -> Any:
    """``value`` if its lists and objects nest at most ``limit`` levels; else ValueError.

    Iterative on purpose: a recursive walk would itself overflow the stack on the values
    it is meant to refuse."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > limit:
            raise ValueError(f"nests more than {limit} levels deep")
        pending.extend((child, depth + 1) for child in children)
    return value
