"""Video ingestion throughput: 1,000-event batches and single-event beacons.

Server: the real app in one uvicorn process pinned to core 0 (SQLite, WAL,
synchronous=FULL: every acknowledged batch is on disk). Load generator: this
script, pinned to core 1, raw keep-alive HTTP/1.1 sockets on uvloop.

Figures: events/s of POST /prod/events with 1,000-event JSON arrays; requests/s of
GET /prod/pixel.gif beacons against GET /bench/noop on the same server (ratio).
Every request waits for its group commit. Medians of ``--runs`` runs.

    .venv/bin/python bench/video_ingest.py [--seconds 5] [--runs 3] [--postgres URL]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_table
from _video_common import (
    http_request,
    median,
    pin_self,
    pinned_server,
    requests_per_second,
)
from commerce_stats.accounts.service import Accounts
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate
from commerce_stats.video.service import VideoService

VIDEOS = 300
ITEMS = 60
TYPES = (
    "ecommerce_viewed",
    "ecommerce_viewed",
    "ecommerce_viewed",
    "ecommerce_hidden",
    "ecommerce_clicked",
    "ecommerce_bar_shown",
    "ecommerce_bar_hidden",
)
DEVICES = ("Mobile", "Mobile", "Desktop", "Tablet", "TV")


def prepare(database_url: str) -> tuple[str, list[str], list[str]]:
    """A migrated database with one account and its catalog; returns its ingest key."""
    database = Database(Settings(database_url=database_url))
    migrate(database)
    accounts = Accounts(database)
    account, credentials = accounts.create("Bench", features=["video_ecommerce"])
    videos = [f"video-{n:04d}" for n in range(VIDEOS)]
    items = [f"item-{n:03d}" for n in range(ITEMS)]
    lines: list[dict[str, object]] = [
        {
            "kind": "ecommerce_item",
            "ecommerce_key": key,
            "ecommerce_name": key,
            "ecommerce_link": f"https://shop.example/{key}",
        }
        for key in items
    ]
    lines += [
        {"kind": "video", "content_key": key, "title": key, "ecommerce_keys": attached(n, items)}
        for n, key in enumerate(videos)
    ]
    VideoService(database, accounts).bulk_upsert(account.id, b"\n".join(map(orjson.dumps, lines)))
    database.dispose()
    return credentials["ingest_key"], videos, items


def attached(video: int, items: list[str]) -> list[str]:
    """The three items shown on video number ``video``."""
    return [items[(video * 3 + offset) % len(items)] for offset in range(3)]


def batch_body(
    rng: random.Random, videos: list[str], items: list[str], size: int, zipf: bool
) -> bytes:
    """A batch of events of the last six hours (so it spans up to two UTC days).

    ``zipf``: video popularity follows Zipf's law (weight 1/rank), as viewing does;
    otherwise every video is equally likely, the worst case for aggregation.
    """
    now = datetime.now(UTC)
    weights = [1 / (rank + 1) for rank in range(len(videos))] if zipf else None
    chosen = rng.choices(range(len(videos)), weights=weights, k=size)
    events = []
    for video in chosen:
        moment = now - timedelta(seconds=rng.randint(0, 6 * 3600))
        events.append(
            {
                "content_key": videos[video],
                "ecommerce_key": rng.choice(attached(video, items)),
                "type": rng.choice(TYPES),
                "timestamp": int(moment.timestamp() * 1000),
                "device_type": rng.choice(DEVICES),
            }
        )
    return orjson.dumps(events)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one slice")
    parser.add_argument("--runs", type=int, default=7, help="slices per scenario")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--postgres", help="PostgreSQL URL of an EMPTY database to use as well")
    args = parser.parse_args()
    pin_self(1)
    backends = [("sqlite", None)]
    if args.postgres:
        backends.append(("postgresql", args.postgres))
    rows = []
    for backend, url in backends:
        with tempfile.TemporaryDirectory() as folder:
            database_url = url or f"sqlite:///{folder}/bench.sqlite3"
            rows.extend(measure(backend, database_url, args))
    print_table(
        f"video ingest — batches of {args.batch} events, {VIDEOS} videos x {ITEMS} items; "
        f"median (and best) of {args.runs} slices of {args.seconds:g}s, beacon and no-op "
        "slices interleaved; ratio = median of the per-pair ratios",
        ("backend", "scenario", "in flight", "requests/s", "events/s (best)", "ratio", "statuses"),
        rows,
    )


def measure(backend: str, database_url: str, args: argparse.Namespace) -> list[tuple[object, ...]]:
    ingest_key, videos, items = prepare(database_url)
    rng = random.Random(42)
    headers = {"X-Ingest-Key": ingest_key, "Content-Type": "application/json"}
    batch_requests = {
        label: http_request(
            "POST", "/prod/events", batch_body(rng, videos, items, args.batch, zipf), headers
        )
        for label, zipf in (("zipf videos", True), ("uniform videos", False))
    }
    pixel_path = (
        f"/prod/pixel.gif?ingest_key={ingest_key}&content_key={videos[0]}"
        f"&ecommerce_key={items[0]}&type=ecommerce_viewed&device_type=Mobile"
    )
    pixel_request = http_request("GET", pixel_path)
    noop_request = http_request("GET", "/bench/noop")
    results: list[tuple[object, ...]] = []
    with pinned_server(database_url) as port:
        for label, batch_request in batch_requests.items():
            requests_per_second(port, batch_request, 4, 1.0)
            batched = [
                requests_per_second(port, batch_request, 8, args.seconds) for _ in range(args.runs)
            ]
            rates = [rate for rate, _ in batched]
            results.append(
                (
                    backend,
                    f"POST /prod/events (batch, {label})",
                    8,
                    f"{median(rates):,.0f}",
                    f"{median(rates) * args.batch:,.0f} ({max(rates) * args.batch:,.0f})",
                    "",
                    _merged(status for _, status in batched),
                )
            )
        pairs = []
        for _ in range(args.runs):
            pairs.append(
                (
                    requests_per_second(port, noop_request, 32, args.seconds, 8),
                    requests_per_second(port, pixel_request, 32, args.seconds, 8),
                )
            )
        noop = median([noop[0] for noop, _ in pairs])
        pixel = median([pixel[0] for _, pixel in pairs])
        ratio = median([pixel[0] / noop[0] for noop, pixel in pairs])
        results.append(
            (
                backend,
                "GET /bench/noop (baseline)",
                "32 x 8 pipelined",
                f"{noop:,.0f}",
                "",
                "1.00",
                _merged(noop[1] for noop, _ in pairs),
            )
        )
        results.append(
            (
                backend,
                "GET /prod/pixel.gif (beacon)",
                "32 x 8 pipelined",
                f"{pixel:,.0f}",
                f"{pixel:,.0f} ({max(p[0] for _, p in pairs):,.0f})",
                f"{ratio:.2f}",
                _merged(pixel[1] for _, pixel in pairs),
            )
        )
    return results


def _merged(statuses: Iterable[dict[int, int]]) -> dict[int, int]:
    total: dict[int, int] = {}
    for counts in statuses:
        for status, count in counts.items():
            total[status] = total.get(status, 0) + count
    return total


if __name__ == "__main__":
    main()
