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


# Tests mirror files -------------------------------------------------------------------------

TESTS = Path(__file__).resolve().parent
WITHOUT_OWN_TEST_MODULE = {
    "db/migrations/": "revisions and Alembic's entry script: every test database is built by "
    "them, and `make check-migrations` compares the result with the models",
    "accounts/tables.py": "table definitions only (tests/db/test_citus_ready.py checks them)",
    "affiliate/tables.py": "table definitions only (tests/db/test_citus_ready.py checks them)",
    "promotions/tables.py": "table definitions only (tests/db/test_citus_ready.py checks them)",
    "video/tables.py": "table definitions only (tests/db/test_citus_ready.py checks them)",
    "affiliate/service.py": "builds the affiliate subjects' services, holds no rule of its own",
    "promotions/service.py": "builds the promotions subjects' services, holds no rule of its own",
    "promotions/demo.py": "demo data only; loaded and checked end to end by "
    "tests/promotions/test_demo_and_cli.py and tests/test_demo.py",
}
"""Source modules (paths under src/commerce_stats; a trailing / names a folder) that need no
test module of their own at the mirrored path, each with the reason."""


def mirrored_test_path(module: Path) -> Path:
    """``<package>/<name>.py`` → ``tests/<package>/test_<name>.py``."""
    relative = module.relative_to(SOURCE)
    return TESTS / relative.parent / f"test_{relative.name}"


def _covers(entry: str, relative: str) -> bool:
    return relative == entry or (entry.endswith("/") and relative.startswith(entry))


def _allowed_without_test(relative: str) -> bool:
    return any(_covers(entry, relative) for entry in WITHOUT_OWN_TEST_MODULE)


def _source_modules() -> list[Path]:
    return sorted(path for path in SOURCE.rglob("*.py") if path.name != "__init__.py")


def test_every_source_module_has_a_mirrored_test_module() -> None:
    missing = [
        f"{path.relative_to(SOURCE)} (expected {mirrored_test_path(path).relative_to(TESTS)})"
        for path in _source_modules()
        if not _allowed_without_test(path.relative_to(SOURCE).as_posix())
        and not mirrored_test_path(path).is_file()
    ]
    assert missing == [], "no test module of their own:\n" + "\n".join(missing)


def test_every_allow_list_entry_still_names_an_untested_source() -> None:
    untested = [
        path.relative_to(SOURCE).as_posix()
        for path in _source_modules()
        if not mirrored_test_path(path).is_file()
    ]
    stale = [
        entry
        for entry in WITHOUT_OWN_TEST_MODULE
        if not any(_covers(entry, relative) for relative in untested)
    ]
    assert stale == []


def test_mirrored_path_of_a_top_level_module_is_directly_under_tests() -> None:
    assert mirrored_test_path(SOURCE / "runtime.py") == TESTS / "test_runtime.py"


def test_mirrored_path_keeps_the_package_folders() -> None:
    assert mirrored_test_path(SOURCE / "video" / "service.py") == (
        TESTS / "video" / "test_service.py"
    )
