"""Latency of POST /v1/promotion/statistics/ for a promotion with 1,000,000 redemptions and
10,000 codes, on SQLite.

Usage: .venv/bin/python bench/promotions_statistics.py [redemptions] [codes] [requests]

The ledger is bulk-loaded (orders of 10 lines, every line redeemed through a
code) with the counters set to match, then the statistics request is sent one
at a time (server on core 0, client on core 1). Baselines in the same run:
GET /healthz, and the GROUP BY over the ledger that the counters avoid.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update

from _common import print_table
from _promotions_harness import load, server_env, start_server
from commerce_stats.accounts.service import Accounts
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate
from commerce_stats.promotions.service import Promotions
from commerce_stats.promotions.specs import PromotionChanges
from commerce_stats.promotions.tables import (
    promo_orders,
    promo_redemptions,
    promotion_codes,
    promotions,
)

LINES_PER_ORDER = 10
CHUNK = 50_000


def _fill(database: Database, redemptions: int, codes: int) -> tuple[int, dict[str, str]]:
    accounts = Accounts(database, cache_seconds=0)
    account, credentials = accounts.create("Bench")
    service = Promotions(database, accounts)
    promotion = service.catalog.create(
        account,
        PromotionChanges(
            promotion_type="coupon",
            promotion_name="Big coupon",
            date_from="2020-01-01T00:00:00+00:00",
            coupon_type="reusable",
            coupon_codes=[f"C{n:06d}" for n in range(codes)],
            discount_percent="10",
            product_ids=[1],
        ),
    )
    with database.read() as conn:
        code_ids = [
            int(row.id)
            for row in conn.execute(
                select(promotion_codes.c.id).where(promotion_codes.c.account_id == account.id)
            )
        ]
    moment = datetime(2026, 5, 1, tzinfo=UTC)
    orders = redemptions // LINES_PER_ORDER
    for start in range(0, orders, CHUNK // LINES_PER_ORDER):
        numbers = range(start, min(orders, start + CHUNK // LINES_PER_ORDER))
        order_rows = [
            {
                "account_id": account.id, "order_id": f"O{n}", "created_at": moment,
                "status": "paid", "currency": "EUR", "coupon_codes": [], "fingerprint": "-",
                "total_minor": 0, "recorded_at": moment,
            }
            for n in numbers
        ]  # fmt: skip
        ledger_rows = [
            {
                "account_id": account.id, "promotion_id": promotion.id, "order_id": f"O{n}",
                "line_no": line, "code_id": code_ids[(n * LINES_PER_ORDER + line) % len(code_ids)],
                "applied": True, "created_at": moment,
            }
            for n in numbers
            for line in range(LINES_PER_ORDER)
        ]  # fmt: skip
        with database.write() as conn:
            conn.execute(insert(promo_orders), order_rows)
            conn.execute(insert(promo_redemptions), ledger_rows)
    with database.write() as conn:
        per_code = (
            select(func.count())
            .where(promo_redemptions.c.account_id == promotion_codes.c.account_id)
            .where(promo_redemptions.c.code_id == promotion_codes.c.id)
            .scalar_subquery()
        )
        conn.execute(
            update(promotion_codes)
            .where(promotion_codes.c.account_id == account.id)
            .values(redemptions=per_code)
        )
        conn.execute(
            update(promotions)
            .where(promotions.c.account_id == account.id)
            .values(redemptions=orders * LINES_PER_ORDER)
        )
    assert service.catalog.counter_drift(account.id) == []
    return promotion.id, credentials


def _ledger_scan_ms(database: Database, promotion_id: int, repeats: int) -> float:
    query = (
        select(promo_redemptions.c.code_id, func.count())
        .where(promo_redemptions.c.promotion_id == promotion_id)
        .group_by(promo_redemptions.c.code_id)
    )
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        with database.read() as conn:
            conn.execute(query).all()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def main() -> None:
    redemptions = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    codes = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    requests = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        database = Database(Settings(database_url=url, sqlite_synchronous="NORMAL"))
        migrate(database)
        started = time.perf_counter()
        promotion_id, credentials = _fill(database, redemptions, codes)
        fill_seconds = time.perf_counter() - started
        server = start_server(server_env(url))
        try:
            from _promotions_harness import call

            token = call(
                server,
                "POST",
                "/v1/login_check",
                {
                    "username": credentials["promotions_username"],
                    "password": credentials["promotions_password"],
                },
            )["token"]
            body = json.dumps({"id": promotion_id}).encode()
            answer = call(server, "POST", "/v1/promotion/statistics/", {"id": promotion_id}, token)
            assert answer["redemptions"] == redemptions // LINES_PER_ORDER * LINES_PER_ORDER
            assert len(answer["promotion_codes"]) == codes

            def stats(_index: int) -> tuple[str, str, bytes]:
                return "POST", "/v1/promotion/statistics/", body

            def health(_index: int) -> tuple[str, str, bytes]:
                return "GET", "/healthz", b""

            seconds = max(2.0, requests * 0.02)
            baseline = load(server.port, health, token, connections=1, seconds=2)
            measured = load(server.port, stats, token, connections=1, seconds=seconds)
        finally:
            server.stop()
        scan_ms = _ledger_scan_ms(database, promotion_id, 5)
        database.dispose()
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    rows = [
        ["GET /healthz (baseline)", f"{baseline['requests']:.0f}", f"{baseline['p50_ms']:.2f}",
         f"{baseline['p99_ms']:.2f}"],
        ["POST /v1/promotion/statistics/", f"{measured['requests']:.0f}",
         f"{measured['p50_ms']:.2f}", f"{measured['p99_ms']:.2f}"],
        ["ledger GROUP BY (what counters avoid)", "5", f"{scan_ms:.2f}", "-"],
    ]  # fmt: skip
    print_table(
        f"promotions_statistics: SQLite, {redemptions:,} redemptions, {codes:,} codes, "
        f"1 connection, commit {head} (load took {fill_seconds:.0f} s)",
        ["request", "samples", "p50 ms", "p99 ms"],
        rows,
    )
    print(f"statistics p50 / healthz p50: {measured['p50_ms'] / baseline['p50_ms']:.1f}")
    print(f"ledger scan p50 / statistics p50: {scan_ms / measured['p50_ms']:.1f}")


if __name__ == "__main__":
    main()
