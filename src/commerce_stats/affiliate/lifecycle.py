"""The life of a transaction: open -> confirmed or canceled, confirmed -> paid by a payout run.

One set of rules for every path that changes a transaction: the admin API
(confirm, cancel, partial cancel, payout) and both order uploads check their
changes here, and new transactions (conversions, uploads) are numbered here.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from commerce_stats.affiliate import repository
from commerce_stats.affiliate.errors import (
    ForbiddenTransitionError,
    InvalidFieldError,
    ItemNotFoundError,
    TransactionFinalError,
)
from commerce_stats.affiliate.rules import (
    CANCELED,
    CONFIRMED,
    PAID,
    commission_minor,
    ebestid,
    final_error,
    is_dynamic,
    parse_amount,
    transition_error,
)
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import utc_now

MAX_REASON = 2000
"""Longest cancel reason kept."""


@dataclass(frozen=True, slots=True)
class Transaction:
    """One transaction as the admin API shows it: amounts in minor units, times in UTC."""

    id: int
    status: int
    created_at: datetime
    campaign_id: int
    ordertoken: str
    source: str
    project_id: int
    commission_minor: int
    commission_group_id: int
    campaign_group_title: str
    trigger_id: int
    trigger_title: str
    trigger_type: str
    trigger_value_scaled: int
    description: str
    voucher_code: str
    turnover_minor: int
    source_turnover_minor: int
    currency: str
    click_id: int | None
    salary_id: int
    status_change_date: datetime
    last_change: datetime
    payoutdate: datetime | None
    cancel_reason: str
    user_agent: str
    ebestid: str
    order_timestamp: datetime
    action_timestamp: datetime | None
    advertiser_id: int
    publisher_id: int
    referrer: str
    country: str
    subid: str
    basket_items: int


TRANSACTION_FIELDS = tuple(field.name for field in fields(Transaction))


def transaction_of(row: Row[Any]) -> Transaction:
    values = row._mapping
    return Transaction(*(values[name] for name in TRANSACTION_FIELDS))


@dataclass(frozen=True, slots=True)
class Payout:
    """A payout run: which salary id it booked, for whom, how many transactions, when."""

    salary_id: int
    publisher_id: int
    transactions: int
    payoutdate: datetime


def check_transition(current: int, wanted: int) -> None:
    """``ForbiddenTransitionError`` unless the lifecycle allows ``current`` -> ``wanted``
    (staying in the same status is allowed here; see ``Lifecycle`` for the admin API)."""
    refusal = transition_error(current, wanted)
    if refusal is not None:
        raise ForbiddenTransitionError(current, wanted, refusal)


def check_changeable(current: int) -> None:
    """``TransactionFinalError`` when a transaction in ``current`` can change no more."""
    final = final_error(current)
    if final is not None:
        raise TransactionFinalError(current, final)


def commission_for_turnover(
    trigger_type: str, value_scaled: int, commission: int, turnover: int, new_turnover: int
) -> int:
    """The commission after the turnover changes: dynamic commissions follow the turnover,
    fixed ones stay."""
    if new_turnover == turnover or not is_dynamic(trigger_type):
        return commission
    return commission_minor(trigger_type, value_scaled, new_turnover)


def number_new_transactions(
    conn: Connection, account_id: int, inserts: Iterable[MutableMapping[str, Any]]
) -> None:
    """Numbers new transactions and gives each its publisher-facing ebestid."""
    pending = list(inserts)
    if not pending:
        return
    first = repository.allocate_ids(conn, account_id, "transaction", len(pending))
    for offset, values in enumerate(pending):
        values["id"] = first + offset
        values["ebestid"] = ebestid(account_id, values["id"], values["ordertoken"])


class Lifecycle:
    """The admin API's changes of transactions."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def transaction(self, account: Account, transaction_id: int) -> Transaction:
        with self.database.read() as conn:
            row = repository.transaction(conn, account.id, transaction_id)
        if row is None:
            raise ItemNotFoundError("transaction", transaction_id)
        return transaction_of(row)

    def confirm(self, account: Account, transaction_id: int) -> Transaction:
        return self._change_status(account, transaction_id, CONFIRMED, {})

    def cancel(self, account: Account, transaction_id: int, reason: str) -> Transaction:
        text = reason.strip()
        if len(text) > MAX_REASON:
            raise InvalidFieldError(
                "cancel_reason", f"cancel_reason is longer than {MAX_REASON} characters"
            )
        return self._change_status(account, transaction_id, CANCELED, {"cancel_reason": text})

    def _change_status(
        self, account: Account, transaction_id: int, wanted: int, extra: dict[str, Any]
    ) -> Transaction:
        now = utc_now()
        with self.database.write() as conn:
            row = self._existing(conn, account.id, transaction_id)
            check_transition(row.status, wanted)
            if row.status == wanted:
                raise ForbiddenTransitionError(
                    row.status, wanted, "the transaction already has this status"
                )
            values = {"status": wanted, "status_change_date": now, "last_change": now, **extra}
            repository.update_transaction(conn, account.id, row, values)
        return self.transaction(account, transaction_id)

    def partial_cancel(self, account: Account, transaction_id: int, turnover: str) -> Transaction:
        """Lowers the turnover; dynamic commissions follow, ``source_turnover`` never changes."""
        now = utc_now()
        with self.database.write() as conn:
            row = self._existing(conn, account.id, transaction_id)
            check_changeable(row.status)
            lowered = self._lowered_turnover(turnover, row.currency, row.turnover_minor)
            commission = commission_for_turnover(
                row.trigger_type,
                row.trigger_value_scaled,
                row.commission_minor,
                row.turnover_minor,
                lowered,
            )
            changes = {
                "turnover_minor": lowered,
                "commission_minor": commission,
                "last_change": now,
            }
            repository.update_transaction(conn, account.id, row, changes)
        return self.transaction(account, transaction_id)

    @staticmethod
    def _lowered_turnover(turnover: str, currency: str, current: int) -> int:
        try:
            lowered = parse_amount(turnover, currency)
        except ValueError as exc:
            raise InvalidFieldError("turnover", f"turnover: {exc}") from exc
        if lowered >= current:
            raise InvalidFieldError("turnover", "a partial cancellation must lower the turnover")
        return lowered

    def payout(self, account: Account, publisher_id: int) -> Payout:
        """A payout run: every confirmed transaction of the publisher becomes paid."""
        now = utc_now()
        with self.database.write() as conn:
            if repository.item(conn, "publishers", account.id, publisher_id) is None:
                raise ItemNotFoundError("publisher", publisher_id)
            salary_id = repository.allocate_ids(conn, account.id, "salary")
            count = repository.pay_out(
                conn, account.id, publisher_id, CONFIRMED, PAID, salary_id, now
            )
        return Payout(salary_id, publisher_id, count, now)

    @staticmethod
    def _existing(conn: Connection, account_id: int, transaction_id: int) -> Row[Any]:
        row = repository.transaction(conn, account_id, transaction_id)
        if row is None:
            raise ItemNotFoundError("transaction", transaction_id)
        return row
