"""Credentials never reach a log line: request targets are redacted before they are written.

Where a credential travels in a request, and so where a log line could carry it:

- a path segment: the affiliate export's access token, ``/api/{token}/...`` and the
  documented double-slash form ``/api//{token}/...``;
- a query value: ``organization_key`` (video report), ``ingest_key`` (video events and
  pixel), and ``token`` anywhere but the conversion pixel ``/trck/etrack/``, where it is
  the shop's order id (kept, so an operator can trace an order). The REST upload takes its
  ``token`` as a form field; one sent in the query by mistake is redacted all the same.

Headers (``Authorization``, ``X-Ingest-Key``, ``X-Auth-Token``), cookies, form fields and
bodies are never written to a log. ``CredentialFilter`` rewrites every record it sees: its
message, its arguments (uvicorn's access line passes the request target as one), and
the text of an attached exception.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any
from urllib.parse import unquote_plus

from uvicorn.config import LOGGING_CONFIG

REDACTED = "[redacted]"

CREDENTIAL_QUERY_NAMES = frozenset({"organization_key", "ingest_key", "token"})
"""Query parameters whose value is a credential (matched case-insensitively, decoded)."""

ORDER_ID_TOKEN_PATHS = ("/trck/etrack/", "/trck/etrack")
"""Paths where ``token`` is the shop's order id, not a credential."""

_TOKEN_SEGMENT = re.compile(r"(/api/+)[^/?\s\"']+")
_TARGET_IN_TEXT = re.compile(r"(?P<path>/[^\s?\"']*)(?:\?(?P<query>\S*))?")


def redact_target(target: str) -> str:
    """A request target (path, optional ``?query``) with every credential replaced."""
    path, separator, query = target.partition("?")
    path = _TOKEN_SEGMENT.sub(rf"\1{REDACTED}", path)
    if not separator:
        return path
    return f"{path}?{_redact_query(path, query)}"


def redact_text(text: str) -> str:
    """Free text (a message, a traceback) with every request target in it redacted."""
    if "/" not in text:
        return text
    return _TARGET_IN_TEXT.sub(lambda found: redact_target(found.group(0)), text)


def _redact_query(path: str, query: str) -> str:
    """Only ``&`` separates parameters (as the server parses them), so a value is whole."""
    names = CREDENTIAL_QUERY_NAMES
    if path.endswith(ORDER_ID_TOKEN_PATHS):
        names = names - {"token"}
    pairs = []
    for pair in query.split("&"):
        name, equals, _value = pair.partition("=")
        if equals and unquote_plus(name).strip().lower() in names:
            pair = f"{name}={REDACTED}"
        pairs.append(pair)
    return "&".join(pairs)


def _redact_argument(argument: object) -> object:
    if not isinstance(argument, str):
        return argument
    return redact_target(argument) if argument.startswith("/") else redact_text(argument)


class CredentialFilter(logging.Filter):
    """Rewrites a record so that no credential is written; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_argument(argument) for argument in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_argument(value) for key, value in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


REDACTED_LOGGERS = (
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "commerce_stats",
    "commerce_stats.affiliate",
    "commerce_stats.video",
)
"""Every logger the server writes to (a logger's filter sees only records logged on it)."""


def install_credential_filter() -> None:
    """Adds the filter to the server's loggers (once), whatever handlers they write to.

    This covers a server started by any means (``uvicorn commerce_stats.app:...`` with the
    operator's own logging set-up too); ``serve_log_config`` adds it to the handlers.
    """
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, CredentialFilter) for existing in logger.filters):
            logger.addFilter(CredentialFilter())


def serve_log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the credential filter on every handler.

    The app's own ``commerce_stats`` loggers write through the same (filtered) handler as
    uvicorn's error log, so every line the server prints passes the filter.
    """
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"credentials": {"()": CredentialFilter}}
    for handler in config["handlers"].values():
        handler["filters"] = ["credentials"]
    config["loggers"]["commerce_stats"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    return config
