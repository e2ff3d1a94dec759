"""Demo data for shoppable video: a catalog and four months of daily counters.

Counters are generated per (video, day, device, item) with a realistic device mix
(mostly mobile), icon click-through of a few percent and occasional bar toggles,
then committed through the group committer like ingested events.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import orjson

from commerce_stats.accounts.service import Accounts
from commerce_stats.db.engine import Database
from commerce_stats.kit.demo_links import DemoLink
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import utc_now
from commerce_stats.video.events import NONE_KEY, Batch
from commerce_stats.video.service import VideoService

VIDEOS = 300
ITEMS = 60
DAYS = 120
ACTIVE_SHARE = 0.25
"""Share of (video, day) pairs with any ecommerce activity."""
DEVICE_MIX = (("Mobile", 0.55), ("Desktop", 0.3), ("Tablet", 0.08), ("TV", 0.05), ("Other", 0.02))
TOPICS = ("Golf", "Tennis", "Cooking", "Travel", "Fashion", "Tech", "Fitness", "Garden")
PRODUCTS = ("Driver", "Racket", "Pan", "Backpack", "Sneakers", "Headphones", "Mat", "Shears")


SEED_ITEMS = (
    {
        "ecommerce_key": "vyP4NsKz",
        "ecommerce_name": "Testing",
        "ecommerce_link": "https://www.cnn.com",
    },
    {
        "ecommerce_key": "zikKYoMQ",
        "ecommerce_name": "Testing2",
        "ecommerce_link": "https://www.google.com",
    },
)
"""The ecommerce items of the API document's example, so its example calls work as written."""
SEED_VIDEOS: tuple[dict[str, Any], ...] = tuple(
    {
        "content_key": key,
        "title": title,
        "description": description,
        "duration": duration,
        "parone_categories": ["News & Tour News", "LPGA Tour"],
        "syndications": [
            {
                "start_date": "2022-08-02T00:00:00.000Z",
                "end_date": "2999-12-31T00:00:00.000Z",
                "geos": ["USA"],
            }
        ],
        "thumbnail": f"https://thumbnails.parone.io/{key}.jpg",
        "ecommerce_keys": ["vyP4NsKz", "zikKYoMQ"],
    }
    for key, title, description, duration in (
        (
            "2d91Ee68EA84Eb8bED31",
            "Final Round Highlights | 2022 Trust Golf Women\u2019s Scottish Open",
            "Watch highlights from the final round of the 2022 Trust Golf "
            "Women\u2019s Scottish Open",
            None,
        ),
        (
            "b4A486fde6dDf7Cb6C7c",
            "Hyo Joo Kim Final Round Highlights | 2022 Trust Golf Women's Scottish Open",
            "Watch highlights from Hyo-Joo Kim\u2019s final round 66 at the 2022 Trust Golf "
            "Women\u2019s Scottish Open",
            "281.000000000000000000000000000000",
        ),
    )
)
"""The videos of the API document's example (its content keys, titles and fields)."""


def _key(rng: random.Random, length: int) -> str:
    alphabet = "abcdefABCDEF0123456789"
    return "".join(rng.choice(alphabet) for _ in range(length))


def _catalog(service: VideoService, account: Account, rng: random.Random) -> dict[str, list[str]]:
    """Items and videos written through the bulk upsert; returns each video's items.

    The API document's own example videos and items come first, then generated ones.
    """
    lines: list[dict[str, Any]] = [{"kind": "ecommerce_item", **item} for item in SEED_ITEMS]
    lines += [{"kind": "video", **video} for video in SEED_VIDEOS]
    item_keys = [_key(rng, 8) for _ in range(ITEMS)]
    for number, key in enumerate(item_keys):
        lines.append(
            {
                "kind": "ecommerce_item",
                "ecommerce_key": key,
                "ecommerce_name": f"{PRODUCTS[number % len(PRODUCTS)]} {number + 1}",
                "ecommerce_link": f"https://shop.example.com/p/{key}",
            }
        )
    start = (utc_now() - timedelta(days=DAYS + 30)).date().isoformat()
    videos = {video["content_key"]: list(video["ecommerce_keys"]) for video in SEED_VIDEOS}
    for number in range(VIDEOS - len(SEED_VIDEOS)):
        key = _key(rng, 20)
        topic = TOPICS[number % len(TOPICS)]
        videos[key] = rng.sample(item_keys, rng.randint(1, 3))
        lines.append(
            {
                "kind": "video",
                "content_key": key,
                "title": f"{topic} highlights #{number + 1}",
                "description": f"The best {topic.lower()} moments of the week.",
                "duration": f"{rng.randint(30, 900)}.000",
                "parone_categories": [topic, "Highlights"],
                "syndications": [{"start_date": start, "end_date": "2999-12-31", "geos": ["USA"]}],
                "thumbnail": f"https://thumbnails.example.com/{key}.jpg",
                "ecommerce_keys": videos[key],
            }
        )
    service.bulk_upsert(account.id, b"\n".join(orjson.dumps(line) for line in lines))
    return videos


def _device(rng: random.Random) -> str:
    pick = rng.random()
    for device, share in DEVICE_MIX:
        pick -= share
        if pick <= 0:
            return device
    return "Other"


def _day_batch(
    account: Account,
    videos: dict[str, list[str]],
    day: date,
    rng: random.Random,
    day_share: float = 1.0,
) -> Batch:
    """One UTC day of counters; ``day_share`` < 1 for a day that is not over yet."""
    batch = Batch(account_id=account.id)
    for content_key, items in videos.items():
        if rng.random() > ACTIVE_SHARE * day_share:
            continue
        for _ in range(rng.randint(1, 3)):
            device = _device(rng)
            for item in items:
                viewed = rng.randint(1, 60)
                counts = batch.plain.setdefault((content_key, day, device, item), [0] * 5)
                counts[0] += viewed
                counts[1] += sum(1 for _ in range(viewed) if rng.random() < 0.04)
                counts[2] += sum(1 for _ in range(viewed) if rng.random() < 0.1)
            bar = batch.plain.setdefault((content_key, day, device, NONE_KEY), [0] * 5)
            bar[3] += rng.randint(0, 4)
            bar[4] += rng.randint(0, 3)
    batch.received = sum(sum(counts) for counts in batch.plain.values())
    return batch


def _day_share(now: datetime, offset: int) -> float:
    """How much of the day ``offset`` days before ``now`` has passed: today's is partial."""
    if offset > 0:
        return 1.0
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return (now - midnight) / timedelta(days=1)


def load(
    database: Database, account: Account, credentials: dict[str, str], rng: random.Random
) -> list[DemoLink]:
    service = VideoService(database, Accounts(database))
    videos = _catalog(service, account, rng)
    now = utc_now()
    today = now.date()
    batches = [
        _day_batch(account, videos, today - timedelta(days=offset), rng, _day_share(now, offset))
        for offset in range(DAYS)
    ]
    for start in range(0, len(batches), 10):
        service.committer.apply_now(batches[start : start + 10])
    first = (today - timedelta(days=6)).isoformat()
    key = credentials["organization_key"]
    sample = next(iter(videos))
    event = {
        "content_key": sample,
        "ecommerce_key": videos[sample][0],
        "type": "ecommerce_clicked",
        "device_type": "Mobile",
    }
    return [
        DemoLink(
            "Video ecommerce report, last 7 days",
            f"{{base}}/prod/get_ecommerce_reports?organization_key={key}&start_date={first}"
            f"&end_date={today.isoformat()}&include_video_data=1&include_ecommerce_data=1",
        ),
        DemoLink(
            "Send a video ecommerce event",
            f"curl -X POST '{{base}}/prod/events' -H 'X-Ingest-Key: {credentials['ingest_key']}' "
            f"-d '{orjson.dumps([event]).decode()}'",
        ),
    ]
