"""Is the connection still good? Calls that notice when it is not, and the daily light check."""

from collections.abc import Callable
from typing import TypeVar

from django.utils import timezone

from integrations.models import XeroConnection
from integrations.services.status import xero_connection_mark_needs_reconnect
from integrations.services.tokens import xero_access_token, xero_force_refresh
from integrations.services.xero_api import xero_client, xero_client_for
from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroAuthError, XeroUnavailable

T = TypeVar("T")


def xero_connection_check(*, connection: XeroConnection) -> bool:
    """Light health check: is our connection still listed at Xero? Returns True when healthy."""
    if not connection.is_active:
        return False
    try:
        tenants = xero_client(access_token=xero_access_token(connection=connection)).connections_list()
    except XeroAuthError as exc:
        if connection.is_active:
            xero_connection_mark_needs_reconnect(connection=connection, reason=exc.message)
        return False
    except XeroUnavailable as exc:
        XeroConnection.objects.filter(pk=connection.pk).update(last_error=exc.message)
        return True  # unknown, not broken: try again next time
    if not any(
        t.connection_id == connection.connection_id or t.tenant_id == connection.tenant_id for t in tenants
    ):
        xero_connection_mark_needs_reconnect(
            connection=connection,
            reason=f"Engager's connection to {connection.tenant_name} was removed in Xero.",
        )
        return False
    XeroConnection.objects.filter(pk=connection.pk).update(last_checked_at=timezone.now(), last_error="")
    return True


def xero_connection_handle_auth_error(*, connection: XeroConnection, error: XeroAuthError) -> None:
    """A call was refused for auth reasons: work out whether the connection is gone."""
    if error.invalid_grant or error.status == 403:
        xero_connection_mark_needs_reconnect(connection=connection, reason=error.message)
    else:
        xero_connection_check(connection=connection)


def with_xero(
    *, connection: XeroConnection, operation: Callable[[XeroClient], T], interactive: bool = True
) -> T:
    """Run `operation` with a client for the connection.

    If Xero turns the access token down before we expected (revoked, clocks apart), refresh once and
    try again; if the grant itself is dead, the connection is flagged for reconnecting.
    """
    try:
        try:
            return operation(xero_client_for(connection=connection, interactive=interactive))
        except XeroAuthError as exc:
            if not exc.token_rejected:
                raise
            xero_force_refresh(connection=connection)
            return operation(xero_client_for(connection=connection, interactive=interactive))
    except XeroAuthError as exc:
        xero_connection_handle_auth_error(connection=connection, error=exc)
        raise
