from django.utils import timezone

from integrations.models import XeroConnection
from integrations.services.activity import xero_activity_record


def xero_connection_mark_needs_reconnect(*, connection: XeroConnection, reason: str) -> None:
    """Flag the connection for owners/admins (banner + Reconnect); keeps every link and record."""
    updated = XeroConnection.objects.filter(pk=connection.pk, status=XeroConnection.Status.ACTIVE).update(
        status=XeroConnection.Status.NEEDS_RECONNECT, last_error=reason, last_checked_at=timezone.now()
    )
    connection.status = XeroConnection.Status.NEEDS_RECONNECT
    connection.last_error = reason
    if updated:
        xero_activity_record(
            practice=connection.practice, action="connection_lost", description=reason, success=False
        )
