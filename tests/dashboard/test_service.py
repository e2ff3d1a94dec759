"""Dashboard rules: sessions, CSRF tokens, the picker; key figures against the previous period."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commerce_stats.accounts.service import AccountChanges, Accounts
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.config import Settings
from commerce_stats.dashboard.figures import Kpi
from commerce_stats.dashboard.service import (
    DashboardError,
    Session,
    SessionCodec,
    affiliate_page,
    choose_account,
    csrf_matches,
    promotions_page,
    session_secret,
    sign_in_with_password,
    video_page,
    viewed_account,
)
from commerce_stats.db.engine import Database
from commerce_stats.kit.ratelimit import MemoryFailureLimiter
from commerce_stats.kit.timeutil import local_today
from tests.affiliate.conftest import Network
from tests.dashboard.pages import load_affiliate, load_video_events
from tests.promotions.conftest import Shop


def test_session_round_trips() -> None:
    codec = SessionCodec("secret", 3600)
    session = Session(csrf="c", admin=False, account_id=3, login_version=2)
    assert codec.load(codec.dump(session)) == session


def test_tampered_session_is_refused() -> None:
    codec = SessionCodec("secret", 3600)
    value = codec.dump(Session(csrf="c", account_id=3, login_version=1))
    assert codec.load(value[:-2] + "xx") is None


def test_session_signed_with_another_key_is_refused() -> None:
    value = SessionCodec("one", 3600).dump(Session(csrf="c", account_id=3))
    assert SessionCodec("two", 3600).load(value) is None


def test_expired_session_is_refused() -> None:
    codec = SessionCodec("secret", -1)
    assert codec.load(codec.dump(Session(csrf="c", account_id=3))) is None


def test_sign_in_token_must_match_its_cookie() -> None:
    codec = SessionCodec("secret", 3600)
    cookie, token = codec.new_sign_in_token()
    assert codec.sign_in_token_matches(cookie, token)
    assert not codec.sign_in_token_matches(cookie, token + "x")
    assert not codec.sign_in_token_matches(None, token)


def test_csrf_needs_the_session_token() -> None:
    session = Session(csrf="abc")
    assert csrf_matches(session, "abc")
    assert not csrf_matches(session, "abd")
    assert not csrf_matches(session, None)


def test_session_secret_is_derived_from_the_admin_token() -> None:
    one = session_secret(Settings(admin_token="a"))
    assert one == session_secret(Settings(admin_token="a"))
    assert one != session_secret(Settings(admin_token="b"))
    assert session_secret(Settings(admin_token="a", session_secret="explicit")) == "explicit"


def test_password_sign_in_opens_a_session_on_the_account(accounts: Accounts) -> None:
    account, _ = accounts.create("Acme")
    accounts.set_dashboard_login(account.id, "acme", "long enough password")
    session = sign_in_with_password(
        accounts,
        MemoryFailureLimiter(5, 60),
        "acme",
        "long enough password",
        "1.2.3.4",
        timedelta(hours=1),
    )
    assert (session.account_id, session.admin, session.login_version) == (account.id, False, 1)


def test_wrong_password_is_refused_and_counted(accounts: Accounts) -> None:
    account, _ = accounts.create("Acme")
    accounts.set_dashboard_login(account.id, "acme", "long enough password")
    failures = MemoryFailureLimiter(5, 60)
    with pytest.raises(DashboardError, match="Wrong username or password"):
        sign_in_with_password(
            accounts, failures, "acme", "wrong password!!", "1.2.3.4", timedelta(hours=1)
        )
    assert failures.count("dashboard.sign_in:name:acme") == 1
    assert failures.count("dashboard.sign_in:client:1.2.3.4") == 1


def test_password_change_ends_older_sessions(accounts: Accounts) -> None:
    account, _ = accounts.create("Acme")
    accounts.set_dashboard_login(account.id, "acme", "long enough password")
    session = Session(csrf="c", account_id=account.id, login_version=1)
    assert viewed_account(accounts, session) is not None
    accounts.set_dashboard_login(account.id, "acme", "another long password")
    assert viewed_account(accounts, session) is None


def test_disabling_ends_user_sessions(accounts: Accounts) -> None:
    account, _ = accounts.create("Acme")
    accounts.set_dashboard_login(account.id, "acme", "long enough password")
    session = Session(csrf="c", account_id=account.id, login_version=1)
    assert viewed_account(accounts, session) is not None
    accounts.update(account.id, AccountChanges(disabled=True))
    assert viewed_account(accounts, session) is None


def test_only_admins_may_switch_accounts(accounts: Accounts) -> None:
    first, _ = accounts.create("One")
    second, _ = accounts.create("Two")
    user = Session(csrf="c", account_id=first.id, login_version=1)
    with pytest.raises(DashboardError, match="Only the admin"):
        choose_account(accounts, user, str(second.id))
    admin = Session(csrf="c", admin=True)
    assert choose_account(accounts, admin, str(second.id)).account_id == second.id


# -- key figures against the previous period, totals by status (known data, real APIs) --------


def _cards(kpis: list[Kpi]) -> dict[str, tuple[str, str | None, str | None]]:
    """label -> (value, change text, previous value)."""
    return {
        kpi.label: (
            kpi.value,
            kpi.change.text if kpi.change else None,
            kpi.change.previous if kpi.change else None,
        )
        for kpi in kpis
    }


def test_video_figures_are_compared_with_the_previous_period(
    client: TestClient,
    database: Database,
    accounts: Accounts,
    video_account: Callable[..., dict[str, Any]],
) -> None:
    body = video_account("Acme")
    load_video_events(client, body)
    account = accounts.get(body["id"])
    content = video_page(database, account, {"from": "2022-10-15", "to": "2022-10-15"})
    assert _cards(content["kpis"]) == {
        "Icon views": ("1,200", "▲ 23,900.0 %", "5"),
        "Clicks": ("300", "▲ 29,900.0 %", "1"),
        "Hides": ("0", "▼ 100.0 %", "1"),
        "Click-through rate": ("25.00 %", "▲ 25.0 %", "20.00 %"),
        "Bar shown": ("0", "▼ 100.0 %", "1"),
        "Bar hidden": ("1", "▲ new", "0"),
    }


def test_fewer_hides_than_before_is_better(
    client: TestClient,
    database: Database,
    accounts: Accounts,
    video_account: Callable[..., dict[str, Any]],
) -> None:
    body = video_account("Acme")
    load_video_events(client, body)
    content = video_page(
        database, accounts.get(body["id"]), {"from": "2022-10-15", "to": "2022-10-15"}
    )
    hides = next(kpi for kpi in content["kpis"] if kpi.label == "Hides")
    assert hides.change is not None
    assert (hides.change.direction, hides.change.better) == ("down", True)


def test_affiliate_figures_are_compared_with_the_previous_period(
    database: Database, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    load_affiliate(network, convert)
    account = accounts.get(network.account_id)
    tomorrow = (local_today(account.timezone) + timedelta(days=1)).isoformat()
    content = affiliate_page(
        AffiliateNetwork(database, accounts), account, {"from": tomorrow, "to": tomorrow}
    )
    assert _cards(content["kpis"]) == {
        "Transactions": ("0", "▼ 100.0 %", "2"),
        "Canceled transactions": ("0", "= 0.0 %", "0"),
        "Turnover": ("0.00 EUR", "▼ 100.0 %", "3,234.50 EUR"),
        "Canceled turnover": ("0.00 EUR", "= 0.0 %", "0.00 EUR"),
        "Commission": ("0.00 EUR", "▼ 100.0 %", "423.45 EUR"),
        "Canceled commission": ("0.00 EUR", "= 0.0 %", "0.00 EUR"),
    }


def test_affiliate_totals_leave_canceled_transactions_apart(
    client: TestClient,
    database: Database,
    accounts: Accounts,
    network: Network,
    convert: Callable[..., int],
    admin_headers: dict[str, str],
) -> None:
    load_affiliate(network, convert)
    rows = csv.DictReader(io.StringIO(client.get(network.export_url()).text), delimiter=";")
    otto = next(row for row in rows if row["ordertoken"] == "order-2")
    canceled = client.post(
        f"{network.admin}/transactions/{otto['id']}/cancel",
        json={"cancel_reason": "returned"},
        headers=admin_headers,
    )
    assert canceled.status_code == 200, canceled.text
    account = accounts.get(network.account_id)
    content = affiliate_page(AffiliateNetwork(database, accounts), account, {})
    cards = {kpi.label: (kpi.value, kpi.detail) for kpi in content["kpis"]}
    assert cards == {
        "Transactions": ("1", "open 1 · confirmed 0 · paid 0"),
        "Canceled transactions": ("1", ""),
        "Turnover": ("1,234.50 EUR", "open 1,234.50 · confirmed 0.00 · paid 0.00"),
        "Canceled turnover": ("2,000.00 EUR", ""),
        "Commission": ("123.45 EUR", "open 123.45 · confirmed 0.00 · paid 0.00"),
        "Canceled commission": ("300.00 EUR", ""),
    }
    otto_row = next(row for row in content["top_publishers"] if row["label"] == "Otto Klein")
    assert (otto_row["transactions"], otto_row["turnover"], otto_row["canceled"]) == (
        "0",
        "0.00 EUR",
        "2,000.00 EUR",
    )


def test_promotion_orders_are_compared_with_the_previous_period(
    database: Database, accounts: Accounts, make_shop: Callable[..., Shop]
) -> None:
    shop = make_shop("Shop A")
    shop.promotion([1], codes=["SAVE10"], name="Coupon ten")
    for order_id in ("o1", "o2"):
        assert shop.order(order_id, [(1, 1, "100.00")], ["SAVE10"]).status_code == 201
    account = accounts.get(shop.account["id"])
    content = promotions_page(database, account, {"from": "2026-05-02", "to": "2026-05-02"})
    assert _cards(content["kpis"]) == {
        "Promotions": ("1", None, None),
        "Redemptions (all time)": ("2", None, None),
        "Orders": ("0", "▼ 100.0 %", "2"),
        "Order total (EUR)": ("0.00 EUR", "▼ 100.0 %", "180.00 EUR"),
    }


def test_a_bad_filter_keeps_the_default_figures_and_names_the_field(
    database: Database, accounts: Accounts, network: Network, convert: Callable[..., int]
) -> None:
    load_affiliate(network, convert)
    account = accounts.get(network.account_id)
    content = affiliate_page(AffiliateNetwork(database, accounts), account, {"status": "lost"})
    assert (content["error"].field, content["error"].message) == (
        "status",
        "Status must be open, confirmed, canceled or paid.",
    )
    assert content["filters"].status is None
    assert _cards(content["kpis"])["Transactions"][0] == "2"
