"""Mixed load against one server process: ingest batches, beacons, reports, exports, orders.

Usage: .venv/bin/python bench/load_mixed.py [sqlite|postgresql] [seconds]

Starts ``uvicorn`` (one process, pinned to core 0 with ``taskset`` when present) over a
fresh database, creates one account with a video, an affiliate access token and a
promotion, then runs one client thread per kind (pinned to core 1) for ``seconds``
(default 60) and prints requests, throughput, p50/p99 latency and errors per kind.
Each kind sends its next request as soon as the previous one is answered (closed loop).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2
import psycopg

from _common import free_port
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate

ADMIN_TOKEN = "load-mixed-admin-token"  # noqa: S105 - a throw-away local server
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/"
POSTGRES_DB = "commerce_stats_load_mixed"
INGEST_BATCH = 100


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)


def _database_url(backend: str, workdir: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir}/load.sqlite3"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB}")
        conn.execute(f"CREATE DATABASE {POSTGRES_DB}")
    return POSTGRES + POSTGRES_DB


def _start_server(url: str, workdir: str) -> tuple[subprocess.Popen[bytes], str]:
    database = Database(Settings(database_url=url))
    migrate(database)
    database.dispose()
    port = free_port()
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    env = {
        **os.environ,
        "COMMERCE_STATS_DATABASE_URL": url,
        "COMMERCE_STATS_ADMIN_TOKEN": ADMIN_TOKEN,
        "COMMERCE_STATS_DATA_DIR": workdir,
    }
    command = [sys.executable, "-m", "uvicorn", "commerce_stats.app:create_app_from_env"]
    command += ["--factory", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    process = subprocess.Popen(pin + command, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx2.get(base + "/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx2.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("server did not start")


def _setup(base: str) -> dict[str, Any]:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx2.Client(base_url=base, headers=admin, timeout=30) as http:
        account = http.post("/admin/v1/accounts", json={"name": "Load"}).json()
        credentials = account["credentials"]
        http.put(
            f"/admin/v1/accounts/{account['id']}/videos/v1",
            json={"title": "Load video", "ecommerce_keys": []},
        ).raise_for_status()
        login = http.post(
            "/v1/login_check",
            json={
                "username": credentials["promotions_username"],
                "password": credentials["promotions_password"],
            },
        )
        token = login.json()["token"]
        http.post(
            "/v1/promotion",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "promotion_type": "discount",
                "promotion_name": "Load",
                "date_from": "2020-01-01T00:00:00+00:00",
                "coupons": {"discount_percent": "10", "product_id": [1]},
            },
        ).raise_for_status()
    return {"account": account, "credentials": credentials, "token": token}


def _kinds(context: dict[str, Any]) -> dict[str, Callable[[httpx2.Client, int], httpx2.Response]]:
    credentials = context["credentials"]
    ingest = {"X-Ingest-Key": credentials["ingest_key"]}
    bearer = {"Authorization": f"Bearer {context['token']}"}
    export = (
        f"/api/{credentials['affiliate_access_token']}/admin/{context['account']['id']}"
        "/get-statistic_transactions.csv"
    )
    report = {
        "organization_key": credentials["organization_key"],
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "include_video_data": "1",
    }

    def event(n: int, i: int = 0) -> dict[str, Any]:
        return {
            "type": "ecommerce_bar_shown",
            "content_key": "v1",
            "timestamp": "2026-03-01T12:00:00Z",
            "device_type": "Desktop",
            "event_id": f"{n}-{i}",
        }

    return {
        "ingest batch (100 events)": lambda http, n: http.post(
            "/prod/events",
            json=[event(n, i) for i in range(INGEST_BATCH)],
            headers=ingest,
        ),
        "beacon (pixel)": lambda http, n: http.get(
            "/prod/pixel.gif",
            params={"ingest_key": credentials["ingest_key"], "content_key": "v1"}
            | {"type": "ecommerce_bar_shown", "event_id": f"b{n}"},
        ),
        "report": lambda http, n: http.get("/prod/get_ecommerce_reports", params=report),
        "export (csv)": lambda http, n: http.get(export),
        "order": lambda http, n: http.post(
            "/v1/orders",
            headers=bearer,
            json={
                "order_id": f"L-{n}",
                "created_at": "2026-05-01T10:00:00+02:00",
                "products": [{"product_id": 1, "quantity": 2, "price": "10.00"}],
            },
        ),
    }


def _drive(
    base: str,
    name: str,
    send: Callable[[httpx2.Client, int], httpx2.Response],
    stop_at: float,
    tally: Tally,
) -> None:
    number = 0
    with httpx2.Client(base_url=base, timeout=30) as http:
        while time.monotonic() < stop_at:
            number += 1
            started = time.perf_counter()
            try:
                status = send(http, number).status_code
            except httpx2.TransportError:
                status = 0
            tally.latencies.append(time.perf_counter() - started)
            if status >= 400 or status == 0:
                tally.errors[status] = tally.errors.get(status, 0) + 1


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    if shutil.which("taskset"):
        os.sched_setaffinity(0, {1})
    workdir = tempfile.mkdtemp(prefix="load-mixed-")
    process, base = _start_server(_database_url(backend, workdir), workdir)
    try:
        context = _setup(base)
        kinds = _kinds(context)
        tallies = {name: Tally() for name in kinds}
        stop_at = time.monotonic() + seconds
        threads = [
            threading.Thread(target=_drive, args=(base, name, send, stop_at, tallies[name]))
            for name, send in kinds.items()
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"backend {backend}, {seconds:.0f} s, one server process, one closed-loop client/kind")
    print(f"{'kind':28} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  errors")
    total = 0
    for name, tally in tallies.items():
        count = len(tally.latencies)
        total += count
        p50 = statistics.median(tally.latencies) * 1000 if count else 0.0
        p99 = _percentile(tally.latencies, 0.99) * 1000 if count else 0.0
        errors = ", ".join(f"{status}: {n}" for status, n in sorted(tally.errors.items())) or "0"
        print(f"{name:28} {count:9d} {count / seconds:8.1f} {p50:8.1f} {p99:8.1f}  {errors}")
    print(f"{'all':28} {total:9d} {total / seconds:8.1f}")


if __name__ == "__main__":
    main()
