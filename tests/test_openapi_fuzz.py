"""Schemathesis over our own OpenAPI: no 500s, every answer matches the documented schema.

The schema is read once from an application instance; the generated requests
go to the test's own application (fresh database, lifespan running) through a
small ASGI forwarder.

Two of schemathesis's checks are left out, each for a reason outside our schema:
- positive_data_acceptance: some rules cannot be written in JSON Schema (a
  time zone must exist in the IANA database, a username must be free), so a
  schema-valid body may rightly be refused with 409 or 422;
- allow_header_conformance: Starlette's 405 lists only the methods of the one
  route that matched the path, not of every route on it.
"""

from __future__ import annotations

import tempfile
from typing import Any

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import allow_header_conformance, positive_data_acceptance

from commerce_stats.app import create_app
from commerce_stats.config import Settings
from tests.conftest import ADMIN_TOKEN


class Forwarder:
    """An ASGI app that hands every request to whichever app the running test set."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


_schema_dir = tempfile.mkdtemp(prefix="commerce-stats-schema-")
forwarder = Forwarder(create_app(Settings(database_url=f"sqlite:///{_schema_dir}/schema.sqlite3")))
schema = schemathesis.openapi.from_asgi("/openapi.json", forwarder)


@schema.parametrize()
@hypothesis_settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_route_answers_within_its_schema(
    case: schemathesis.Case[Any], client: TestClient
) -> None:
    forwarder.app = client.app  # type: ignore[assignment]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        excluded_checks=[positive_data_acceptance, allow_header_conformance],
    )
