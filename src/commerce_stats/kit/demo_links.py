"""A link worth showing after demo data is loaded.

Each domain's demo loader returns these; the top-level demo module collects and
prints them. They live in ``kit`` so the domains and the demo module do not import
each other in a circle.
"""

from __future__ import annotations

from dataclasses import dataclass

BASE_PLACEHOLDER = "{base}"


@dataclass(frozen=True)
class DemoLink:
    """Something a person can try: a URL path to open, or a shell command to paste.

    ``{base}`` in ``target`` stands for the server's address, e.g. http://127.0.0.1:8000;
    it is replaced as plain text (no ``str.format``), so JSON bodies need no escaping.
    """

    label: str
    target: str

    def resolved(self, base: str) -> DemoLink:
        return DemoLink(self.label, self.target.replace(BASE_PLACEHOLDER, base))
