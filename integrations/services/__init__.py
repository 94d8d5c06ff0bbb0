"""Writes for the Xero integration. Other apps use these (and integrations.selectors) only."""

from integrations.services.activity import xero_activity_record
from integrations.services.bulk import (
    BulkError,
    xero_bulk_create_start,
    xero_bulk_link_start,
    xero_bulk_retry,
)
from integrations.services.connection import (
    XERO_MONTHLY_PRICE,
    OrganisationSwitchNeedsConfirmation,
    pending_grants_prune,
    xero_authorisation_begin,
    xero_authorisation_complete,
    xero_connection_finish,
    xero_disconnect,
)
from integrations.services.differences import (
    DifferenceError,
    client_update_from_xero_contact,
    xero_contact_update_from_client,
)
from integrations.services.health import with_xero, xero_connection_check
from integrations.services.invoice_writes import (
    xero_invoice_create,
    xero_invoices_create,
    xero_online_invoice_url,
)
from integrations.services.links import (
    ContactCreateRefused,
    ContactNameTaken,
    LinkConflict,
    LinkError,
    xero_contact_create_for_client,
    xero_contact_link,
    xero_contact_unlink,
    xero_contacts_search_remote,
)
from integrations.services.registry import (
    SyncStep,
    WebhookHandler,
    register_sync_step,
    register_webhook_handler,
)
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

# Xero's typed errors, for the apps that call the services above (they may not import integrations.xero).
from integrations.xero.errors import (  # noqa: E402
    XeroAuthError,
    XeroError,
    XeroRateLimited,
    XeroUnavailable,
    XeroValidationError,
)

__all__ = [
    "SyncStep",
    "WebhookHandler",
    "register_sync_step",
    "register_webhook_handler",
    "XeroAuthError",
    "XeroError",
    "XeroRateLimited",
    "XeroUnavailable",
    "XeroValidationError",
    "xero_invoice_create",
    "xero_invoices_create",
    "xero_online_invoice_url",
    "BulkError",
    "DifferenceError",
    "client_update_from_xero_contact",
    "xero_bulk_create_start",
    "xero_bulk_link_start",
    "xero_bulk_retry",
    "xero_contact_update_from_client",
    "ContactCreateRefused",
    "ContactNameTaken",
    "LinkConflict",
    "LinkError",
    "xero_contact_create_for_client",
    "xero_contact_link",
    "xero_contact_unlink",
    "xero_contacts_search_remote",
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
