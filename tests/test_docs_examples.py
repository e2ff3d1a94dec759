"""Every shell example of README.md and docs/*.md runs, as written, against a live demo server.

The server is the real ``commerce-stats serve`` (uvicorn on a free loopback port, demo data
loaded on its first start, a fresh data directory) over the test database. The examples
run in bash, in the order of their page, in a directory where ``.venv`` and ``examples``
name the repository's, with ``.venv/bin`` on the PATH and the variables of
``commerce-stats demo env`` set, exactly as after the README's
``eval "$(.venv/bin/commerce-stats demo env)"``. Variables a block sets (``TOKEN=...``)
are kept for the next blocks of the same page.

What the pages may use (documented in docs/quickstart.md):

- ```` ```sh ````, ```` ```bash ```` and ```` ```console ```` blocks are examples; every
  fenced block names its language, so no shell example goes untested by accident.
- ``<!-- example: not run, <reason> -->`` on the line before a block leaves it out
  (``make run`` itself, a public bind, calls that need the internet).
- In sh/bash blocks, a comment line ``# => TEXT`` shows part of the answer: the output of
  the block must contain each TEXT, in order.
- In console blocks, lines starting with ``$ `` are commands (a trailing ``\\`` continues
  one); every other non-empty line is output that must appear, in order.

Each block must exit 0.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
import pytest

from tests.conftest import ADMIN_TOKEN, BACKEND, _empty_postgres

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELLS = ("sh", "bash", "console")
NOT_RUN = re.compile(r"^<!-- example: not run, .+ -->$")
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<info>.*)$")
EXPECTED = re.compile(r"^\s*# => (?P<text>.+)$")
BLOCK_SECONDS = 120
READONLY_OR_SHELL = re.compile(r"^declare -[a-zA-Z]*r|^declare -[a-z-]* (BASH|SHELLOPTS|_)")


@dataclass
class Block:
    page: Path
    line: int
    language: str
    text: str
    run: bool

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


@dataclass
class Example:
    script: str
    expected: list[str] = field(default_factory=list)


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a page, each with its language and whether it is to run."""
    found: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    number = 0
    while number < len(lines):
        opening = FENCE.match(lines[number])
        if opening is None:
            number += 1
            continue
        indent = len(opening["indent"])
        end = number + 1
        while not lines[end].strip().startswith("```"):
            end += 1
        previous = lines[number - 1].strip() if number else ""
        found.append(
            Block(
                page=page,
                line=number + 1,
                language=opening["info"].strip().split(" ")[0],
                text="\n".join(line[indent:] for line in lines[number + 1 : end]),
                run=NOT_RUN.match(previous) is None,
            )
        )
        number = end + 1
    return found


def example(block: Block) -> Example:
    """The script to run and the output it must show."""
    if block.language != "console":
        expected = [m["text"] for m in map(EXPECTED.match, block.text.splitlines()) if m]
        return Example(block.text, expected)
    commands: list[str] = []
    expected = []
    continuing = False
    for line in block.text.splitlines():
        if continuing or line.startswith("$ "):
            commands.append(line if continuing else line[2:])
            continuing = line.endswith("\\")
        elif line.strip():
            expected.append(line.strip())
    return Example("\n".join(commands), expected)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class DemoServer:
    workdir: Path
    env: dict[str, str]
    exports: str


def _database_url(template: str, directory: Path) -> str:
    if BACKEND == "sqlite":
        path = directory / "commerce-stats.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    _empty_postgres(template)
    return template


def _wait_until_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx2.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            time.sleep(0.2)
    raise AssertionError("server did not start: " + log.read_text())


@pytest.fixture(scope="module")
def demo_server(_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """`commerce-stats serve` with the demo loaded, and a shell set up as the README says."""
    directory = tmp_path_factory.mktemp("docs-examples")
    workdir = directory / "work"
    workdir.mkdir()
    for name in (".venv", "examples"):
        (workdir / name).symlink_to(ROOT / name)
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "COMMERCE_STATS_DATABASE_URL": _database_url(_template, directory),
        "COMMERCE_STATS_DATA_DIR": str(directory / "data"),
        "COMMERCE_STATS_PORT": str(_free_port()),
        "COMMERCE_STATS_ADMIN_TOKEN": ADMIN_TOKEN,
        "COMMERCE_STATS_CREDENTIAL_CACHE_SECONDS": "0",
        "COMMERCE_STATS_DEMO_ON_FIRST_START": "true",
        "COMMERCE_STATS_LOG_LEVEL": "warning",
    }
    log = directory / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "commerce-stats"), "serve"],
            cwd=workdir,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(f"http://127.0.0.1:{env['COMMERCE_STATS_PORT']}", process, log)
        exports = subprocess.run(
            [".venv/bin/commerce-stats", "demo", "env"],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        yield DemoServer(workdir, env, exports)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _run(server: DemoServer, state: Path, script: str) -> subprocess.CompletedProcess[str]:
    """``script`` in bash after the state of the earlier blocks; saves the state it leaves."""
    wrapped = (
        f"set -euo pipefail\nsource {state}\n{script}\n"
        "for name in $(compgen -v | grep -E '^[A-Z][A-Z0-9_]*$'); do declare -p \"$name\"; done"
        f" | grep -Ev '{READONLY_OR_SHELL.pattern}' > {state}.next\n"
    )
    result = subprocess.run(
        ["bash", "-c", wrapped],
        cwd=server.workdir,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=BLOCK_SECONDS,
        check=False,
    )
    if result.returncode == 0:
        Path(f"{state}.next").replace(state)
    return result


def _in_order(output: str, expected: list[str]) -> list[str]:
    """The expected texts that do not appear in ``output`` in the given order."""
    missing: list[str] = []
    position = 0
    for text in expected:
        found = output.find(text, position)
        if found < 0:
            missing.append(text)
        else:
            position = found + len(text)
    return missing


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_shell_example_of_the_page_runs(
    page: Path, demo_server: DemoServer, tmp_path: Path
) -> None:
    state = tmp_path / "state.sh"
    state.write_text(demo_server.exports, encoding="utf-8")
    for block in blocks(page):
        if block.language not in SHELLS or not block.run:
            continue
        runnable = example(block)
        result = _run(demo_server, state, runnable.script)
        report = f"{block.where}\nstdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr}"
        assert result.returncode == 0, report
        assert _in_order(result.stdout, runnable.expected) == [], report


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_fenced_block_names_its_language(page: Path) -> None:
    assert [block.where for block in blocks(page) if not block.language] == []


def test_a_marked_block_is_not_run(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- example: not run, it serves -->\n```sh\nmake run\n```\n\n```sh\necho hi\n```\n",
        encoding="utf-8",
    )
    assert [(block.text, block.run) for block in blocks(page)] == [
        ("make run", False),
        ("echo hi", True),
    ]


def test_expected_answers_are_read_from_comment_lines(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text('```sh\necho \'{"id": 1}\'\n# => {"id": 1}\n```\n', encoding="utf-8")
    [block] = blocks(page)
    assert example(block).expected == ['{"id": 1}']


def test_console_blocks_split_into_commands_and_output(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```console\n$ echo one \\\n    two\none two\n$ echo three\nthree\n```\n",
        encoding="utf-8",
    )
    [block] = blocks(page)
    assert example(block) == Example("echo one \\\n    two\necho three", ["one two", "three"])


def test_expected_texts_must_appear_in_order() -> None:
    assert _in_order("a b c", ["a", "c"]) == []
    assert _in_order("a b c", ["c", "a"]) == ["a"]
