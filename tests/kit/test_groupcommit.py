"""A group commit that one failing item cannot fail: halves until the fault is alone."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from sqlalchemy import insert, select

from commerce_stats.db.engine import Database
from commerce_stats.kit.groupcommit import commit_isolating_failures
from commerce_stats.kit.tenancy import Account
from commerce_stats.promotions.tables import promo_sequences

log = logging.getLogger("tests.groupcommit")
TOO_LARGE = 2**63
"""A value neither backend can store in a 64-bit column: the write raises."""


class Writer:
    """Writes each item as one row, all items of a call in one transaction."""

    def __init__(self, database: Database, account_id: int) -> None:
        self.database = database
        self.account_id = account_id
        self.calls: list[int] = []

    def __call__(self, items: Sequence[int]) -> list[str]:
        self.calls.append(len(items))
        with self.database.write() as conn:
            for item in items:
                conn.execute(
                    insert(promo_sequences).values(
                        account_id=self.account_id, name=f"item-{item}", last_value=item
                    )
                )
        return [f"stored {item}" for item in items]


def _stored(database: Database) -> list[int]:
    with database.read() as conn:
        return sorted(row.last_value for row in conn.execute(select(promo_sequences)))


def test_an_item_whose_write_raises_fails_alone_and_the_others_commit(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account, _credentials = make_service_account()
    writer = Writer(database, account.id)
    items = [*range(5), TOO_LARGE, *range(6, 16)]

    outcomes = commit_isolating_failures(items, writer, log, "items")

    assert [outcome for position, outcome in enumerate(outcomes) if position != 5] == [
        f"stored {item}" for item in items if item != TOO_LARGE
    ]
    assert isinstance(outcomes[5], Exception)
    assert _stored(database) == [item for item in items if item != TOO_LARGE]
    assert writer.calls == [16, 8, 4, 4, 2, 1, 1, 2, 8]


def test_a_batch_that_commits_costs_one_transaction(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account, _credentials = make_service_account()
    writer = Writer(database, account.id)

    outcomes = commit_isolating_failures(list(range(10)), writer, log, "items")

    assert outcomes == [f"stored {item}" for item in range(10)]
    assert writer.calls == [10]


def test_every_item_failing_refuses_every_item_and_stores_nothing(
    database: Database, make_service_account: Callable[..., tuple[Account, dict[str, str]]]
) -> None:
    account, _credentials = make_service_account()
    writer = Writer(database, account.id)

    outcomes = commit_isolating_failures([TOO_LARGE, TOO_LARGE + 1], writer, log, "items")

    assert all(isinstance(outcome, Exception) for outcome in outcomes)
    assert _stored(database) == []
