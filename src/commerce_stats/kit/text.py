"""Text every backend can store: no NUL characters, no lone surrogates.

PostgreSQL's text type cannot hold NUL, and neither backend (nor the JSON written
back out) can hold a lone UTF-16 surrogate (``"\\ud800"`` is valid JSON but no
valid Unicode). A body that one backend would store and the other refuse with a
driver error (a 500) must be refused alike on both, before anything is written,
and with the field named. Request models derive from ``StorableTextModel`` for that.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, field_validator

NUL_MESSAGE = "text must not contain NUL characters"
SURROGATE_MESSAGE = "text must be valid Unicode (a lone surrogate is not)"


def _problem_of(text: str) -> str | None:
    if "\x00" in text:
        return NUL_MESSAGE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def unstorable_text(value: Any) -> str | None:
    """Why ``value`` (text, or lists and dicts of it, keys included) cannot be stored, or None.

    Iterative, so that a deeply nested value is walked without exhausting the stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            problem = _problem_of(item)
            if problem is not None:
                return problem
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return None


class StorableTextModel(BaseModel):
    """A request model whose text fields refuse NUL characters and lone surrogates, each
    naming its field. Nested models check their own fields when they derive from it too."""

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_unstorable_text(cls, value: Any) -> Any:
        problem = unstorable_text(value)
        if problem is not None:
            raise ValueError(problem)
        return value
