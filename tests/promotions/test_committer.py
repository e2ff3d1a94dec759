"""The group committer: shared transactions, clean refusals, and rollback of a faulty batch."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import Connection, insert, select

from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.promotions.committer import GroupCommitter
from commerce_stats.promotions.tables import promo_sequences

MakeServiceAccount = Callable[..., tuple[Account, dict[str, str]]]


class Recorder:
    """A batch that writes one sequence row per job name at flush time."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def flush(self, conn: Connection) -> None:
        if self.names:
            conn.execute(
                insert(promo_sequences),
                [{"account_id": 1, "name": name, "last_value": 0} for name in self.names],
            )


class RefusedError(Exception):
    pass


def _stored(database: Database) -> set[str]:
    with database.read() as conn:
        return {row.name for row in conn.execute(select(promo_sequences.c.name))}


def _run_all(
    committer: GroupCommitter[Recorder], works: list[Callable[[Connection, Recorder], str]]
) -> list[object]:
    outcomes: list[object] = [None] * len(works)

    def run(index: int) -> None:
        try:
            outcomes[index] = committer.run(works[index])
        except Exception as error:
            outcomes[index] = error

    threads = []
    for index in range(len(works)):
        thread = threading.Thread(target=run, args=(index,))
        thread.start()
        threads.append(thread)
        if index == 0:
            time.sleep(0.05)  # the first job holds the thread while the others queue up
    for thread in threads:
        thread.join()
    return outcomes


def _slow(name: str) -> Callable[[Connection, Recorder], str]:
    def work(_conn: Connection, batch: Recorder) -> str:
        time.sleep(0.3)
        batch.names.append(name)
        return name

    return work


def _named(name: str) -> Callable[[Connection, Recorder], str]:
    def work(_conn: Connection, batch: Recorder) -> str:
        batch.names.append(name)
        return name

    return work


def test_a_clean_refusal_leaves_the_rest_of_the_batch(
    database: Database, make_service_account: MakeServiceAccount
) -> None:
    make_service_account()

    def refuse(_conn: Connection, _batch: Recorder) -> str:
        raise RefusedError("no")

    committer = GroupCommitter(database, Recorder, (RefusedError,))
    committer.start()
    outcomes = _run_all(committer, [_slow("a"), _named("b"), refuse, _named("c")])
    committer.stop()
    assert outcomes[:2] == ["a", "b"]
    assert isinstance(outcomes[2], RefusedError)
    assert outcomes[3] == "c"
    assert _stored(database) == {"a", "b", "c"}


def test_a_failure_after_writes_rolls_back_and_reruns_each_job_alone(
    database: Database, make_service_account: MakeServiceAccount
) -> None:
    make_service_account()

    def break_after_writing(conn: Connection, _batch: Recorder) -> str:
        conn.execute(insert(promo_sequences).values(account_id=1, name="half", last_value=0))
        raise RuntimeError("disk on fire")

    committer = GroupCommitter(database, Recorder, (RefusedError,))
    committer.start()
    outcomes = _run_all(committer, [_slow("a"), _named("b"), break_after_writing, _named("c")])
    committer.stop()
    assert outcomes[:2] == ["a", "b"]
    assert isinstance(outcomes[2], RuntimeError)
    assert outcomes[3] == "c"
    assert _stored(database) == {"a", "b", "c"}


class ValuedRecorder:
    """A batch that writes one sequence row per job, with the job's value, at flush time."""

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []

    def flush(self, conn: Connection) -> None:
        if self.rows:
            conn.execute(insert(promo_sequences), self.rows)


def _valued(name: str, value: int) -> Callable[[Connection, ValuedRecorder], str]:
    def work(_conn: Connection, batch: ValuedRecorder) -> str:
        batch.rows.append({"account_id": 1, "name": name, "last_value": value})
        return name

    return work


def test_a_value_the_database_refuses_at_flush_fails_only_its_job_under_concurrency(
    database: Database, make_service_account: MakeServiceAccount
) -> None:
    """Jobs from eight threads; every fourth carries a value no 64-bit column holds, which
    only the shared flush finds out. Every other job is committed once."""
    make_service_account()
    committer = GroupCommitter(database, ValuedRecorder, (RefusedError,))
    committer.start()
    outcomes: dict[str, object] = {}
    barrier = threading.Barrier(8)

    def run(worker: int) -> None:
        barrier.wait()
        for round_ in range(10):
            name = f"w{worker}-r{round_}"
            value = 2**63 if (worker + round_) % 4 == 0 else round_
            try:
                outcomes[name] = committer.run(_valued(name, value))
            except Exception as error:
                outcomes[name] = error

    threads = [threading.Thread(target=run, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    committer.stop()

    poisoned = {f"w{w}-r{r}" for w in range(8) for r in range(10) if (w + r) % 4 == 0}
    assert all(isinstance(outcomes[name], Exception) for name in poisoned)
    valid = {name for name in outcomes if name not in poisoned}
    assert {name: outcomes[name] for name in valid} == {name: name for name in valid}
    assert len(valid) == 60
    assert _stored(database) == valid
