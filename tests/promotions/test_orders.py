"""Order intake (orders.py): racing orders on one-time codes, retries, group commit,
counters that match the ledger."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from commerce_stats.accounts.service import Accounts
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.promotions.committer import GroupCommitter
from commerce_stats.promotions.errors import (
    CodeAlreadyUsedError,
    CodeNotValidError,
    InvalidFieldsError,
    OrderConflictError,
    OrderNotFoundError,
    PromotionsError,
)
from commerce_stats.promotions.orders import (
    OrderBatch,
    OrderDraft,
    OrderLineDraft,
    OrderView,
    checked_order,
)
from commerce_stats.promotions.pricing import OrderLine
from commerce_stats.promotions.service import Promotions
from commerce_stats.promotions.specs import PromotionChanges
from commerce_stats.promotions.tables import promo_redemptions

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
    return service.catalog.create(account, changes).id


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
            outcomes[index] = service.orders.place(account, drafts[index])
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
    assert all(isinstance(error, CodeAlreadyUsedError) for error in refused)
    stats = service.catalog.statistics(account, promotion_id)
    assert stats.redemptions == 1
    assert stats.promotion_codes is not None
    assert [code[3] for code in stats.promotion_codes] == [1]
    assert service.catalog.counter_drift(account.id) == []


def test_reusable_code_counts_every_one_of_32_racing_orders(
    service: Promotions, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    promotion_id = _promotion(service, account, [1], "10", ["MANY"])
    drafts = [_order(f"O-{n}", [1], ["MANY"]) for n in range(RACERS)]
    outcomes = _race(service, account, drafts)
    assert not any(isinstance(o, PromotionsError) for o in outcomes)
    assert service.catalog.statistics(account, promotion_id).redemptions == RACERS
    assert service.catalog.counter_drift(account.id) == []


def test_racing_retries_of_one_order_record_it_once(
    service: Promotions, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    promotion_id = _promotion(service, account, [1], "10")
    outcomes = _race(service, account, [_order("SAME", [1]) for _ in range(8)])
    assert not any(isinstance(o, PromotionsError) for o in outcomes)
    assert service.catalog.statistics(account, promotion_id).redemptions == 1


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
        service.orders.place(account, _order(f"O-{number}", products, codes))
    assert service.catalog.counter_drift(account.id) == []


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
    assert batched.catalog.statistics(account, promotion_id).redemptions == 1
    assert batched.catalog.counter_drift(account.id) == []
    placed = [o for o in outcomes if not isinstance(o, PromotionsError)]
    for view in placed:
        assert isinstance(view, OrderView)
        assert batched.orders.get(account, view.order_id) == view


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
            target=lambda n=n: results.append(service.orders.place(account, _order(f"O-{n}", [1])))
        )
        for n in range(10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    committer.stop()
    direct = Promotions(database, accounts)
    assert sorted(direct.orders.get(account, f"O-{n}").order_id for n in range(10)) == sorted(
        view.order_id for view in results
    )


def _ledger_rows(database: Database) -> int:
    with database.read() as conn:
        return int(conn.execute(select(func.count()).select_from(promo_redemptions)).scalar_one())


def test_checked_order_turns_prices_into_minor_units() -> None:
    draft = OrderDraft(
        order_id=" A-1 ",
        created_at=MOMENT,
        currency="jpy",
        coupon_codes=[" X ", "X"],
        products=[OrderLineDraft(product_id=5, quantity=2, price="1500")],
    )
    checked = checked_order(draft)
    assert checked.order_id == "A-1"
    assert checked.currency == "JPY"
    assert checked.created_at == datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    assert checked.lines == [OrderLine(5, 2, 1500)]
    assert checked.coupon_codes == ["X"]


def test_checked_order_names_every_invalid_field() -> None:
    draft = OrderDraft(
        order_id="",
        created_at="yesterday",
        currency="EURO",
        products=[OrderLineDraft(product_id=0, quantity=0, price="1.001")],
    )
    with pytest.raises(InvalidFieldsError) as refused:
        checked_order(draft)
    assert refused.value.names == [
        "order_id",
        "currency",
        "created_at",
        "product_id",
        "quantity",
        "price",
    ]


def test_the_same_body_has_the_same_fingerprint_and_another_body_another() -> None:
    same = checked_order(_order("A", [1])).fingerprint
    assert checked_order(_order("A", [1])).fingerprint == same
    assert checked_order(_order("A", [2])).fingerprint != same


def test_a_retry_gets_the_same_answer_and_counts_once(
    service: Promotions, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    promotion_id = _promotion(service, account, [1], "10")
    first = service.orders.place(account, _order("O-1", [1]))
    assert service.orders.place(account, _order("O-1", [1])) == first
    assert service.catalog.statistics(account, promotion_id).redemptions == 1


def test_a_known_order_id_with_another_body_is_a_conflict_that_writes_nothing(
    service: Promotions, database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    _promotion(service, account, [1, 2], "10")
    first = service.orders.place(account, _order("O-1", [1]))
    before = _ledger_rows(database)
    with pytest.raises(OrderConflictError) as refused:
        service.orders.place(account, _order("O-1", [2]))
    assert refused.value.order_id == "O-1"
    assert _ledger_rows(database) == before
    assert service.orders.get(account, "O-1") == first


def test_an_unknown_code_refuses_the_order_and_writes_nothing(
    service: Promotions, database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    _promotion(service, account, [1], "10", ["REAL"])
    with pytest.raises(CodeNotValidError):
        service.orders.place(account, _order("O-1", [1], ["FAKE"]))
    assert _ledger_rows(database) == 0
    with pytest.raises(OrderNotFoundError):
        service.orders.get(account, "O-1")


def test_an_order_is_priced_with_the_best_promotion_per_line(
    service: Promotions, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    low = _promotion(service, account, [1, 2], "10")
    high = _promotion(service, account, [2], "25", ["BIG"])
    view = service.orders.place(account, _order("O-1", [1, 2], ["BIG"]))
    assert [(line.promotion_id, line.discounted_price) for line in view.products] == [
        (low, "9.00"),
        (high, "7.50"),
    ]
    assert view.products[1].coupon_code == "BIG"
    assert view.total == "16.50"


def test_a_status_change_keeps_the_ledger(
    service: Promotions, database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    _promotion(service, account, [1], "10")
    service.orders.place(account, _order("O-1", [1]))
    before = _ledger_rows(database)
    assert service.orders.set_status(account, "O-1", "paid").status == "paid"
    assert _ledger_rows(database) == before


def test_an_unknown_status_is_an_invalid_field(
    service: Promotions, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    _promotion(service, account, [1], "10")
    service.orders.place(account, _order("O-1", [1]))
    with pytest.raises(InvalidFieldsError) as refused:
        service.orders.set_status(account, "O-1", "shipped")
    assert refused.value.names == ["status"]
    assert service.orders.get(account, "O-1").status == "unpaid"
