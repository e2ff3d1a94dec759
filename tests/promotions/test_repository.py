"""The promotions SQL (repository.py), run on the suite's backend (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from commerce_stats.accounts.service import AccountChanges, Accounts
from commerce_stats.db.engine import Database
from commerce_stats.kit.keys import hash_secret
from commerce_stats.kit.tenancy import Account
from commerce_stats.promotions import repository
from commerce_stats.promotions.catalog import Catalog
from commerce_stats.promotions.orders import OrderDraft, OrderLineDraft, Orders
from commerce_stats.promotions.specs import PromotionChanges
from commerce_stats.promotions.tokens import Tokens

MakeServiceAccount = Callable[..., tuple[Account, dict[str, str]]]
MAY_FIRST = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def _promotion(
    catalog: Catalog,
    account: Account,
    products: list[int],
    *,
    name: str = "P",
    codes: list[str] | None = None,
    coupon_type: str = "reusable",
    status: bool = True,
    date_from: str = "2026-01-01T00:00:00+00:00",
) -> int:
    changes = PromotionChanges(
        promotion_type="coupon" if codes else "discount",
        promotion_name=name,
        status=status,
        date_from=date_from,
        date_to="2026-12-31T00:00:00+00:00",
        coupon_type=coupon_type if codes else None,
        coupon_codes=codes,
        discount_percent="10",
        product_ids=products,
    )
    return catalog.create(account, changes).id


def test_allocated_ids_follow_on_per_account_and_sequence(
    database: Database, make_service_account: MakeServiceAccount
) -> None:
    first, _ = make_service_account("First")
    second, _ = make_service_account("Second")
    with database.write() as conn:
        assert repository.allocate_ids(conn, first.id, "test", 3) == [1, 2, 3]
        assert repository.allocate_ids(conn, first.id, "test", 2) == [4, 5]
        assert repository.allocate_ids(conn, first.id, "other", 1) == [1]
        assert repository.allocate_ids(conn, second.id, "test", 1) == [1]
        assert repository.allocate_ids(conn, first.id, "test", 0) == []


def test_eligible_promotions_are_the_running_active_live_ones_of_the_account(
    database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account("Mine")
    other, _ = make_service_account("Other")
    catalog = Catalog(database)
    running = _promotion(catalog, account, [1, 2])
    _promotion(catalog, account, [1], status=False)
    _promotion(catalog, account, [1], date_from="2026-06-01T00:00:00+00:00")
    deleted = _promotion(catalog, account, [1])
    catalog.delete(account, deleted)
    _promotion(catalog, account, [3])
    _promotion(catalog, other, [1])
    with database.read() as conn:
        rows = repository.eligible_promotions(conn, account.id, [1, 2], MAY_FIRST)
    assert sorted((row[0], row[1], row[2], row[3]) for row in rows) == [
        (1, running, "discount", "10"),
        (2, running, "discount", "10"),
    ]


def test_a_one_time_code_is_consumed_by_one_order_only(
    database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    _promotion(Catalog(database), account, [1], codes=["ONCE"], coupon_type="one-time")
    with database.write() as conn:
        (code,) = repository.live_codes_by_value(conn, account.id, ["ONCE"])
        assert repository.consume_one_time_code(conn, account.id, int(code.id), "O-1") is True
        assert repository.consume_one_time_code(conn, account.id, int(code.id), "O-2") is False
        assert repository.consume_one_time_code(conn, account.id, int(code.id), "O-1") is True


def test_live_codes_by_value_are_scoped_by_account(
    database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account("Mine")
    other, _ = make_service_account("Other")
    catalog = Catalog(database)
    _promotion(catalog, other, [1], codes=["SHARED"])
    with database.read() as conn:
        assert repository.live_codes_by_value(conn, account.id, ["SHARED"]) == []
        assert repository.live_codes_by_value(conn, account.id, []) == []


def test_statistics_codes_keep_deleted_codes_only_when_redeemed(
    database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    catalog = Catalog(database)
    promotion_id = _promotion(catalog, account, [1], codes=["A", "B", "C"])
    Orders(database).place(
        account,
        OrderDraft(
            order_id="O-1",
            created_at="2026-05-01T10:00:00+00:00",
            coupon_codes=["B"],
            products=[OrderLineDraft(product_id=1, quantity=1, price="1.00")],
        ),
    )
    catalog.update(account, promotion_id, PromotionChanges(coupon_codes=["A"]))
    with database.read() as conn:
        rows = repository.statistics_codes(conn, account.id, promotion_id)
    assert [(row[1], row[3]) for row in rows] == [("A", 0), ("B", 1)]
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)


def test_a_token_of_a_disabled_account_is_not_live(
    database: Database, accounts: Accounts, make_service_account: MakeServiceAccount
) -> None:
    account, credentials = make_service_account()
    pair = Tokens(database, accounts).login(
        credentials["promotions_username"], credentials["promotions_password"]
    )
    digest = hash_secret(pair.token)
    with database.read() as conn:
        found = repository.live_token(conn, digest, "access")
        assert found is not None
        assert found[0] == account.id
        assert repository.live_token(conn, digest, "refresh") is None
    accounts.update(account.id, AccountChanges(disabled=True))
    with database.read() as conn:
        assert repository.live_token(conn, digest, "access") is None


def test_a_search_matches_percent_and_underscore_literally(
    database: Database, make_service_account: MakeServiceAccount
) -> None:
    account, _ = make_service_account()
    catalog = Catalog(database)
    literal = _promotion(catalog, account, [1], name="50% off_now")
    _promotion(catalog, account, [1], name="500 offXnow")
    with database.read() as conn:
        ids, total = repository.list_promotion_ids(
            conn,
            account.id,
            limit=10,
            offset=0,
            status=None,
            expired_before=None,
            active_at=None,
            search="0% off_",
            sort_by_update=None,
        )
    assert (ids, total) == ([literal], 1)
