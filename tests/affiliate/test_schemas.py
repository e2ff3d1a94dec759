"""The affiliate upload answers: counts of an applied upload, rows of a refused one."""

from __future__ import annotations

from commerce_stats.affiliate.errors import RowError
from commerce_stats.affiliate.schemas import upload_counts, upload_errors
from commerce_stats.affiliate.upload import Counts


def test_applied_upload_answers_its_counts() -> None:
    answer = upload_counts(Counts(created=2, updated=1, unchanged=7))

    assert answer.model_dump() == {"status": "ok", "created": 2, "updated": 1, "unchanged": 7}


def test_refused_upload_lists_every_row_error() -> None:
    answer = upload_errors(
        "2 rows refused; nothing was applied",
        [RowError(2, "amount", "not a number"), RowError(5, "status", "unknown status")],
    )

    assert answer == {
        "status": "error",
        "message": "2 rows refused; nothing was applied",
        "errors": [
            {"row": 2, "column": "amount", "reason": "not a number"},
            {"row": 5, "column": "status", "reason": "unknown status"},
        ],
    }
