"""Writes for the Xero integration. Other apps use these (and integrations.selectors) only."""

from integrations.services.activity import xero_activity_record
from integrations.services.connection import (
    XERO_MONTHLY_PRICE,
    OrganisationSwitchNeedsConfirmation,
    pending_grants_prune,
    xero_authorisation_begin,
    xero_authorisation_complete,
    xero_connection_finish,
    xero_disconnect,
)
from integrations.services.health import with_xero, xero_connection_check
from integrations.services.sync import (
    xero_sync_fail,
    xero_sync_request,
    xero_sync_resume_if_due,
    xero_sync_retry_delay,
    xero_sync_run,
    xero_sync_runs_prune,
    xero_sync_waiting,
)
from integrations.services.tokens import xero_access_token, xero_connection_verify_tokens
from integrations.services.xero_api import xero_client_for

__all__ = [
    "XERO_MONTHLY_PRICE",
    "OrganisationSwitchNeedsConfirmation",
    "pending_grants_prune",
    "with_xero",
    "xero_access_token",
    "xero_activity_record",
    "xero_authorisation_begin",
    "xero_authorisation_complete",
    "xero_client_for",
    "xero_connection_check",
    "xero_connection_finish",
    "xero_connection_verify_tokens",
    "xero_disconnect",
    "xero_sync_fail",
    "xero_sync_request",
    "xero_sync_resume_if_due",
    "xero_sync_retry_delay",
    "xero_sync_run",
    "xero_sync_runs_prune",
    "xero_sync_waiting",
]
