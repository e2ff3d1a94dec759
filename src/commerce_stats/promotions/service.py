"""The promotions domain's subjects over one database: tokens, the promotion catalog, orders.

Each subject lives in its own module (``tokens``, ``specs`` and ``catalog``,
``pricing`` and ``orders``, ``figures`` for the dashboard); ``Promotions`` only builds
them and holds the order committer. Callers use the subject itself:
``promotions.tokens.login``, ``promotions.catalog.create``, ``promotions.orders.place``.
"""

from __future__ import annotations

from commerce_stats.accounts.service import Accounts
from commerce_stats.db.engine import Database
from commerce_stats.promotions.catalog import Catalog
from commerce_stats.promotions.committer import GroupCommitter
from commerce_stats.promotions.orders import OrderBatch, Orders
from commerce_stats.promotions.tokens import Tokens


class Promotions:
    """The promotions domain over one database; one per process."""

    def __init__(
        self,
        database: Database,
        accounts: Accounts,
        *,
        token_hours: float = 24.0,
        refresh_days: float = 30.0,
        committer: GroupCommitter[OrderBatch] | None = None,
    ) -> None:
        self.database = database
        self.accounts = accounts
        self.committer = committer
        self.tokens = Tokens(database, accounts, token_hours=token_hours, refresh_days=refresh_days)
        self.catalog = Catalog(database)
        self.orders = Orders(database, committer)
