"""Writes for the Xero integration. Other apps use these (and integrations.selectors) only."""

from integrations.services.activity import xero_activity_record
from integrations.services.connection import (
    PENDING_GRANT_LIFETIME,
    XERO_ADD_ON_CODE,
    XERO_MONTHLY_PRICE,
    OrganisationSwitchNeedsConfirmation,
    pending_grants_prune,
    xero_authorisation_begin,
    xero_authorisation_complete,
    xero_connection_check,
    xero_connection_finish,
    xero_connection_handle_auth_error,
    xero_disconnect,
)
from integrations.services.status import xero_connection_mark_needs_reconnect
from integrations.services.sync import (
    xero_sync_fail,
    xero_sync_run,
    xero_sync_runs_prune,
    xero_sync_start,
    xero_sync_waiting,
)
from integrations.services.tokens import xero_access_token
from integrations.services.xero_api import with_xero, xero_client, xero_client_for

__all__ = [
    "XERO_ADD_ON_CODE",
    "XERO_MONTHLY_PRICE",
    "OrganisationSwitchNeedsConfirmation",
    "PENDING_GRANT_LIFETIME",
    "pending_grants_prune",
    "with_xero",
    "xero_access_token",
    "xero_activity_record",
    "xero_authorisation_begin",
    "xero_authorisation_complete",
    "xero_client",
    "xero_client_for",
    "xero_connection_check",
    "xero_connection_finish",
    "xero_connection_handle_auth_error",
    "xero_connection_mark_needs_reconnect",
    "xero_disconnect",
    "xero_sync_fail",
    "xero_sync_run",
    "xero_sync_runs_prune",
    "xero_sync_start",
    "xero_sync_waiting",
]
