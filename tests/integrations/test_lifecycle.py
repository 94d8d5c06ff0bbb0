"""Keeping the connection alive for months: refresh, removal at Xero, reconnect, disconnect, billing."""

import pytest

from clients.models import Client
from core.models import AddOn
from core.selectors import monthly_total
from integrations import tokens
from integrations.models import XeroActivity, XeroConnection, XeroContact
from integrations.services import xero_access_token, xero_client_for, xero_connection_check
from integrations.tasks import check_all_xero_connections
from integrations.xero.errors import XeroAuthError
from tests.factories import CompanyFactory
from tests.integrations.conftest import authorise, let_time_pass

pytestmark = pytest.mark.django_db


def token_calls(sandbox):
    return [c for c in sandbox.calls(area="identity") if c["path"].endswith("/connect/token")]


def test_token_is_refreshed_shortly_before_it_expires(connect, xero_sandbox):
    connection = connect()
    first_refresh_token = tokens.decrypt(connection.refresh_token_encrypted)
    before = len(token_calls(xero_sandbox))
    let_time_pass(xero_sandbox, connection, minutes=20)  # 10 minutes left: no refresh yet
    xero_client_for(connection=connection).organisation_get()
    assert len(token_calls(xero_sandbox)) == before
    let_time_pass(xero_sandbox, connection, minutes=6)  # 4 minutes left: refresh first
    assert xero_client_for(connection=connection).organisation_get().name
    assert len(token_calls(xero_sandbox)) == before + 1
    connection.refresh_from_db()
    assert tokens.decrypt(connection.refresh_token_encrypted) != first_refresh_token  # rotated and kept
    assert connection.expires_at > connection.refreshed_at


def test_an_expired_access_token_is_refreshed_not_fatal(connect, xero_sandbox):
    connection = connect()
    let_time_pass(xero_sandbox, connection, minutes=45)
    assert xero_client_for(connection=connection).organisation_get().name
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.ACTIVE


def test_refresh_token_dead_after_60_idle_days_needs_reconnect(connect, xero_sandbox, owner_client):
    connection = connect()
    let_time_pass(xero_sandbox, connection, minutes=61 * 24 * 60)
    with pytest.raises(XeroAuthError):
        xero_access_token(connection=connection)
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.NEEDS_RECONNECT
    assert "Xero needs you to reconnect" in owner_client.get("/").content.decode()


def test_connection_removed_in_xero_then_reconnected_keeps_everything(
    connect, xero_sandbox, owner_client, django_capture_on_commit_callbacks
):
    connection = connect()
    contacts = XeroContact.objects.count()
    xero_sandbox.delete_connection(connection.connection_id)
    check_all_xero_connections.delay()  # the daily light check (eager in tests)
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.NEEDS_RECONNECT
    assert "was removed in Xero" in connection.last_error
    page = owner_client.get("/clients/").content.decode()
    assert "Xero needs you to reconnect" in page and "Reconnect Xero" in page
    card = owner_client.get("/settings/integrations/xero/").content.decode()
    assert "Reconnect Xero" in card and "Nothing has been lost" in page

    connection = connect()  # Reconnect runs the same flow
    assert connection.status == XeroConnection.Status.ACTIVE
    assert XeroConnection.objects.count() == 1
    assert XeroContact.objects.count() == contacts
    assert AddOn.objects.filter(code="xero").count() == 1  # reconnecting does not add a second charge
    assert XeroActivity.objects.filter(action="reconnected").exists()
    assert "Xero needs you to reconnect" not in owner_client.get("/clients/").content.decode()


def test_health_check_leaves_a_healthy_connection_alone(connect):
    connection = connect()
    assert xero_connection_check(connection=connection)
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.ACTIVE and connection.last_checked_at


def test_health_check_when_xero_is_down_does_not_cry_wolf(connect, xero_sandbox, settings):
    connection = connect()
    xero_sandbox.inject_fault(status=503, path="/connections", count=None)
    assert xero_connection_check(connection=connection)
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.ACTIVE
    assert "not answering" in connection.last_error


def test_disconnect_calls_xero_keeps_local_data_and_ends_the_charge(connect, xero_sandbox, owner_client):
    connection = connect()
    access_token = tokens.decrypt(connection.access_token_encrypted)
    contacts = XeroContact.objects.count()
    xero_sandbox.clear_calls()
    page = owner_client.get("/settings/integrations/xero/disconnect/").content.decode()
    assert "Disconnect from Xero?" in page
    response = owner_client.post("/settings/integrations/xero/disconnect/")
    assert response.status_code == 302
    calls = {(c["method"], c["path"].lower().rsplit("/", 1)[0]) for c in xero_sandbox.calls()}
    assert ("DELETE", "/xero-sandbox/api/connections") in calls
    assert ("POST", "/xero-sandbox/identity/connect") in calls  # revocation
    with pytest.raises(Exception):  # noqa: B017 - the grant is gone at Xero
        xero_sandbox.connections(access_token)
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.DISCONNECTED
    assert connection.access_token_encrypted == connection.refresh_token_encrypted == ""
    assert XeroContact.objects.count() == contacts
    assert not AddOn.objects.filter(code="xero", ended_at__isnull=True).exists()
    card = owner_client.get("/settings/integrations/xero/").content.decode()
    assert "read-only and no longer current" in card and "Reconnect Xero" in card
    billing = owner_client.get("/settings/billing/").content.decode()
    assert "No paid add-ons" in billing


def test_disconnect_when_xero_is_down_changes_nothing(connect, xero_sandbox, owner_client, settings):
    connection = connect()
    settings.XERO_HTTP_TIMEOUT = 0.5
    xero_sandbox.inject_fault(status=503, path="/connections", count=None)
    response = owner_client.post("/settings/integrations/xero/disconnect/", follow=True)
    assert "You are still connected; nothing was changed." in response.content.decode()
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.ACTIVE and connection.has_tokens
    assert AddOn.objects.filter(code="xero", ended_at__isnull=True).exists()


def test_reconnecting_a_different_organisation_asks_first(connect, xero_sandbox, owner_client):
    connect()
    response = authorise(owner_client, xero_sandbox, tenants=[xero_sandbox.second_tenant_id])
    assert response["Location"].startswith("/settings/integrations/xero/organisation/?tenant=")
    page = owner_client.get(response["Location"]).content.decode()
    assert "This is a different organisation" in page
    # Without ticking the confirmation nothing changes.
    owner_client.post(
        "/settings/integrations/xero/organisation/", {"tenant_id": xero_sandbox.second_tenant_id}
    )
    assert XeroConnection.objects.get().tenant_id == xero_sandbox.demo_tenant_id
    owner_client.post(
        "/settings/integrations/xero/organisation/",
        {"tenant_id": xero_sandbox.second_tenant_id, "confirm_switch": "yes"},
    )
    connection = XeroConnection.objects.get()
    assert connection.tenant_id == xero_sandbox.second_tenant_id
    assert XeroContact.objects.filter(tenant_id=xero_sandbox.demo_tenant_id).exists()  # kept, not current
    assert AddOn.objects.filter(code="xero").count() == 1


@pytest.mark.parametrize("clients", [0, 1, 500])
def test_billing_is_a_flat_four_pounds_however_many_clients(connect, practice, owner_client, clients):
    CompanyFactory.create_batch(clients, practice=practice)
    connect()
    assert Client.objects.filter(practice=practice).count() == clients
    assert str(monthly_total(practice=practice)) == "4.00"
    body = owner_client.get("/settings/billing/").content.decode()
    assert "Xero integration — £4.00 per month for all of your clients" in body
    assert "£4.00" in body


def test_daily_check_tidies_old_runs_and_abandoned_consents(connect, practice, owner):
    import datetime as dt

    from django.utils import timezone

    from integrations.models import PendingXeroGrant, XeroSyncRun

    connect()
    old = timezone.now() - dt.timedelta(days=40)
    XeroSyncRun.objects.create(practice=practice, status="succeeded", finished_at=old)
    grant = PendingXeroGrant.objects.create(practice=practice, user=owner, access_token_encrypted="x",
                                            refresh_token_encrypted="y", expires_at=timezone.now())  # fmt: skip
    PendingXeroGrant.objects.filter(pk=grant.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    check_all_xero_connections.delay()
    assert not XeroSyncRun.objects.filter(finished_at=old).exists()
    assert XeroSyncRun.objects.exists()  # recent runs stay
    assert not PendingXeroGrant.objects.exists()
