"""Extreme values in every column of the order upload (CSV) and its JSON twin.

Hypothesis draws each cell from the network's real ids and values, from extremes
(huge and tiny numbers, years 1 and 9999, NUL, lone surrogates, invalid UTF-8,
fields over the row limit, unclosed quotes; deep nesting for JSON) and from any
text. No upload may answer 500; every answer is the upload's JSON envelope; and a
refused upload changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from commerce_stats.affiliate.upload import UPLOAD_COLUMNS
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import by_token, csv_rows

FUZZ = hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
EXTREMES = [
    "9" * 40,
    "1e308",
    "-1e308",
    "1e999999999",
    "1e-999999",
    "0.0000000000000000000000000000001",
    "NaN",
    "-Infinity",
    "-0",
    str(2**63),
    str(2**31),
    "0001-01-01 00:00:00",
    "9999-12-31 23:59:59",
    "1969-12-31 23:59:59",
    "\x00",
    "A\x00B",
    "\ud800",
    "x" * 70_000,
    '"',
    "'=1+1",
    " ",
    "",
]
TEXT = st.text(max_size=40)


@pytest.fixture
def fuzzed(network: Network, convert: Callable[..., int], client: TestClient) -> dict[str, Any]:
    """The network with two transactions, and the values its rows can name."""
    convert(network, "A", "100.00")
    convert(network, "B", "50.00")
    ids = [row["id"] for row in by_token(csv_rows(client, network.export_url())).values()]
    known = {
        "orderid": ids,
        "campaign_id": [str(network.campaign_id)],
        "commissiongroup": [str(network.standard_group), str(network.premium_group)],
        "trigger_id": [str(network.sale_trigger), str(network.lead_trigger)],
        "project_id": [str(network.project_id), str(network.other_project_id)],
        "conversiontype": ["sale", "lead"],
        "price": ["10.00", "1,5", "0"],
        "commission": ["1.00", ""],
        "order_timestamp": ["2026-01-15 10:30:00"],
        "ordertoken": ["A", "B", "NEW-1", "NEW-2"],
        "cancel_reason": ["Retoure"],
        "status": ["0", "1", "2", "3", "confirmed"],
    }
    return {"network": network, "known": known}


def _cell(known: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(known or [""]),
        st.sampled_from(known or [""]),
        st.sampled_from(EXTREMES),
        TEXT,
    )


def _row(known: dict[str, list[str]]) -> st.SearchStrategy[list[str]]:
    return st.tuples(*(_cell(known[column]) for column in UPLOAD_COLUMNS)).map(list)


def _csv_body(rows: list[list[str]], encoding: str, cut: int | None) -> bytes:
    lines = [UPLOAD_COLUMNS, *rows]
    text = "".join(
        ";".join('"' + cell.replace('"', '""') + '"' for cell in line) + "\n" for line in lines
    )
    if encoding == "cp1252":
        body = text.encode("cp1252", "replace")
    else:
        body = text.encode("utf-8", "surrogatepass")
        if encoding == "bom":
            body = b"\xef\xbb\xbf" + body
    return body if cut is None else body[: max(cut, 1) * len(body) // 100]


def _assert_upload_answer(response: Any, before: str, after: str) -> None:
    event(f"status {response.status_code}")
    assert response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/json")
    answer = response.json()
    if response.status_code == 200:
        assert answer["status"] == "ok"
    else:
        assert answer["status"] == "error"
        assert after == before


@FUZZ
@given(data=st.data())
def test_csv_upload_never_answers_500_and_a_refusal_changes_nothing(
    data: st.DataObject, client: TestClient, fuzzed: dict[str, Any]
) -> None:
    network: Network = fuzzed["network"]
    rows = data.draw(st.lists(_row(fuzzed["known"]), min_size=1, max_size=3), label="rows")
    encoding = data.draw(st.sampled_from(["utf-8", "bom", "cp1252"]), label="encoding")
    cut = data.draw(st.none() | st.integers(min_value=1, max_value=99), label="cut at %")
    before = client.get(network.export_url()).text
    response = client.put(
        "/REST/orders/",
        data={
            "login_id": network.credentials["affiliate_login_id"],
            "token": network.credentials["affiliate_rest_token"],
            "section": "Admin",
        },
        files={"file": ("orders.csv", _csv_body(rows, encoding, cut), "text/csv")},
    )
    _assert_upload_answer(response, before, client.get(network.export_url()).text)


JSON_NUMBERS = ["1e30", "9" * 40, "1e308", "-1", "0.001", "1E-999999", "-0", "1" * 5000]
JSON_STRINGS = ['"\\ud800"', '"\\u0000"', '"A"', '"B"', '"1"', '"x' + "y" * 70_000 + '"']


def _json_value(known: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(known or ["1"]),
        st.sampled_from(known or ["1"]).map(lambda value: json.dumps(value)),
        st.sampled_from(JSON_NUMBERS),
        st.sampled_from(JSON_STRINGS),
        st.sampled_from(["null", "true", "[]", "{}", "[" * 50 + "]" * 50]),
        TEXT.map(json.dumps),
    )


JSON_NAMES = {
    "id": "orderid",
    "ordertoken": "ordertoken",
    "campaign_id": "campaign_id",
    "trigger_id": "trigger_id",
    "status": "status",
    "turnover": "price",
    "commission": "commission",
    "cancel_reason": "cancel_reason",
}


@st.composite
def _json_body(draw: st.DrawFn, known: dict[str, list[str]]) -> bytes:
    shape = draw(st.sampled_from(["objects", "objects", "objects", "deep", "cut", "bad utf-8"]))
    if shape == "deep":
        return b"[" * 100_000 + b"]" * 100_000
    objects = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        names = draw(st.lists(st.sampled_from([*JSON_NAMES, "\\ud800", "extra"]), max_size=5))
        members = [
            f'"{name}": {draw(_json_value(known.get(JSON_NAMES.get(name, ""), [])))}'
            for name in names
        ]
        objects.append("{" + ", ".join(members) + "}")
    body = ("[" + ", ".join(objects) + "]").encode()
    if shape == "cut":
        return body[: len(body) // 2]
    if shape == "bad utf-8":
        return body.replace(b"[", b'["\xff\xfe",', 1)
    return body


@FUZZ
@given(data=st.data())
def test_json_twin_never_answers_500_and_a_refusal_changes_nothing(
    data: st.DataObject, client: TestClient, fuzzed: dict[str, Any]
) -> None:
    network: Network = fuzzed["network"]
    body = data.draw(_json_body(fuzzed["known"]), label="body")
    before = client.get(network.export_url()).text
    response = client.put(
        "/ws/V6/admin/JSON/Orders",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Auth-ID": network.credentials["affiliate_login_id"],
            "X-Auth-Token": network.credentials["affiliate_rest_token"],
        },
    )
    _assert_upload_answer(response, before, client.get(network.export_url()).text)
