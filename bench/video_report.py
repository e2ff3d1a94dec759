"""Report latency over a year of counters: one video's year, and a 7-day organisation report.

Dataset: ``--videos`` videos x ``--days`` days x 2 devices x (2 items + bar row "none")
counter rows (defaults: 1,000 x 365 x 6 = 2,190,000 rows) in SQLite, loaded through
the repository's upsert. Server: the real app, one uvicorn process pinned to core 0;
client (http.client, one keep-alive connection) and the bare-SQL baseline on core 1.

Baseline of the 7-day report: the same SELECT (filter and order) run with Python's
sqlite3 module on the same file, rows fetched into tuples. Medians of ``--repeat`` runs.

    .venv/bin/python bench/video_report.py [--videos 1000] [--days 365] [--repeat 20]
"""

from __future__ import annotations

import argparse
import http.client
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_table
from _video_common import median, pin_self, pinned_server
from commerce_stats.accounts.service import Accounts
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate
from commerce_stats.video import repository

DEVICES = ("Desktop", "Mobile")
ITEMS = ("item-a", "item-b")
BARE_SQL = (
    "SELECT content_key, day, device_type, ecommerce_key, viewed, clicked, hidden, "
    "bar_shown, bar_hidden FROM video_counters WHERE account_id = ? AND day >= ? AND day <= ? "
    "ORDER BY content_key, day DESC, device_type, ecommerce_key"
)


def load(path: Path, videos: int, days: int, last: date) -> tuple[str, int, float]:
    """Counters for one account; returns (organization key, rows, seconds to load)."""
    database = Database(Settings(database_url=f"sqlite:///{path}", sqlite_synchronous="OFF"))
    migrate(database)
    account, credentials = Accounts(database).create("Bench", features=["video_ecommerce"])
    started = time.perf_counter()
    total = 0
    for video in range(videos):
        key = f"video-{video:05d}"
        rows = []
        for offset in range(days):
            day = last - timedelta(days=offset)
            for device in DEVICES:
                for item in ITEMS:
                    rows.append((account.id, key, day, device, item, 40, offset % 3, 4, 0, 0))
                rows.append((account.id, key, day, device, "none", 0, 0, 0, 3, 2))
        with database.write() as conn:
            repository.add_to_counters(conn, rows)
        total += len(rows)
    seconds = time.perf_counter() - started
    with database.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    database.dispose()
    return credentials["organization_key"], total, seconds


def timed_get(conn: http.client.HTTPConnection, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    assert response.status == 200, body[:200]
    return elapsed, len(body)


def bare_sql(path: Path, first: date, last: date) -> tuple[float, int]:
    conn = sqlite3.connect(path)
    started = time.perf_counter()
    rows = conn.execute(BARE_SQL, (1, first.isoformat(), last.isoformat())).fetchall()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    pin_self(1)
    last = datetime.now(UTC).date()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.sqlite3"
        key, rows, load_seconds = load(path, args.videos, args.days, last)
        year_first = last - timedelta(days=args.days - 1)
        week_first = last - timedelta(days=6)
        base = f"/prod/get_ecommerce_reports?organization_key={key}&end_date={last}"
        year_path = f"{base}&start_date={year_first}&content_key=video-00042&include_video_data=1"
        week_path = f"{base}&start_date={week_first}"
        with pinned_server(f"sqlite:///{path}") as port:
            conn = http.client.HTTPConnection("127.0.0.1", port)
            for _ in range(3):
                timed_get(conn, year_path)
                timed_get(conn, week_path)
            year = [timed_get(conn, year_path) for _ in range(args.repeat)]
            week = [timed_get(conn, week_path) for _ in range(max(5, args.repeat // 2))]
            conn.close()
        sql = [bare_sql(path, week_first, last) for _ in range(max(5, args.repeat // 2))]
    year_ms = median([t for t, _ in year]) * 1000
    week_ms = median([t for t, _ in week]) * 1000
    sql_ms = median([t for t, _ in sql]) * 1000
    print_table(
        f"video report — {rows:,} counter rows ({args.videos} videos x {args.days} days x 6), "
        f"loaded in {load_seconds:.1f}s; medians",
        ("query", "rows", "bytes", "p50 ms", "ratio"),
        [
            (
                "one video, whole year (HTTP)",
                args.days * 6,
                f"{year[0][1]:,}",
                f"{year_ms:.1f}",
                "",
            ),
            (
                "7 days, all videos (HTTP)",
                sql[0][1],
                f"{week[0][1]:,}",
                f"{week_ms:.1f}",
                f"{week_ms / sql_ms:.2f}",
            ),
            ("7 days, bare SQL (sqlite3)", sql[0][1], "", f"{sql_ms:.1f}", "1.00"),
        ],
    )


if __name__ == "__main__":
    main()
