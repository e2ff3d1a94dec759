"""Service-level rules: racing orders on one-time codes, counters that match the ledger."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from sqlalchemy import update

from commerce_stats.accounts.service import Accounts
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.promotions.committer import GroupCommitter
from commerce_stats.promotions.errors import PromotionsError
from commerce_stats.promotions.service import (
    OrderBatch,
    OrderDraft,
    OrderLineDraft,
    OrderView,
    PromotionChanges,
    Promotions,
    discounted_minor,
    normalized_percent,
)
from commerce_stats.promotions.tables import promotions as promotions_table

RACERS = 32
MOMENT = "2026-05-01T10:00:00+00:00"
MakeServiceAccount = Callable[..., tuple[Account, dict[str, str]]]


@pytest.fixture
def service(database: Database, accounts: Accounts) -> Promotions:
    return Promotions(database, accounts)


def _promotion(
    service: Promotions,
    account: Account,
    products: list[int],
    percent: str,
    codes: list[str] | None = None,
    coupon_type: str = "reusable",
) -> int:
    changes = PromotionChanges(
        promotion_type="coupon" if codes else "discount",
        promotion_name="P",
        date_from="2026-01-01T00:00:00+00:00",
        date_to="2026-12-31T00:00:00+00:00",
        coupon_type=coupon_type if codes else None,
        coupon_codes=codes,
        discount_percent=percent,
        product_ids=products,
    )
    return service.create_promotion(account, changes).id


def _order(order_id: str, products: list[int], codes: list[str] | None = None) -> OrderDraft:
    return OrderDraft(
        order_id=order_id,
        created_at=MOMENT,
        coupon_codes=codes or [],
        products=[OrderLineDraft(product_id=p, quantity=1, price="10.00") for p in products],
    )


def _race(service: Promotions, account: Account, drafts: list[OrderDraft]) -> list[object]:
    """Places every draft at once from its own thread; returns each outcome."""
    outcomes: list[object] = [None] * len(drafts)
    barrier = threading.Barrier(len(drafts))

    def place(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = service.place_order(account, drafts[index])
        except PromotionsError as error:
            outcomes[index] = error

    threads = [threading.Thread(target=place, args=(i,)) for i in range(len(drafts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_one_time_code_is_redeemed_by_one_of_32_racing_orders(
    service: Promotions, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    promotion_id = _promotion(service, account, [1], "10", ["ONCE"], "one-time")
    drafts = [_order(f"O-{n}", [1], ["ONCE"]) for n in range(RACERS)]
    outcomes = _race(service, account, drafts)
    refused = [o for o in outcomes if isinstance(o, PromotionsError)]
    assert len(refused) == RACERS - 1
    assert all(error.status == 422 for error in refused)
    stats = service.statistics(account, promotion_id)
    assert stats.redemptions == 1
    assert stats.promotion_codes is not None
    assert [code[3] for code in stats.promotion_codes] == [1]
    assert service.counter_drift(account.id) == []


def test_reusable_code_counts_every_one_of_32_racing_orders(
    service: Promotions, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    promotion_id = _promotion(service, account, [1], "10", ["MANY"])
    drafts = [_order(f"O-{n}", [1], ["MANY"]) for n in range(RACERS)]
    outcomes = _race(service, account, drafts)
    assert not any(isinstance(o, PromotionsError) for o in outcomes)
    assert service.statistics(account, promotion_id).redemptions == RACERS
    assert service.counter_drift(account.id) == []


def test_racing_retries_of_one_order_record_it_once(
    service: Promotions, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    promotion_id = _promotion(service, account, [1], "10")
    outcomes = _race(service, account, [_order("SAME", [1]) for _ in range(8)])
    assert not any(isinstance(o, PromotionsError) for o in outcomes)
    assert service.statistics(account, promotion_id).redemptions == 1


def test_counters_match_the_ledger_after_mixed_traffic(
    service: Promotions, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    rng = random.Random(7)
    _promotion(service, account, [1, 2, 3], "10")
    _promotion(service, account, [2, 3, 4], "15", ["R1", "R2"])
    _promotion(service, account, [3, 4, 5], "20", [f"T{n}" for n in range(30)], "one-time")
    one_time = [f"T{n}" for n in range(30)]
    for number in range(60):
        products = rng.sample([1, 2, 3, 4, 5, 6], k=rng.randint(1, 5))
        codes = rng.sample(["R1", "R2"], k=rng.randint(0, 2))
        if one_time and rng.random() < 0.5:
            codes.append(one_time.pop())
        service.place_order(account, _order(f"O-{number}", products, codes))
    assert service.counter_drift(account.id) == []


def test_counter_drift_reports_a_counter_that_disagrees(
    service: Promotions, database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    promotion_id = _promotion(service, account, [1], "10")
    service.place_order(account, _order("O-1", [1]))
    with database.write() as conn:
        conn.execute(
            update(promotions_table)
            .where(promotions_table.c.account_id == account.id)
            .values(redemptions=5)
        )
    assert service.counter_drift(account.id) == [f"promotion {promotion_id}: counter 5, ledger 1"]


def test_account_without_the_feature_is_refused(
    service: Promotions, make_service_account: MakeServiceAccount
) -> None:
    _account, credentials = make_service_account(features=["affiliate"])
    pair = service.login(credentials["promotions_username"], credentials["promotions_password"])
    with pytest.raises(PromotionsError) as caught:
        service.authenticate(pair.token)
    assert caught.value.entries[0][0] == 11000


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10", "10"), ("10.50", "10.5"), ("100", "100"), ("0", None), ("100.01", None), ("x", None)],
)
def test_normalized_percent(text: str, expected: str | None) -> None:
    assert normalized_percent(text) == expected


@pytest.mark.parametrize(
    ("unit", "percent", "expected"),
    [(1999, "10", 1799), (20, "12.5", 18), (5, "10", 5), (15, "10", 14), (1000, "100", 0)],
)
def test_discounted_minor_rounds_half_up(unit: int, percent: str, expected: int) -> None:
    assert discounted_minor(unit, Decimal(percent)) == expected


@pytest.fixture
def batched(database: Database, accounts: Accounts) -> Iterator[Promotions]:
    committer = GroupCommitter(database, OrderBatch, (PromotionsError,))
    committer.start()
    yield Promotions(database, accounts, committer=committer)
    committer.stop()


def test_group_commit_keeps_one_time_codes_single_use(
    batched: Promotions, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    promotion_id = _promotion(batched, account, [1], "10", ["ONCE"], "one-time")
    _promotion(batched, account, [2], "10")
    drafts = [_order(f"O-{n}", [1, 2], ["ONCE"]) for n in range(RACERS)]
    drafts += [_order(f"P-{n}", [2]) for n in range(RACERS)]
    outcomes = _race(batched, account, drafts)
    refused = [o for o in outcomes if isinstance(o, PromotionsError)]
    assert len(refused) == RACERS - 1
    assert batched.statistics(account, promotion_id).redemptions == 1
    assert batched.counter_drift(account.id) == []
    placed = [o for o in outcomes if not isinstance(o, PromotionsError)]
    for view in placed:
        assert isinstance(view, OrderView)
        assert batched.get_order(account, view.order_id) == view


def test_group_committed_orders_are_readable_after_stop(
    database: Database, accounts: Accounts, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    committer = GroupCommitter(database, OrderBatch, (PromotionsError,))
    committer.start()
    service = Promotions(database, accounts, committer=committer)
    results: list[OrderView] = []
    threads = [
        threading.Thread(
            target=lambda n=n: results.append(service.place_order(account, _order(f"O-{n}", [1])))
        )
        for n in range(10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    committer.stop()
    direct = Promotions(database, accounts)
    assert sorted(direct.get_order(account, f"O-{n}").order_id for n in range(10)) == sorted(
        view.order_id for view in results
    )
