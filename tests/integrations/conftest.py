from urllib.parse import urlsplit

import pytest

from integrations.models import XeroConnection

CALLBACK = "/settings/integrations/xero/callback/"


def authorise(django_client, sandbox, *, tenants=None, allow=True):
    """Click Authorise Xero, answer Xero's consent screen, and follow the redirect back to Engager.

    Returns the app's response to the callback (not followed).
    """
    start = django_client.post("/settings/integrations/xero/authorise/")
    assert start.status_code == 302, start
    page = sandbox.consent_page(start["Location"])
    callback = sandbox.decide(page, allow=allow, tenants=tenants)
    parts = urlsplit(callback)
    assert parts.path == CALLBACK
    return django_client.get(f"{parts.path}?{parts.query}")


@pytest.fixture
def connect(owner_client, xero_sandbox, django_capture_on_commit_callbacks):
    """Connect the practice to the sandbox's demo organisation through the real flow; runs the
    first sync (eager Celery) too. Returns the connection."""

    def _connect(tenants=None, django_client=None):
        with django_capture_on_commit_callbacks(execute=True):
            response = authorise(django_client or owner_client, xero_sandbox, tenants=tenants)
        assert response.status_code == 302
        return XeroConnection.objects.get()

    return _connect


def let_time_pass(sandbox, connection, *, minutes: float) -> None:
    """Move Xero's clock and, as far as the stored token is concerned, ours."""
    import datetime as dt

    sandbox.advance_clock(minutes=minutes)
    XeroConnection.objects.filter(pk=connection.pk).update(
        expires_at=connection.expires_at - dt.timedelta(minutes=minutes)
    )
    connection.refresh_from_db()
