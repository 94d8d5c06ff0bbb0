"""Authorising again while connected, or reconnecting, lets go of the connection it replaces: no
orphan grant stays alive at Xero (the sandbox's own list of connections is the proof)."""

import pytest

from integrations import tokens
from integrations.models import XeroActivity, XeroConnection
from tests.integrations.conftest import authorise, let_time_pass

pytestmark = pytest.mark.django_db


def live_connections(sandbox) -> list[dict]:
    return sandbox.state()["connections"]


def test_authorising_again_while_connected_removes_the_replaced_connection(connect, xero_sandbox):
    old = connect()
    old_refresh_token = tokens.decrypt(old.refresh_token_encrypted)
    assert [c["id"] for c in live_connections(xero_sandbox)] == [old.connection_id]
    xero_sandbox.clear_calls()

    new = connect()  # Authorise Xero again, same organisation

    assert new.connection_id != old.connection_id
    assert [c["id"] for c in live_connections(xero_sandbox)] == [new.connection_id]
    calls = [(c["method"], c["path"].lower()) for c in xero_sandbox.calls(area="identity")] + [
        (c["method"], c["path"].lower()) for c in xero_sandbox.calls(area="connections")
    ]
    assert ("DELETE", f"/xero-sandbox/api/connections/{old.connection_id}") in calls
    assert ("POST", "/xero-sandbox/identity/connect/revocation") in calls
    # The replaced grant is dead at Xero: its refresh token no longer works.
    with pytest.raises(Exception, match="invalid_grant"):
        xero_sandbox.oauth_session().refresh_token(
            xero_sandbox.token_url, refresh_token=old_refresh_token,
            auth=(xero_sandbox.client_id, xero_sandbox.client_secret),
        )  # fmt: skip
    assert XeroActivity.objects.get(action="connection_replaced").outcome == "success"
    assert XeroConnection.objects.get().status == XeroConnection.Status.ACTIVE


def test_reconnecting_after_xero_flagged_the_connection_leaves_one_connection(connect, xero_sandbox):
    old = connect()
    let_time_pass(xero_sandbox, old, minutes=45)  # the old access token expired meanwhile
    XeroConnection.objects.filter(pk=old.pk).update(status=XeroConnection.Status.NEEDS_RECONNECT)

    new = connect()  # Reconnect Xero

    assert [c["id"] for c in live_connections(xero_sandbox)] == [new.connection_id]
    assert new.status == XeroConnection.Status.ACTIVE


def test_switching_organisation_removes_the_old_organisations_connection(
    connect, xero_sandbox, owner_client, django_capture_on_commit_callbacks
):
    connect()
    authorise(owner_client, xero_sandbox, tenants=[xero_sandbox.second_tenant_id])
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            "/settings/integrations/xero/organisation/",
            {"tenant_id": xero_sandbox.second_tenant_id, "confirm_switch": "yes"},
        )
    assert XeroConnection.objects.get().tenant_id == xero_sandbox.second_tenant_id
    assert [c["tenantId"] for c in live_connections(xero_sandbox)] == [xero_sandbox.second_tenant_id]
