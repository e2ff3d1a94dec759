"""Orders API: ``get-orders.csv`` over 100,000 transactions against the bare SQL GROUP BY.

    .venv/bin/python bench/affiliate_orders.py [--transactions 100000]
        [--url postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres]

Without ``--url`` the dataset is a SQLite file under /tmp; with a PostgreSQL server URL a
database ``commerce_stats_bench_orders`` is created on it (and dropped again at the end).
Transactions are written in batches (two positions per order: sale and lead, so half as
many orders), then the same run times, p50 of 5:

- ``get-orders.csv`` through ``orders_export.prepare`` (filters, scoping, streamed grouped
  read, rendering, the CSV writer), every byte consumed;
- the bare SQL ``GROUP BY`` with the same sums over the same stored rows, every row fetched
  through a plain DB-API cursor.

It prints seconds, orders/s and transactions/s, the ratio, and the process's peak memory
(VmHWM) before, after the bare GROUP BY and after the exports (SQLite sorts the groups inside
this process, so its sorter counts in the peak too).
"""

from __future__ import annotations

import argparse
import os
import statistics as stats
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).parent))

from _common import print_table
from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import exporting, orders_export
from commerce_stats.affiliate.access import Owner
from commerce_stats.affiliate.demo import Plan, build_catalog
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.affiliate.tables import transactions
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate

WORKDIR = Path(os.environ.get("AFFILIATE_BENCH_DIR", "/tmp/affiliate-bench"))
BENCH_DATABASE = "commerce_stats_bench_orders"
TRANSACTIONS = 100_000
BATCH = 5_000
RUNS = 5
YEAR = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
PERIOD = [("condition[period][from]", "01.01.2026"), ("condition[period][to]", "31.12.2026")]
BARE_SQL = """
SELECT campaign_id, ordertoken, publisher_id, project_id, currency,
    MAX(advertiser_id), COUNT(*),
    SUM(CASE WHEN status = 0 THEN 1 ELSE 0 END), SUM(CASE WHEN status = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN status = 2 THEN 1 ELSE 0 END), SUM(CASE WHEN status = 3 THEN 1 ELSE 0 END),
    MAX(basket_items), SUM(turnover_minor), SUM(commission_minor),
    SUM(CASE WHEN status <> 2 THEN turnover_minor ELSE 0 END),
    SUM(CASE WHEN status <> 2 THEN commission_minor ELSE 0 END),
    MIN(created_at), MIN(order_timestamp), MAX(last_change), MIN(id)
FROM affiliate_transactions
WHERE account_id = %(account)s AND created_at >= %(start)s AND created_at < %(end)s
GROUP BY campaign_id, ordertoken, publisher_id, project_id, currency
ORDER BY MIN(id)
"""


def _transaction(account_id: int, plan: Plan, number: int) -> dict[str, Any]:
    """Transaction ``number`` (from 0): order ``number // 2``, sale then lead."""
    rate = plan.rates[number % 2]
    member = plan.members[(number // 2) % len(plan.members)]
    moment = YEAR[0] + timedelta(seconds=(number // 2) * 7919 % (365 * 86400))
    turnover = (number % 997) * 100 if number % 2 == 0 else 0
    return {
        "account_id": account_id,
        "id": number + 1,
        "status": (number // 2) % 4 if number % 6 else 2,
        "created_at": moment,
        "campaign_id": plan.campaign_id,
        "ordertoken": f"order-{number // 2}",
        "source": "img",
        "project_id": member.project_id,
        "commission_minor": turnover // 10 if number % 2 == 0 else 250,
        "commission_group_id": rate.group_id,
        "campaign_group_title": rate.group_title,
        "trigger_id": rate.trigger_id,
        "trigger_title": rate.trigger_title,
        "trigger_type": rate.trigger_type,
        "trigger_value_scaled": rate.value_scaled,
        "description": "",
        "voucher_code": "",
        "turnover_minor": turnover,
        "source_turnover_minor": turnover,
        "currency": "EUR",
        "salary_id": -1,
        "status_change_date": moment,
        "last_change": moment,
        "cancel_reason": "",
        "user_agent": "",
        "ebestid": f"{number:016x}",
        "order_timestamp": moment,
        "advertiser_id": plan.advertiser_id,
        "publisher_id": member.publisher_id,
        "referrer": "",
        "country": "DE",
        "subid": "",
        "basket_items": 1 + (number // 2) % 5 if number % 2 == 0 else 0,
    }


def build(database: Database, count: int) -> int:
    """A migrated database with ``count`` transactions; returns the account id."""
    migrate(database)
    accounts = Accounts(database)
    account, _credentials = accounts.create("Bench Network")
    plan = build_catalog(AffiliateNetwork(database, accounts), account)
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        rows = [_transaction(account.id, plan, n) for n in range(first, min(first + BATCH, count))]
        with database.write() as conn:
            conn.execute(transactions.insert(), rows)
    print(f"wrote {count:,} transactions in {time.perf_counter() - started:.1f} s")
    return account.id


def peak_memory_mib() -> float:
    """VmHWM of this process (Linux), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def p50(work: Callable[[], int]) -> tuple[float, int]:
    """Median seconds of ``RUNS`` runs, and what the last run counted."""
    times = []
    counted = 0
    for _ in range(RUNS):
        started = time.perf_counter()
        counted = work()
        times.append(time.perf_counter() - started)
    return stats.median(times), counted


def bare_group_by(database: Database, account_id: int) -> int:
    """The same grouping with plain SQL; every row fetched, nothing rendered."""
    sql = BARE_SQL
    params: dict[str, Any] = {"account": account_id, "start": YEAR[0], "end": YEAR[1]}
    if database.engine.dialect.name == "sqlite":
        sql = sql.replace("%(account)s", ":account").replace("%(start)s", ":start")
        sql = sql.replace("%(end)s", ":end")
        params = {
            "account": account_id,
            "start": YEAR[0].strftime("%Y-%m-%d %H:%M:%S"),
            "end": YEAR[1].strftime("%Y-%m-%d %H:%M:%S"),
        }
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(sql, params)
        rows = 0
        while batch := cursor.fetchmany(2_000):
            rows += len(batch)
        cursor.close()
        return rows
    finally:
        raw.close()


def orders_csv(network: AffiliateNetwork, owner: Owner) -> int:
    """``get-orders.csv`` for the year as the route serves it; returns the bytes written."""
    prepared = orders_export.prepare(
        network.database, owner, "get-orders.csv", PERIOD, exporting.build_query
    )
    return sum(len(chunk) for chunk in prepared.body)


def _postgres_database(server_url: str) -> tuple[str, Callable[[], None]]:
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"'))
        conn.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))

    def drop() -> None:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
        server.dispose()

    url = make_url(server_url).set(database=BENCH_DATABASE)
    return url.render_as_string(hide_password=False), drop


def _sqlite_database(count: int) -> tuple[str, Callable[[], None]]:
    WORKDIR.mkdir(parents=True, exist_ok=True)
    path = WORKDIR / f"orders-{count}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}", lambda: None


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--transactions", type=int, default=TRANSACTIONS)
    parser.add_argument("--url", default="", help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    url, drop = _postgres_database(args.url) if args.url else _sqlite_database(args.transactions)
    database = Database(Settings(database_url=url))
    try:
        account_id = build(database, args.transactions)
        network = AffiliateNetwork(database, Accounts(database))
        owner = Owner(network.accounts.get(account_id), None)
        memory_before = peak_memory_mib()
        bare, orders = p50(lambda: bare_group_by(database, account_id))
        memory_bare = peak_memory_mib()
        through, size = p50(lambda: orders_csv(network, owner))
        memory_after = peak_memory_mib()
    finally:
        database.dispose()
        drop()
    backend = make_url(url).get_backend_name()
    print_table(
        f"get-orders.csv, {args.transactions:,} transactions in {orders:,} orders ({backend}), "
        f"p50 of {RUNS}",
        ["path", "p50 s", "orders/s", "transactions/s", "ratio"],
        [
            [
                "orders_export (CSV, streamed)",
                f"{through:.3f}",
                f"{orders / through:,.0f}",
                f"{args.transactions / through:,.0f}",
                f"{through / bare:.2f}x",
            ],
            [
                "bare SQL GROUP BY (fetch only)",
                f"{bare:.3f}",
                f"{orders / bare:,.0f}",
                f"{args.transactions / bare:,.0f}",
                "1.00x",
            ],
        ],
    )
    print(
        f"\nCSV size {size / 1e6:.1f} MB; peak memory (VmHWM): {memory_before:.0f} MiB before, "
        f"{memory_bare:.0f} MiB after the bare GROUP BY, {memory_after:.0f} MiB after the exports"
    )


if __name__ == "__main__":
    main()
