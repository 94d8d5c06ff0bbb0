"""Reads for the Xero integration (never calls Xero)."""

from django.db.models import QuerySet
from django.utils import timezone

from core.models import Practice
from integrations.constants import PENDING_GRANT_LIFETIME
from integrations.models import (
    PendingXeroGrant,
    XeroActivity,
    XeroConnection,
    XeroContact,
    XeroSyncRun,
)


def xero_connection(*, practice: Practice) -> XeroConnection | None:
    return XeroConnection.objects.filter(practice=practice).select_related("connected_by").first()


def pending_grant(*, practice: Practice, pk: int | None) -> PendingXeroGrant | None:
    if pk is None:
        return None
    fresh_since = timezone.now() - PENDING_GRANT_LIFETIME
    return PendingXeroGrant.objects.filter(practice=practice, pk=pk, created_at__gte=fresh_since).first()


def xero_contacts(*, practice: Practice) -> QuerySet[XeroContact]:
    """The mirror of the connected organisation's contacts (empty if never connected)."""
    connection = xero_connection(practice=practice)
    if connection is None:
        return XeroContact.objects.none()
    return XeroContact.objects.filter(practice=practice, tenant_id=connection.tenant_id)


def xero_contact_counts(*, practice: Practice) -> dict[str, int]:
    qs = xero_contacts(practice=practice)
    return {"total": qs.count(), "archived": qs.filter(status="ARCHIVED").count()}


def xero_sync_run(*, practice: Practice, pk: int) -> XeroSyncRun | None:
    return XeroSyncRun.objects.filter(practice=practice, pk=pk).first()


def xero_latest_sync_run(*, practice: Practice) -> XeroSyncRun | None:
    return XeroSyncRun.objects.filter(practice=practice).order_by("-created_at").first()


def xero_activity(*, practice: Practice) -> QuerySet[XeroActivity]:
    return (
        XeroActivity.objects.filter(practice=practice).select_related("user").order_by("-created_at", "-pk")
    )
