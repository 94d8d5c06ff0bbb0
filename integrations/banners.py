from django.urls import reverse
from django.utils.html import format_html

from integrations.models import XeroConnection


def xero_reconnect_banner(request) -> list[dict]:
    """Owners and admins see, on every page, that Xero needs reconnecting."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.can_manage:
        return []
    needs = XeroConnection.objects.filter(
        practice=request.practice, status=XeroConnection.Status.NEEDS_RECONNECT
    ).values_list("tenant_name", flat=True)
    return [
        {
            "level": "warning",
            "html": format_html(
                "Xero needs you to reconnect: Engager can no longer reach {}. Nothing has been lost. "
                '<a href="{}">Reconnect Xero</a>',
                name,
                reverse("integrations:xero"),
            ),
        }
        for name in needs
    ]
