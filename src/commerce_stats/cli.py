"""The ``commerce-stats`` command: serve, migrate, demo data, accounts."""

from __future__ import annotations

import logging
import os
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from commerce_stats.accounts.service import SECRET_CREDENTIALS, AccountChanges, Accounts
from commerce_stats.affiliate.cli import app as affiliate_app
from commerce_stats.config import Settings, admin_token_problem, is_loopback
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate
from commerce_stats.demo import DemoInfo, load_demo, read_demo_info, save_demo_info
from commerce_stats.kit.errors import ServiceError
from commerce_stats.kit.keys import new_secret
from commerce_stats.kit.redaction import serve_log_config
from commerce_stats.promotions.cli import app as promotions_app
from commerce_stats.video.cli import app as video_app

app = typer.Typer(
    help=(
        "commerce-stats: a self-hosted commerce analytics server.\n\n"
        "Start with `commerce-stats serve` (migrates the database, then serves the APIs and "
        "the OpenAPI docs at /docs). Settings come from COMMERCE_STATS_* environment "
        "variables; see docs/configuration.md."
    ),
    no_args_is_help=True,
    add_completion=False,
)
accounts_app = typer.Typer(help="Create, list, disable and rotate the keys of accounts (tenants).")
app.add_typer(accounts_app, name="accounts")
app.add_typer(promotions_app, name="promotions")
app.add_typer(affiliate_app, name="affiliate")
app.add_typer(video_app, name="video")

console = Console(soft_wrap=True)


def _open_database(settings: Settings) -> Database:
    """The configured database, migrated to the newest schema."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    database = Database(settings)
    migrate(database)
    return database


def _settings_or_exit() -> Settings:
    """The settings from the environment; a bad one ends the command with its message."""
    try:
        return Settings()
    except ValidationError as error:
        for problem in error.errors():
            reason = problem.get("ctx", {}).get("error", problem["msg"])
            console.print(f"[red]Refusing to serve: {escape(str(reason))}.[/red]")
        console.print("See docs/configuration.md.")
        raise typer.Exit(code=2) from None


def _ensure_admin_token(settings: Settings) -> None:
    """Generate an admin token on loopback; elsewhere refuse to serve without a long one."""
    problem = admin_token_problem(settings.host, settings.admin_token)
    if problem is not None:
        console.print(
            f"[red]Refusing to serve: {escape(problem)}.[/red] See docs/configuration.md."
        )
        raise typer.Exit(code=2)
    if settings.admin_token:
        return
    if not is_loopback(settings.host):
        console.print(
            f"[red]Refusing to serve on {settings.host} without an admin token.[/red] "
            "Set COMMERCE_STATS_ADMIN_TOKEN (see docs/configuration.md)."
        )
        raise typer.Exit(code=2)
    token = new_secret()
    os.environ["COMMERCE_STATS_ADMIN_TOKEN"] = token
    settings.admin_token = token
    console.print(f"Admin token for this run (COMMERCE_STATS_ADMIN_TOKEN): [bold]{token}[/bold]")


def _print_demo(info: DemoInfo, base: str) -> None:
    table = Table(title=f"Demo account {info.account_id}: credentials", show_header=False)
    for name, value in info.credentials.items():
        table.add_row(name, value)
    console.print(table)
    for link in info.links:
        target = escape(link.target.format(base=base))
        console.print(f"[bold]{escape(link.label)}[/bold]\n  {target}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
) -> None:
    """Migrate the database, load demo data on a first start if asked, and serve HTTP."""
    settings = _settings_or_exit()
    settings.host = host or settings.host
    settings.port = port or settings.port
    settings.workers = workers or settings.workers
    _ensure_admin_token(settings)
    database = _open_database(settings)
    accounts = Accounts(database)
    if settings.demo_on_first_start and accounts.count() == 0:
        console.print("Empty database: loading demo data (takes a few seconds)...")
        save_demo_info(load_demo(database, accounts), settings.data_dir)
    database.dispose()
    base = f"http://{settings.host}:{settings.port}"
    info = read_demo_info(settings.data_dir)
    if info is not None and settings.demo_on_first_start:
        _print_demo(info, base)
    console.print(f"Serving on {base}  (OpenAPI docs: {base}/docs, health: {base}/healthz)")
    uvicorn.run(
        "commerce_stats.app:create_app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        log_config=serve_log_config(),
    )


@app.command("migrate")
def migrate_command() -> None:
    """Bring the configured database to the newest schema."""
    _open_database(Settings()).dispose()
    console.print("Database is at the newest schema.")


@app.command()
def demo() -> None:
    """Create a demo account filled with sample data and print its credentials."""
    settings = Settings()
    database = _open_database(settings)
    info = load_demo(database, Accounts(database))
    database.dispose()
    path = save_demo_info(info, settings.data_dir)
    _print_demo(info, f"http://{settings.host}:{settings.port}")
    console.print(f"Credentials saved to {path}")


def _accounts() -> Accounts:
    return Accounts(_open_database(Settings()))


def _fail(error: ServiceError) -> typer.Exit:
    console.print(f"[red]{error.message}[/red]")
    return typer.Exit(code=1)


@accounts_app.command("create")
def accounts_create(
    name: Annotated[str, typer.Argument(help="Display name of the account.")],
    feature: Annotated[
        list[str] | None,
        typer.Option(help="video_ecommerce, affiliate or promotions; repeat; default all."),
    ] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA time zone.")] = None,
) -> None:
    """Create an account and print its credentials (shown only this once)."""
    try:
        account, credentials = _accounts().create(name, feature, timezone)
    except ServiceError as error:
        raise _fail(error) from error
    table = Table(title=f"Account {account.id} ({account.name})", show_header=False)
    for key, value in credentials.items():
        table.add_row(key, value)
    console.print(table)


@accounts_app.command("list")
def accounts_list() -> None:
    """List every account."""
    table = Table("id", "name", "features", "timezone", "disabled")
    for account in _accounts().list():
        features = ", ".join(sorted(feature.value for feature in account.features))
        table.add_row(
            str(account.id), account.name, features, account.timezone, str(account.disabled)
        )
    console.print(table)


def _set_disabled(account_id: int, disabled: bool) -> None:
    try:
        account, _ids = _accounts().update(account_id, AccountChanges(disabled=disabled))
    except ServiceError as error:
        raise _fail(error) from error
    state = "disabled" if account.disabled else "enabled"
    console.print(f"Account {account.id} ({account.name}) is {state}.")


@accounts_app.command("disable")
def accounts_disable(account_id: int) -> None:
    """Disable an account: every surface refuses its credentials."""
    _set_disabled(account_id, True)


@accounts_app.command("enable")
def accounts_enable(account_id: int) -> None:
    """Enable a disabled account again."""
    _set_disabled(account_id, False)


@accounts_app.command("dashboard-login")
def accounts_dashboard_login(
    account_id: int,
    username: Annotated[str, typer.Argument(help="Name to sign in to the dashboard with.")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set the dashboard username and password of an account (asks for the password)."""
    try:
        _accounts().set_dashboard_login(account_id, username, password)
    except ServiceError as error:
        raise _fail(error) from error
    console.print(f"Dashboard sign-in for account {account_id} set: {username}")


@accounts_app.command("rotate")
def accounts_rotate(
    account_id: int,
    credential: Annotated[str, typer.Argument(help=", ".join(SECRET_CREDENTIALS))],
) -> None:
    """Replace one secret of an account and print the new value."""
    try:
        secret = _accounts().rotate(account_id, credential)
    except ServiceError as error:
        raise _fail(error) from error
    console.print(f"New {credential}: [bold]{secret}[/bold]")


def main() -> None:
    app()
