"""PUT /REST/orders/ and its JSON twin."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commerce_stats.affiliate import upload
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import by_token, csv_rows

UPLOAD_HEADER = (
    '"orderid";"campaign_id";"commissiongroup";"trigger_id";"project_id";"conversiontype";'
    '"price";"commission";"order_timestamp";"ordertoken";"cancel_reason";"status"\n'
)


def _upload(client: TestClient, net: Network, content: bytes, *, token: str | None = None) -> Any:
    return client.put(
        "/REST/orders/",
        data={
            "login_id": net.credentials["affiliate_login_id"],
            "token": token or net.credentials["affiliate_rest_token"],
            "section": "Admin",
        },
        files={"file": ("orders.csv", content, "text/csv")},
    )


def _line(*cells: object) -> str:
    return ";".join(f'"{cell}"' for cell in cells) + "\n"


def _ids(client: TestClient, net: Network) -> dict[str, str]:
    return {token: row["id"] for token, row in by_token(csv_rows(client, net.export_url())).items()}


def test_upload_updates_status_turnover_and_reason(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    convert(network, "B", "100.00")
    ids = _ids(client, network)
    body = (
        UPLOAD_HEADER
        + _line(ids["A"], network.campaign_id, "", "", "", "", "80.00", "", "", "A", "", "1")
        + _line(ids["B"], network.campaign_id, "", "", "", "", "", "", "", "B", "Retoure", "2")
    )
    response = _upload(client, network, body.encode())
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "created": 0, "updated": 2, "unchanged": 0}
    rows = by_token(csv_rows(client, network.export_url()))
    assert (rows["A"]["status"], rows["A"]["turnover"], rows["A"]["commission"]) == (
        "1",
        "80.00",
        "8.00",
    )
    assert rows["A"]["source_turnover"] == "100.00"
    assert (rows["B"]["status"], rows["B"]["cancel_reason"]) == ("2", "Retoure")


def test_upload_creates_transactions_without_orderid(client: TestClient, network: Network) -> None:
    body = UPLOAD_HEADER + _line(
        "",
        network.campaign_id,
        network.premium_group,
        network.sale_trigger,
        network.project_id,
        "sale",
        "200,00",
        "",
        "2026-01-15 10:30:00",
        "NEW-1",
        "",
        "confirmed",
    )
    response = _upload(client, network, body.encode())
    assert response.json() == {"status": "ok", "created": 1, "updated": 0, "unchanged": 0}
    rows = csv_rows(client, network.export_url(), **{"condition[dynamicdate]": "today"})
    assert len(rows) == 1
    row = rows[0]
    assert (row["ordertoken"], row["status"], row["turnover"], row["commission"]) == (
        "NEW-1",
        "1",
        "200.00",
        "30.00",
    )
    assert (row["order_timestamp"], row["source"], row["publisher_id"]) == (
        "2026-01-15 10:30:00",
        "upload",
        str(network.publisher_id),
    )


def test_upload_counts_unchanged_rows(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    ids = _ids(client, network)
    body = UPLOAD_HEADER + _line(
        ids["A"], network.campaign_id, "", "", "", "", "100.00", "", "", "A", "", "0"
    )
    response = _upload(client, network, body.encode())
    assert response.json() == {"status": "ok", "created": 0, "updated": 0, "unchanged": 1}


def test_bad_rows_are_all_listed_and_nothing_is_applied(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    ids = _ids(client, network)
    body = (
        UPLOAD_HEADER
        + _line(ids["A"], network.campaign_id, "", "", "", "", "", "", "", "A", "", "1")
        + _line("999", network.campaign_id, "", "", "", "", "", "", "", "", "", "1")
        + _line(ids["A"], network.campaign_id, "", "", "", "", "abc", "", "", "A", "", "lost")
    )
    response = _upload(client, network, body.encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 3, "column": "orderid", "reason": "no transaction 999"},
        {"row": 4, "column": "orderid", "reason": f"transaction {ids['A']} appears more than once"},
    ]
    assert csv_rows(client, network.export_url())[0]["status"] == "0"


def test_invalid_values_are_row_errors(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    ids = _ids(client, network)
    body = UPLOAD_HEADER + _line(
        ids["A"], network.campaign_id, "", "", "", "", "abc", "", "", "A", "", "lost"
    )
    response = _upload(client, network, body.encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "row": 2,
            "column": "status",
            "reason": "unknown status 'lost'; use 0-3 or open, confirmed, canceled, paid",
        },
        {"row": 2, "column": "price", "reason": "not a number: 'abc'"},
    ]
    row = by_token(csv_rows(client, network.export_url()))["A"]
    assert (row["status"], row["turnover"]) == ("0", "100.00")


def test_forbidden_transition_is_a_row_error(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    ids = _ids(client, network)
    body = UPLOAD_HEADER + _line(
        ids["A"], network.campaign_id, "", "", "", "", "", "", "", "A", "", "paid"
    )
    response = _upload(client, network, body.encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 2, "column": "status", "reason": "only a payout run marks transactions paid"}
    ]
    assert csv_rows(client, network.export_url())[0]["status"] == "0"


def test_missing_column_is_422(client: TestClient, network: Network) -> None:
    response = _upload(client, network, b'"orderid";"status"\n"1";"1"\n')
    assert response.status_code == 422
    assert {"row": 1, "column": "price", "reason": "required column is missing"} in response.json()[
        "errors"
    ]
    assert response.json()["errors"] == [
        {"row": 1, "column": column, "reason": "required column is missing"}
        for column in (
            "campaign_id",
            "commissiongroup",
            "trigger_id",
            "project_id",
            "conversiontype",
            "price",
            "commission",
            "order_timestamp",
            "ordertoken",
            "cancel_reason",
        )
    ]


def test_windows_1252_and_bom_are_read(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    convert(network, "B", "100.00")
    ids = _ids(client, network)
    latin = UPLOAD_HEADER + _line(
        ids["A"], network.campaign_id, "", "", "", "", "", "", "", "A", "Rückgabe", "2"
    )
    assert _upload(client, network, latin.encode("cp1252")).status_code == 200
    bom = UPLOAD_HEADER + _line(
        ids["B"], network.campaign_id, "", "", "", "", "", "", "", "B", "Größe", "2"
    )
    assert _upload(client, network, b"\xef\xbb\xbf" + bom.encode()).status_code == 200
    rows = by_token(csv_rows(client, network.export_url()))
    assert (rows["A"]["cancel_reason"], rows["B"]["cancel_reason"]) == ("Rückgabe", "Größe")


def test_wrong_token_is_403_no_permission(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    ids = _ids(client, network)
    body = UPLOAD_HEADER + _line(
        ids["A"], network.campaign_id, "", "", "", "", "", "", "", "A", "", "1"
    )
    response = _upload(client, network, body.encode(), token="wrong")
    assert response.status_code == 403
    assert response.text == "NO PERMISSION"
    assert csv_rows(client, network.export_url())[0]["status"] == "0"


def test_upload_cannot_touch_another_accounts_transactions(
    client: TestClient, build_network: Callable[..., Network], convert: Callable[..., int]
) -> None:
    first = build_network("First")
    second = build_network("Second")
    convert(first, "A", "100.00")
    tid = _ids(client, first)["A"]
    body = UPLOAD_HEADER + _line(tid, "", "", "", "", "", "", "", "", "", "", "2")
    response = _upload(client, second, body.encode())
    assert response.status_code == 422
    assert csv_rows(client, first.export_url())[0]["status"] == "0"


def test_over_the_size_limit_is_413(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    body = (
        UPLOAD_HEADER
        + _line(_ids(client, network)["A"], "", "", "", "", "", "", "", "", "", "", "2")
    ).encode()
    client.app.state.runtime.settings.affiliate_upload_max_bytes = len(body) - 1  # type: ignore[attr-defined]
    response = _upload(client, network, body)
    assert response.status_code == 413
    assert csv_rows(client, network.export_url())[0]["status"] == "0"
    client.app.state.runtime.settings.affiliate_upload_max_bytes = len(body)  # type: ignore[attr-defined]
    assert _upload(client, network, body).status_code == 200


def test_json_twin_updates_by_id_and_ordertoken(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    convert(network, "B", "100.00")
    ids = _ids(client, network)
    response = client.put(
        "/ws/V6/admin/JSON/Orders",
        json=[
            {
                "campaign_id": network.campaign_id,
                "id": int(ids["A"]),
                "status": 1,
                "turnover": 90.0,
            },
            {"campaign_id": network.campaign_id, "ordertoken": "B", "status": 2},
        ],
        headers={
            "X-Auth-ID": network.credentials["affiliate_login_id"],
            "X-Auth-Token": network.credentials["affiliate_rest_token"],
        },
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "created": 0, "updated": 2, "unchanged": 0}
    rows = by_token(csv_rows(client, network.export_url()))
    assert (rows["A"]["status"], rows["A"]["turnover"], rows["A"]["commission"]) == (
        "1",
        "90.00",
        "9.00",
    )
    assert rows["B"]["status"] == "2"


def test_json_twin_wrong_token_is_403(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    ids = _ids(client, network)
    response = client.put(
        "/ws/V6/admin/JSON/Orders",
        json=[{"campaign_id": network.campaign_id, "id": int(ids["A"]), "status": 2}],
        headers={"X-Auth-ID": network.credentials["affiliate_login_id"], "X-Auth-Token": "x"},
    )
    assert response.status_code == 403
    assert by_token(csv_rows(client, network.export_url()))["A"]["status"] == "0"


def test_round_trip_export_edit_upload_export(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "R-1", "100.00")
    convert(network, "R-2", "100.00")
    exported = client.get(network.export_url()).text
    rows = list(csv.DictReader(io.StringIO(exported, newline=""), delimiter=";"))
    for row in rows:
        row["status"] = "1" if row["ordertoken"] == "R-1" else "2"
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(rows[0]), delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    response = _upload(client, network, out.getvalue().encode())
    assert response.json() == {"status": "ok", "created": 0, "updated": 2, "unchanged": 0}
    after = by_token(csv_rows(client, network.export_url()))
    assert (after["R-1"]["status"], after["R-2"]["status"]) == ("1", "2")


def test_json_twin_cannot_touch_another_accounts_transactions(
    client: TestClient, build_network: Callable[..., Network], convert: Callable[..., int]
) -> None:
    first = build_network("First")
    second = build_network("Second")
    convert(first, "A", "100.00")
    tid = int(_ids(client, first)["A"])
    response = client.put(
        "/ws/V6/admin/JSON/Orders",
        json=[{"campaign_id": first.campaign_id, "id": tid, "status": 2}],
        headers={
            "X-Auth-ID": second.credentials["affiliate_login_id"],
            "X-Auth-Token": second.credentials["affiliate_rest_token"],
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 1, "column": "orderid", "reason": f"no transaction {tid}"}
    ]
    assert csv_rows(client, first.export_url())[0]["status"] == "0"


def test_out_of_range_orderid_is_a_row_error(client: TestClient, network: Network) -> None:
    body = UPLOAD_HEADER + _line("9" * 30, "", "", "", "", "", "", "", "", "", "", "1")
    response = _upload(client, network, body.encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 2, "column": "orderid", "reason": f"not an id: '{'9' * 30}'"}
    ]


def test_repeated_wrong_upload_tokens_are_answered_429_on_both_upload_routes(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    ids = _ids(client, network)
    body = UPLOAD_HEADER + _line(
        ids["A"], network.campaign_id, "", "", "", "", "", "", "", "A", "", "1"
    )
    statuses = [
        _upload(client, network, body.encode(), token="guess").status_code for _ in range(10)
    ]

    refused = _upload(client, network, body.encode())
    twin = client.put(
        "/ws/V6/admin/JSON/Orders",
        json=[],
        headers={
            "X-Auth-ID": network.credentials["affiliate_login_id"],
            "X-Auth-Token": network.credentials["affiliate_rest_token"],
        },
    )

    assert statuses == [403] * 10
    assert (refused.status_code, twin.status_code) == (429, 429)
    assert refused.json()["message"] == "too many failed attempts; retry later"
    assert int(refused.headers["retry-after"]) > 0
    assert csv_rows(client, network.export_url())[0]["status"] == "0"


def test_wrong_tokens_from_another_address_do_not_lock_out_the_login(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    ids = _ids(client, network)
    body = UPLOAD_HEADER + _line(
        ids["A"], network.campaign_id, "", "", "", "", "", "", "", "A", "", "1"
    )
    attacker = TestClient(client.app, client=("203.0.113.7", 50000))
    statuses = [
        _upload(attacker, network, body.encode(), token="guess").status_code for _ in range(10)
    ]
    owner = TestClient(client.app, client=("198.51.100.1", 50000))
    response = _upload(owner, network, body.encode())
    assert statuses == [403] * 10
    assert response.status_code == 200, response.text
    assert csv_rows(client, network.export_url())[0]["status"] == "1"


def test_an_over_long_login_id_is_refused_naming_the_field(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    ids = _ids(client, network)
    body = UPLOAD_HEADER + _line(
        ids["A"], network.campaign_id, "", "", "", "", "", "", "", "A", "", "1"
    )
    response = client.put(
        "/REST/orders/",
        data={
            "login_id": "1" * 65,
            "token": network.credentials["affiliate_rest_token"],
            "section": "Admin",
        },
        files={"file": ("orders.csv", body.encode(), "text/csv")},
    )
    assert response.status_code == 400
    assert response.json()["message"] == "login_id has more than 64 characters"
    assert csv_rows(client, network.export_url())[0]["status"] == "0"


# -- streamed, chunked application ---------------------------------------------------------


def _new_row(net: Network, token: str, price: str = "10.00", **cells: str) -> str:
    values = {
        "orderid": "",
        "campaign_id": str(net.campaign_id),
        "commissiongroup": "",
        "trigger_id": str(net.sale_trigger),
        "project_id": str(net.project_id),
        "conversiontype": "",
        "price": price,
        "commission": "",
        "order_timestamp": "",
        "ordertoken": token,
        "cancel_reason": "",
        "status": "",
    }
    values.update(cells)
    return _line(*values.values())


def _export_text(client: TestClient, net: Network) -> str:
    response = client.get(net.export_url())
    assert response.status_code == 200, response.text
    return response.text


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rows per chunk, so that a few rows span several chunks."""
    monkeypatch.setattr(upload, "CHUNK_ROWS", 2)


@pytest.mark.usefixtures("small_chunks")
def test_rows_of_several_chunks_are_all_applied(client: TestClient, network: Network) -> None:
    body = UPLOAD_HEADER + "".join(_new_row(network, f"N-{n}") for n in range(5))
    response = _upload(client, network, body.encode())
    assert response.json() == {"status": "ok", "created": 5, "updated": 0, "unchanged": 0}
    assert sorted(by_token(csv_rows(client, network.export_url()))) == [f"N-{n}" for n in range(5)]


@pytest.mark.usefixtures("small_chunks")
def test_a_bad_row_in_a_later_chunk_undoes_the_applied_chunks(
    client: TestClient, network: Network
) -> None:
    body = (
        UPLOAD_HEADER
        + "".join(_new_row(network, f"N-{n}") for n in range(4))
        + _new_row(network, "N-4", price="abc")
    )
    response = _upload(client, network, body.encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 6, "column": "price", "reason": "not a number: 'abc'"}
    ]
    assert csv_rows(client, network.export_url()) == []


@pytest.mark.usefixtures("small_chunks")
def test_an_order_repeated_in_a_later_chunk_is_refused(
    client: TestClient, network: Network
) -> None:
    body = (
        UPLOAD_HEADER
        + _new_row(network, "N-1")
        + _new_row(network, "N-2")
        + _new_row(network, "N-1", price="20.00")
    )
    response = _upload(client, network, body.encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 4, "column": "ordertoken", "reason": "this order appears more than once"}
    ]
    assert csv_rows(client, network.export_url()) == []


@pytest.mark.usefixtures("small_chunks")
def test_a_transaction_changed_in_an_earlier_chunk_cannot_be_named_again(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    for token in ("A", "B"):
        convert(network, token, "100.00")
    ids = _ids(client, network)
    body = (
        UPLOAD_HEADER
        + _line(ids["A"], "", "", "", "", "", "", "", "", "", "", "1")
        + _line(ids["B"], "", "", "", "", "", "", "", "", "", "", "1")
        + _line(ids["A"], "", "", "", "", "", "", "", "", "", "", "2")
    )
    response = _upload(client, network, body.encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 4, "column": "orderid", "reason": f"transaction {ids['A']} appears more than once"}
    ]
    assert {row["status"] for row in csv_rows(client, network.export_url())} == {"0"}


def test_problems_listed_stop_at_the_cap(
    client: TestClient, network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(upload, "MAX_LISTED_ERRORS", 3)
    body = UPLOAD_HEADER + "".join(_new_row(network, f"N-{n}", price="x") for n in range(6))
    response = _upload(client, network, body.encode())
    assert response.status_code == 422
    assert response.json()["message"] == (
        "3 problem(s) in the file (checking stopped after 3); nothing was applied"
    )
    assert [error["row"] for error in response.json()["errors"]] == [2, 3, 4]
    assert csv_rows(client, network.export_url()) == []


# -- malformed and out-of-range input -----------------------------------------------------


def test_an_unclosed_quote_is_422_naming_the_row(client: TestClient, network: Network) -> None:
    body = UPLOAD_HEADER + _new_row(network, "N-1") + _new_row(network, "N-2")[:-2] + "\n"
    response = _upload(client, network, body.encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 3, "column": "status", "reason": "a quote is not closed"}
    ]
    assert csv_rows(client, network.export_url()) == []


def test_an_unclosed_quote_early_in_a_long_file_is_422_naming_its_row(
    client: TestClient, network: Network
) -> None:
    opened = _new_row(network, "N-1").replace('"N-1"', '"N-1', 1)
    unquoted = [_new_row(network, f"M-{n}").replace('"', "") for n in range(5000)]
    body = UPLOAD_HEADER + opened + "".join(unquoted)
    response = _upload(client, network, body.encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "row": 2,
            "column": "ordertoken",
            "reason": "longer than 65536 bytes (is a quote left open?)",
        }
    ]
    assert csv_rows(client, network.export_url()) == []


@pytest.mark.parametrize("price", ["9" * 40, "1e308", "1e999999999"])
def test_an_amount_over_the_largest_is_a_row_error(
    client: TestClient, network: Network, price: str
) -> None:
    response = _upload(client, network, (UPLOAD_HEADER + _new_row(network, "N", price)).encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 2, "column": "price", "reason": "must not exceed 9999999999999.99 EUR"}
    ]
    assert csv_rows(client, network.export_url()) == []


@pytest.mark.parametrize("timestamp", ["0001-01-01 00:00:00", "1969-12-31 23:59:59"])
def test_an_order_timestamp_before_1970_is_a_row_error(
    client: TestClient, network: Network, timestamp: str
) -> None:
    row = _new_row(network, "N", order_timestamp=timestamp)
    response = _upload(client, network, (UPLOAD_HEADER + row).encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "row": 2,
            "column": "order_timestamp",
            "reason": f"'{timestamp}' is out of range (years 1970 to 9999, network time)",
        }
    ]
    assert csv_rows(client, network.export_url()) == []


def test_invalid_utf8_after_a_bom_is_a_row_error(client: TestClient, network: Network) -> None:
    body = (
        b"\xef\xbb\xbf"
        + (UPLOAD_HEADER + _new_row(network, "N-1")).encode()
        + _new_row(network, "N-2", cancel_reason="bad \udcff").encode("utf-8", "surrogateescape")
    )
    response = _upload(client, network, body)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "row": 3,
            "column": "cancel_reason",
            "reason": "not valid UTF-8 (the file starts with a UTF-8 byte order mark)",
        }
    ]
    assert csv_rows(client, network.export_url()) == []


def test_a_10_mb_field_is_a_row_error(client: TestClient, network: Network) -> None:
    row = _new_row(network, "N", cancel_reason="x" * 10_000_000)
    response = _upload(client, network, (UPLOAD_HEADER + row).encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "row": 2,
            "column": "cancel_reason",
            "reason": "longer than 65536 bytes (is a quote left open?)",
        }
    ]
    assert csv_rows(client, network.export_url()) == []


def test_a_nul_in_a_cell_is_a_row_error(client: TestClient, network: Network) -> None:
    response = _upload(client, network, (UPLOAD_HEADER + _new_row(network, "N\x001")).encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 2, "column": "ordertoken", "reason": "contains a NUL character"}
    ]
    assert csv_rows(client, network.export_url()) == []


def test_a_nul_in_the_token_is_400_naming_the_field(client: TestClient, network: Network) -> None:
    body = UPLOAD_HEADER + _new_row(network, "N")
    response = _upload(client, network, body.encode(), token="abc\x00def")
    assert response.status_code == 400
    assert response.json()["message"] == ("token: contains a NUL character or is not valid Unicode")
    assert csv_rows(client, network.export_url()) == []


# -- the multipart form, read as a stream ---------------------------------------------------


def _form(net: Network, *, token: str | None = None) -> dict[str, str]:
    return {
        "login_id": net.credentials["affiliate_login_id"],
        "token": token or net.credentials["affiliate_rest_token"],
        "section": "Admin",
    }


def _multipart(parts: list[tuple[str, bytes, bool]]) -> tuple[bytes, dict[str, str]]:
    """A multipart body with the parts in the given order: (name, value, is a file)."""
    boundary = "upload-boundary"
    chunks = []
    for name, value, is_file in parts:
        filename = '; filename="orders.csv"' if is_file else ""
        disposition = f'Content-Disposition: form-data; name="{name}"{filename}'
        chunks.append(f"--{boundary}\r\n{disposition}\r\n\r\n".encode() + value + b"\r\n")
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def test_a_file_before_the_credentials_is_400(client: TestClient, network: Network) -> None:
    credentials = [(name, value.encode(), False) for name, value in _form(network).items()]
    content = (UPLOAD_HEADER + _new_row(network, "N")).encode()
    body, headers = _multipart([("file", content, True), *credentials])
    response = client.put("/REST/orders/", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["message"] == "login_id: send login_id, token, section before file"
    assert csv_rows(client, network.export_url()) == []


def test_a_10_mb_form_field_is_400_naming_it(client: TestClient, network: Network) -> None:
    form = _form(network)
    parts = [(name, value.encode(), False) for name, value in form.items()]
    parts[1] = ("token", b"t" * 10_000_000, False)
    content = (UPLOAD_HEADER + _new_row(network, "N")).encode()
    body, headers = _multipart([*parts, ("file", content, True)])
    response = client.put("/REST/orders/", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["message"] == "token: longer than 4096 bytes"
    assert csv_rows(client, network.export_url()) == []


def test_a_body_that_is_not_multipart_is_400(client: TestClient, network: Network) -> None:
    response = client.put(
        "/REST/orders/", content=b"orderid;status\n", headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 400
    assert response.json()["message"] == "the body must be multipart/form-data with a boundary"


def test_a_quote_closed_too_late_is_422_naming_the_row(
    client: TestClient, network: Network
) -> None:
    opened = _new_row(network, "N-1").replace('"N-1"', '"N-1', 1)
    body = UPLOAD_HEADER + opened + _new_row(network, "N-2")
    response = _upload(client, network, body.encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 2, "column": "", "reason": "text after a closing quote (is a quote left open?)"}
    ]
    assert csv_rows(client, network.export_url()) == []


def test_a_missing_file_is_400(client: TestClient, network: Network) -> None:
    body, headers = _multipart(
        [(name, value.encode(), False) for name, value in _form(network).items()]
    )
    response = client.put("/REST/orders/", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["message"] == "file: field required"


# -- the JSON twin ----------------------------------------------------------------------------


def _put_json(client: TestClient, net: Network, body: bytes) -> Any:
    return client.put(
        "/ws/V6/admin/JSON/Orders",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Auth-ID": net.credentials["affiliate_login_id"],
            "X-Auth-Token": net.credentials["affiliate_rest_token"],
        },
    )


def test_json_twin_deep_nesting_is_400(client: TestClient, network: Network) -> None:
    response = _put_json(client, network, b"[" * 100_000 + b"]" * 100_000)
    assert response.status_code == 400
    assert response.json()["message"] == "the body is not valid JSON: nested too deeply"


def test_json_twin_lone_surrogate_is_a_row_error(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    body = f'[{{"campaign_id": {network.campaign_id}, "ordertoken": "\\ud800", "status": 2}}]'
    response = _put_json(client, network, body.encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 1, "column": "ordertoken", "reason": "not valid Unicode (a lone surrogate)"}
    ]
    assert by_token(csv_rows(client, network.export_url()))["A"]["status"] == "0"


def test_json_twin_lone_surrogate_in_a_field_name_is_named_escaped(
    client: TestClient, network: Network
) -> None:
    response = _put_json(client, network, b'[{"id": 1, "\\ud800": 1}]')
    assert response.status_code == 422
    assert response.json()["errors"] == [{"row": 1, "column": "\\ud800", "reason": "unknown field"}]


def test_json_twin_turnover_1e30_is_a_row_error(
    client: TestClient, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "A", "100.00")
    tid = _ids(client, network)["A"]
    response = _put_json(client, network, f'[{{"id": {tid}, "turnover": 1e30}}]'.encode())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 1, "column": "price", "reason": "must not exceed 9999999999999.99 EUR"}
    ]
    assert by_token(csv_rows(client, network.export_url()))["A"]["turnover"] == "100.00"
