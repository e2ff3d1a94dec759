"""Group commit: batches share one transaction, a failing batch fails alone, dedupe window."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from commerce_stats.accounts.service import Accounts
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.video import repository
from commerce_stats.video.catalog import ItemFields, VideoFields
from commerce_stats.video.events import Batch, BatchResult
from commerce_stats.video.flusher import GroupCommitter
from commerce_stats.video.service import VideoService

DAY = date(2022, 10, 14)
KEY = ("video-1", DAY, "Desktop", "item-1")


@pytest.fixture
def account(
    database: Database,
    accounts: Accounts,
    make_service_account: Callable[..., tuple[Account, dict[str, str]]],
) -> Account:
    created, _credentials = make_service_account("Shop", features=["video_ecommerce"])
    service = VideoService(database, accounts)
    service.put_item(
        created.id, "item-1", ItemFields(ecommerce_name="I", ecommerce_link="https://i.example")
    )
    service.put_video(created.id, "video-1", VideoFields(title="V", ecommerce_keys=["item-1"]))
    return created


def _batch(account_id: int, viewed: int = 0, clicked: int = 0, ids: tuple[str, ...] = ()) -> Batch:
    batch = Batch(account_id=account_id)
    for _ in range(viewed):
        batch.add(KEY, 0)
    for _ in range(clicked):
        batch.add(KEY, 1)
    for event_id in ids:
        batch.identified.append((event_id, KEY, 0))
    batch.received = viewed + clicked + len(ids)
    return batch


def _totals(database: Database, account_id: int) -> tuple[int, int]:
    with database.read() as conn:
        return repository.counter_totals(conn, account_id)


def test_pending_batches_are_summed_into_one_flush(database: Database, account: Account) -> None:
    committer = GroupCommitter(database)
    first = committer.submit(_batch(account.id, viewed=2))
    second = committer.submit(_batch(account.id, clicked=3))
    committer.start()
    results = [first.result(timeout=30), second.result(timeout=30)]
    committer.stop()

    assert committer.flushes == 1
    assert results == [BatchResult(2, 2, 0, 0), BatchResult(3, 3, 0, 0)]
    with database.read() as conn:
        rows = [
            row
            for chunk in repository.report_rows(conn, account.id, DAY, DAY, None)
            for row in chunk
        ]
    assert [(row[4], row[5]) for row in rows] == [(2, 3)]


def test_a_batch_whose_write_fails_fails_alone_and_the_others_of_its_flush_commit(
    database: Database, account: Account
) -> None:
    committer = GroupCommitter(database)
    before = committer.submit(_batch(account.id, viewed=5))
    orphan = committer.submit(_batch(account.id + 1000, viewed=1))  # no such account: FK
    after = committer.submit(_batch(account.id, clicked=2, ids=("e-1",)))
    committer.start()
    results = [before.result(timeout=30), after.result(timeout=30)]
    error = orphan.exception(timeout=30)
    committer.stop()

    assert results == [BatchResult(5, 5, 0, 0), BatchResult(3, 3, 0, 0)]
    assert error is not None
    assert _totals(database, account.id) == (1, 8)


def test_a_failed_flush_tried_again_counts_each_batch_once(
    database: Database, account: Account
) -> None:
    """The first batch of an account lends its sums to the flush; a retry must not see
    the other batches' counts added to it."""
    committer = GroupCommitter(database)
    first = committer.submit(_batch(account.id, viewed=2))
    second = committer.submit(_batch(account.id, viewed=3, clicked=1))
    orphan = committer.submit(_batch(account.id + 1000, viewed=1))
    committer.start()
    results = [first.result(timeout=30), second.result(timeout=30)]
    assert orphan.exception(timeout=30) is not None
    committer.stop()

    assert results == [BatchResult(2, 2, 0, 0), BatchResult(4, 4, 0, 0)]
    with database.read() as conn:
        rows = [
            row
            for chunk in repository.report_rows(conn, account.id, DAY, DAY, None)
            for row in chunk
        ]
    assert [(row[4], row[5]) for row in rows] == [(5, 1)]


def test_failing_batches_from_concurrent_threads_fail_alone(
    database: Database, account: Account
) -> None:
    committer = GroupCommitter(database)
    committer.start()
    barrier = threading.Barrier(8)
    futures: dict[tuple[int, int], Future[BatchResult]] = {}

    def submit(worker: int) -> None:
        barrier.wait()
        for round_ in range(25):
            owner = account.id + 1000 if (worker + round_) % 4 == 0 else account.id
            futures[(worker, round_)] = committer.submit(
                _batch(owner, viewed=1, ids=(f"w{worker}-r{round_}",))
            )

    workers = [threading.Thread(target=submit, args=(worker,)) for worker in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    outcomes = {key: future.exception(timeout=60) for key, future in futures.items()}
    committer.stop()

    orphans = {key for key in outcomes if sum(key) % 4 == 0}
    assert all(outcomes[key] is not None for key in orphans)
    assert [key for key, error in outcomes.items() if key not in orphans and error] == []
    valid = 200 - len(orphans)
    assert valid == 150
    assert _totals(database, account.id) == (1, 2 * valid)


def test_stop_commits_what_is_pending(database: Database, account: Account) -> None:
    committer = GroupCommitter(database)
    committer.start()
    future = committer.submit(_batch(account.id, viewed=4))
    committer.stop()
    assert future.result(timeout=0) == BatchResult(4, 4, 0, 0)
    assert _totals(database, account.id) == (1, 4)


def test_submit_after_stop_is_refused(database: Database, account: Account) -> None:
    committer = GroupCommitter(database)
    committer.start()
    committer.stop()
    with pytest.raises(RuntimeError):
        committer.submit(_batch(account.id, viewed=1))
    assert _totals(database, account.id) == (0, 0)


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2022, 10, 14, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_event_id_counts_again_after_seven_days(database: Database, account: Account) -> None:
    clock = _Clock()
    committer = GroupCommitter(database, clock=clock)
    counted: list[int] = []
    for advance in (timedelta(0), timedelta(days=6, hours=23), timedelta(days=7, hours=2)):
        clock.now += advance
        counted.append(committer.apply_now([_batch(account.id, ids=("e-1",))])[0].counted)
    assert counted == [1, 0, 1]
    assert _totals(database, account.id) == (1, 2)


def test_prune_forgets_only_ids_older_than_the_cutoff(database: Database, account: Account) -> None:
    old = datetime(2022, 10, 1, tzinfo=UTC)
    recent = datetime(2022, 10, 10, tzinfo=UTC)
    rows: list[dict[str, Any]] = [
        {"account_id": account.id, "event_id": "old", "seen_at": old},
        {"account_id": account.id, "event_id": "recent", "seen_at": recent},
    ]
    with database.write() as conn:
        repository.claim_event_ids(conn, rows, cutoff=old)
        removed = repository.prune_seen_events(conn, cutoff=datetime(2022, 10, 5, tzinfo=UTC))
        claimed_again = repository.claim_event_ids(conn, rows, cutoff=old)
    assert removed == 1
    assert claimed_again == {(account.id, "old")}


def test_a_flush_takes_at_most_its_event_budget(database: Database, account: Account) -> None:
    committer = GroupCommitter(database, max_events_per_flush=5)
    futures = [committer.submit(_batch(account.id, viewed=3)) for _ in range(3)]
    committer.start()
    results = [future.result(timeout=30) for future in futures]
    committer.stop()
    assert committer.flushes == 3
    assert [result.counted for result in results] == [3, 3, 3]
    assert _totals(database, account.id) == (1, 9)
