"""Extreme input on the affiliate exports and the affiliate admin (JSON model) API.

The pixels, clicks and order uploads have their own tests; here: export periods at the
edges of the calendar in every report, format and time type, and every path
parameter, filter and body field with extreme values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from hypothesis import given
from hypothesis import strategies as st

from commerce_stats.affiliate.filters import KNOWN_FILTERS
from commerce_stats.db.engine import Database
from tests.affiliate.conftest import Network
from tests.extreme import (
    EXAMPLES,
    Operation,
    all_targets,
    check_answer,
    extreme_values,
    operations,
    send_operation,
    snapshot,
    sweep_value,
    url_with,
)

REPORTS = ("transactions", "daily", "campaign", "publisher")
FORMATS = ("csv", "xls", "xlsx", "xml", "json")
TIME_TYPES = ("0", "1", "2")


@pytest.mark.parametrize(
    ("name", "period", "shown"),
    [
        ("condition[period][from]", {"condition[period][from]": "01.01.0001"}, "01.01.0001"),
        (
            "condition[period][to]",
            {"condition[period][from]": "01.01.2026", "condition[period][to]": "31.12.9999"},
            "31.12.9999",
        ),
    ],
)
def test_period_at_the_edge_of_the_calendar_is_400_naming_the_filter_in_every_report(
    client: TestClient, network: Network, name: str, period: dict[str, str], shown: str
) -> None:
    expected = (
        f"{name}: {shown} is out of range; the dates must lie between 02.01.0001 and 30.12.9999"
    )
    answers = {
        (report, export_format, time_type): client.get(
            network.export_url(f"get-statistic_{report}.{export_format}"),
            params={**period, "condition[timetype]": time_type},
        )
        for report in REPORTS
        for export_format in FORMATS
        for time_type in TIME_TYPES
    }
    assert {key: (r.status_code, r.text) for key, r in answers.items()} == dict.fromkeys(
        answers, (400, expected)
    )


def test_first_and_last_supported_days_export(client: TestClient, network: Network) -> None:
    response = client.get(
        network.export_url("get-statistic_daily.json"),
        params={"condition[period][from]": "02.01.0001", "condition[period][to]": "30.12.9999"},
    )
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/advertisers", {"name": "Shop\x00GmbH"}, "name"),
        ("/publishers", {"prename": "An\x00na"}, "prename"),
    ],
)
def test_nul_in_an_admin_text_field_is_422_naming_it_and_stores_nothing(
    client: TestClient,
    network: Network,
    admin_headers: dict[str, str],
    database: Database,
    url: str,
    body: dict[str, Any],
    field: str,
) -> None:
    before = snapshot(database)
    response = client.post(network.admin + url, json=body, headers=admin_headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert response.json()["error"]["message"].endswith("text must not contain NUL characters")
    assert snapshot(database) == before


def test_nul_in_a_trigger_title_is_422_naming_it(
    client: TestClient, network: Network, admin_headers: dict[str, str], database: Database
) -> None:
    before = snapshot(database)
    response = client.post(
        f"{network.admin}/campaigns/{network.campaign_id}/triggers",
        json={"title": "a\x00b"},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "title"
    assert snapshot(database) == before


# -- every field, extreme values ---------------------------------------------------------------

_EXPORT = "/api/{access_token}/{role}/{owner_id}/{filename}"
_ADMIN_OPERATIONS = operations(lambda method, path: "/affiliate/" in path)
TARGETS: list[tuple[str, Any]] = [
    *(("export", ("path", name)) for name in ("access_token", "role", "owner_id", "filename")),
    *(("export", ("query", name)) for name in KNOWN_FILTERS),
    *(("admin", pair) for pair in all_targets(_ADMIN_OPERATIONS)),
]


def _plain_envelope(response: Response) -> None:
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text


def _admin_envelope(response: Response) -> None:
    error = response.json()["error"]
    assert isinstance(error["code"], str)
    assert isinstance(error["message"], str)


class Surface:
    """A network with one transaction, and a valid request for each route."""

    def __init__(
        self, client: TestClient, network: Network, convert: Callable[..., int], admin: Any
    ) -> None:
        self.client = client
        self.network = network
        self.admin = admin
        convert(network, "edge-order-1")
        export = client.get(network.export_url("get-statistic_transactions.json"))
        self.transaction_id = export.json()[0]["id"]
        self.bodies: dict[str, Any] = {
            "/advertisers": {"name": "Edge GmbH"},
            "/campaigns": {
                "advertiser_id": network.advertiser_id,
                "title": "Edge",
                "target_url": "https://shop.example/edge",
                "currency": "EUR",
            },
            "/triggers": {"title": "Edge"},
            "/groups": {
                "title": "Edge",
                "triggers": [
                    {
                        "trigger_id": network.sale_trigger,
                        "trigger_type": "sale_dynamic",
                        "trigger_value": "5",
                    }
                ],
            },
            "/publishers": {"prename": "E", "surname": "D", "searchtitle": "edge"},
            "/projects": {"title": "Edge"},
            "/publishers/{publisher_id}": {"group_id": network.standard_group},
            "/cancel": {"cancel_reason": "edge"},
            "/partial-cancel": {"turnover": "50.00"},
            "/payouts": {"publisher_id": network.publisher_id},
        }
        self.rates = [
            {
                "trigger_id": network.sale_trigger,
                "trigger_type": "sale_dynamic",
                "trigger_value": "9",
            }
        ]

    def _body(self, operation: Operation) -> Any:
        if operation.path.endswith("/groups/{group_id}/triggers"):
            return self.rates
        return next(
            (body for end, body in self.bodies.items() if operation.path.endswith(end)), None
        )

    def send(self, target: tuple[str, Any], value: Any) -> tuple[Response, Callable[..., None]]:
        kind, where = target
        net = self.network
        if kind == "export":
            url = url_with(
                _EXPORT,
                {
                    "access_token": net.credentials["affiliate_access_token"],
                    "role": "admin",
                    "owner_id": net.account_id,
                    "filename": "get-statistic_transactions.csv",
                },
                {"condition[period][from]": "01.01.2026"},
                where,
                value,
            )
            return self.client.get(url), _plain_envelope
        operation, place = where
        ids = {
            "account_id": net.account_id,
            "campaign_id": net.campaign_id,
            "group_id": net.premium_group,
            "publisher_id": net.other_publisher_id,
            "transaction_id": self.transaction_id,
            "kind": "campaigns",
        }
        response = send_operation(
            self.client, operation, place, value, ids, self._body(operation), None, self.admin
        )
        return response, _admin_envelope


@pytest.fixture
def surface(
    client: TestClient,
    network: Network,
    convert: Callable[..., int],
    admin_headers: dict[str, str],
) -> Surface:
    return Surface(client, network, convert, admin_headers)


def test_every_field_refuses_each_extreme_class_without_a_500(
    surface: Surface, database: Database
) -> None:
    for position, target in enumerate(TARGETS):
        value = sweep_value(position)
        before = snapshot(database)
        response, envelope = surface.send(target, value)
        check_answer(response, before, database, envelope, f"{target} <- {value!r:.60}")


@EXAMPLES
@given(target=st.sampled_from(TARGETS), value=extreme_values())
def test_extreme_values_anywhere_never_give_a_500(
    surface: Surface, database: Database, target: tuple[str, Any], value: Any
) -> None:
    before = snapshot(database)
    response, envelope = surface.send(target, value)
    check_answer(response, before, database, envelope, f"{target} <- {value!r:.60}")
