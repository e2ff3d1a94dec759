"""The group commit: one failing item cannot fail it (halves until the fault is alone), and
the one writer (a queue and a thread) that batches, answers after the commit and drains."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import insert, select

from commerce_stats.db.engine import Database
from commerce_stats.kit.groupcommit import (
    GroupWriter,
    WriterStoppedError,
    commit_isolating_failures,
)
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


# The writer: one queue, one thread, answers only after the commit ---------------------------


class RefusalError(Exception):
    """A clean refusal of one item: it wrote nothing, the rest of its batch commits."""


class RefusingWriter(Writer):
    """Like ``Writer``, but refuses odd items cleanly (answers the exception, writes nothing)."""

    def __call__(self, items: Sequence[int]) -> list[str | Exception]:  # type: ignore[override]
        self.calls.append(len(items))
        answers: list[str | Exception] = []
        with self.database.write() as conn:
            for item in items:
                if item % 2:
                    answers.append(RefusalError(f"odd {item}"))
                    continue
                conn.execute(
                    insert(promo_sequences).values(
                        account_id=self.account_id, name=f"item-{item}", last_value=item
                    )
                )
                answers.append(f"stored {item}")
        return answers


class Interrupted(BaseException):
    """Not an ``Exception``: the halving does not catch it, the writer still must."""


@pytest.fixture
def account_id(make_service_account: Callable[..., tuple[Account, dict[str, str]]]) -> int:
    account, _credentials = make_service_account()
    return account.id


def _group_writer(
    apply: Callable[[Sequence[int]], Sequence[str | Exception]], **options: Any
) -> GroupWriter[int, str]:
    return GroupWriter(apply, name="test-writer", log=log, what="items", **options)


def test_items_waiting_when_the_writer_starts_are_written_in_one_batch(
    database: Database, account_id: int
) -> None:
    writer = Writer(database, account_id)
    group = _group_writer(writer)
    futures = [group.submit(item) for item in range(6)]

    group.start()
    answers = [future.result(timeout=30) for future in futures]
    group.stop()

    assert answers == [f"stored {item}" for item in range(6)]
    assert writer.calls == [6]
    assert _stored(database) == list(range(6))


def test_a_batch_holds_at_most_max_size_items(database: Database, account_id: int) -> None:
    writer = Writer(database, account_id)
    group = _group_writer(writer, max_size=2)
    futures = [group.submit(item) for item in range(5)]

    group.start()
    for future in futures:
        future.result(timeout=30)
    group.stop()

    assert writer.calls == [2, 2, 1]


def test_a_batch_is_measured_by_the_size_of_its_items(database: Database, account_id: int) -> None:
    writer = Writer(database, account_id)
    group = _group_writer(writer, max_size=10, size=lambda item: item)
    futures = [group.submit(item) for item in (4, 5, 6, 3, 20)]

    group.start()
    for future in futures:
        future.result(timeout=30)
    group.stop()

    assert writer.calls == [2, 2, 1]


def test_a_coroutine_is_answered_with_its_own_result(database: Database, account_id: int) -> None:
    group = _group_writer(Writer(database, account_id))
    group.start()

    async def commit_three() -> list[str]:
        return list(await asyncio.gather(*(group.commit(item) for item in (7, 8, 9))))

    # a loop of its own in a thread of its own: the calling thread may already run one
    with ThreadPoolExecutor(max_workers=1) as pool:
        answers = pool.submit(asyncio.run, commit_three()).result()
    group.stop()

    assert answers == ["stored 7", "stored 8", "stored 9"]


def test_a_waiter_is_answered_only_once_its_item_is_committed(
    database: Database, account_id: int
) -> None:
    group = _group_writer(Writer(database, account_id))
    seen_when_answered: list[list[int]] = []
    future = group.submit(42)
    future.add_done_callback(lambda _done: seen_when_answered.append(_stored(database)))

    group.start()
    future.result(timeout=30)
    group.stop()

    assert seen_when_answered == [[42]]


def test_a_clean_refusal_fails_only_its_item_in_a_batch_that_commits(
    database: Database, account_id: int
) -> None:
    writer = RefusingWriter(database, account_id)
    group = _group_writer(writer)
    futures = [group.submit(item) for item in (2, 3, 4)]

    group.start()
    group.stop()

    assert futures[0].result() == "stored 2"
    with pytest.raises(RefusalError, match="odd 3"):
        futures[1].result()
    assert futures[2].result() == "stored 4"
    assert writer.calls == [3]
    assert _stored(database) == [2, 4]


def test_an_item_the_database_refuses_fails_alone_through_the_writer(
    database: Database, account_id: int
) -> None:
    group = _group_writer(Writer(database, account_id))
    items = [1, 2, TOO_LARGE, 4]
    futures = [group.submit(item) for item in items]

    group.start()
    group.stop()

    assert [futures[i].result() for i in (0, 1, 3)] == ["stored 1", "stored 2", "stored 4"]
    assert futures[2].exception() is not None
    assert _stored(database) == [1, 2, 4]


def test_stop_writes_everything_already_submitted(database: Database, account_id: int) -> None:
    writer = Writer(database, account_id)
    group = _group_writer(writer, max_size=3)
    group.start()
    futures = [group.submit(item) for item in range(10)]

    group.stop()

    assert all(future.done() for future in futures)
    assert _stored(database) == list(range(10))


def test_after_stop_an_item_is_refused_and_nothing_is_written(
    database: Database, account_id: int
) -> None:
    group = _group_writer(Writer(database, account_id))
    group.start()
    group.stop()

    with pytest.raises(WriterStoppedError):
        group.submit(1)
    assert _stored(database) == []


def test_stop_without_start_writes_what_was_submitted(database: Database, account_id: int) -> None:
    group = _group_writer(Writer(database, account_id))
    future = group.submit(5)

    group.stop()

    assert future.result() == "stored 5"
    assert _stored(database) == [5]


def test_a_failure_that_is_not_an_exception_fails_its_batch_and_the_writer_goes_on(
    database: Database, account_id: int
) -> None:
    writer = Writer(database, account_id)

    def interrupted_once(items: Sequence[int]) -> list[str]:
        if not writer.calls:
            writer.calls.append(0)
            raise Interrupted
        return writer(items)

    group = _group_writer(interrupted_once)
    first = group.submit(1)
    group.start()
    with pytest.raises(Interrupted):
        first.result(timeout=30)
    second = group.submit(2).result(timeout=30)
    group.stop()

    assert second == "stored 2"
    assert _stored(database) == [2]


def _writer_with_second_stage(
    applied: list[list[int]], stages: list[Future[None]]
) -> GroupWriter[int, int]:
    """A writer over plain integers whose ``finish`` hands back a future the test ends."""

    def apply(items: Sequence[int]) -> list[int | Exception]:
        applied.append(list(items))
        return [item * 10 for item in items]

    def finish() -> Future[None]:
        stage: Future[None] = Future()
        stages.append(stage)
        return stage

    return GroupWriter(
        apply,
        name="pipelined",
        log=logging.getLogger("test"),
        what="items",
        max_size=1,
        finish=finish,
    )


def test_a_pipelined_batch_is_answered_only_when_its_second_stage_ends() -> None:
    applied: list[list[int]] = []
    stages: list[Future[None]] = []
    writer = _writer_with_second_stage(applied, stages)
    writer.start()
    answer = writer.submit(1)
    _wait_until(lambda: len(stages) == 1)

    assert not answer.done()
    stages[0].set_result(None)
    assert answer.result(timeout=5) == 10
    writer.stop()


def test_the_writer_takes_the_next_batch_while_a_second_stage_runs() -> None:
    applied: list[list[int]] = []
    stages: list[Future[None]] = []
    writer = _writer_with_second_stage(applied, stages)
    writer.start()
    first = writer.submit(1)
    _wait_until(lambda: len(stages) == 1)
    second = writer.submit(2)
    _wait_until(lambda: len(stages) == 2)

    assert applied == [[1], [2]]
    assert not first.done()
    assert not second.done()
    for stage in stages:
        stage.set_result(None)
    writer.stop()


def test_a_failed_second_stage_still_answers_the_committed_items() -> None:
    applied: list[list[int]] = []
    stages: list[Future[None]] = []
    writer = _writer_with_second_stage(applied, stages)
    writer.start()
    answer = writer.submit(3)
    _wait_until(lambda: len(stages) == 1)
    stages[0].set_exception(RuntimeError("shard gone"))

    assert answer.result(timeout=5) == 30
    writer.stop()


def test_stop_waits_for_running_second_stages() -> None:
    applied: list[list[int]] = []
    stages: list[Future[None]] = []
    writer = _writer_with_second_stage(applied, stages)
    writer.start()
    answer = writer.submit(4)
    _wait_until(lambda: len(stages) == 1)
    threading.Timer(0.2, stages[0].set_result, args=(None,)).start()
    writer.stop()

    assert answer.done()


def _wait_until(condition: Callable[[], bool]) -> None:
    for _ in range(500):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached in 5 s")
