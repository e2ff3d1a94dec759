"""Secrets: generated long, stored hashed, compared in constant time."""

from __future__ import annotations

from commerce_stats.kit.keys import (
    digests_equal,
    hash_password,
    hash_secret,
    new_secret,
    texts_equal,
    verify_password,
)


def test_new_secrets_carry_192_bits() -> None:
    assert len(new_secret()) == 32
    assert new_secret() != new_secret()


def test_hash_is_sha256_hex() -> None:
    assert hash_secret("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_digests_equal_compares_whole_strings() -> None:
    assert digests_equal("ab", "ab")
    assert not digests_equal("ab", "ac")


def test_password_hash_verifies_only_the_password() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$")
    assert verify_password("correct horse", stored)
    assert not verify_password("wrong horse", stored)


def test_password_hashes_are_salted() -> None:
    assert hash_password("same") != hash_password("same")


def test_malformed_stored_hash_never_verifies() -> None:
    assert not verify_password("x", "md5$abc")


def test_texts_equal_compares_any_characters() -> None:
    assert texts_equal("größe", "größe")
    assert not texts_equal("größe", "grösse")
