"""``commerce-stats promotions list / stats / check-counters`` on the test database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from typer.testing import CliRunner, Result

from commerce_stats.cli import app
from commerce_stats.config import Settings
from tests.promotions.conftest import Shop


@pytest.fixture
def run(settings: Settings) -> Callable[..., Result]:
    env = {"COMMERCE_STATS_DATABASE_URL": settings.database_url}

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(app, ["promotions", *args], env=env)

    return invoke


def _table_rows(result: Result) -> list[list[str]]:
    """The body rows of the printed table, cell by cell."""
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in result.output.splitlines()
        if line.startswith("│")
    ]


def test_list_shows_each_promotion_with_its_redemptions(
    run: Callable[..., Result], shop: Shop
) -> None:
    promotion_id = shop.promotion([11], name="Spring")

    listed = run("list", str(shop.account["id"]))

    assert listed.exit_code == 0, listed.output
    assert _table_rows(listed) == [[str(promotion_id), "Spring", "discount", "True", "False", "0"]]


def test_list_of_another_account_does_not_show_the_promotion(
    run: Callable[..., Result], make_shop: Callable[..., Shop]
) -> None:
    first, second = make_shop("One"), make_shop("Two")
    first.promotion([11], name="OnlyMine")

    listed = run("list", str(second.account["id"]))

    assert listed.exit_code == 0, listed.output
    assert "OnlyMine" not in listed.output


def test_unknown_account_exits_with_an_error(run: Callable[..., Result]) -> None:
    listed = run("list", "987654")

    assert listed.exit_code == 1
    assert "account 987654 not found" in listed.output


def test_stats_lists_the_coupon_codes(run: Callable[..., Result], shop: Shop) -> None:
    promotion_id = shop.promotion([11], codes=["SPRING10"])

    shown = run("stats", str(shop.account["id"]), str(promotion_id))

    assert shown.exit_code == 0, shown.output
    assert f"Promotion {promotion_id}: 0 redemption(s)" in shown.output
    assert "SPRING10" in shown.output


def test_counters_of_a_new_account_match_the_ledger(run: Callable[..., Result], shop: Shop) -> None:
    shop.promotion([11])

    checked = run("check-counters", str(shop.account["id"]))

    assert checked.exit_code == 0, checked.output
    assert "Every counter matches the redemption ledger." in checked.output
