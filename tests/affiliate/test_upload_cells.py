"""Reading an upload row's cells: a bad cell is noted with its row and column, and read as None."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from commerce_stats.affiliate.errors import RowError
from commerce_stats.affiliate.rules import CANCELED
from commerce_stats.affiliate.upload_cells import MAX_ROW_BYTES, Cells

BERLIN = ZoneInfo("Europe/Berlin")


def test_an_id_reads_as_its_number() -> None:
    cells = Cells(BERLIN)
    assert cells.id_of(2, {"campaign_id": "0042"}, "campaign_id") == 42
    assert cells.errors == []


def test_a_non_numeric_id_is_noted_with_row_and_column() -> None:
    cells = Cells(BERLIN)
    assert cells.id_of(3, {"trigger_id": "x1"}, "trigger_id") is None
    assert cells.errors == [RowError(3, "trigger_id", "not an id: 'x1'")]


def test_an_empty_cell_is_no_value_and_no_problem() -> None:
    cells = Cells(BERLIN)
    assert cells.amount(2, {"price": ""}, "price", "EUR") is None
    assert cells.errors == []


def test_an_amount_with_a_german_comma_reads_in_minor_units() -> None:
    assert Cells(BERLIN).amount(2, {"price": "12,50"}, "price", "EUR") == 1250


def test_an_amount_with_too_many_decimals_is_noted() -> None:
    cells = Cells(BERLIN)
    assert cells.amount(4, {"commission": "1.005"}, "commission", "EUR") is None
    assert cells.errors == [RowError(4, "commission", "1.005 has more decimals than EUR allows")]


def test_a_status_reads_by_name() -> None:
    assert Cells(BERLIN).status(2, {"status": "Canceled"}) == CANCELED


def test_a_timestamp_is_network_time() -> None:
    ordered = Cells(BERLIN).timestamp(2, {"order_timestamp": "2026-07-01 12:00:00"})
    assert ordered is not None
    assert ordered.astimezone(UTC) == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)


def test_a_timestamp_before_1970_is_out_of_range() -> None:
    cells = Cells(BERLIN)
    assert cells.timestamp(5, {"order_timestamp": "1969-12-31 23:59:59"}) is None
    assert cells.errors[0].reason.endswith("is out of range (years 1970 to 9999, network time)")


def test_a_nul_character_is_refused_in_any_column() -> None:
    cells = Cells(BERLIN)
    assert cells.text_ok(6, {"ordertoken": "A\x00B", "price": "1"}) is False
    assert cells.errors == [RowError(6, "ordertoken", "contains a NUL character")]


def test_a_cell_longer_than_a_row_may_be_is_refused() -> None:
    cells = Cells(BERLIN)
    assert cells.text_ok(7, {"cancel_reason": "x" * (MAX_ROW_BYTES + 1)}) is False
    assert cells.errors == [RowError(7, "cancel_reason", f"longer than {MAX_ROW_BYTES} characters")]


def test_a_lookup_of_an_unknown_id_is_noted() -> None:
    cells = Cells(BERLIN)
    assert cells.lookup(8, {"project_id": "9"}, "project_id", {}, required=True) is None
    assert cells.errors == [RowError(8, "project_id", "unknown id 9")]


def test_a_required_lookup_left_empty_is_noted() -> None:
    cells = Cells(BERLIN)
    assert cells.lookup(9, {"campaign_id": ""}, "campaign_id", {}, required=True) is None
    assert cells.errors == [RowError(9, "campaign_id", "required for a new transaction")]
