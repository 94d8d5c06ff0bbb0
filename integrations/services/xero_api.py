"""Clients for the Xero layer, built from settings and holding a fresh access token."""

from collections.abc import Callable
from typing import TypeVar

from integrations.models import XeroConnection
from integrations.services.config import client_config
from integrations.services.tokens import xero_access_token, xero_force_refresh
from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroAuthError

T = TypeVar("T")


def xero_client(*, access_token: str, tenant_id: str = "", interactive: bool = True) -> XeroClient:
    return XeroClient(
        client_config(), access_token=access_token, tenant_id=tenant_id, interactive=interactive
    )


def xero_client_for(*, connection: XeroConnection, interactive: bool = True) -> XeroClient:
    """A client for the connection's organisation; refreshes the token first when it is due."""
    token = xero_access_token(connection=connection)
    return xero_client(access_token=token, tenant_id=connection.tenant_id, interactive=interactive)


def with_xero(
    *, connection: XeroConnection, operation: Callable[[XeroClient], T], interactive: bool = True
) -> T:
    """Run `operation` with a client for the connection.

    If Xero turns the access token down before we expected (revoked, clocks apart), refresh once and
    try again; if the grant itself is dead, the connection is flagged for reconnecting.
    """
    from integrations.services.connection import xero_connection_handle_auth_error

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
