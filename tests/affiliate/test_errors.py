"""The affiliate refusals carry what failed, not how a surface answers it."""

from __future__ import annotations

from commerce_stats.affiliate.errors import (
    ForbiddenTransitionError,
    ItemNotFoundError,
    NoPermissionError,
    TooManyAttemptsError,
    WrongCurrencyError,
)
from commerce_stats.affiliate.rules import CONFIRMED, OPEN


def test_no_permission_says_the_seeds_words() -> None:
    assert NoPermissionError().message == "NO PERMISSION"


def test_too_many_attempts_keeps_when_to_retry() -> None:
    assert TooManyAttemptsError(30).retry_after == 30


def test_item_not_found_names_the_item() -> None:
    error = ItemNotFoundError("publisher", 12)
    assert (error.what, error.item_id, error.message) == ("publisher", 12, "publisher 12 not found")


def test_forbidden_transition_keeps_both_statuses() -> None:
    error = ForbiddenTransitionError(CONFIRMED, OPEN, "a confirmed transaction cannot be reopened")
    assert (error.from_status, error.to_status) == (CONFIRMED, OPEN)


def test_wrong_currency_names_the_campaigns_currency() -> None:
    assert WrongCurrencyError("EUR").message == "currency must be the campaign's currency (EUR)"


def test_no_refusal_carries_an_http_status() -> None:
    assert not hasattr(NoPermissionError(), "status")
