"""Keep the connection's rotating tokens alive, safely across processes.

Xero rotates the refresh token on every refresh; if two workers refresh at once, the loser's token
is dead. So refreshes happen under a row lock, and after taking the lock we re-read the row:
another worker may already have done it.
"""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from integrations import tokens
from integrations.models import XeroConnection
from integrations.services.config import oauth_config
from integrations.services.status import xero_connection_mark_needs_reconnect
from integrations.xero import oauth
from integrations.xero.errors import XeroAuthError
from integrations.xero.types import TokenSet

logger = logging.getLogger(__name__)

REFRESH_MARGIN = dt.timedelta(minutes=5)
TOKENS_UNREADABLE = (
    "Engager can no longer read the Xero authorisation it stored: its encryption key (XERO_TOKEN_KEY) "
    "was changed or lost. Reconnect Xero to carry on; your links and Xero records are kept."
)


class XeroTokensUnreadable(XeroAuthError):
    """The stored tokens cannot be decrypted; the connection has been flagged for reconnecting."""

    message = TOKENS_UNREADABLE


def xero_tokens_unreadable(*, connection: XeroConnection) -> XeroTokensUnreadable:
    """Flag the connection (owners and admins are told to reconnect) and return the error to raise."""
    logger.warning(
        "Xero tokens of connection %s cannot be decrypted; flagged for reconnecting", connection.pk
    )
    xero_connection_mark_needs_reconnect(connection=connection, reason=TOKENS_UNREADABLE)
    return XeroTokensUnreadable()


def xero_connection_verify_tokens(*, connection: XeroConnection) -> bool:
    """A local check (no Xero call): flag an active connection whose tokens can no longer be read."""
    if not connection.is_active or not connection.has_tokens:
        return True
    if tokens.readable(connection.refresh_token_encrypted) and tokens.readable(
        connection.access_token_encrypted
    ):
        return True
    xero_tokens_unreadable(connection=connection)
    return False


def store_tokens(connection: XeroConnection, token_set: TokenSet) -> None:
    """Set (not save) the encrypted tokens on the row."""
    connection.access_token_encrypted = tokens.encrypt(token_set.access_token)
    connection.refresh_token_encrypted = tokens.encrypt(token_set.refresh_token)
    connection.expires_at = token_set.expires_at
    connection.scopes = " ".join(token_set.scopes)


def _fresh_enough(connection: XeroConnection) -> bool:
    return bool(connection.expires_at and connection.expires_at - timezone.now() > REFRESH_MARGIN)


def xero_access_token(*, connection: XeroConnection) -> str:
    """A usable access token for the connection, refreshing it first if it is about to expire."""
    if not connection.is_active or not connection.has_tokens:
        raise XeroAuthError()
    try:
        if _fresh_enough(connection):
            return tokens.decrypt(connection.access_token_encrypted)
        return _refresh_locked(connection)
    except tokens.TokenUnreadable as exc:
        raise xero_tokens_unreadable(connection=connection) from exc
    except XeroAuthError as exc:
        if exc.invalid_grant:
            xero_connection_mark_needs_reconnect(
                connection=connection,
                reason="Xero no longer accepts the stored authorisation (invalid_grant).",
            )
        raise


def xero_force_refresh(*, connection: XeroConnection) -> str:
    """Refresh now, whatever expires_at says (Xero turned the access token down)."""
    rejected = connection.access_token_encrypted
    XeroConnection.objects.filter(pk=connection.pk, access_token_encrypted=rejected).update(
        expires_at=timezone.now()
    )
    connection.expires_at = timezone.now()
    return xero_access_token(connection=connection)


def _refresh_locked(connection: XeroConnection) -> str:
    # The one transaction allowed to span a Xero call: short, and it must hold the lock.
    with transaction.atomic():
        locked = XeroConnection.objects.select_for_update().get(pk=connection.pk)
        if not locked.is_active or not locked.has_tokens:
            raise XeroAuthError()
        if not _fresh_enough(locked):
            config = oauth_config()
            refresh_token = tokens.decrypt(locked.refresh_token_encrypted)
            try:
                token_set = oauth.refresh(config, refresh_token=refresh_token)
            except XeroAuthError as exc:
                if not exc.invalid_grant:
                    raise
                # Grace: where row locks are not enforced (SQLite) another process may have stored a
                # newer token meanwhile; retry once with whatever is stored now.
                stored = tokens.decrypt(
                    XeroConnection.objects.values_list("refresh_token_encrypted", flat=True).get(pk=locked.pk)
                )
                if stored == refresh_token:
                    raise
                token_set = oauth.refresh(config, refresh_token=stored)
            store_tokens(locked, token_set)
            locked.refreshed_at = timezone.now()
            locked.save(
                update_fields=[
                    "access_token_encrypted", "refresh_token_encrypted", "expires_at", "scopes", "refreshed_at"
                ]
            )  # fmt: skip
    # Hand the caller's instance the new state, so it does not refresh again.
    for field in (
        "access_token_encrypted",
        "refresh_token_encrypted",
        "expires_at",
        "scopes",
        "refreshed_at",
    ):
        setattr(connection, field, getattr(locked, field))
    return tokens.decrypt(locked.access_token_encrypted)
