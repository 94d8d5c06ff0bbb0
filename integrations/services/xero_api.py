"""Clients for the Xero layer, built from settings and holding a fresh access token."""

from integrations.models import XeroConnection
from integrations.services.config import client_config
from integrations.services.tokens import xero_access_token
from integrations.xero.client import XeroClient


def xero_client(*, access_token: str, tenant_id: str = "", interactive: bool = True) -> XeroClient:
    return XeroClient(
        client_config(), access_token=access_token, tenant_id=tenant_id, interactive=interactive
    )


def xero_client_for(*, connection: XeroConnection, interactive: bool = True) -> XeroClient:
    """A client for the connection's organisation; refreshes the token first when it is due."""
    token = xero_access_token(connection=connection)
    return xero_client(access_token=token, tenant_id=connection.tenant_id, interactive=interactive)
