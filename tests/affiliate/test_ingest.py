"""Group commit of conversion pixels."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import replace
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.errors import (
    AffiliateError,
    InvalidTurnoverError,
    NoTrackedClickError,
    UnknownPublisherError,
    WrongCurrencyError,
)
from commerce_stats.affiliate.ingest import ConversionBatcher, ViewBatcher
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.affiliate.tables import transactions, views
from commerce_stats.affiliate.tracker import ConversionInput, ViewInput
from commerce_stats.db.engine import Database
from commerce_stats.kit.timeutil import utc_now
from tests.affiliate.conftest import Network
from tests.affiliate.helpers import csv_rows


def _click(client: TestClient, net: Network) -> int:
    response = client.get(
        "/trck/eclick/",
        params={"campaign_id": net.campaign_id, "publisher_id": net.publisher_id},
        follow_redirects=False,
    )
    return int(response.headers["location"].rsplit("=", 1)[1])


def _conversion(
    net: Network, token: str, click_id: int | None, currency: str = ""
) -> ConversionInput:
    return ConversionInput(
        campaign_id=net.campaign_id,
        trigger_id=net.sale_trigger,
        ordertoken=token,
        turnover="10.00",
        description="",
        voucher_code="",
        currency=currency,
        click_id=click_id,
        basket_items=1,
        source="img",
        user_agent="",
        referrer="",
        country="",
    )


def test_a_batch_records_valid_conversions_and_refuses_the_others(
    client: TestClient, network: Network, database: Database, accounts: Accounts
) -> None:
    click_id = _click(client, network)
    service = AffiliateNetwork(database, accounts)
    batch = [
        _conversion(network, "OK-1", click_id),
        _conversion(network, "NO-CLICK", None),
        _conversion(network, "OK-1", click_id),
        _conversion(network, "USD", click_id, currency="USD"),
        _conversion(network, "OK-2", click_id),
    ]
    with database.write() as conn:
        outcomes = service.tracker.record_conversions(conn, batch, utc_now())
    assert [None if outcome is None else type(outcome) for outcome in outcomes] == [
        None,
        NoTrackedClickError,
        None,
        WrongCurrencyError,
        None,
    ]
    rows = csv_rows(client, network.export_url())
    assert [row["ordertoken"] for row in rows] == ["OK-1", "OK-2"]


def test_stopping_the_batcher_records_what_was_submitted(
    client: TestClient, network: Network, database: Database, accounts: Accounts
) -> None:
    click_id = _click(client, network)
    batcher = ConversionBatcher(AffiliateNetwork(database, accounts))
    batcher.start()
    futures = [batcher.submit(_conversion(network, f"B-{index}", click_id)) for index in range(20)]
    refused = batcher.submit(_conversion(network, "B-none", None))
    batcher.stop()
    assert all(future.done() and future.exception() is None for future in futures)
    assert isinstance(refused.exception(), AffiliateError)
    assert len(csv_rows(client, network.export_url())) == 20
    late = batcher.submit(_conversion(network, "LATE", click_id))
    assert isinstance(late.exception(), AffiliateError)


TOO_MANY_ITEMS = 2**63
"""A basket size neither backend can store (32-bit column): the write itself raises.
The pixel route refuses it before (``basket_items`` must be an id); built directly here,
it stands for any value that reaches the database and fails there."""


def _stored_tokens(database: Database) -> list[str]:
    with database.read() as conn:
        return sorted(conn.execute(select(transactions.c.ordertoken)).scalars())


def _submit_from_threads(
    batcher: ConversionBatcher, conversions: list[ConversionInput], threads: int = 8
) -> list[Future[None]]:
    """Every conversion submitted, from ``threads`` threads released at once."""
    futures: list[Future[None] | None] = [None] * len(conversions)
    barrier = threading.Barrier(threads)

    def submit(offset: int) -> None:
        barrier.wait()
        for index in range(offset, len(conversions), threads):
            futures[index] = batcher.submit(conversions[index])

    workers = [threading.Thread(target=submit, args=(offset,)) for offset in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return [future for future in futures if future is not None]


def test_a_conversion_whose_write_raises_fails_alone_and_its_batch_commits(
    client: TestClient, network: Network, database: Database, accounts: Accounts
) -> None:
    click_id = _click(client, network)
    batcher = ConversionBatcher(AffiliateNetwork(database, accounts))
    valid = [_conversion(network, f"OK-{index}", click_id) for index in range(9)]
    poison = replace(_conversion(network, "POISON", click_id), basket_items=TOO_MANY_ITEMS)
    batch = [*valid[:4], poison, *valid[4:]]
    futures = [batcher.submit(conversion) for conversion in batch]  # queued: one batch
    batcher.start()
    batcher.stop()

    assert [future.exception() for position, future in enumerate(futures) if position != 4] == [
        None
    ] * 9
    assert futures[4].exception() is not None
    assert _stored_tokens(database) == sorted(f"OK-{index}" for index in range(9))


def test_poison_conversions_from_concurrent_threads_fail_alone(
    client: TestClient, network: Network, database: Database, accounts: Accounts
) -> None:
    click_id = _click(client, network)
    batcher = ConversionBatcher(AffiliateNetwork(database, accounts))
    batcher.start()
    conversions: list[ConversionInput] = []
    for index in range(120):
        conversion = _conversion(network, f"T-{index:03}", click_id)
        if index % 3 == 1:
            conversion = replace(conversion, basket_items=TOO_MANY_ITEMS)
        elif index % 3 == 2:
            conversion = replace(conversion, turnover="1e308")
        conversions.append(conversion)
    futures = _submit_from_threads(batcher, conversions)
    errors = [future.exception(timeout=60) for future in futures]
    batcher.stop()

    assert [errors[index] for index in range(0, 120, 3)] == [None] * 40
    assert all(errors[index] is not None for index in range(1, 120, 3))
    refused = [errors[index] for index in range(2, 120, 3)]
    assert {
        (type(error), error.message) for error in refused if isinstance(error, AffiliateError)
    } == {(InvalidTurnoverError, "turnover: must not exceed 9999999999999.99 EUR")}
    assert len(refused) == 40
    assert _stored_tokens(database) == [f"T-{index:03}" for index in range(0, 120, 3)]


POISON_PIXELS = [
    ("turnover", {"turnover": "1e308"}),
    ("turnover", {"turnover": "9" * 40}),
    ("descr", {"descr": "\x00"}),
    ("token", {"token": "P\x00"}),
    ("vc", {"vc": "\x00"}),
]


def test_poison_pixels_sent_concurrently_with_valid_ones_refuse_only_themselves(
    client: TestClient, network: Network, database: Database
) -> None:
    emid = _click(client, network)
    answers: dict[str, tuple[int, str]] = {}
    barrier = threading.Barrier(8)

    def send(worker: int) -> None:
        barrier.wait()
        for round_ in range(10):
            token = f"H-{worker}-{round_}"
            params: dict[str, str | int] = {
                "campaign_id": network.campaign_id,
                "trigger_id": network.sale_trigger,
                "token": token,
                "turnover": "10.00",
                "emid": emid,
            }
            if worker % 2:
                params.update(POISON_PIXELS[(worker + round_) % len(POISON_PIXELS)][1])
            response = client.get("/trck/etrack/", params=params)
            answers[token] = (response.status_code, response.text)

    workers = [threading.Thread(target=send, args=(worker,)) for worker in range(8)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    valid = sorted(f"H-{worker}-{round_}" for worker in range(0, 8, 2) for round_ in range(10))
    assert [answers[token][0] for token in valid] == [200] * 40
    for worker in range(1, 8, 2):
        for round_ in range(10):
            field, _values = POISON_PIXELS[(worker + round_) % len(POISON_PIXELS)]
            status, text = answers[f"H-{worker}-{round_}"]
            assert status == 400
            assert text.startswith(field)
    assert _stored_tokens(database) == valid


def _view(net: Network, **changes: Any) -> ViewInput:
    view = ViewInput(
        campaign_id=net.campaign_id,
        publisher_id=net.publisher_id,
        project_id=0,
        subid="",
        admedia_id=0,
        referrer="",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
        country="DE",
        address="192.0.2.1",
    )
    return replace(view, **changes)


def _stored_views(database: Database) -> list[tuple[int, int]]:
    with database.read() as conn:
        return [
            (row.id, row.net)
            for row in conn.execute(select(views.c.id, views.c.net).order_by(views.c.id))
        ]


def test_views_submitted_together_are_each_stored_in_one_batch(
    network: Network, database: Database, accounts: Accounts
) -> None:
    batcher = ViewBatcher(AffiliateNetwork(database, accounts))
    futures = [batcher.submit(_view(network)) for _ in range(5)]  # queued: one batch
    batcher.start()
    batcher.stop()
    assert [future.result() for future in futures] == [1, 2, 3, 4, 5]
    assert _stored_views(database) == [(1, 1), (2, 0), (3, 0), (4, 0), (5, 0)]


def test_a_refused_view_in_a_batch_stores_nothing_and_the_others_are_stored(
    network: Network, database: Database, accounts: Accounts
) -> None:
    batcher = ViewBatcher(AffiliateNetwork(database, accounts))
    ok = batcher.submit(_view(network))
    refused = batcher.submit(_view(network, publisher_id=999))
    batcher.start()
    batcher.stop()
    assert (ok.result(), type(refused.exception())) == (1, UnknownPublisherError)
    assert _stored_views(database) == [(1, 1)]


def test_views_from_many_threads_are_each_stored(
    network: Network, database: Database, accounts: Accounts
) -> None:
    batcher = ViewBatcher(AffiliateNetwork(database, accounts))
    batcher.start()
    results: list[int | None] = []
    lock = threading.Lock()

    def send() -> None:
        for index in range(10):
            view_id = batcher.submit(_view(network, address=f"192.0.2.{index}")).result()
            with lock:
                results.append(view_id)

    workers = [threading.Thread(target=send) for _ in range(4)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    batcher.stop()
    assert sorted(view_id or 0 for view_id in results) == list(range(1, 41))
    assert len(_stored_views(database)) == 40
