"""Stored export text: every write renders it, and out-of-date text is rendered again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import export_lines, repository
from commerce_stats.affiliate.export_lines import (
    PUBLISHER_COLUMNS,
    PUBLISHER_FIELDS,
    LocalClock,
    Money,
    Renderer,
    StoredLines,
    StoredPublisherLines,
    publisher_cells,
)
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.affiliate.tables import transactions
from commerce_stats.db.engine import Database
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import by_token, csv_rows
from tests.affiliate.test_upload import UPLOAD_HEADER, _line, _upload

STORED = ("export_head", "export_tail", "publisher_head", "publisher_tail", "export_key")


def _rows(database: Database, account_id: int) -> list[dict[str, object]]:
    with database.read() as conn:
        found = conn.execute(
            select(transactions)
            .where(transactions.c.account_id == account_id)
            .order_by(transactions.c.id)
        ).all()
    return [dict(row._mapping) for row in found]


def _outdated(database: Database, account_id: int, tz: str = "Europe/Berlin") -> list[object]:
    """Ids whose stored text differs from what rendering the row afresh gives."""
    renderer = Renderer(tz)
    rows = _rows(database, account_id)
    assert rows, "the test made no transactions"
    return [
        row["id"]
        for row in rows
        if renderer.stored_text(row) != {name: row[name] for name in STORED}
    ]


def _transaction_id(client: TestClient, network: Network, token: str) -> str:
    return by_token(csv_rows(client, network.export_url()))[token]["id"]


def test_conversion_stores_its_export_text(
    database: Database, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "NEW", descr='=cmd "quoted"')
    assert _outdated(database, network.account_id) == []


def test_confirm_renders_the_export_text_again(
    client: TestClient,
    database: Database,
    network: Network,
    convert: Callable[..., int],
    admin_headers: dict[str, str],
) -> None:
    convert(network, "C")
    tid = _transaction_id(client, network, "C")
    client.post(f"{network.admin}/transactions/{tid}/confirm", headers=admin_headers)
    assert _outdated(database, network.account_id) == []
    assert csv_rows(client, network.export_url())[0]["status"] == "1"


def test_cancel_renders_the_export_text_again(
    client: TestClient,
    database: Database,
    network: Network,
    convert: Callable[..., int],
    admin_headers: dict[str, str],
) -> None:
    convert(network, "X")
    tid = _transaction_id(client, network, "X")
    response = client.post(
        f"{network.admin}/transactions/{tid}/cancel",
        json={"cancel_reason": "@retour"},
        headers=admin_headers,
    )
    assert _outdated(database, network.account_id) == []
    assert response.status_code == 200
    assert by_token(csv_rows(client, network.export_url()))["X"]["status"] == "2"


def test_partial_cancel_renders_the_export_text_again(
    client: TestClient,
    database: Database,
    network: Network,
    convert: Callable[..., int],
    admin_headers: dict[str, str],
) -> None:
    convert(network, "P", "100.00")
    tid = _transaction_id(client, network, "P")
    client.post(
        f"{network.admin}/transactions/{tid}/partial-cancel",
        json={"turnover": "40.00"},
        headers=admin_headers,
    )
    assert _outdated(database, network.account_id) == []
    assert csv_rows(client, network.export_url())[0]["commission"] == "4.00"


def test_payout_renders_the_export_text_of_every_paid_transaction(
    client: TestClient,
    database: Database,
    network: Network,
    convert: Callable[..., int],
    admin_headers: dict[str, str],
) -> None:
    for token in ("A", "B", "C"):
        convert(network, token)
        tid = _transaction_id(client, network, token)
        client.post(f"{network.admin}/transactions/{tid}/confirm", headers=admin_headers)
    payout = {"publisher_id": network.publisher_id}
    response = client.post(f"{network.admin}/payouts", json=payout, headers=admin_headers)
    assert response.json()["transactions"] == 3
    assert _outdated(database, network.account_id) == []
    assert {row["status"] for row in csv_rows(client, network.export_url())} == {"3"}


def test_upload_renders_updated_and_created_transactions(
    client: TestClient, database: Database, network: Network, convert: Callable[..., int]
) -> None:
    convert(network, "UP", "100.00")
    tid = _transaction_id(client, network, "UP")
    body = (
        UPLOAD_HEADER
        + _line(tid, network.campaign_id, "", "", "", "", "80.00", "", "", "UP", "", "1")
        + _line(
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
            "open",
        )
    )
    response = _upload(client, network, body.encode())
    assert response.json()["created"] == 1
    assert len(_rows(database, network.account_id)) == 2
    assert _outdated(database, network.account_id) == []


def test_time_zone_change_is_rendered_before_the_next_csv_export(
    client: TestClient,
    database: Database,
    network: Network,
    convert: Callable[..., int],
    admin_headers: dict[str, str],
) -> None:
    convert(network, "TZ")
    tid = int(_transaction_id(client, network, "TZ"))
    with database.write() as conn:
        row = repository.transaction(conn, network.account_id, tid)
        assert row is not None
        moved = {"order_timestamp": datetime(2026, 7, 1, 12, tzinfo=UTC)}
        repository.update_transaction(conn, network.account_id, row, moved)
    client.patch(
        f"/admin/v1/accounts/{network.account_id}",
        json={"timezone": "America/New_York"},
        headers=admin_headers,
    )
    exported = csv_rows(client, network.export_url())[0]
    assert exported["order_timestamp"] == "2026-07-01 08:00:00"
    assert _outdated(database, network.account_id, "America/New_York") == []


def test_a_new_rendering_version_renders_every_transaction_again(
    database: Database,
    accounts: Accounts,
    network: Network,
    convert: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    convert(network, "V1")
    convert(network, "V2")
    affiliate = AffiliateNetwork(database, accounts)
    account = accounts.get(network.account_id)
    monkeypatch.setattr(export_lines, "RENDERING_VERSION", export_lines.RENDERING_VERSION + 1)
    assert affiliate.exports.render_stale_export_text(account) == 2
    assert affiliate.exports.render_stale_export_text(account) == 0
    assert _outdated(database, network.account_id) == []


def test_rendering_stale_text_leaves_other_accounts_alone(
    database: Database,
    accounts: Accounts,
    build_network: Callable[..., Network],
    convert: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = build_network("First"), build_network("Second")
    convert(first, "F")
    convert(second, "S")
    before = _rows(database, second.account_id)
    monkeypatch.setattr(export_lines, "RENDERING_VERSION", export_lines.RENDERING_VERSION + 1)
    affiliate = AffiliateNetwork(database, accounts)
    assert affiliate.exports.render_stale_export_text(accounts.get(first.account_id)) == 1
    assert _rows(database, second.account_id) == before


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31)),
    tz=st.sampled_from(
        [
            "Europe/Berlin",
            "America/New_York",
            "Asia/Kolkata",
            "Asia/Kathmandu",
            "America/St_Johns",
            "Australia/Lord_Howe",
            "Pacific/Chatham",
            "UTC",
        ]
    ),
)
def test_local_clock_equals_zoneinfo(moment: datetime, tz: str) -> None:
    clock = LocalClock(tz)
    expected = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S")
    assert clock.raw_text(moment.isoformat(" ", "microseconds")) == expected
    assert clock.raw_text(moment) == expected


def test_stored_lines_put_the_joined_fields_between_head_and_tail() -> None:
    lines = StoredLines()
    stored = ('1;"x"', '=Shop "A"', 7, 8, "Ina", None, "", '"t";3')
    assert lines.line(stored) == '1;"x";"\'=Shop ""A""";7;8;"Ina";"";"";"t";3'


def test_stored_lines_render_a_renamed_campaign_anew() -> None:
    lines = StoredLines()
    first = lines.line(("1", "Old", 1, 2, "", "", "", "0"))
    second = lines.line(("2", "New", 1, 2, "", "", "", "0"))
    assert (first, second) == ('1;"Old";1;2;"";"";"";0', '2;"New";1;2;"";"";"";0')


def _publisher_row(**changes: object) -> list[object]:
    values: dict[str, object] = {
        "ebestid": "0123456789abcdef",
        "created_at": "2026-11-02 09:00:00.000000",
        "advertiser_id": 4,
        "campaign_title": "Shop",
        "campaign_id": 7,
        "project_id": 0,
        "project_title": None,
        "trigger_type": "lead_fixed",
        "payoutdate": None,
        "status": 0,
        "status_change_date": "2026-11-02 09:00:00.000000",
        "salary_id": -1,
        "action_timestamp": None,
        "subid": "",
        "referrer": "",
        "admedia_id": 0,
        "cancel_reason": "",
        "commission_minor": 250,
        "turnover_minor": 0,
        "currency": "EUR",
        "trigger_id": 2,
        "trigger_title": "Lead",
        "basket_items": 0,
    }
    values.update(changes)
    return [values[name] for name in PUBLISHER_FIELDS]


def _publisher_cell(name: str, **changes: object) -> object:
    cells = publisher_cells(_publisher_row(**changes), LocalClock("UTC"), Money())
    return cells[PUBLISHER_COLUMNS.index(name)]


def test_publisher_processingdate_is_empty_while_open() -> None:
    assert _publisher_cell("processingdate") == ""


def test_publisher_processingdate_is_the_status_change_once_confirmed() -> None:
    changed = "2026-11-05 10:30:00.000000"
    assert _publisher_cell("processingdate", status=1, status_change_date=changed) == (
        "2026-11-05 10:30:00"
    )


def test_publisher_salary_is_the_payout_number_once_paid() -> None:
    assert (_publisher_cell("salary"), _publisher_cell("salary", salary_id=12, status=3)) == (
        "",
        "12",
    )


def test_publisher_subid_and_referrer_default_to_none_markers() -> None:
    assert (_publisher_cell("subid"), _publisher_cell("referrer")) == ("NONE", "://NONE")


def test_publisher_event_and_provision_come_from_the_trigger() -> None:
    assert (_publisher_cell("event"), _publisher_cell("provision")) == ("lead", Decimal("2.50"))


def test_stored_publisher_lines_put_the_joined_fields_between_head_and_tail() -> None:
    lines = StoredPublisherLines()
    stored = ('"ab";"2026-11-02 10:00:00"', 4, '=Shop "A"', 7, 9, "Blog", '"lead";""')
    assert lines.line(stored) == (
        '"ab";"2026-11-02 10:00:00";4;"\'=Shop ""A""";7;9;"Blog";"lead";""'
    )


def test_stored_publisher_lines_give_a_missing_project_an_empty_title() -> None:
    lines = StoredPublisherLines()
    assert lines.line(('"ab"', 4, "Shop", 7, 0, None, "0")) == '"ab";4;"Shop";7;0;"";0'


def test_stored_publisher_lines_render_a_renamed_project_anew() -> None:
    lines = StoredPublisherLines()
    first = lines.line(('"a"', 4, "Shop", 7, 9, "Old", "0"))
    second = lines.line(('"b"', 4, "Shop", 7, 9, "New", "0"))
    assert (first, second) == ('"a";4;"Shop";7;9;"Old";0', '"b";4;"Shop";7;9;"New";0')
