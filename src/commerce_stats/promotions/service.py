"""The promotions domain behind one object: tokens, the promotion catalog and orders.

Each subject lives in its own module (``tokens``, ``specs`` and ``catalog``,
``pricing`` and ``orders``, ``figures`` for the dashboard); ``Promotions`` only
builds them over one database and hands each call to the one that owns it.
"""

from __future__ import annotations

from commerce_stats.accounts.service import Accounts
from commerce_stats.db.engine import Database
from commerce_stats.kit.ratelimit import FailureLimiter
from commerce_stats.kit.tenancy import Account
from commerce_stats.promotions.catalog import (
    Catalog,
    PromotionPage,
    PromotionStatistics,
    PromotionSummary,
    PromotionView,
)
from commerce_stats.promotions.committer import GroupCommitter
from commerce_stats.promotions.orders import OrderBatch, OrderDraft, Orders, OrderView
from commerce_stats.promotions.specs import PromotionChanges, PromotionQuery
from commerce_stats.promotions.tokens import TokenPair, Tokens


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

    # --- tokens ---------------------------------------------------------------------

    def login(
        self,
        username: str | None,
        password: str | None,
        *,
        failures: FailureLimiter | None = None,
        client: str = "unknown",
    ) -> TokenPair:
        return self.tokens.login(username, password, failures=failures, client=client)

    def refresh(
        self,
        refresh_token: str | None,
        *,
        failures: FailureLimiter | None = None,
        client: str = "unknown",
    ) -> TokenPair:
        return self.tokens.refresh(refresh_token, failures=failures, client=client)

    def authenticate(
        self,
        token: str | None,
        *,
        failures: FailureLimiter | None = None,
        client: str = "unknown",
    ) -> Account:
        return self.tokens.authenticate(token, failures=failures, client=client)

    # --- promotions -----------------------------------------------------------------

    def create_promotion(self, account: Account, changes: PromotionChanges) -> PromotionView:
        return self.catalog.create(account, changes)

    def update_promotion(
        self, account: Account, promotion_id: int, changes: PromotionChanges
    ) -> PromotionView:
        return self.catalog.update(account, promotion_id, changes)

    def get_promotion(self, account: Account, promotion_id: int) -> PromotionView:
        return self.catalog.get(account, promotion_id)

    def delete_promotion(self, account: Account, promotion_id: int) -> None:
        self.catalog.delete(account, promotion_id)

    def list_promotions(self, account: Account, query: PromotionQuery) -> PromotionPage:
        return self.catalog.page(account, query)

    def statistics(self, account: Account, promotion_id: int) -> PromotionStatistics:
        return self.catalog.statistics(account, promotion_id)

    def counter_drift(self, account_id: int) -> list[str]:
        return self.catalog.counter_drift(account_id)

    def summaries(self, account_id: int) -> list[PromotionSummary]:
        return self.catalog.summaries(account_id)

    # --- orders ---------------------------------------------------------------------

    def place_order(self, account: Account, draft: OrderDraft) -> OrderView:
        return self.orders.place(account, draft)

    def get_order(self, account: Account, order_id: str) -> OrderView:
        return self.orders.get(account, order_id)

    def set_order_status(self, account: Account, order_id: str, status: str) -> OrderView:
        return self.orders.set_status(account, order_id, status)
