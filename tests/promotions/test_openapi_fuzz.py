"""Schemathesis over the promotions routes with a valid promotions token.

The project-wide fuzz test (tests/test_openapi_fuzz.py) sends the admin token,
which the promotions API refuses with 401 before reading anything; this one
logs in first so that generated bodies, paths and queries reach validation,
the services and the database. No answer may be a 500, and every answer must
match the documented schema (the same two checks are left out, for the
reasons given in tests/test_openapi_fuzz.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import allow_header_conformance, positive_data_acceptance

from tests.promotions.conftest import login
from tests.test_openapi_fuzz import forwarder

schema = schemathesis.openapi.from_asgi("/openapi.json", forwarder).include(path_regex="^/v1/")


@pytest.fixture
def promotions_token(client: TestClient, make_account: Callable[..., dict[str, Any]]) -> str:
    shop = login(client, make_account("Fuzz"))
    shop.promotion([1, 2], "10", codes=["FUZZ1"])
    shop.order("O-1", [(1, 1, "1.00")], ["FUZZ1"])
    return shop.token


@schema.parametrize()
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_promotions_routes_answer_within_their_schema(
    case: schemathesis.Case[Any], client: TestClient, promotions_token: str
) -> None:
    forwarder.app = client.app  # type: ignore[assignment]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {promotions_token}"},
        excluded_checks=[positive_data_acceptance, allow_header_conformance],
    )
