"""Demo data: one account with every feature, filled by each domain's loader.

The secrets of the demo account are written to ``<data_dir>/demo-credentials.json``
(readable by the owner only) because the database keeps only their hashes and
``make run`` prints them on every start.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from commerce_stats.accounts.service import Accounts
from commerce_stats.db.engine import Database
from commerce_stats.kit.keys import new_secret
from commerce_stats.kit.tenancy import Account

DEMO_ACCOUNT_NAME = "Demo Shop"
DEMO_DASHBOARD_USERNAME = "demo"
CREDENTIALS_FILE = "demo-credentials.json"


@dataclass(frozen=True)
class DemoLink:
    """Something a person can try: a URL path to open, or a shell command to paste.

    ``{base}`` in ``target`` stands for the server's address, e.g. http://127.0.0.1:8000.
    """

    label: str
    target: str


@dataclass
class DemoInfo:
    account_id: int
    credentials: dict[str, str]
    links: list[DemoLink] = field(default_factory=list)


DemoLoader = Callable[[Database, Account, dict[str, str], random.Random], list[DemoLink]]


def domain_loaders() -> list[DemoLoader]:
    """Each domain's demo loader, called in order; a loader returns links worth printing.

    Imported here, not at module level, because the domains' demo modules import
    ``DemoLink`` from this one.
    """
    from commerce_stats.affiliate.demo import load as load_affiliate
    from commerce_stats.promotions.demo import load as load_promotions
    from commerce_stats.video.demo import load as load_video

    return [load_video, load_affiliate, load_promotions]


def load_demo(database: Database, accounts: Accounts, seed: int = 20221019) -> DemoInfo:
    account, credentials = accounts.create(DEMO_ACCOUNT_NAME)
    username = (
        f"{DEMO_DASHBOARD_USERNAME}-{account.id}" if account.id > 1 else DEMO_DASHBOARD_USERNAME
    )
    credentials["dashboard_username"] = username
    credentials["dashboard_password"] = new_secret()
    accounts.set_dashboard_login(account.id, username, credentials["dashboard_password"])
    rng = random.Random(seed)
    info = DemoInfo(
        account_id=account.id,
        credentials=credentials,
        links=[
            DemoLink("Dashboard (sign in with dashboard_username / dashboard_password)", "{base}/")
        ],
    )
    for loader in domain_loaders():
        info.links.extend(loader(database, account, credentials, rng))
    return info


def save_demo_info(info: DemoInfo, data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / CREDENTIALS_FILE
    payload = json.dumps(asdict(info), indent=2)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(payload)
    return path


def read_demo_info(data_dir: Path) -> DemoInfo | None:
    path = data_dir / CREDENTIALS_FILE
    if not path.exists():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    return DemoInfo(
        account_id=raw["account_id"],
        credentials=raw["credentials"],
        links=[DemoLink(**link) for link in raw.get("links", [])],
    )
