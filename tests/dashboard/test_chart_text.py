"""Texts handed to the chart library show as text: no link, no markup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from commerce_stats.accounts.service import Accounts
from commerce_stats.dashboard.chart_text import chart_text, escape_chart_spec
from commerce_stats.dashboard.charts import wrapped_label
from tests.dashboard.pages import PASSWORD, chart, sign_in

LINK_NAME = '<a href="/">x</a>'
LINK_CODE = '<a href="https://e.io">c</a>'
"""Short enough that the ranking charts show them whole (they shorten long names)."""


def test_markup_characters_become_entities() -> None:
    assert chart_text('<a href="https://example.com">x</a>') == (
        '&lt;a href="https://example.com"&gt;x&lt;/a&gt;'
    )


def test_ampersand_becomes_an_entity() -> None:
    assert chart_text("Tom & Jerry &amp;") == "Tom &amp; Jerry &amp;amp;"


def test_every_string_of_a_spec_is_escaped_but_templates() -> None:
    spec = {
        "traces": [
            {
                "name": "<b>n</b>",
                "y": ["<i>a</i>", 3],
                "customdata": ["1 & 2"],
                "hovertemplate": "%{y}<extra></extra>",
            }
        ],
        "layout": {"title": {"text": "<br>"}, "annotations": [{"text": "<sup>1</sup>"}]},
    }
    assert escape_chart_spec(spec) == {
        "traces": [
            {
                "name": "&lt;b&gt;n&lt;/b&gt;",
                "y": ["&lt;i&gt;a&lt;/i&gt;", 3],
                "customdata": ["1 &amp; 2"],
                "hovertemplate": "%{y}<extra></extra>",
            }
        ],
        "layout": {
            "title": {"text": "&lt;br&gt;"},
            "annotations": [{"text": "&lt;sup&gt;1&lt;/sup&gt;"}],
        },
    }


def _shop_with_link_names(make_shop: Callable[..., Any]) -> Any:
    shop = make_shop("Shop A")
    shop.promotion([1], codes=[LINK_CODE], name=LINK_NAME)
    assert shop.order("o1", [(1, 1, "100.00")], [LINK_CODE]).status_code == 201
    return shop


def test_promotions_page_hands_names_and_codes_over_escaped(
    client: TestClient, accounts: Accounts, make_shop: Callable[..., Any]
) -> None:
    shop = _shop_with_link_names(make_shop)
    sign_in(client, accounts, shop.account["id"], "shop")
    html = client.get("/promotions", params={"from": "2026-05-01", "to": "2026-05-01"}).text
    assert chart(html, "promotions-redemptions")["traces"][0]["y"] == [
        '&lt;a href="/"&gt;x&lt;/a&gt; (#1)'
    ]
    assert chart(html, "promotions-codes")["traces"][0]["y"] == [
        '&lt;a href="https://e.io"<br>&gt;c&lt;/a&gt;'
    ]


@pytest.mark.browser
def test_promotion_name_and_code_show_as_text_in_the_charts(
    browser: Browser, live_server: str, accounts: Accounts, make_shop: Callable[..., Any]
) -> None:
    shop = _shop_with_link_names(make_shop)
    accounts.set_dashboard_login(shop.account["id"], "shop", PASSWORD)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Username").fill("shop")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/promotions?from=2026-05-01&to=2026-05-01")
    for chart_id, label in (
        ("promotions-redemptions", f"{LINK_NAME} (#1)"),
        ("promotions-codes", LINK_CODE),
    ):
        drawn = page.get_by_test_id(chart_id)
        expect(drawn).to_have_attribute("data-state", "drawn")
        assert drawn.locator("svg a").count() == 0
        ticks = drawn.locator("g.ytick text").all_text_contents()
        assert ticks == [label]
    page.close()


def test_a_wrapped_label_keeps_its_line_breaks_and_escapes_its_text_once() -> None:
    spec = escape_chart_spec({"traces": [{"y": [wrapped_label("<b>Bold</b> & co " * 3)]}]})
    assert spec["traces"][0]["y"] == [
        "&lt;b&gt;Bold&lt;/b&gt; &amp; co<br>"
        "&lt;b&gt;Bold&lt;/b&gt; &amp; co<br>"
        "&lt;b&gt;Bold&lt;/b&gt; &amp; co"
    ]
