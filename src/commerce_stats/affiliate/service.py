"""The affiliate network, by subject: one object that hands out each subject's service.

- ``model``: the admin side, campaigns, triggers, commission groups, publishers
  (``model.py``);
- ``tracker``: clicks and conversion pixels (``tracker.py``);
- ``lifecycle``: status changes of transactions, shared by the admin API and
  both uploads (``lifecycle.py``);
- ``access``: who may read an export link or upload orders (``access.py``);
- ``manual``: manual statistics an operator enters (``manual_statistics.py``);
- ``exports``: the exports' reads and the stored export text (``export_reads.py``);
  ``exporting.py`` shapes the reports, ``upload.py`` checks and applies uploads.
"""

from __future__ import annotations

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate.access import Access
from commerce_stats.affiliate.export_reads import ExportReads
from commerce_stats.affiliate.lifecycle import Lifecycle
from commerce_stats.affiliate.manual_statistics import ManualStatistics
from commerce_stats.affiliate.model import NetworkModel
from commerce_stats.affiliate.tracker import Tracker
from commerce_stats.db.engine import Database
from commerce_stats.kit.ratelimit import FailureLimiter


class AffiliateNetwork:
    """The affiliate domain's services over one database; cheap to build, no request state."""

    def __init__(
        self, database: Database, accounts: Accounts, failures: FailureLimiter | None = None
    ) -> None:
        """``failures`` counts refused export links and uploads (brute-force protection)."""
        self.database = database
        self.accounts = accounts
        self.failures = failures
        self.model = NetworkModel(database)
        self.tracker = Tracker(database, accounts)
        self.lifecycle = Lifecycle(database)
        self.access = Access(database, accounts, failures)
        self.exports = ExportReads(database)
        self.manual = ManualStatistics(database)
