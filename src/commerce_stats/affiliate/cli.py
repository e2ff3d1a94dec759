"""``commerce-stats affiliate ...``: export reports and import order files from the shell."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import exporting, upload
from commerce_stats.affiliate.access import Owner
from commerce_stats.affiliate.errors import AffiliateError, RefusedRowsError
from commerce_stats.affiliate.filters import refuse_unknown
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate
from commerce_stats.kit.cli import CommandApp, plain_console, print_error
from commerce_stats.kit.errors import ServiceError
from commerce_stats.kit.exports import ExportFormat

app = CommandApp(help="Affiliate network: export transaction reports, import order files.")
console = plain_console()


def _network() -> AffiliateNetwork:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    database = Database(Settings())
    migrate(database)
    return AffiliateNetwork(database, Accounts(database))


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _fail(error: AffiliateError | ServiceError) -> typer.Exit:
    print_error(console, error.message)
    if isinstance(error, RefusedRowsError):
        for row in error.rows[:50]:
            console.print(f"  row {row.row}, {row.column or '-'}: {row.reason}")
        if len(error.rows) > 50:
            console.print(f"  ... and {len(error.rows) - 50} more")
    return typer.Exit(code=1)


@app.command("export")
def export_command(
    account_id: Annotated[int, typer.Argument(help="The network's account id.")],
    output: Annotated[Path, typer.Argument(help="File to write; its suffix picks the format.")],
    report: Annotated[
        str, typer.Option(help="transactions or a statistic report: daily, campaign, subid, ...")
    ] = "transactions",
    condition: Annotated[
        list[str] | None,
        typer.Option(
            "--condition",
            "-c",
            metavar="NAME=VALUE",
            help="A filter as in the API, e.g. -c 'condition[dynamicdate]=lastmonth'; repeat.",
        ),
    ] = None,
) -> None:
    """Write a report of an account to a file (csv, xls, xlsx, xml or json)."""
    network = _network()
    pairs = [tuple(item.split("=", 1)) for item in condition or []]
    if any(len(pair) != 2 for pair in pairs):
        print_error(console, "--condition needs name=value")
        raise typer.Exit(code=2)
    params = [(name, value) for name, value in pairs]
    try:
        export_format = ExportFormat(output.suffix.lstrip(".").lower())
    except ValueError:
        print_error(console, "the output file must end in .csv, .xls, .xlsx, .xml or .json")
        raise typer.Exit(code=2) from None
    try:
        refuse_unknown(params)
        owner = Owner(network.accounts.get(account_id), None)
        total = exporting.count_rows(network, owner, params)
        with _progress() as progress:
            task = progress.add_task(f"Exporting {report}", total=total)
            prepared = exporting.prepare(
                network,
                owner,
                report,
                export_format,
                params,
                progress=lambda rows: progress.advance(task, rows),
            )
            with output.open("wb") as handle:
                for chunk in prepared.body:
                    handle.write(chunk)
    except (AffiliateError, ServiceError) as error:
        raise _fail(error) from error
    finally:
        network.database.dispose()
    console.print(f"Wrote {output}")


@app.command("import")
def import_command(
    account_id: Annotated[int, typer.Argument(help="The network's account id.")],
    file: Annotated[Path, typer.Argument(help="A ;-separated order CSV (the upload's columns).")],
) -> None:
    """Apply an order CSV like PUT /REST/orders/: every row is checked, then all or none."""
    network = _network()
    try:
        account = network.accounts.get(account_id)
        with _progress() as progress, file.open("rb") as content:
            applying = progress.add_task("Checking and applying", total=1)
            counts = upload.upload_csv(network.database, account, content)
            progress.advance(applying)
    except (AffiliateError, ServiceError) as error:
        raise _fail(error) from error
    finally:
        network.database.dispose()
    console.print(
        f"created {counts.created}, updated {counts.updated}, unchanged {counts.unchanged}"
    )


@app.command("render-export-text")
def render_export_text_command(
    account_id: Annotated[int, typer.Argument(help="The network's account id.")],
) -> None:
    """Render again the stored CSV text of transactions made under another time zone.

    The next CSV export does this by itself; run it after changing an account's
    time zone so that the first export does not wait for it.
    """
    network = _network()
    try:
        account = network.accounts.get(account_id)
        rendered = network.exports.render_stale_export_text(account)
    except ServiceError as error:
        raise _fail(error) from error
    finally:
        network.database.dispose()
    console.print(f"rendered {rendered} transaction(s)")
