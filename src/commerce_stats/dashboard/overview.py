"""The overview: each feature's trend and key figures over the last 30 days."""

from __future__ import annotations

from dataclasses import dataclass

from commerce_stats.dashboard.affiliate_page import affiliate_page
from commerce_stats.dashboard.charts import ChartSpec
from commerce_stats.dashboard.figures import Kpi
from commerce_stats.dashboard.pages import DEFAULT_DAYS, Section, sections_of
from commerce_stats.dashboard.promotions_page import promotions_page
from commerce_stats.dashboard.video_page import video_page
from commerce_stats.db.engine import Database
from commerce_stats.kit.tenancy import Account


@dataclass(frozen=True, slots=True)
class OverviewBlock:
    """One feature's part of the overview."""

    section: Section
    kpis: list[Kpi]
    trend: ChartSpec
    chart_id: str


@dataclass(frozen=True, slots=True)
class OverviewPage:
    blocks: list[OverviewBlock]
    days: int


def _block(database: Database, account: Account, section: Section) -> OverviewBlock:
    chart_id = f"overview-{section.key}-trend"
    if section.key == "video":
        video = video_page(database, account, {})
        return OverviewBlock(section, video.kpis, video.trend, chart_id)
    if section.key == "affiliate":
        affiliate = affiliate_page(database, account, {})
        return OverviewBlock(section, affiliate.kpis, affiliate.trend, chart_id)
    promotions = promotions_page(database, account, {})
    return OverviewBlock(section, promotions.kpis, promotions.trend, chart_id)


def overview_page(database: Database, account: Account) -> OverviewPage:
    """Trend lines and key figures of each feature the account has, over the last 30 days,
    each figure compared with the 30 days before."""
    return OverviewPage(
        [_block(database, account, section) for section in sections_of(account)], DEFAULT_DAYS
    )
