"""House rules that import-linter cannot express, checked over the source text.

The import contracts themselves run in ``make lint`` (``.importlinter``); these tests
hold the rules about what a module may *say*: HTTP statuses only where a surface
renders its refusals, and the dashboard reading each domain through its figures.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "commerce_stats"
DOMAINS = ("accounts", "video", "affiliate", "promotions", "dashboard")
HTTP_ROLES = {"routes.py", "http_errors.py", "schemas.py"}
"""The files of a domain that speak HTTP: handlers, the status tables, the wire docs."""
STATUS_LITERAL = re.compile(r"\bstatus(?:_code)?\s*=\s*[1-5]\d\d\b|Retry-After")


def _domain_rule_modules() -> list[Path]:
    return sorted(
        path
        for domain in DOMAINS
        for path in (SOURCE / domain).glob("*.py")
        if path.name not in HTTP_ROLES
    )


def test_domain_rules_name_no_http_status() -> None:
    offenders = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in _domain_rule_modules()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if STATUS_LITERAL.search(line)
    ]
    assert offenders == [], "\n".join(offenders)


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_dashboard_reads_each_domain_only_through_its_figures() -> None:
    seed_domains = ("video", "affiliate", "promotions")
    offenders = sorted(
        f"{path.relative_to(SOURCE)} imports {module}"
        for path in (SOURCE / "dashboard").glob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[:2] in [["commerce_stats", domain] for domain in seed_domains]
        and module not in {f"commerce_stats.{domain}.figures" for domain in seed_domains}
    )
    assert offenders == [], "\n".join(offenders)


def test_the_rule_scan_sees_every_domain() -> None:
    scanned = {path.parent.name for path in _domain_rule_modules()}
    assert scanned == set(DOMAINS)
