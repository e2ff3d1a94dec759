"""All SQL for accounts and credentials."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, func, insert, select, update

from commerce_stats.accounts.tables import (
    account_credentials,
    accounts,
    dashboard_logins,
    dashboard_sessions,
)


def insert_account(
    conn: Connection, *, name: str, features: list[str], timezone: str, now: datetime
) -> int:
    result = conn.execute(
        insert(accounts)
        .values(
            name=name,
            features=features,
            timezone=timezone,
            disabled=False,
            created_at=now,
            updated_at=now,
        )
        .returning(accounts.c.id)
    )
    return int(result.scalar_one())


def insert_credentials(conn: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
    conn.execute(insert(account_credentials), list(rows))


_SELECT_ACCOUNT = select(accounts).where(accounts.c.id == bindparam("b_account"))
"""Built once: every authenticated request of the promotions API reads its account."""


def select_account(conn: Connection, account_id: int) -> Row[Any] | None:
    return conn.execute(_SELECT_ACCOUNT, {"b_account": account_id}).first()


def account_timezone(conn: Connection, account_id: int) -> str:
    """The account's time zone name as this transaction sees it."""
    zone_name: str = conn.execute(
        select(accounts.c.timezone).where(accounts.c.id == account_id)
    ).scalar_one()
    return zone_name


def select_accounts(conn: Connection) -> list[Row[Any]]:
    return list(conn.execute(select(accounts).order_by(accounts.c.id)))


def count_accounts(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(accounts)).scalar_one())


def update_account(conn: Connection, account_id: int, values: Mapping[str, Any]) -> None:
    conn.execute(update(accounts).where(accounts.c.id == account_id).values(**values))


def replace_secret(
    conn: Connection, *, account_id: int, name: str, secret_hash: str, now: datetime
) -> None:
    conn.execute(
        update(account_credentials)
        .where(account_credentials.c.account_id == account_id)
        .where(account_credentials.c.name == name)
        .values(
            secret_hash=secret_hash,
            created_at=now,
            generation=account_credentials.c.generation + 1,
        )
    )


def advance_generations(conn: Connection, account_id: int) -> None:
    """Moves every credential of the account on a generation (voiding what they issued)."""
    conn.execute(
        update(account_credentials)
        .where(account_credentials.c.account_id == account_id)
        .values(generation=account_credentials.c.generation + 1)
    )


def account_by_secret(conn: Connection, *, name: str, secret_hash: str) -> Row[Any] | None:
    query = (
        select(accounts, account_credentials.c.secret_hash)
        .join(account_credentials, account_credentials.c.account_id == accounts.c.id)
        .where(account_credentials.c.name == name)
        .where(account_credentials.c.secret_hash == secret_hash)
    )
    return conn.execute(query).first()


def account_by_public_id(
    conn: Connection, *, public_name: str, public_id: str, secret_name: str
) -> Row[Any] | None:
    """The account owning ``public_id`` with the stored hash of its ``secret_name``."""
    public = account_credentials.alias("public")
    secret = account_credentials.alias("secret")
    query = (
        select(accounts, secret.c.secret_hash)
        .join(public, public.c.account_id == accounts.c.id)
        .join(secret, secret.c.account_id == accounts.c.id)
        .where(public.c.name == public_name)
        .where(public.c.public_id == public_id)
        .where(secret.c.name == secret_name)
    )
    return conn.execute(query).first()


def public_id_taken(conn: Connection, *, name: str, public_id: str) -> bool:
    query = (
        select(account_credentials.c.account_id)
        .where(account_credentials.c.name == name)
        .where(account_credentials.c.public_id == public_id)
    )
    return conn.execute(query).first() is not None


def public_ids(conn: Connection, account_id: int) -> dict[str, str]:
    query = (
        select(account_credentials.c.name, account_credentials.c.public_id)
        .where(account_credentials.c.account_id == account_id)
        .where(account_credentials.c.public_id.is_not(None))
    )
    return {row.name: row.public_id for row in conn.execute(query)}


def select_dashboard_login_by_username(conn: Connection, username: str) -> Row[Any] | None:
    query = (
        select(accounts, dashboard_logins.c.password_hash, dashboard_logins.c.version)
        .join(dashboard_logins, dashboard_logins.c.account_id == accounts.c.id)
        .where(dashboard_logins.c.username == username)
    )
    return conn.execute(query).first()


def select_dashboard_login(conn: Connection, account_id: int) -> Row[Any] | None:
    query = select(dashboard_logins).where(dashboard_logins.c.account_id == account_id)
    return conn.execute(query).first()


def username_taken_by_other(conn: Connection, *, username: str, account_id: int) -> bool:
    query = (
        select(dashboard_logins.c.account_id)
        .where(dashboard_logins.c.username == username)
        .where(dashboard_logins.c.account_id != account_id)
    )
    return conn.execute(query).first() is not None


def save_dashboard_login(
    conn: Connection, *, account_id: int, username: str, password_hash: str, now: datetime
) -> None:
    """Insert the account's sign-in, or replace it and bump its version."""
    if select_dashboard_login(conn, account_id) is None:
        conn.execute(
            insert(dashboard_logins).values(
                account_id=account_id,
                username=username,
                password_hash=password_hash,
                version=1,
                updated_at=now,
            )
        )
        return
    conn.execute(
        update(dashboard_logins)
        .where(dashboard_logins.c.account_id == account_id)
        .values(
            username=username,
            password_hash=password_hash,
            version=dashboard_logins.c.version + 1,
            updated_at=now,
        )
    )


def insert_dashboard_session(
    conn: Connection, *, owner_id: int, session_hash: str, now: datetime, expires_at: datetime
) -> None:
    conn.execute(
        insert(dashboard_sessions).values(
            account_id=owner_id, session_hash=session_hash, created_at=now, expires_at=expires_at
        )
    )


def dashboard_session_expiry(
    conn: Connection, *, owner_id: int, session_hash: str
) -> datetime | None:
    query = (
        select(dashboard_sessions.c.expires_at)
        .where(dashboard_sessions.c.account_id == owner_id)
        .where(dashboard_sessions.c.session_hash == session_hash)
    )
    expires_at: datetime | None = conn.execute(query).scalar_one_or_none()
    return expires_at


def delete_dashboard_session(conn: Connection, *, owner_id: int, session_hash: str) -> None:
    conn.execute(
        delete(dashboard_sessions)
        .where(dashboard_sessions.c.account_id == owner_id)
        .where(dashboard_sessions.c.session_hash == session_hash)
    )


def delete_expired_dashboard_sessions(conn: Connection, *, owner_id: int, now: datetime) -> None:
    conn.execute(
        delete(dashboard_sessions)
        .where(dashboard_sessions.c.account_id == owner_id)
        .where(dashboard_sessions.c.expires_at <= now)
    )
