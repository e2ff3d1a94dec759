"""``commerce-stats promotions ...``: inspect promotions and check the redemption counters."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.table import Table

from commerce_stats.accounts.service import Accounts
from commerce_stats.config import Settings
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate
from commerce_stats.kit.cli import CommandApp, plain_console, print_error
from commerce_stats.kit.errors import ServiceError
from commerce_stats.kit.tenancy import Account
from commerce_stats.promotions.errors import PromotionsError
from commerce_stats.promotions.service import Promotions

app = CommandApp(help="Promotions: list them, read their statistics, verify the counters.")
console = plain_console()

AccountId = Annotated[int, typer.Argument(help="Account (tenant) id.")]


def _service() -> Promotions:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    database = Database(Settings())
    migrate(database)
    return Promotions(database, Accounts(database))


def _account(service: Promotions, account_id: int) -> Account:
    try:
        return service.accounts.get(account_id)
    except ServiceError as error:
        print_error(console, error.message)
        raise typer.Exit(code=1) from error


@app.command("list")
def list_promotions(account_id: AccountId) -> None:
    """Every promotion of an account (deleted ones too) with its redemption count."""
    service = _service()
    _account(service, account_id)
    table = Table("id", "name", "type", "active", "deleted", "redemptions")
    for row in service.catalog.summaries(account_id):
        table.add_row(
            str(row.id),
            row.promotion_name,
            row.promotion_type,
            str(row.active),
            str(row.deleted),
            str(row.redemptions),
        )
    console.print(table)


@app.command("stats")
def stats(
    account_id: AccountId,
    promotion_id: Annotated[int, typer.Argument(help="Promotion id.")],
) -> None:
    """The statistics the API would answer for one promotion."""
    service = _service()
    account = _account(service, account_id)
    try:
        result = service.catalog.statistics(account, promotion_id)
    except PromotionsError as error:
        print_error(console, error.message)
        raise typer.Exit(code=1) from error
    console.print(f"Promotion {result.id}: {result.redemptions} redemption(s)")
    if result.promotion_codes is not None:
        table = Table("code id", "coupon_code", "coupon_type", "redemptions")
        for code_id, value, kind, count in result.promotion_codes:
            table.add_row(str(code_id), value, kind, str(count))
        console.print(table)


@app.command("check-counters")
def check_counters(account_id: AccountId) -> None:
    """Compare every redemption counter with the ledger; exit 1 on any difference."""
    service = _service()
    _account(service, account_id)
    drift = service.catalog.counter_drift(account_id)
    for line in drift:
        print_error(console, f"{line}")
    if drift:
        raise typer.Exit(code=1)
    console.print("Every counter matches the redemption ledger.")
