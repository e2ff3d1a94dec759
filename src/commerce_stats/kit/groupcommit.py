"""Group commit that one bad item cannot fail: a refused batch is split until the fault is alone.

A group commit writes many requests in one transaction. When the database
refuses that transaction (a value it cannot store, a constraint, a driver
error), nothing of it was applied, so it is safe to try again with fewer items:
the batch is halved and each half committed in its own transaction,
recursively, until every item is either committed with a working half or is
alone in a transaction that still fails. Only that item gets the error; with
one bad item among ``n`` this costs about ``2 * log2(n)`` extra transactions,
and a batch that commits on the first try costs nothing extra.

Validation keeps bad values out of batches in the first place; this is what
keeps a value that slipped through (or a fault nobody foresaw) to one request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def commit_isolating_failures(
    items: Sequence[T],
    commit: Callable[[Sequence[T]], Sequence[R]],
    log: logging.Logger,
    what: str,
) -> list[R | Exception]:
    """Per item, what ``commit`` answered for it, or the exception that failed it alone.

    ``commit`` must write its items in ONE transaction of its own that either
    commits or leaves nothing behind, must not change its items, and answers one
    result per item, in order.
    """
    try:
        results = commit(items)
    except Exception as failure:
        if len(items) == 1:
            log.exception("committing one %s failed; only its request is refused", what)
            return [failure]
        log.warning(
            "committing %d %s together failed (%s); committing them in halves",
            len(items),
            what,
            type(failure).__name__,
        )
        middle = len(items) // 2
        return commit_isolating_failures(
            items[:middle], commit, log, what
        ) + commit_isolating_failures(items[middle:], commit, log, what)
    return list(results)
