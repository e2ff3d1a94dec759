"""Throughput of POST /v1/orders (5 lines each) on SQLite with durable commits (synchronous=FULL).

Usage: .venv/bin/python bench/promotions_orders.py [seconds] [connections]

Server pinned to core 0, load generator on core 1. Baseline: GET /healthz
(one trivial SQL query) through the same server and client, same run. Besides the
rates, the table gives the server's CPU milliseconds per request (all its threads,
from /proc): on a shared machine that figure moves far less than the rates, so it
is the one to compare between two commits.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
import tempfile

from _common import print_table
from _promotions_harness import call, load, new_shop, server_env, start_server

PRODUCTS = list(range(1000, 1100))


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    with tempfile.TemporaryDirectory() as folder:
        env = server_env(f"sqlite:///{folder}/bench.sqlite3")
        server = start_server(env)
        try:
            _account_id, token = new_shop(server)
            for number in range(20):
                coupons: dict[str, object] = {
                    "discount_percent": str(5 + number),
                    "product_id": random.Random(number).sample(PRODUCTS, 30),
                }
                if number % 2 == 0:
                    coupons["coupon_type"] = "reusable"
                    coupons["coupon_code"] = [f"CODE{number}"]
                body = {
                    "promotion_type": "discount" if number % 2 else "coupon",
                    "promotion_name": f"Bench {number}",
                    "date_from": "2020-01-01T00:00:00+00:00",
                    "coupons": coupons,
                }
                call(server, "POST", "/v1/promotion", body, token)
            rng = random.Random(1)
            numbers = itertools.count()

            def order(_index: int) -> tuple[str, str, bytes]:
                body = {
                    "order_id": f"B-{next(numbers)}",
                    "products": [
                        {"product_id": p, "quantity": rng.randint(1, 3), "price": "19.99"}
                        for p in rng.sample(PRODUCTS, 5)
                    ],
                    "coupon_codes": [f"CODE{2 * rng.randint(0, 9)}"],
                }
                return "POST", "/v1/orders", json.dumps(body).encode()

            def health(_index: int) -> tuple[str, str, bytes]:
                return "GET", "/healthz", b""

            load(server.port, order, token, connections=connections, seconds=2)  # warm-up
            baseline = load(
                server.port, health, token, connections=connections, seconds=seconds, server=server
            )
            orders = load(
                server.port, order, token, connections=connections, seconds=seconds, server=server
            )
            head = subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
            ).stdout.strip()
        finally:
            server.stop()
    rows = [
        [name, f"{r['requests']:.0f}", f"{r['per_second']:.0f}", f"{r['p50_ms']:.1f}",
         f"{r['p99_ms']:.1f}", f"{r['cpu_ms']:.2f}", f"{r['errors']:.0f}"]
        for name, r in (("GET /healthz (baseline)", baseline), ("POST /v1/orders, 5 lines", orders))
    ]  # fmt: skip
    print_table(
        f"promotions_orders: SQLite synchronous=FULL, {connections} connections, {seconds:.0f} s "
        f"each, commit {head}",
        ["request", "requests", "per s", "p50 ms", "p99 ms", "server CPU ms", "non-2xx"],
        rows,
    )
    print(f"orders/s vs baseline req/s: {orders['per_second'] / baseline['per_second']:.2f}")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
