"""A real server on a loopback port and the system Chromium driven by Playwright.

Loaded for the whole suite from ``tests/conftest.py``; the browser tests live beside the code
they cover (the dashboard, the API documentation pages).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright

from commerce_stats.app import create_app
from commerce_stats.config import Settings

CHROMIUM_VARIABLE = "COMMERCE_STATS_TEST_CHROMIUM"
ENABLE_HINT = "apt-get install chromium"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    """The system Chromium; ``COMMERCE_STATS_TEST_CHROMIUM`` names another (or a missing) one."""
    chosen = os.environ.get(CHROMIUM_VARIABLE)
    if chosen is not None:
        return chosen if Path(chosen).exists() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """The whole application served by uvicorn on a loopback port, for the browser."""
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = _chromium()
    if executable is None:
        pytest.skip(f"Chromium is not installed ({ENABLE_HINT})")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class SkippedBrowserTests:
    """Ends the run with a loud list of skipped browser tests; under ``CI=true`` they fail it.

    A skipped browser test otherwise hides in one "s" and a green run, so a machine without
    Chromium would look like one where the dashboard was tested.
    """

    def __init__(self) -> None:
        self.skipped: list[tuple[str, str]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped and "browser" in report.keywords:
            self.skipped.append((report.nodeid, _skip_reason(report)))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.skipped and _in_ci():
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.skipped:
            return
        verdict = "FAILED (CI=true)" if _in_ci() else "NOT RUN"
        terminalreporter.section(
            f"{len(self.skipped)} browser tests skipped: {verdict}", sep="!", red=True, bold=True
        )
        for nodeid, reason in self.skipped:
            terminalreporter.line(f"SKIPPED {nodeid}: {reason}", red=True)
        terminalreporter.line(
            f"The dashboard and the API docs were NOT tested in a browser. To enable: "
            f"{ENABLE_HINT} (or set {CHROMIUM_VARIABLE} to a Chromium binary), then run again.",
            red=True,
            bold=True,
        )


def _in_ci() -> bool:
    return os.environ.get("CI") == "true"


def _skip_reason(report: pytest.TestReport) -> str:
    """The text of ``pytest.skip(reason)``: the last part of a skip report's longrepr."""
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return str(report.longrepr)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(SkippedBrowserTests(), "skipped-browser-tests")
