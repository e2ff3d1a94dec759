"""``UTCDateTime``: aware in, naive UTC stored, aware UTC out, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text

from commerce_stats.db.engine import Database
from commerce_stats.db.types import UTCDateTime

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
BERLIN_WINTER = timezone(timedelta(hours=1))

scratch = Table(
    "test_types_scratch",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("moment", UTCDateTime),
)


@pytest.fixture
def table(database: Database) -> Table:
    scratch.create(database.engine, checkfirst=True)
    with database.write() as conn:
        conn.execute(scratch.delete())
    return scratch


def _stored(database: Database, moment: datetime | None) -> datetime | None:
    with database.write() as conn:
        conn.execute(insert(scratch).values(id=1, moment=moment))
    with database.read() as conn:
        value: datetime | None = conn.execute(select(scratch.c.moment)).scalar_one()
    return value


def test_an_aware_moment_in_another_zone_reads_back_as_the_same_instant_in_utc(
    database: Database, table: Table
) -> None:
    stored = _stored(database, datetime(2026, 1, 2, 4, 4, 5, tzinfo=BERLIN_WINTER))
    assert stored == NOW
    assert stored is not None
    assert stored.tzinfo == UTC


def test_the_backend_holds_the_naive_utc_wall_time(database: Database, table: Table) -> None:
    _stored(database, datetime(2026, 1, 2, 4, 4, 5, tzinfo=BERLIN_WINTER))
    with database.read() as conn:
        raw = conn.execute(text("SELECT moment FROM test_types_scratch")).scalar_one()
    assert str(raw).startswith("2026-01-02 03:04:05")


def test_null_stays_null(database: Database, table: Table) -> None:
    assert _stored(database, None) is None


def test_a_naive_moment_is_refused_and_nothing_is_stored(database: Database, table: Table) -> None:
    with pytest.raises(Exception, match="aware"), database.write() as conn:
        conn.execute(insert(scratch).values(id=1, moment=datetime(2026, 1, 2)))
    with database.read() as conn:
        assert conn.execute(select(scratch.c.id)).all() == []


def test_bind_converts_to_naive_utc_for_the_backend(database: Database) -> None:
    bound = UTCDateTime().process_bind_param(
        datetime(2026, 7, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))), database.engine.dialect
    )
    assert bound == datetime(2026, 7, 1, 12, 0)


def test_text_read_from_sqlite_is_parsed_to_aware_utc() -> None:
    value = UTCDateTime().process_result_value(
        "2026-07-01 12:00:00.000001", create_engine("sqlite://").dialect
    )
    assert value == datetime(2026, 7, 1, 12, 0, 0, 1, tzinfo=UTC)
