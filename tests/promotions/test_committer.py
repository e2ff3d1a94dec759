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
