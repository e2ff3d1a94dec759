"""Secrets: generation, hashing for storage, and constant-time comparison.

Generated secrets carry at least 192 bits of randomness, so a single SHA-256 is
enough to store them: a slow password hash protects guessable secrets and these
are not guessable. Human-chosen passwords use ``hash_password`` (scrypt).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_BYTES = 24
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1


def new_secret() -> str:
    """A URL-safe random secret of 192 bits."""
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def digests_equal(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode("ascii"), right.encode("ascii"))


def texts_equal(left: str, right: str) -> bool:
    """Constant-time equality of two texts of any characters (form values, tokens)."""
    return hmac.compare_digest(left.encode("utf-8"), right.encode("utf-8"))


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(digest, bytes.fromhex(digest_hex))
