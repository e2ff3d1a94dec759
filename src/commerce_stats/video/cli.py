"""``commerce-stats video ...``: catalog imports and event backfills from NDJSON files."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from commerce_stats.accounts.service import Accounts
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate
from commerce_stats.kit.cli import CommandApp, plain_console, print_error
from commerce_stats.kit.errors import ServiceError
from commerce_stats.kit.tenancy import Account, Feature
from commerce_stats.video.clickhouse_backfill import move_counters, read_cursor, rows_to_move
from commerce_stats.video.clickhouse_store import open_store
from commerce_stats.video.errors import ShardUnavailableError
from commerce_stats.video.service import VideoService

CHUNK_LINES = 10_000
MAX_PROBLEMS_SHOWN = 20

app = CommandApp(help="Shoppable-video ecommerce: catalog imports and event backfills.")
console = plain_console()

AccountOption = Annotated[int, typer.Option("--account", help="Account id (see accounts list).")]


def _open(settings: Settings) -> Database:
    """The configured database, migrated to the newest schema (as the main CLI does)."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    database = Database(settings)
    migrate(database)
    return database


def _video_account(accounts: Accounts, account_id: int) -> Account:
    try:
        account = accounts.get(account_id)
    except ServiceError as error:
        print_error(console, error.message)
        raise typer.Exit(code=1) from error
    if not account.has(Feature.VIDEO_ECOMMERCE):
        print_error(console, f"account {account_id} has no video_ecommerce feature")
        raise typer.Exit(code=1)
    return account


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


@app.command("ingest")
def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="NDJSON events.")],
    account_id: AccountOption,
) -> None:
    """Backfill events from an NDJSON file (one event a line, the fields of POST /prod/events).

    Committed in chunks of 10,000 lines; bad lines are skipped and listed with their line
    numbers (exit code 1 when there were any). Without device_type or user_agent an event
    counts as device Other.
    """
    database = _open(Settings())
    accounts = Accounts(database)
    account = _video_account(accounts, account_id)
    service = VideoService(database, accounts)
    totals = {"received": 0, "counted": 0, "duplicates": 0, "bots": 0}
    problems: list[tuple[int, str]] = []
    with _progress() as progress, file.open("rb") as handle:
        task = progress.add_task(f"ingesting {file.name}", total=file.stat().st_size)
        line_number = 1
        while True:
            lines = _read_chunk(handle)
            if not lines:
                break
            result, bad = service.ingest_file_chunk(account, lines, line_number)
            line_number += len(lines)
            problems.extend(bad)
            totals["received"] += result.received + len(bad)
            totals["counted"] += result.counted
            totals["duplicates"] += result.duplicates
            totals["bots"] += result.bots
            progress.update(task, advance=sum(len(line) for line in lines))
    database.dispose()
    console.print(
        f"{totals['received']} events read: {totals['counted']} counted, "
        f"{totals['duplicates']} duplicates, {totals['bots']} from bots, {len(problems)} rejected"
    )
    for number, reason in problems[:MAX_PROBLEMS_SHOWN]:
        console.print(f"  line {number}: {reason}")
    if problems:
        raise typer.Exit(code=1)


def _read_chunk(handle: BinaryIO) -> list[bytes]:
    """The next ``CHUNK_LINES`` lines of the file (fewer at its end)."""
    lines: list[bytes] = []
    while len(lines) < CHUNK_LINES:
        line = handle.readline()
        if not line:
            break
        lines.append(line)
    return lines


@app.command("catalog")
def catalog(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="NDJSON catalog.")],
    account_id: AccountOption,
) -> None:
    """Create or replace videos and ecommerce items from an NDJSON file, all-or-nothing.

    Each line is {"kind": "video", "content_key": ..., <video fields>} or
    {"kind": "ecommerce_item", "ecommerce_key": ..., "ecommerce_name": ..., "ecommerce_link": ...}.
    """
    database = _open(Settings())
    accounts = Accounts(database)
    _video_account(accounts, account_id)
    service = VideoService(database, accounts)
    try:
        videos, items = service.bulk_upsert(account_id, file.read_bytes())
    except ServiceError as error:
        print_error(console, error.message)
        raise typer.Exit(code=1) from error
    finally:
        database.dispose()
    console.print(f"{videos} videos and {items} ecommerce items written.")


@app.command("move-to-clickhouse")
def move_to_clickhouse(
    chunk_rows: Annotated[
        int, typer.Option("--chunk-rows", min=1, help="Counter rows per insert.")
    ] = 50_000,
    max_chunks: Annotated[
        int | None,
        typer.Option("--max-chunks", min=1, help="Stop after this many chunks (move in slices)."),
    ] = None,
) -> None:
    """Copy the relational video counters into the configured ClickHouse cluster.

    Resumable and idempotent: the last key moved is kept in a cursor file in the data
    directory, and a run starts after it (a finished move moves nothing more). Set
    COMMERCE_STATS_CLICKHOUSE_URL (and _CLUSTER) first; see docs/scaling.md.
    """
    settings = Settings()
    store = open_store(settings.clickhouse_url, settings.clickhouse_cluster)
    if store is None:
        print_error(console, "COMMERCE_STATS_CLICKHOUSE_URL is not set")
        raise typer.Exit(code=1)
    database = _open(settings)
    try:
        store.create_schema()
        already = read_cursor(settings.data_dir, store).moved
        with _rows_progress() as progress:
            task = progress.add_task(
                "moving counters", total=rows_to_move(database), completed=already
            )
            result = move_counters(
                database,
                store,
                settings.data_dir,
                chunk_rows,
                max_chunks,
                on_chunk=lambda rows: progress.update(task, advance=rows),
            )
    except ShardUnavailableError as error:
        print_error(console, f"{error}; run the command again to carry on")
        raise typer.Exit(code=1) from error
    finally:
        store.close()
        database.dispose()
    state = "finished" if result.finished else "stopped; run again to carry on"
    console.print(f"{result.moved} counter rows moved to ClickHouse ({state}).")


def _rows_progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    )
