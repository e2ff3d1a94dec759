"""Constraint names follow one convention, so migrations can name what they change."""

from __future__ import annotations

from sqlalchemy import ForeignKeyConstraint, UniqueConstraint

from commerce_stats.db.metadata import NAMING_CONVENTION
from commerce_stats.db.models import metadata


def test_every_primary_key_is_named_after_its_table() -> None:
    names = {table.name: table.primary_key.name for table in metadata.tables.values()}

    assert names == {name: f"pk_{name}" for name in names}


def test_foreign_keys_name_their_table_column_and_target() -> None:
    credentials = metadata.tables["account_credentials"]
    [constraint] = [c for c in credentials.constraints if isinstance(c, ForeignKeyConstraint)]

    assert constraint.name == "fk_account_credentials_account_id_accounts"


def test_unique_constraints_name_their_table_and_columns() -> None:
    logins = metadata.tables["dashboard_logins"]
    names = {c.name for c in logins.constraints if isinstance(c, UniqueConstraint)}

    assert names == {"uq_dashboard_logins_username"}


def test_the_convention_covers_every_constraint_kind() -> None:
    assert sorted(NAMING_CONVENTION) == ["ck", "fk", "ix", "pk", "uq"]
