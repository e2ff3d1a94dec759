"""The overview page: one block per feature the account has, in navigation order, each
block the feature page's own key figures and trend over the default period."""

from __future__ import annotations

from collections.abc import Callable

from commerce_stats.dashboard.overview import overview_page
from commerce_stats.dashboard.pages import DEFAULT_DAYS
from commerce_stats.dashboard.video_page import video_page
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account
from tests.dashboard.cards import cards

AccountMaker = Callable[..., tuple[Account, dict[str, str]]]


def test_every_feature_has_a_block_in_navigation_order(
    database: Database, make_service_account: AccountMaker
) -> None:
    account, _credentials = make_service_account("All")

    page = overview_page(database, account)

    assert [block.chart_id for block in page.blocks] == [
        "overview-video-trend",
        "overview-affiliate-trend",
        "overview-promotions-trend",
    ]


def test_only_the_accounts_features_have_a_block(
    database: Database, make_service_account: AccountMaker
) -> None:
    account, _credentials = make_service_account("Promo", features=["promotions"])

    page = overview_page(database, account)

    assert [block.section.key for block in page.blocks] == ["promotions"]


def test_overview_covers_the_default_period(
    database: Database, make_service_account: AccountMaker
) -> None:
    account, _credentials = make_service_account("Video", features=["video_ecommerce"])

    assert overview_page(database, account).days == DEFAULT_DAYS == 30


def test_video_block_shows_the_video_pages_figures(
    database: Database, make_service_account: AccountMaker
) -> None:
    account, _credentials = make_service_account("Video", features=["video_ecommerce"])

    block = overview_page(database, account).blocks[0]

    assert cards(block.kpis) == cards(video_page(database, account, {}).kpis)


def test_an_account_without_events_shows_zero_views(
    database: Database, make_service_account: AccountMaker
) -> None:
    account, _credentials = make_service_account("Video", features=["video_ecommerce"])

    block = overview_page(database, account).blocks[0]

    assert cards(block.kpis)["Icon views"][0] == "0"
