"""Statistic reports over a year of data: 1,000,000 transactions, 20,000,000 clicks and views.

    .venv/bin/python bench/affiliate_statistics.py [--scale 0.01]

The dataset is one SQLite file under /tmp, generated with ``INSERT ... SELECT`` from a
recursive CTE (no Python per row) and kept keyed by its sizes, so reruns only time. Times
every statistic report for one month through ``statistics.report_rows`` (p50 of 5 runs)
against the bare SQL ``GROUP BY`` over the same stored rows in the same run, and prints the
process's peak memory (VmHWM) after each report.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics as stats
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command

from _common import print_table
from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import manual_statistics, statistics
from commerce_stats.affiliate.demo import build_catalog
from commerce_stats.affiliate.repository import TransactionQuery
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import alembic_config, migrate

WORKDIR = Path(os.environ.get("AFFILIATE_BENCH_DIR", "/tmp/affiliate-bench"))
SCHEMA = "0011"
TRANSACTIONS = 1_000_000
TRAFFIC = 20_000_000
"""Clicks and views together (half each)."""
YEAR_START = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
YEAR_SECONDS = 365 * 86400
MONTH = (datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
RUNS = 5
TARGET_RATIO = 3.0
TARGET_SECONDS = 1.0

_SERIES = """WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)"""
_SPREAD = f"datetime({YEAR_START} + (i * 7919) % {YEAR_SECONDS}, 'unixepoch')"
_DEVICE = """
    CASE i % 3 WHEN 0 THEN 'desktop' WHEN 1 THEN 'mobile' ELSE 'tablet' END,
    'device-' || (i % 20), 'browser-' || (i % 8), 'os-' || (i % 6)"""


def _traffic_sql(table: str, publishers: int, campaign_id: int) -> str:
    extra = ", user_agent" if table == "affiliate_clicks" else ""
    extra_value = ", ''" if table == "affiliate_clicks" else ""
    return f"""{_SERIES}
    INSERT INTO {table} (account_id, id, campaign_id, publisher_id, project_id, subid,
        admedia_id, created_at, referrer, country, visitor, net, devicetype, device, browser,
        os{extra})
    SELECT :account, i, {campaign_id}, 1 + i % {publishers}, 1 + i % {publishers},
        'sub-' || (i % 50), i % 30, {_SPREAD}, '', 'C' || char(65 + i % 26), '', (i % 10) > 0,
        {_DEVICE}{extra_value}
    FROM n"""  # noqa: S608 - table names and ids from this file and the catalog


def _transactions_sql(publishers: int, campaign_id: int, advertiser_id: int) -> str:
    return f"""{_SERIES}
    INSERT INTO affiliate_transactions (account_id, id, status, created_at, campaign_id,
        ordertoken, source, project_id, commission_minor, commission_group_id,
        campaign_group_title, trigger_id, trigger_title, trigger_type, trigger_value_scaled,
        description, voucher_code, turnover_minor, source_turnover_minor, currency, salary_id,
        status_change_date, last_change, cancel_reason, user_agent, ebestid, order_timestamp,
        advertiser_id, publisher_id, referrer, country, subid, basket_items, action_type,
        admedia_id, devicetype, device, browser, os)
    SELECT :account, i, i % 4, {_SPREAD}, {campaign_id}, 'order-' || i, 'img',
        1 + i % {publishers}, (i % 997) * 10, 1, 'Standard', 1, 'Sale', 'sale_dynamic', 1000,
        '', '', (i % 997) * 100, (i % 997) * 100, 'EUR', -1, {_SPREAD}, {_SPREAD}, '', '', '',
        {_SPREAD}, {advertiser_id}, 1 + i % {publishers}, '', 'C' || char(65 + i % 26),
        'sub-' || (i % 50), 1, 'click', i % 30, {_DEVICE}
    FROM n"""  # noqa: S608 - ids from the catalog


def dataset(transactions: int, traffic: int) -> dict[str, Any]:
    """The cached database for these sizes (built on first use)."""
    WORKDIR.mkdir(parents=True, exist_ok=True)
    path = WORKDIR / f"statistics-{transactions}-{traffic}-{SCHEMA}.sqlite3"
    meta_path = path.with_suffix(".json")
    if meta_path.exists() and path.exists():
        cached: dict[str, Any] = json.loads(meta_path.read_text())
        _upgrade(cached["url"])
        return cached
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    database = Database(Settings(database_url=url, sqlite_synchronous="OFF"))
    command.upgrade(alembic_config(database), SCHEMA)
    accounts = Accounts(database)
    account, _credentials = accounts.create("Bench Network")
    plan = build_catalog(AffiliateNetwork(database, accounts), account)
    database.dispose()
    publishers = len(plan.members)
    started = time.perf_counter()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        params = {"account": account.id}
        sql = _transactions_sql(publishers, plan.campaign_id, plan.advertiser_id)
        conn.execute(sql, {**params, "count": transactions})
        for table in ("affiliate_clicks", "affiliate_views"):
            sql = _traffic_sql(table, publishers, plan.campaign_id)
            conn.execute(sql, {**params, "count": traffic // 2})
    print(f"built the dataset in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    _upgrade(url)
    meta = {"url": url, "path": str(path), "account_id": account.id}
    meta_path.write_text(json.dumps(meta))
    return meta


def _upgrade(url: str) -> None:
    """Migrates the dataset to the newest schema: rows inserted straight into the clicks and
    views (generated at ``SCHEMA``) are counted into the quarter hours by migration 0012,
    as on any upgraded installation."""
    started = time.perf_counter()
    database = Database(Settings(database_url=url, sqlite_synchronous="OFF"))
    migrate(database)
    database.dispose()
    print(f"migrated the dataset in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def peak_memory_mib() -> float:
    """VmHWM of this process (Linux), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def p50(work: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return stats.median(times)


def bare_group_by(path: str, account_id: int, key: str) -> None:
    """The same figures with plain SQL over the stored rows: one GROUP BY per table."""
    start, end = (moment.strftime("%Y-%m-%d %H:%M:%S") for moment in MONTH)
    where = "account_id = ? AND created_at >= ? AND created_at < ?"
    sums = ", ".join(
        f"SUM(status = {s}), SUM(CASE WHEN status = {s} THEN turnover_minor ELSE 0 END), "
        f"SUM(CASE WHEN status = {s} THEN commission_minor ELSE 0 END)"
        for s in range(4)
    )
    with sqlite3.connect(path) as conn:
        conn.execute(
            f"SELECT {key}, currency, {sums} FROM affiliate_transactions WHERE {where} "  # noqa: S608
            f"GROUP BY {key}, currency",
            (account_id, start, end),
        ).fetchall()
        for table in ("affiliate_clicks", "affiliate_views"):
            conn.execute(
                f"SELECT {key}, COUNT(*) FROM {table} WHERE {where} AND net = 1 "  # noqa: S608
                f"GROUP BY {key}",
                (account_id, start, end),
            ).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full sizes")
    args = parser.parse_args()
    transactions = int(TRANSACTIONS * args.scale)
    traffic = int(TRAFFIC * args.scale)
    scaled = "" if args.scale == 1 else f" (scale {args.scale}: NOT the full-size figures)"
    print(f"{transactions:,} transactions, {traffic:,} clicks and views over a year{scaled}")
    meta = dataset(transactions, traffic)
    database = Database(Settings(database_url=meta["url"]))
    query = TransactionQuery(meta["account_id"], MONTH[0], MONTH[1], "created_at")

    def report(definition: statistics.ReportDefinition) -> Callable[[], object]:
        def run() -> object:
            with database.read() as conn:
                return list(statistics.report_rows(conn, query, definition, tz="Europe/Berlin"))

        return run

    def manual() -> object:
        with database.read() as conn:
            return list(manual_statistics.report_rows(conn, query, "Europe/Berlin"))

    for name, bare_key in (("daily", "date(created_at)"), ("campaign", "campaign_id")):
        through = p50(report(statistics.DEFINITIONS[name]))
        bare = p50(partial(bare_group_by, meta["path"], meta["account_id"], bare_key))
        ratio = through / bare if bare else float("inf")
        verdict = "ok" if ratio <= TARGET_RATIO else "OVER TARGET"
        print_table(
            f"{name} report for one month, p50 of 5, against GROUP BY {bare_key}",
            ["path", "p50 s", "ratio"],
            [
                [
                    "statistics.report_rows",
                    f"{through:.3f}",
                    f"{ratio:.2f}x ({verdict}, target 3x)",
                ],
                ["bare SQL GROUP BY", f"{bare:.3f}", "1.00x"],
            ],
        )
    rows = []
    for name, definition in statistics.DEFINITIONS.items():
        seconds = p50(report(definition))
        rows.append([name, f"{seconds:.3f}", "ok" if seconds <= TARGET_SECONDS else "OVER 1 s"])
        rows[-1].append(f"{peak_memory_mib():.0f}")
    seconds = p50(manual)
    rows.append(["manualstatistics", f"{seconds:.3f}", "ok" if seconds <= 1 else "OVER 1 s"])
    rows[-1].append(f"{peak_memory_mib():.0f}")
    print_table(
        "every statistic report for one month, p50 of 5",
        ["report", "p50 s", "target 1 s", "VmHWM MiB"],
        rows,
    )
    database.dispose()


if __name__ == "__main__":
    main()
