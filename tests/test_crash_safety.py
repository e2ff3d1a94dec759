"""Crash safety: SIGKILL the real server mid-traffic, restart it, lose nothing acknowledged.

The server runs as a subprocess (uvicorn on a loopback port) over the test's
database (SQLite file with synchronous=FULL, or the PostgreSQL database of the
suite's backend). Writer threads send beacon batches (every event with a unique
event_id), promotions orders and affiliate CSV uploads of 200 new rows; the server
is killed with SIGKILL while they run, then started again. Proof, through the public
API and the ledger:

- every acknowledged batch, sent again, is answered as all duplicates (present);
- every unacknowledged batch, sent again, is either all duplicates or all counted
  (never half-applied);
- the report's counter equals the number of distinct events stored;
- every acknowledged order reads back; promotion counters equal the ledger;
- every acknowledged upload has all its rows, any other upload all or none.

``CRASH_ROUNDS`` (environment, default 1) repeats kill/restart; ``make soak``
runs it with more rounds.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest

from commerce_stats.accounts.service import Accounts
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.promotions.service import Promotions
from tests.conftest import ADMIN_TOKEN, BACKEND

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "1"))
BATCH = 50
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """One uvicorn process over the test database."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "COMMERCE_STATS_DATABASE_URL": settings.database_url,
            "COMMERCE_STATS_ADMIN_TOKEN": ADMIN_TOKEN,
            "COMMERCE_STATS_SQLITE_SYNCHRONOUS": "FULL",
            "COMMERCE_STATS_DATA_DIR": str(settings.data_dir),
            "COMMERCE_STATS_CREDENTIAL_CACHE_SECONDS": "0",
        }
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "commerce_stats.app:create_app_from_env",
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--log-level",
                    "warning",
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90  # a generous bound for a loaded machine
        while time.monotonic() < deadline:
            try:
                if httpx2.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx2.TransportError:
                time.sleep(0.1)
        raise AssertionError("server did not start: " + self.log.read_text())

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)


@pytest.fixture
def server(settings: Settings, tmp_path: Path) -> Iterator[Server]:
    running = Server(settings, tmp_path / "server.log")
    running.start()
    yield running
    running.stop()


@dataclass
class Outcome:
    """What the clients sent and which requests were acknowledged."""

    acked_batches: list[list[dict[str, Any]]] = field(default_factory=list)
    unacked_batches: list[list[dict[str, Any]]] = field(default_factory=list)
    acked_orders: list[str] = field(default_factory=list)
    uploads: dict[str, bool] = field(default_factory=dict)
    """Upload prefix → acknowledged."""
    lock: threading.Lock = field(default_factory=threading.Lock)


def _setup(base: str) -> tuple[dict[str, Any], str]:
    """An account with one video, and a promotions bearer token with one coupon promotion."""
    with httpx2.Client(base_url=base, headers=ADMIN, timeout=30) as http:
        account = http.post("/admin/v1/accounts", json={"name": "Crash"}).json()
        account_id = account["id"]
        video = http.put(
            f"/admin/v1/accounts/{account_id}/videos/v1", json={"title": "V", "ecommerce_keys": []}
        )
        assert video.status_code == 200, video.text
        credentials = account["credentials"]
        login = http.post(
            "/v1/login_check",
            json={
                "username": credentials["promotions_username"],
                "password": credentials["promotions_password"],
            },
        )
        token: str = login.json()["token"]
        promotion = http.post(
            "/v1/promotion",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "promotion_type": "discount",
                "promotion_name": "Crash",
                "date_from": "2026-01-01T00:00:00+00:00",
                "date_to": "2026-12-31T23:59:59+00:00",
                "coupons": {"discount_percent": "10", "product_id": [1]},
            },
        )
        assert promotion.status_code == 201, promotion.text
        account["upload_columns"] = _affiliate_network(http, account_id)
    return account, token


def _affiliate_network(http: httpx2.Client, account_id: int) -> tuple[int, int, int, int]:
    """A campaign, sale trigger, default group and publisher project: the ids a CSV row needs."""
    base = f"/admin/v1/accounts/{account_id}/affiliate"

    def post(url: str, body: dict[str, Any]) -> int:
        response = http.post(base + url, json=body)
        assert response.status_code == 201, response.text
        created: int = response.json()["id"]
        return created

    advertiser = post("/advertisers", {"name": "Shop"})
    campaign = post(
        "/campaigns",
        {
            "advertiser_id": advertiser,
            "title": "Crash",
            "target_url": "https://shop.example/",
            "currency": "EUR",
        },
    )
    sale = post(f"/campaigns/{campaign}/triggers", {"title": "Sale"})
    group = post(
        f"/campaigns/{campaign}/groups",
        {
            "title": "Standard",
            "default": True,
            "triggers": [
                {"trigger_id": sale, "trigger_type": "sale_dynamic", "trigger_value": "10"}
            ],
        },
    )
    publisher = post("/publishers", {"prename": "A", "surname": "B", "searchtitle": "ab"})
    project = post(f"/publishers/{publisher}/projects", {"title": "Blog"})
    return campaign, group, sale, project


UPLOAD_ROWS = 200
UPLOAD_HEADER = (
    '"orderid";"campaign_id";"commissiongroup";"trigger_id";"project_id";"conversiontype";'
    '"price";"commission";"order_timestamp";"ordertoken";"cancel_reason";"status"\n'
)


def _upload_csv(columns: tuple[int, int, int, int], prefix: str) -> bytes:
    campaign, group, sale, project = columns
    lines = [
        f'"";"{campaign}";"{group}";"{sale}";"{project}";"sale";"100,00";"";'
        f'"2026-01-15 10:30:00";"{prefix}-{index}";"";"confirmed"\n'
        for index in range(UPLOAD_ROWS)
    ]
    return (UPLOAD_HEADER + "".join(lines)).encode()


def _uploads(base: str, account: dict[str, Any], stop: threading.Event, out: Outcome) -> None:
    credentials = account["credentials"]
    form = {
        "login_id": credentials["affiliate_login_id"],
        "token": credentials["affiliate_rest_token"],
        "section": "Admin",
    }
    with httpx2.Client(base_url=base, timeout=30) as http:
        number = 0
        while not stop.is_set():
            prefix = f"U{len(out.uploads)}x{number}"
            number += 1
            content = _upload_csv(account["upload_columns"], prefix)
            try:
                response = http.put(
                    "/REST/orders/", data=form, files={"file": ("o.csv", content, "text/csv")}
                )
                acked = response.status_code == 200
            except httpx2.TransportError:
                acked = False
            with out.lock:
                out.uploads[prefix] = acked
            if not acked:
                return


def _events(prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "ecommerce_bar_shown",
            "content_key": "v1",
            "timestamp": "2026-03-01T12:00:00Z",
            "device_type": "Desktop",
            "event_id": f"{prefix}-{index}",
        }
        for index in range(BATCH)
    ]


def _beacons(base: str, key: str, name: str, stop: threading.Event, out: Outcome) -> None:
    with httpx2.Client(base_url=base, timeout=10) as http:
        number = 0
        while not stop.is_set():
            batch = _events(f"{name}-{number}")
            number += 1
            try:
                acked = (
                    http.post("/prod/events", json=batch, headers={"X-Ingest-Key": key}).status_code
                    == 200
                )
            except httpx2.TransportError:
                acked = False
            with out.lock:
                (out.acked_batches if acked else out.unacked_batches).append(batch)
            if not acked:
                return


def _orders(base: str, token: str, name: str, stop: threading.Event, out: Outcome) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx2.Client(base_url=base, timeout=10, headers=headers) as http:
        number = 0
        while not stop.is_set():
            order_id = f"{name}-{number}"
            number += 1
            body = {
                "order_id": order_id,
                "created_at": "2026-05-01T10:00:00+02:00",
                "products": [{"product_id": 1, "quantity": 2, "price": "10.00"}],
            }
            try:
                acked = http.post("/v1/orders", json=body).status_code == 201
            except httpx2.TransportError:
                return
            if acked:
                with out.lock:
                    out.acked_orders.append(order_id)


def _traffic_then_kill(server: Server, account: dict[str, Any], token: str, out: Outcome) -> None:
    stop = threading.Event()
    key = account["credentials"]["ingest_key"]
    round_tag = f"r{len(out.acked_batches) + len(out.unacked_batches)}"
    before = _acknowledged(out)
    threads = (
        [
            threading.Thread(
                target=_beacons, args=(server.base, key, f"{round_tag}b{n}", stop, out)
            )
            for n in range(3)
        ]
        + [
            threading.Thread(
                target=_orders, args=(server.base, token, f"{round_tag}o{n}", stop, out)
            )
            for n in range(2)
        ]
        + [threading.Thread(target=_uploads, args=(server.base, account, stop, out))]
    )
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    _until_each_kind_is_acknowledged(out, before)
    server.kill()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)


def _until_each_kind_is_acknowledged(out: Outcome, before: tuple[int, int, int]) -> None:
    """Lets traffic go on (at most 30 s more) until this round has acknowledged a batch, an
    order and an upload, so that a slow machine still kills the server with each in the
    books; a server that acknowledges none of a kind fails the test's assertions."""
    for _poll in range(600):
        if all(now > then for now, then in zip(_acknowledged(out), before, strict=True)):
            return
        time.sleep(0.05)


def _acknowledged(out: Outcome) -> tuple[int, int, int]:
    with out.lock:
        return len(out.acked_batches), len(out.acked_orders), sum(out.uploads.values())


def test_sigkill_mid_traffic_loses_nothing_acknowledged(server: Server, settings: Settings) -> None:
    account, token = _setup(server.base)
    out = Outcome()
    rounds: list[str] = []
    for number in range(1, ROUNDS + 1):
        before = _acknowledged(out)
        started = time.monotonic()
        _traffic_then_kill(server, account, token, out)
        killed = time.monotonic()
        server.start()
        restarted = time.monotonic()
        batches, orders, uploads = (a - b for a, b in zip(_acknowledged(out), before, strict=True))
        rounds.append(
            f"round {number}: {restarted - started:.2f} s ({killed - started:.2f} s traffic "
            f"until SIGKILL and join, {restarted - killed:.2f} s restart); acknowledged "
            f"{batches} batches, {orders} orders, {uploads} uploads"
        )
    assert out.acked_batches, "no batch was acknowledged before the kill"
    assert out.acked_orders, "no order was acknowledged before the kill"
    assert any(out.uploads.values()), "no upload was acknowledged before the kill"

    key = account["credentials"]["ingest_key"]
    stored = 0
    with httpx2.Client(base_url=server.base, timeout=30) as http:
        for batch in out.acked_batches:
            data = http.post("/prod/events", json=batch, headers={"X-Ingest-Key": key}).json()
            assert data["data"]["duplicates"] == BATCH, data
            stored += BATCH
        for batch in out.unacked_batches:
            data = http.post("/prod/events", json=batch, headers={"X-Ingest-Key": key}).json()
            assert {data["data"]["duplicates"], data["data"]["counted"]} == {0, BATCH}, data
            stored += BATCH
        report = http.get(
            "/prod/get_ecommerce_reports",
            params={
                "organization_key": account["credentials"]["organization_key"],
                "start_date": "2026-03-01",
                "end_date": "2026-03-01",
            },
        ).json()
        total = sum(row["ecommerce_bar_shown"] for row in report["data"]["ecommerce_stats"])
        assert total == stored

        credentials = account["credentials"]
        export = http.get(
            f"/api/{credentials['affiliate_access_token']}/admin/{account['id']}"
            "/get-statistic_transactions.csv",
            params={"condition[dynamicdate]": "today"},
        )
        tokens = [
            row["ordertoken"] for row in csv.DictReader(io.StringIO(export.text), delimiter=";")
        ]
        for prefix, acked in out.uploads.items():
            present = sum(1 for value in tokens if value.startswith(prefix + "-"))
            assert present == UPLOAD_ROWS if acked else present in {0, UPLOAD_ROWS}, prefix
        bearer = {"Authorization": f"Bearer {token}"}
        for order_id in out.acked_orders:
            assert http.get(f"/v1/orders/{order_id}", headers=bearer).status_code == 200

    server.stop()
    database = Database(settings)
    try:
        assert Promotions(database, Accounts(database)).catalog.counter_drift(account["id"]) == []
    finally:
        database.dispose()
    acked_uploads = sum(out.uploads.values())
    # Printed for `make soak` (pytest -s), which records these figures in docs/reliability.md.
    print()
    for line in rounds:
        print(f"crash safety, {BACKEND}, {line}")
    print(
        f"verified after {ROUNDS} rounds: {len(out.acked_batches)} acknowledged batches "
        f"({len(out.acked_batches) * BATCH} events) all duplicates on resend; "
        f"{len(out.unacked_batches)} in-flight batches all-or-none; report counter = "
        f"{stored} distinct events stored; {len(out.acked_orders)} acknowledged orders read "
        f"back; {acked_uploads} acknowledged uploads ({acked_uploads * UPLOAD_ROWS} rows) "
        f"complete, {len(out.uploads) - acked_uploads} in-flight uploads all-or-none; "
        "promotion counter drift: none"
    )
