"""Shared by the affiliate benchmarks: a dataset of N transactions and a pinned server."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import free_port
from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.demo import build_catalog, fill_transactions
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate

WORKDIR = Path(os.environ.get("AFFILIATE_BENCH_DIR", "/tmp/affiliate-bench"))
DATASET_SCHEMA = "0014"
"""The newest migration a cached dataset was built with; a newer schema builds a new one."""
ADMIN_TOKEN = "bench-admin-token"  # noqa: S105 - a throw-away local server


def dataset(rows: int) -> dict[str, Any]:
    """A SQLite database holding ``rows`` transactions (built once, reused by later runs)."""
    WORKDIR.mkdir(parents=True, exist_ok=True)
    path = WORKDIR / f"transactions-{rows}-{DATASET_SCHEMA}.sqlite3"
    meta_path = path.with_suffix(".json")
    if meta_path.exists() and path.exists():
        meta: dict[str, Any] = json.loads(meta_path.read_text())
        return meta
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    database = Database(Settings(database_url=url, sqlite_synchronous="OFF"))
    migrate(database)
    accounts = Accounts(database)
    account, credentials = accounts.create("Bench Network")
    network = AffiliateNetwork(database, accounts)
    plan = build_catalog(network, account)
    started = time.perf_counter()
    fill_transactions(database, account.id, plan, rows, random.Random(7), days=25, batch=20_000)
    print(f"built {rows:,} transactions in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    database.dispose()
    meta = {"url": url, "path": str(path), "account_id": account.id, "credentials": credentials}
    meta_path.write_text(json.dumps(meta))
    return meta


def start_server(
    database_url: str, *, synchronous: str = "FULL"
) -> tuple[subprocess.Popen[bytes], int]:
    """uvicorn with the app, pinned to core 0; waits until it answers."""
    port = free_port()
    env = {
        **os.environ,
        "COMMERCE_STATS_DATABASE_URL": database_url,
        "COMMERCE_STATS_ADMIN_TOKEN": ADMIN_TOKEN,
        "COMMERCE_STATS_SQLITE_SYNCHRONOUS": synchronous,
        "COMMERCE_STATS_CREDENTIAL_CACHE_SECONDS": "60",
    }
    command = [
        "taskset", "-c", "0", sys.executable, "-m", "uvicorn",
        "commerce_stats.app:create_app_from_env", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("server did not start")


def pin_to_core(core: int) -> None:
    os.sched_setaffinity(0, {core})
