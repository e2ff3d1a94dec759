"""Demo clicks and views: the tracker's visitor hash and the reclick rule, decided on the
generated visitors."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from commerce_stats.affiliate.demo import Member
from commerce_stats.affiliate.demo_traffic import (
    USER_AGENTS,
    DemoVisitors,
    Origin,
    Touch,
    TrafficSource,
    make_touch,
    mark_net,
    unconverted_traffic,
)
from commerce_stats.affiliate.traffic_repository import TrafficKind

AT = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
MEMBER = Member(project_id=3, publisher_id=2, group_id=1)
ORIGIN = Origin("sidebar", 4, "https://publisher2.example/", "AT", USER_AGENTS[0])


def _touch(
    visitors: DemoVisitors, at: datetime, visitor: int | None = None, kind: TrafficKind = "clicks"
) -> Touch:
    return make_touch(visitors, kind, 7, 11, MEMBER, ORIGIN, at, visitor)


def test_a_touch_carries_the_trackers_columns() -> None:
    touch = _touch(DemoVisitors(b"k" * 32), AT)
    values = dict(touch.values)
    assert len(values.pop("visitor")) == 32
    assert values == {
        "account_id": 7,
        "campaign_id": 11,
        "publisher_id": 2,
        "project_id": 3,
        "subid": "sidebar",
        "admedia_id": 4,
        "created_at": AT,
        "referrer": "https://publisher2.example/",
        "country": "AT",
        "devicetype": "Desktop",
        "device": "",
        "browser": "Chrome",
        "os": "Windows",
        "user_agent": USER_AGENTS[0],
    }


def test_a_view_has_no_user_agent_column() -> None:
    touch = _touch(DemoVisitors(b"k" * 32), AT, kind="views")
    assert "user_agent" not in touch.values
    assert touch.values["browser"] == "Chrome"


def test_a_visitor_keeps_its_hash_within_a_day() -> None:
    visitors = DemoVisitors(b"k" * 32)
    first = _touch(visitors, AT)
    later = _touch(visitors, AT + timedelta(hours=3), first.visitor)
    assert later.values["visitor"] == first.values["visitor"]


def test_a_visitors_hash_changes_with_the_day() -> None:
    visitors = DemoVisitors(b"k" * 32)
    first = _touch(visitors, AT)
    tomorrow = _touch(visitors, AT + timedelta(days=1), first.visitor)
    assert tomorrow.values["visitor"] != first.values["visitor"]


def test_two_visitors_have_two_hashes() -> None:
    visitors = DemoVisitors(b"k" * 32)
    assert _touch(visitors, AT).values["visitor"] != _touch(visitors, AT).values["visitor"]


def test_another_key_makes_other_hashes() -> None:
    first = _touch(DemoVisitors(b"k" * 32), AT).values["visitor"]
    assert _touch(DemoVisitors(b"x" * 32), AT).values["visitor"] != first


def test_a_repeat_within_four_hours_is_not_net() -> None:
    visitors = DemoVisitors(b"k" * 32)
    first = _touch(visitors, AT)
    repeat = _touch(visitors, AT + timedelta(hours=3, minutes=59), first.visitor)
    mark_net([repeat, first])
    assert (first.values["net"], repeat.values["net"]) == (1, 0)


def test_a_repeat_four_hours_later_is_net_again() -> None:
    visitors = DemoVisitors(b"k" * 32)
    first = _touch(visitors, AT)
    repeat = _touch(visitors, AT + timedelta(hours=4), first.visitor)
    mark_net([first, repeat])
    assert (first.values["net"], repeat.values["net"]) == (1, 1)


def test_a_repeat_of_an_uncounted_click_is_not_net() -> None:
    """The window runs from the visitor's last click, counted or not, as in the tracker."""
    visitors = DemoVisitors(b"k" * 32)
    first = _touch(visitors, AT)
    second = _touch(visitors, AT + timedelta(hours=3), first.visitor)
    third = _touch(visitors, AT + timedelta(hours=6), first.visitor)
    mark_net([first, second, third])
    assert [touch.values["net"] for touch in (first, second, third)] == [1, 0, 0]


def test_a_view_does_not_make_a_click_a_repeat() -> None:
    visitors = DemoVisitors(b"k" * 32)
    view = _touch(visitors, AT, kind="views")
    click = _touch(visitors, AT + timedelta(minutes=5), view.visitor)
    mark_net([view, click])
    assert (view.values["net"], click.values["net"]) == (1, 1)


def test_another_visitor_is_net() -> None:
    visitors = DemoVisitors(b"k" * 32)
    first = _touch(visitors, AT)
    other = _touch(visitors, AT + timedelta(minutes=5))
    mark_net([first, other])
    assert (first.values["net"], other.values["net"]) == (1, 1)


def _source() -> TrafficSource:
    members = [MEMBER, Member(project_id=4, publisher_id=5, group_id=1)]
    return TrafficSource(7, 11, members, (3, 1), (0, 1, 2), (1,))


def test_unconverted_traffic_is_seeded() -> None:
    def made() -> list[dict[str, object]]:
        touches = unconverted_traffic(
            _source(), DemoVisitors(b"k" * 32), random.Random(3), {"clicks": 50}, AT, 5
        )
        return [touch.values for touch in touches]

    assert made() == made()


def test_unconverted_traffic_has_one_touch_per_visitor_plus_repeats() -> None:
    touches = unconverted_traffic(
        _source(), DemoVisitors(b"k" * 32), random.Random(3), {"clicks": 200, "views": 300}, AT, 5
    )
    counts = {kind: sum(touch.kind == kind for touch in touches) for kind in ("clicks", "views")}
    assert counts == {"clicks": 229, "views": 377}
    assert len({touch.visitor for touch in touches}) == 500


def test_unconverted_traffic_lies_in_the_days_before_the_end() -> None:
    touches = unconverted_traffic(
        _source(), DemoVisitors(b"k" * 32), random.Random(3), {"views": 300}, AT, 5
    )
    assert all(AT - timedelta(days=5) < touch.at < AT for touch in touches)


def test_views_name_only_the_viewed_admedia() -> None:
    touches = unconverted_traffic(
        _source(), DemoVisitors(b"k" * 32), random.Random(3), {"views": 300}, AT, 5
    )
    assert {touch.values["admedia_id"] for touch in touches} == {1}
