"""Demo data: one account with every feature, filled by each domain's loader.

The secrets of the demo account are written to ``<data_dir>/demo-credentials.json``
(readable by the owner only) because the database keeps only their hashes and
``make run`` prints them on every start.
"""

from __future__ import annotations

import json
import os
import random
import shlex
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.demo import load as load_affiliate
from commerce_stats.db.engine import Database
from commerce_stats.kit.demo_links import BASE_PLACEHOLDER, DemoLink
from commerce_stats.kit.errors import ServiceError
from commerce_stats.kit.keys import new_secret
from commerce_stats.kit.tenancy import Account
from commerce_stats.promotions.demo import load as load_promotions
from commerce_stats.video.demo import load as load_video

DEMO_ACCOUNT_NAME = "Demo Shop"
DEMO_DASHBOARD_USERNAME = "demo"
CREDENTIALS_FILE = "demo-credentials.json"


@dataclass
class DemoInfo:
    """The demo account's id, secrets and links; ``base`` is the address the links name."""

    account_id: int
    credentials: dict[str, str]
    links: list[DemoLink] = field(default_factory=list)
    base: str = BASE_PLACEHOLDER

    def rebased(self, base: str) -> DemoInfo:
        """The same links naming ``base`` instead of the address they name now."""
        links = [
            DemoLink(link.label, link.target.replace(self.base, BASE_PLACEHOLDER)).resolved(base)
            for link in self.links
        ]
        return DemoInfo(self.account_id, dict(self.credentials), links, base)


class DemoState(Enum):
    MISSING = "missing"
    LOADED = "loaded"
    ALREADY_LOADED = "already loaded"
    CREDENTIALS_LOST = "credentials lost"


DemoLoader = Callable[[Database, Account, dict[str, str], random.Random], list[DemoLink]]


def domain_loaders() -> list[DemoLoader]:
    """Each domain's demo loader, called in order; a loader returns links worth printing."""
    return [load_video, load_affiliate, load_promotions]


def load_demo(database: Database, accounts: Accounts, seed: int = 20221019) -> DemoInfo:
    account, credentials = accounts.create(DEMO_ACCOUNT_NAME)
    username = (
        f"{DEMO_DASHBOARD_USERNAME}-{account.id}" if account.id > 1 else DEMO_DASHBOARD_USERNAME
    )
    credentials["dashboard_username"] = username
    credentials["dashboard_password"] = new_secret()
    accounts.set_dashboard_login(account.id, username, credentials["dashboard_password"])
    info = DemoInfo(
        account_id=account.id,
        credentials=credentials,
        links=[
            DemoLink("Dashboard (sign in with dashboard_username / dashboard_password)", "{base}/")
        ],
    )
    for loader in domain_loaders():
        # One generator per domain: a domain's figures (the promotions statistics the docs
        # quote) do not change when another domain draws more or fewer numbers.
        rng = random.Random(f"{seed}-{loader.__module__}")
        info.links.extend(loader(database, account, credentials, rng))
    return info


def find_demo(accounts: Accounts, data_dir: Path) -> tuple[DemoState, DemoInfo | None]:
    """Whether this database already holds the demo account, and its saved details.

    ``CREDENTIALS_LOST``: a demo account exists but ``demo-credentials.json`` does not
    describe it (the database keeps only hashes, so its secrets cannot be shown again).
    """
    info = read_demo_info(data_dir)
    if info is not None and _is_demo_account(accounts, info.account_id):
        return DemoState.ALREADY_LOADED, info
    if any(account.name == DEMO_ACCOUNT_NAME for account in accounts.list()):
        return DemoState.CREDENTIALS_LOST, None
    return DemoState.MISSING, None


def ensure_demo(
    database: Database,
    accounts: Accounts,
    data_dir: Path,
    base: str,
    *,
    load_if_missing: bool = True,
) -> tuple[DemoState, DemoInfo | None]:
    """Load the demo once: a later call finds it and names ``base`` in its saved links."""
    state, info = find_demo(accounts, data_dir)
    if state is DemoState.MISSING and load_if_missing:
        state, info = DemoState.LOADED, load_demo(database, accounts)
    if info is not None:
        info = info.rebased(base)
        save_demo_info(info, data_dir)
    return state, info


def _is_demo_account(accounts: Accounts, account_id: int) -> bool:
    try:
        return accounts.get(account_id).name == DEMO_ACCOUNT_NAME
    except ServiceError:
        return False


def write_private_file(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, readable and writable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def save_demo_info(info: DemoInfo, data_dir: Path) -> Path:
    return write_private_file(data_dir / CREDENTIALS_FILE, json.dumps(asdict(info), indent=2))


def read_demo_info(data_dir: Path) -> DemoInfo | None:
    path = data_dir / CREDENTIALS_FILE
    if not path.exists():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    return DemoInfo(
        account_id=raw["account_id"],
        credentials=raw["credentials"],
        links=[DemoLink(**link) for link in raw.get("links", [])],
        base=raw.get("base", BASE_PLACEHOLDER),
    )


def shell_exports(info: DemoInfo, admin_token: str | None) -> list[str]:
    """``export NAME=value`` lines for every variable the README and docs examples use."""
    values = {"BASE": info.base, "ACCOUNT_ID": str(info.account_id)}
    values.update({name.upper(): value for name, value in info.credentials.items()})
    if admin_token:
        values["ADMIN_TOKEN"] = admin_token
    return [f"export {name}={shlex.quote(value)}" for name, value in values.items()]
