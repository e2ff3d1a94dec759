"""Transaktions-API export throughput and peak memory per format, vs `sqlite3 -csv`.

Usage: .venv/bin/python bench/affiliate_export.py [rows=1000000] [formats=csv,json,xml,xlsx,xls]
[runs=3] [side=admin|publisher]

``side=publisher`` exports the publisher link of the publisher with the most transactions
(its 24 columns) against ``sqlite3 -csv`` of the same rows.

Each format is exported by a fresh child process (pinned to core 0) that runs
the same code path as the HTTP route (filters -> streamed query -> writer) and
writes to a temporary file; the child reports rows/s and its peak RSS
(ru_maxrss). The baseline is the sqlite3 shell dumping the same columns with
`-csv`, run (pinned to the same core) right before each export run, so that each
ratio compares figures taken under the same machine load; medians are printed.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _affiliate_data import dataset

FORMATS = ("csv", "json", "xml", "xlsx", "xls")
BASELINE_SQL = (
    "SELECT t.id, t.status, t.created_at, t.campaign_id, t.ordertoken, t.source, t.project_id, "
    "t.commission_minor, t.commission_group_id, t.trigger_id, t.description, "
    "t.trigger_value_scaled, t.trigger_type, t.turnover_minor, t.click_id, t.salary_id, "
    "t.currency, "
    "t.status_change_date, t.cancel_reason, t.source_turnover_minor, t.last_change, t.user_agent, "
    "t.ebestid, t.order_timestamp, t.action_timestamp, t.trigger_title, t.payoutdate, "
    "t.campaign_group_title, c.title, t.advertiser_id, t.publisher_id, p.prename, p.surname, "
    "p.searchtitle, t.referrer, t.country, t.subid, t.basket_items "
    "FROM affiliate_transactions t "
    "JOIN affiliate_campaigns c ON c.account_id = t.account_id AND c.id = t.campaign_id "
    "JOIN affiliate_publishers p ON p.account_id = t.account_id AND p.id = t.publisher_id "
    "WHERE t.account_id = 1 {publisher} ORDER BY t.id;"
)


def child(url: str, account_id: int, export_format: str, publisher_id: int | None) -> None:
    """Runs one export and prints a JSON line with its figures."""
    from commerce_stats.accounts.service import Accounts
    from commerce_stats.affiliate import exporting
    from commerce_stats.affiliate.access import Owner
    from commerce_stats.affiliate.service import AffiliateNetwork
    from commerce_stats.config import Settings
    from commerce_stats.db.engine import Database
    from commerce_stats.kit.exports import ExportFormat

    database = Database(Settings(database_url=url))
    network = AffiliateNetwork(database, Accounts(database))
    owner = Owner(network.accounts.get(account_id), publisher_id)
    params = [("condition[dynamicdate]", "last30d")]
    rows = 0

    def count(more: int) -> None:
        nonlocal rows
        rows += more

    started = time.perf_counter()
    size = 0
    with tempfile.TemporaryFile() as sink:
        prepared = exporting.prepare(
            network, owner, "transactions", ExportFormat(export_format), params, progress=count
        )
        for chunk in prepared.body:
            size += len(chunk)
            sink.write(chunk)
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": rows, "seconds": elapsed, "bytes": size, "peak_mb": peak_kb / 1024}))


def run_child(
    url: str, account_id: int, export_format: str, publisher_id: int | None
) -> dict[str, float]:
    command = [
        "taskset",
        "-c",
        "0",
        sys.executable,
        __file__,
        "--child",
        url,
        str(account_id),
        export_format,
        str(publisher_id or 0),
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def sqlite_baseline(path: str, publisher_id: int | None) -> float:
    only = f"AND t.publisher_id = {publisher_id}" if publisher_id else ""
    sql = BASELINE_SQL.format(publisher=only)
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        subprocess.run(
            ["taskset", "-c", "0", "sqlite3", "-csv", "-header", path, sql],
            check=True,
            stdout=sink,
        )
    return time.perf_counter() - started


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    formats = sys.argv[2].split(",") if len(sys.argv) > 2 else list(FORMATS)
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    side = sys.argv[4] if len(sys.argv) > 4 else "admin"
    data = dataset(rows)
    publisher_id = busiest_publisher(data["path"]) if side == "publisher" else None
    columns = "the publisher's 24 columns" if publisher_id else "43 columns"
    print(
        f"dataset: {rows:,} transactions (SQLite, all in the last 25 days), {side} link, {columns}"
    )
    print(
        "each run is preceded by a `sqlite3 -csv` run of the same columns (the baseline); "
        f"medians of {repeats} runs"
    )
    print(
        f"{'format':<6} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'MB out':>7} "
        f"{'peak RSS MB':>11} {'sqlite3 s':>9} {'x sqlite3':>9}"
    )
    for export_format in formats:
        baselines: list[float] = []
        runs: list[dict[str, float]] = []
        for _ in range(repeats):
            baselines.append(sqlite_baseline(data["path"], publisher_id))
            runs.append(run_child(data["url"], data["account_id"], export_format, publisher_id))
        result = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
        baseline = sorted(baselines)[len(baselines) // 2]
        seconds = result["seconds"]
        rate = result["rows"] / seconds
        peak = max(run["peak_mb"] for run in runs)
        print(
            f"{export_format:<6} {int(result['rows']):>9,} {seconds:>8.2f} {rate:>9,.0f} "
            f"{result['bytes'] / 1e6:>7.1f} {peak:>11.0f} {baseline:>9.2f} "
            f"{seconds / baseline:>9.2f}"
        )


def busiest_publisher(path: str) -> int:
    sql = (
        "SELECT publisher_id FROM affiliate_transactions GROUP BY publisher_id "
        "ORDER BY count(*) DESC LIMIT 1;"
    )
    output = subprocess.run(["sqlite3", path, sql], check=True, capture_output=True, text=True)
    return int(output.stdout.strip())


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]) or None)
    else:
        main()
