"""Encryption at rest for Xero tokens (MultiFernet, so keys can be rotated).

XERO_TOKEN_KEY holds one or more comma-separated Fernet keys, newest first. Without it (development),
a key is derived from SECRET_KEY so a fresh checkout needs no setup.
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.XERO_TOKEN_KEY.split(",") if k.strip()]
    if not keys:
        digest = hashlib.sha256(f"engager-xero-tokens:{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


class TokenUnreadable(ValueError):
    """A stored token cannot be decrypted: XERO_TOKEN_KEY changed without keeping the old key."""


def decrypt(value: str) -> str:
    if not value:
        return ""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken as exc:  # key changed without keeping the old one: a reconnect fixes it
        raise TokenUnreadable(
            "Stored Xero token cannot be decrypted with the configured XERO_TOKEN_KEY."
        ) from exc


def readable(value: str) -> bool:
    """Whether a stored token can still be decrypted (no Xero call, no exception)."""
    try:
        decrypt(value)
    except TokenUnreadable:
        return False
    return True


def reset_cache() -> None:
    _fernet.cache_clear()
