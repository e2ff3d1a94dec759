"""Rendering every transaction's stored export text again, as after a time-zone change.

Usage: .venv/bin/python bench/affiliate_rerender.py [rows=1000000]

Works on a copy of the export benchmark's dataset: moves the account to another
time zone, then times the first CSV export's preparation (which renders every
transaction again, 5,000 per write transaction) against the same call once the
text is current (two index probes). Pinned to core 0, synchronous=FULL.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _affiliate_data import WORKDIR, dataset


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    data = dataset(rows)
    copy = WORKDIR / f"rerender-{rows}.sqlite3"
    shutil.copyfile(data["path"], copy)
    os.sched_setaffinity(0, {0})

    from commerce_stats.accounts.service import AccountChanges, Accounts
    from commerce_stats.affiliate.service import AffiliateNetwork
    from commerce_stats.config import Settings
    from commerce_stats.db.engine import Database

    database = Database(Settings(database_url=f"sqlite:///{copy}"))
    accounts = Accounts(database)
    network = AffiliateNetwork(database, accounts)
    account, _ids = accounts.update(data["account_id"], AccountChanges(timezone="America/New_York"))
    started = time.perf_counter()
    rendered = network.exports.render_stale_export_text(account)
    stale_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = network.exports.render_stale_export_text(account)
    current_seconds = time.perf_counter() - started
    print(f"{'case':<36} {'rendered':>9} {'seconds':>8} {'rows/s':>9}")
    print(
        f"{'after a time-zone change':<36} {rendered:>9,} {stale_seconds:>8.2f} "
        f"{rendered / stale_seconds:>9,.0f}"
    )
    print(f"{'text already current (the check)':<36} {again:>9,} {current_seconds * 1000:>7.2f}ms")
    database.dispose()
    copy.unlink()


if __name__ == "__main__":
    main()
