"""The end-of-run report of skipped browser tests (``tests/browser.py``), in a real pytest run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ONE_BROWSER_TEST = """
import pytest

@pytest.mark.browser
def test_in_the_browser(browser):
    pass

def test_without_a_browser():
    pass
"""
NO_BROWSER_TEST = "def test_plain():\n    pass\n"


def _pytest(tmp_path: Path, suite: str, ci: bool) -> subprocess.CompletedProcess[str]:
    """pytest with the suite's browser plugin on ``suite``, Chromium pointing at nothing."""
    (tmp_path / "test_tiny.py").write_text(suite)
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    browser: in Chromium\n")
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env.update(PYTHONPATH=str(REPO), COMMERCE_STATS_TEST_CHROMIUM=str(tmp_path / "no-chromium"))
    if ci:
        env["CI"] = "true"
    command = [sys.executable, "-m", "pytest", "-p", "tests.browser", "-p", "no:cacheprovider"]
    return subprocess.run(
        [*command, "test_tiny.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_skipped_browser_tests_are_listed_with_how_to_enable_them(tmp_path: Path) -> None:
    run = _pytest(tmp_path, ONE_BROWSER_TEST, ci=False)
    assert run.returncode == 0, run.stdout
    assert "1 browser tests skipped: NOT RUN" in run.stdout
    assert "SKIPPED test_tiny.py::test_in_the_browser: Chromium is not installed" in run.stdout
    assert "To enable: apt-get install chromium" in run.stdout


def test_skipped_browser_tests_fail_the_run_under_ci(tmp_path: Path) -> None:
    run = _pytest(tmp_path, ONE_BROWSER_TEST, ci=True)
    assert run.returncode == 1, run.stdout
    assert "1 browser tests skipped: FAILED (CI=true)" in run.stdout
    assert "1 passed, 1 skipped" in run.stdout


def test_a_run_without_skipped_browser_tests_prints_no_report(tmp_path: Path) -> None:
    run = _pytest(tmp_path, NO_BROWSER_TEST, ci=True)
    assert run.returncode == 0, run.stdout
    assert "browser tests skipped" not in run.stdout
