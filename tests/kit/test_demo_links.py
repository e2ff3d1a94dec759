"""Demo links: ``{base}`` stands for the server's address, replaced as plain text."""

from __future__ import annotations

from commerce_stats.kit.demo_links import DemoLink


def test_base_is_replaced_in_the_target() -> None:
    link = DemoLink("Report", "{base}/prod/get_ecommerce_reports?x=1")

    assert link.resolved("http://127.0.0.1:8000") == DemoLink(
        "Report", "http://127.0.0.1:8000/prod/get_ecommerce_reports?x=1"
    )


def test_json_braces_in_a_command_are_kept() -> None:
    link = DemoLink("Post", """curl -d '{"type": "x"}' {base}/prod/events""")

    assert (
        link.resolved("http://h:1").target == """curl -d '{"type": "x"}' http://h:1/prod/events"""
    )


def test_resolving_leaves_the_original_link_unchanged() -> None:
    link = DemoLink("Home", "{base}/")
    link.resolved("http://h:1")

    assert link.target == "{base}/"
