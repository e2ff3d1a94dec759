"""The transactions CSV comes from stored text; it must equal the Python writer's bytes."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import exporting, repository
from commerce_stats.affiliate.access import Owner
from commerce_stats.affiliate.demo import build_catalog, fill_transactions
from commerce_stats.affiliate.filters import parse_filters
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.db.engine import Database
from commerce_stats.kit.exports import ExportFormat, write_export

TRICKY: list[dict[str, Any]] = [
    {"description": "=1+1", "cancel_reason": 'a "quoted"\nline'},
    {"description": "-minus", "cancel_reason": "@at", "subid": "\ttab"},
    {"description": "plain; semi", "referrer": "+plus", "user_agent": "\rcr"},
    {"created_at": datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC)},
    {"created_at": datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC), "payoutdate": None},
    {"last_change": datetime(2026, 10, 25, 0, 59, 59, tzinfo=UTC)},
    {"last_change": datetime(2026, 10, 25, 1, 0, 0, tzinfo=UTC), "click_id": 77},
    {"commission_minor": 0, "turnover_minor": 5, "currency": "JPY"},
    {"commission_minor": 1234, "turnover_minor": 5, "currency": "KWD"},
]


def test_stored_text_csv_equals_python_writer(database: Database, accounts: Accounts) -> None:
    account, _credentials = accounts.create("Paths")
    network = AffiliateNetwork(database, accounts)
    plan = build_catalog(network, account)
    fill_transactions(
        database,
        account.id,
        plan,
        len(TRICKY) + 40,
        random.Random(3),
        now=datetime(2026, 11, 1, tzinfo=UTC),
        days=400,
    )
    with database.write() as conn:
        for index, changes in enumerate(TRICKY, start=1):
            row = repository.transaction(conn, account.id, index)
            assert row is not None
            repository.update_transaction(conn, account.id, row, changes)
    owner = Owner(account, None)
    params = [("condition[period][from]", "01.01.2025"), ("condition[period][to]", "31.12.2026")]
    fast = b"".join(
        exporting.prepare(network, owner, "transactions", ExportFormat.CSV, params).body
    )
    query = exporting.build_query(owner, parse_filters(params, datetime.now(UTC).date()))
    header, rows = exporting._report(network, "transactions", query, account.timezone, False, False)
    slow = b"".join(write_export(ExportFormat.CSV, header, rows))
    text = fast.decode()
    for expected in (
        '"2026-03-29 01:59:59"',
        '"2026-03-29 03:00:00"',
        '"\'=1+1"',
        '"JPY"',
        ";1.234;",
    ):
        assert expected in text
    assert fast.decode() == slow.decode()


PUBLISHER_TRICKY: list[dict[str, Any]] = [
    *TRICKY,
    {"trigger_title": '=HYPERLINK("x")', "subid": ""},
    {"status": 3, "salary_id": 12, "payoutdate": datetime(2026, 3, 29, 1, 30, tzinfo=UTC)},
    {"status": 2, "status_change_date": datetime(2026, 10, 25, 1, 0, 0, tzinfo=UTC)},
    {"action_timestamp": datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "referrer": ""},
    {"action_timestamp": None, "admedia_id": 9, "basket_items": 3},
]


def test_stored_text_publisher_csv_equals_python_writer(
    database: Database, accounts: Accounts
) -> None:
    account, _credentials = accounts.create("Publisher paths")
    network = AffiliateNetwork(database, accounts)
    plan = build_catalog(network, account)
    fill_transactions(
        database,
        account.id,
        plan,
        60,
        random.Random(4),
        now=datetime(2026, 11, 1, tzinfo=UTC),
        days=400,
    )
    with database.read() as conn:
        first = repository.transaction(conn, account.id, 1)
    assert first is not None
    owner = Owner(account, first.publisher_id)
    params = [("condition[period][from]", "01.01.2025"), ("condition[period][to]", "31.12.2026")]
    query = exporting.build_query(owner, parse_filters(params, datetime.now(UTC).date()))
    with database.read() as conn:
        own = list(repository.stream_transactions(conn, query))
    with database.write() as conn:
        for row, changes in zip(own, PUBLISHER_TRICKY, strict=False):
            stored = repository.transaction(conn, account.id, row.id)
            assert stored is not None
            repository.update_transaction(conn, account.id, stored, changes)
    fast = b"".join(
        exporting.prepare(network, owner, "transactions", ExportFormat.CSV, params).body
    )
    header, rows = exporting._report(network, "transactions", query, account.timezone, True, False)
    slow = b"".join(write_export(ExportFormat.CSV, header, rows))
    text = fast.decode()
    for expected in (
        '"2026-03-29 03:00:00"',
        '"\'=HYPERLINK(""x"")"',
        '"\'\ttab"',
        ";0;5;5;",
        ";1.234;",
    ):
        assert expected in text
    assert text.count("\n") == len(own) + 2  # the header, the rows, one quoted line break
    assert all(f'\n"{row.ebestid}";' in text for row in own)
    assert text == slow.decode()


def test_period_includes_rows_whose_ids_run_against_creation_order(
    database: Database, accounts: Accounts
) -> None:
    """The id span of a period bounds the walk; creation order need not follow ids."""
    account, _credentials = accounts.create("Order")
    network = AffiliateNetwork(database, accounts)
    plan = build_catalog(network, account)
    fill_transactions(
        database, account.id, plan, 6, random.Random(5), now=datetime(2026, 5, 20, tzinfo=UTC)
    )
    moved = {
        1: datetime(2026, 6, 30, 21, 59, 59, tzinfo=UTC),
        2: datetime(2026, 6, 1, 0, 0, 0, tzinfo=UTC),
        5: datetime(2026, 5, 31, 21, 59, 59, tzinfo=UTC),
        6: datetime(2026, 6, 15, 12, 0, 0, tzinfo=UTC),
    }
    with database.write() as conn:
        for transaction_id, created in moved.items():
            row = repository.transaction(conn, account.id, transaction_id)
            assert row is not None
            repository.update_transaction(conn, account.id, row, {"created_at": created})
    params = [("condition[period][from]", "01.06.2026"), ("condition[period][to]", "30.06.2026")]
    owner = Owner(account, None)
    for export_format in (ExportFormat.CSV, ExportFormat.JSON):
        prepared = exporting.prepare(network, owner, "transactions", export_format, params)
        body = b"".join(prepared.body)
        if export_format is ExportFormat.CSV:
            ids = [line.split(";", 1)[0] for line in body.decode().splitlines()[1:]]
            assert ids == ["1", "2", "6"]
        else:
            assert [row["id"] for row in json.loads(body)] == [1, 2, 6]
