"""The refusal classes (errors.py) carry their meaning: the values they were raised with."""

from __future__ import annotations

from commerce_stats.promotions import errors


def test_too_many_attempts_keeps_its_retry_after() -> None:
    assert errors.TooManyAttemptsError(retry_after=30).retry_after == 30


def test_promotion_not_found_keeps_the_id_asked_for() -> None:
    assert errors.PromotionNotFoundError(7).promotion_id == 7


def test_invalid_fields_names_each_field_once_in_the_order_given() -> None:
    refusal = errors.InvalidFieldsError(["b", "a", "b"])
    assert refusal.names == ["b", "a"]
    assert refusal.entries == [
        (errors.INVALID_FIELD, "Invalid field value: b"),
        (errors.INVALID_FIELD, "Invalid field value: a"),
    ]


def test_the_message_is_the_first_entrys() -> None:
    refusal = errors.InvalidFieldsError(["b", "a"])
    assert refusal.message == "Invalid field value: b"
    assert str(refusal) == "Invalid field value: b"


def test_order_refusals_keep_the_order_id() -> None:
    assert errors.OrderConflictError("A-1").order_id == "A-1"
    assert errors.OrderNotFoundError("A-2").order_id == "A-2"


def test_code_refusals_keep_the_code() -> None:
    assert errors.CodeNotValidError("NOPE").code_value == "NOPE"
    assert errors.CodeAlreadyUsedError("ONCE").code_value == "ONCE"
