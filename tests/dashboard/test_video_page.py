"""The video commerce page's key figures against the previous period (known data, real APIs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from commerce_stats.accounts.service import Accounts
from commerce_stats.dashboard.video_page import video_page
from commerce_stats.db.engine import Database
from tests.dashboard.cards import cards
from tests.dashboard.pages import load_video_events


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
    assert cards(content.kpis) == {
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
    hides = next(kpi for kpi in content.kpis if kpi.label == "Hides")
    assert hides.change is not None
    assert (hides.change.direction, hides.change.better) == ("down", True)
