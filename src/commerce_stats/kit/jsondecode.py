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
