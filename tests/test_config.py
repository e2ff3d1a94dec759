"""Settings validation: what the server refuses to start with."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from commerce_stats.config import Settings

PUBLIC_HOST = "0.0.0.0"  # noqa: S104 - validated only, nothing listens on it


def test_short_admin_token_is_refused_on_a_public_address() -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(host=PUBLIC_HOST, admin_token="k" * 31)
    assert raised.value.errors()[0]["ctx"]["error"].args == (
        "COMMERCE_STATS_ADMIN_TOKEN must be at least 32 characters when serving on 0.0.0.0 "
        "(not a loopback address); it has 31",
    )


def test_refusal_does_not_repeat_the_token() -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(host=PUBLIC_HOST, admin_token="secret-guess")
    assert "secret-guess" not in str(raised.value)


def test_32_character_admin_token_is_accepted_on_a_public_address() -> None:
    assert Settings(host=PUBLIC_HOST, admin_token="k" * 32).admin_token == "k" * 32


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_short_admin_token_is_accepted_on_loopback(host: str) -> None:
    assert Settings(host=host, admin_token="k").admin_token == "k"


def test_public_address_without_admin_token_is_left_to_serve() -> None:
    """``serve`` refuses to start without one; other commands need no token."""
    assert Settings(host=PUBLIC_HOST, admin_token=None).admin_token is None


def test_replica_urls_are_split_on_commas_and_trimmed() -> None:
    settings = Settings(
        database_url="postgresql+psycopg://app@primary/db",
        database_replica_urls=" postgresql+psycopg://app@r1/db, ,postgresql+psycopg://app@r2/db",
    )
    assert settings.replica_urls == (
        "postgresql+psycopg://app@r1/db",
        "postgresql+psycopg://app@r2/db",
    )


def test_replica_urls_are_refused_with_sqlite() -> None:
    with pytest.raises(ValidationError, match="needs a PostgreSQL primary"):
        Settings(
            database_url="sqlite:///data/x.sqlite3",
            database_replica_urls="postgresql+psycopg://app:s3cret@r1/db",
        )


def test_refused_replica_setting_does_not_repeat_the_password() -> None:
    with pytest.raises(ValidationError) as refusal:
        Settings(
            database_url="sqlite:///data/x.sqlite3",
            database_replica_urls="postgresql+psycopg://app:s3cret@r1/db",
        )
    assert "s3cret" not in str(refusal.value)
