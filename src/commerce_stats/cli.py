"""The ``commerce-stats`` command: serve, migrate, demo data, accounts."""

from __future__ import annotations

import errno
import logging
import os
import socket
from pathlib import Path
from typing import Annotated, TypedDict

import typer
import uvicorn
from pydantic import ValidationError
from rich.table import Table

from commerce_stats.accounts.service import SECRET_CREDENTIALS, AccountChanges, Accounts
from commerce_stats.affiliate.cli import app as affiliate_app
from commerce_stats.config import Settings, admin_token_problem, is_loopback
from commerce_stats.db.engine import Database
from commerce_stats.db.migrate import migrate
from commerce_stats.demo import (
    CREDENTIALS_FILE,
    DEMO_ACCOUNT_NAME,
    DemoInfo,
    DemoState,
    ensure_demo,
    read_demo_info,
    shell_exports,
    write_private_file,
)
from commerce_stats.kit.cli import CommandApp, plain_console, print_error
from commerce_stats.kit.demo_links import BASE_PLACEHOLDER
from commerce_stats.kit.errors import ServiceError
from commerce_stats.kit.keys import new_secret
from commerce_stats.kit.redaction import serve_log_config
from commerce_stats.promotions.cli import app as promotions_app
from commerce_stats.video.cli import app as video_app

app = CommandApp(
    help=(
        "commerce-stats: a self-hosted commerce analytics server.\n\n"
        "Start with `commerce-stats serve` (migrates the database, then serves the APIs and "
        "the OpenAPI docs at /docs). Settings come from COMMERCE_STATS_* environment "
        "variables; see docs/configuration.md."
    ),
    no_args_is_help=True,
    add_completion=False,
)
accounts_app = CommandApp(help="Create, list, disable and rotate the keys of accounts (tenants).")
app.add_typer(accounts_app, name="accounts")
app.add_typer(promotions_app, name="promotions")
app.add_typer(affiliate_app, name="affiliate")
app.add_typer(video_app, name="video")
demo_app = CommandApp(invoke_without_command=True)
app.add_typer(demo_app, name="demo")

ADMIN_TOKEN_FILE = "admin-token"  # noqa: S105 (a file name, not a secret)

console = plain_console()


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
            print_error(console, f"Refusing to serve: {reason}.")
        console.print("See docs/configuration.md.")
        raise typer.Exit(code=2) from None


def _ensure_admin_token(settings: Settings) -> None:
    """Generate an admin token on loopback; elsewhere refuse to serve without a long one."""
    problem = admin_token_problem(settings.host, settings.admin_token)
    if problem is not None:
        print_error(console, f"Refusing to serve: {problem}. See docs/configuration.md.")
        raise typer.Exit(code=2)
    if settings.admin_token:
        # An earlier run's generated token is not this server's: `demo env` must not offer it.
        (settings.data_dir / ADMIN_TOKEN_FILE).unlink(missing_ok=True)
        return
    if not is_loopback(settings.host):
        print_error(
            console,
            f"Refusing to serve on {settings.host} without an admin token. "
            "Set COMMERCE_STATS_ADMIN_TOKEN (see docs/configuration.md).",
        )
        raise typer.Exit(code=2)
    token = new_secret()
    os.environ["COMMERCE_STATS_ADMIN_TOKEN"] = token
    settings.admin_token = token
    path = write_private_file(settings.data_dir / ADMIN_TOKEN_FILE, token)
    console.print(f"Admin token for this run (COMMERCE_STATS_ADMIN_TOKEN, also in {path}): {token}")


def _ensure_port_free(host: str, port: int) -> None:
    """Stop before migrating or seeding when the address is taken.

    uvicorn would otherwise fail only after the database work and the demo output,
    which reads as if the server had started. The listening socket is bound the way
    uvicorn binds it (``SO_REUSEADDR``), so a port held only by ``TIME_WAIT`` leftovers
    still counts as free.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            print_error(
                console,
                f"Port {port} on {host} is already in use. Choose another port: "
                "`PORT=8765 make run`, `commerce-stats serve --port 8765` "
                "or COMMERCE_STATS_PORT=8765.",
            )
            raise typer.Exit(code=1) from None


def _print_demo(info: DemoInfo) -> None:
    table = Table(title=f"Demo account {info.account_id}: credentials", show_header=False)
    for name, value in info.credentials.items():
        table.add_row(name, value)
    console.print(table)
    for link in info.links:
        console.print(f"{link.label}\n  {link.target}")
    console.print(
        "Every variable of the README's examples, in this shell: "
        'eval "$(.venv/bin/commerce-stats demo env)"',
    )


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
    _ensure_port_free(settings.host, settings.port)
    _ensure_admin_token(settings)
    database = _open_database(settings)
    base = _base_url(settings)
    if settings.demo_on_first_start:
        _demo_on_start(database, settings.data_dir, base)
    database.dispose()
    console.print(f"Serving on {base}  (OpenAPI docs: {base}/docs, health: {base}/healthz)")
    uvicorn.run(
        "commerce_stats.app:create_app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        **connection_limits(settings),
        log_config=serve_log_config(),
    )


class ConnectionLimits(TypedDict):
    limit_concurrency: int
    timeout_keep_alive: int


def connection_limits(settings: Settings) -> ConnectionLimits:
    """uvicorn's connection cap and keep-alive timeout (the body timeouts live in the app)."""
    return ConnectionLimits(
        limit_concurrency=settings.limit_concurrency,
        timeout_keep_alive=settings.timeout_keep_alive_seconds,
    )


@app.command("migrate")
def migrate_command() -> None:
    """Bring the configured database to the newest schema."""
    _open_database(Settings()).dispose()
    console.print("Database is at the newest schema.")


def _base_url(settings: Settings) -> str:
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return f"http://{host}:{settings.port}"


def _recorded_base_url(settings: Settings) -> str:
    """Where the last `serve` said it serves (saved with the demo), else the configured one."""
    saved = read_demo_info(settings.data_dir)
    if saved is not None and saved.base != BASE_PLACEHOLDER:
        return saved.base
    return _base_url(settings)


def _demo_on_start(database: Database, data_dir: Path, base: str) -> None:
    """On an empty database load the demo; on every start print it with this address."""
    accounts = Accounts(database)
    empty = accounts.count() == 0
    if empty:
        console.print("Empty database: loading demo data (takes a few seconds)...")
    _state, info = ensure_demo(database, accounts, data_dir, base, load_if_missing=empty)
    if info is not None:
        _print_demo(info)


@demo_app.callback()
def demo(ctx: typer.Context) -> None:
    """Create the demo account filled with sample data, once, and print its credentials.

    Run again, it loads nothing and prints the same account. The credentials are saved
    in <data dir>/demo-credentials.json; delete the data directory to start over.
    """
    if ctx.invoked_subcommand is not None:
        return
    settings = Settings()
    database = _open_database(settings)
    try:
        state, info = ensure_demo(
            database, Accounts(database), settings.data_dir, _recorded_base_url(settings)
        )
    finally:
        database.dispose()
    path = settings.data_dir / CREDENTIALS_FILE
    if state is DemoState.CREDENTIALS_LOST or info is None:
        console.print(
            f"A '{DEMO_ACCOUNT_NAME}' account exists but {path} does not describe it, so its "
            "secrets cannot be shown again. Rotate them with `commerce-stats accounts rotate`, "
            "or start over with an empty database.",
        )
        raise typer.Exit(code=1)
    if state is DemoState.ALREADY_LOADED:
        console.print(f"Demo account {info.account_id} is already loaded; nothing was added.")
    _print_demo(info)
    console.print(f"Credentials saved in {path}")


@demo_app.command("env")
def demo_env(
    base: Annotated[
        str | None,
        typer.Option(help="Server address to export as BASE (default: where it last served)."),
    ] = None,
) -> None:
    """Print `export NAME=value` lines for the demo account: eval "$(commerce-stats demo env)".

    Sets BASE, ACCOUNT_ID, ADMIN_TOKEN (when known) and one variable per credential
    (ORGANIZATION_KEY, INGEST_KEY, AFFILIATE_ACCESS_TOKEN, ...).
    """
    settings = Settings()
    info = read_demo_info(settings.data_dir)
    if info is None:
        typer.echo(
            f"No demo loaded yet ({settings.data_dir / CREDENTIALS_FILE} is missing): "
            "run `make run` or `commerce-stats demo` first.",
            err=True,
        )
        raise typer.Exit(code=1)
    info = info.rebased(base or _recorded_base_url(settings))
    for line in shell_exports(info, _known_admin_token(settings)):
        typer.echo(line)


def _known_admin_token(settings: Settings) -> str | None:
    """The configured admin token, else the one the last loopback `serve` generated."""
    if settings.admin_token:
        return settings.admin_token
    path = settings.data_dir / ADMIN_TOKEN_FILE
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


def _accounts() -> Accounts:
    return Accounts(_open_database(Settings()))


def _fail(error: ServiceError) -> typer.Exit:
    print_error(console, error.message)
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
    password: Annotated[
        str | None,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="The password; asked for (twice, hidden) when not given.",
        ),
    ] = None,
) -> None:
    """Set the dashboard username and password of an account."""
    try:
        _accounts().set_dashboard_login(account_id, username, password or "")
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
    console.print(f"New {credential}: {secret}")


def main() -> None:
    app()
