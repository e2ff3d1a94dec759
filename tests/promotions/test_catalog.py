"""An account's promotions (catalog.py): stored specs, live code lists, statistics, drift."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select, update

from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from commerce_stats.promotions.catalog import Catalog, PromotionSummary
from commerce_stats.promotions.errors import InvalidFieldsError, PromotionNotFoundError
from commerce_stats.promotions.orders import OrderDraft, OrderLineDraft, Orders
from commerce_stats.promotions.specs import PromotionChanges, PromotionQuery
from commerce_stats.promotions.tables import promotion_codes
from commerce_stats.promotions.tables import promotions as promotions_table

MakeServiceAccount = Callable[..., tuple[Account, dict[str, str]]]


@pytest.fixture
def catalog(database: Database) -> Catalog:
    return Catalog(database)


def _coupon(codes: list[str], name: str = "Coupon") -> PromotionChanges:
    return PromotionChanges(
        promotion_type="coupon",
        promotion_name=name,
        date_from="2026-01-01T00:00:00+00:00",
        date_to="2026-12-31T00:00:00+00:00",
        coupon_type="reusable",
        coupon_codes=codes,
        discount_percent="10",
        product_ids=[1],
    )


def _order(order_id: str, codes: list[str]) -> OrderDraft:
    return OrderDraft(
        order_id=order_id,
        created_at="2026-05-01T10:00:00+00:00",
        coupon_codes=codes,
        products=[OrderLineDraft(product_id=1, quantity=1, price="10.00")],
    )


def _code_ids(database: Database, account_id: int) -> dict[str, int]:
    with database.read() as conn:
        rows = conn.execute(
            select(promotion_codes.c.coupon_code, promotion_codes.c.id)
            .where(promotion_codes.c.account_id == account_id)
            .where(promotion_codes.c.deleted.is_(False))
        )
        return {row.coupon_code: int(row.id) for row in rows}


def test_a_created_promotion_reads_back_the_same(
    catalog: Catalog, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    created = catalog.create(account, _coupon(["A", "B"]))
    assert catalog.get(account, created.id) == created
    assert created.coupon_codes == ["A", "B"]


def test_a_code_kept_by_a_change_keeps_its_id(
    catalog: Catalog, database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    created = catalog.create(account, _coupon(["A", "B"]))
    before = _code_ids(database, account.id)
    catalog.update(account, created.id, PromotionChanges(coupon_codes=["B", "C"]))
    after = _code_ids(database, account.id)
    assert after["B"] == before["B"]
    assert set(after) == {"B", "C"}


def test_a_refused_change_changes_nothing(
    catalog: Catalog, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    created = catalog.create(account, _coupon(["A"]))
    with pytest.raises(InvalidFieldsError):
        catalog.update(account, created.id, PromotionChanges(discount_percent="0"))
    assert catalog.get(account, created.id) == created


def test_another_accounts_promotion_is_not_found(
    catalog: Catalog, make_service_account: MakeServiceAccount
) -> None:
    owner, _ = make_service_account("Owner")
    other, _ = make_service_account("Other")
    created = catalog.create(owner, _coupon(["A"]))
    with pytest.raises(PromotionNotFoundError) as refused:
        catalog.get(other, created.id)
    assert refused.value.promotion_id == created.id
    with pytest.raises(PromotionNotFoundError):
        catalog.delete(other, created.id)
    assert catalog.get(owner, created.id) == created


def test_a_deleted_promotion_is_not_found_and_its_codes_are_deleted(
    catalog: Catalog, database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    created = catalog.create(account, _coupon(["A"]))
    catalog.delete(account, created.id)
    with pytest.raises(PromotionNotFoundError):
        catalog.get(account, created.id)
    assert _code_ids(database, account.id) == {}


def test_statistics_list_each_code_with_its_redemptions(
    catalog: Catalog, database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    created = catalog.create(account, _coupon(["A", "B"]))
    Orders(database).place(account, _order("O-1", ["B"]))
    ids = _code_ids(database, account.id)
    stats = catalog.statistics(account, created.id)
    assert stats.redemptions == 1
    assert stats.promotion_codes == [
        (ids["A"], "A", "reusable", 0),
        (ids["B"], "B", "reusable", 1),
    ]


def test_statistics_of_a_discount_that_never_had_codes_list_none(
    catalog: Catalog, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    changes = PromotionChanges(
        promotion_type="discount",
        promotion_name="D",
        date_from="2026-01-01T00:00:00+00:00",
        discount_percent="5",
        product_ids=[1],
    )
    created = catalog.create(account, changes)
    assert catalog.statistics(account, created.id).promotion_codes is None


def test_a_coupon_turned_discount_still_lists_its_redeemed_codes(
    catalog: Catalog, database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    created = catalog.create(account, _coupon(["A"]))
    Orders(database).place(account, _order("O-1", ["A"]))
    code_id = _code_ids(database, account.id)["A"]
    catalog.update(account, created.id, PromotionChanges(promotion_type="discount"))
    stats = catalog.statistics(account, created.id)
    assert stats.promotion_codes == [(code_id, "A", "reusable", 1)]


def test_summaries_include_deleted_promotions(
    catalog: Catalog, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    kept = catalog.create(account, _coupon(["A"], name="Kept"))
    gone = catalog.create(account, _coupon(["B"], name="Gone"))
    catalog.delete(account, gone.id)
    assert catalog.summaries(account.id) == [
        PromotionSummary(kept.id, "Kept", "coupon", True, False, 0),
        PromotionSummary(gone.id, "Gone", "coupon", True, True, 0),
    ]


def test_counter_drift_reports_a_counter_that_disagrees(
    catalog: Catalog, database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    created = catalog.create(account, _coupon(["A"]))
    Orders(database).place(account, _order("O-1", ["A"]))
    assert catalog.counter_drift(account.id) == []
    with database.write() as conn:
        conn.execute(
            update(promotions_table)
            .where(promotions_table.c.account_id == account.id)
            .values(redemptions=5)
        )
    assert catalog.counter_drift(account.id) == [f"promotion {created.id}: counter 5, ledger 1"]


def test_a_page_counts_every_match_and_lists_the_asked_slice(
    catalog: Catalog, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    ids = [catalog.create(account, _coupon([f"C{n}"], name=f"P{n}")).id for n in range(3)]
    page = catalog.page(account, PromotionQuery(limit=2, offset=1))
    assert (page.ids, page.total, page.limit, page.offset) == (ids[1:], 3, 2, 1)
