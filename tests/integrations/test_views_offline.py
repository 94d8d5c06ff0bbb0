"""Connection views whose outcome never reaches Xero: permissions and refused callbacks."""

import pytest

from integrations.models import PendingXeroGrant, XeroActivity, XeroConnection
from tests.integrations.factories import XeroConnectionFactory


@pytest.mark.django_db
def test_card_explains_price_and_sandbox(owner_client):
    body = owner_client.get("/settings/integrations/").content.decode()
    assert "£4.00 per month for all of your clients" in body and "not per client" in body
    body = owner_client.get("/settings/integrations/xero/").content.decode()
    assert "Not connected" in body
    assert "Authorise Xero" in body
    assert "Offline Xero sandbox" in body and "XERO_MODE=xero" in body


@pytest.mark.django_db
def test_staff_see_who_can_authorise_but_cannot(staff_client, owner):
    body = staff_client.get("/settings/integrations/xero/").content.decode()
    assert "Authorise Xero</button>" not in body
    assert owner.get_full_name() in body
    assert staff_client.post("/settings/integrations/xero/authorise/").status_code == 403
    assert staff_client.get("/settings/integrations/xero/callback/?code=x&state=y").status_code == 403
    assert staff_client.post("/settings/integrations/xero/disconnect/").status_code == 403


@pytest.mark.django_db
def test_authorise_starts_oauth_with_state_and_pkce(owner_client, settings):
    response = owner_client.post("/settings/integrations/xero/authorise/")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{settings.XERO_LOGIN_BASE}/identity/connect/authorize?")
    assert "code_challenge_method=S256" in location and "code_challenge=" in location
    assert "accounting.invoices" in location and "offline_access" in location
    saved = owner_client.session["xero_oauth"]
    assert f"state={saved['state']}" in location
    assert len(saved["code_verifier"]) >= 43


@pytest.mark.django_db
def test_user_cancelled_on_xero(owner_client):
    owner_client.post("/settings/integrations/xero/authorise/")
    state = owner_client.session["xero_oauth"]["state"]
    response = owner_client.get(
        f"/settings/integrations/xero/callback/?error=access_denied&state={state}", follow=True
    )
    assert "You cancelled on Xero&#x27;s screen, so nothing was connected." in response.content.decode()
    assert not XeroConnection.objects.exists() and not PendingXeroGrant.objects.exists()
    assert "xero_oauth" not in owner_client.session  # the matching state is single use


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["code=abc&state=forged", "code=abc", "code=abc&state="])
def test_wrong_or_missing_state_is_refused(owner_client, query):
    owner_client.post("/settings/integrations/xero/authorise/")
    pending = owner_client.session["xero_oauth"]
    response = owner_client.get(f"/settings/integrations/xero/callback/?{query}", follow=True)
    assert "could not be verified" in response.content.decode()
    assert not XeroConnection.objects.exists() and not PendingXeroGrant.objects.exists()
    # A callback without our state cannot cancel the pending authorisation (tests/integrations/
    # test_oauth_callback.py shows the real callback still completing afterwards).
    assert owner_client.session["xero_oauth"] == pending


@pytest.mark.django_db
def test_callback_without_starting_is_refused(owner_client):
    response = owner_client.get("/settings/integrations/xero/callback/?code=abc&state=abc", follow=True)
    assert "could not be verified" in response.content.decode()


@pytest.mark.django_db
def test_another_practice_cannot_see_or_touch_the_connection(owner_client, other_practice):
    theirs = XeroConnectionFactory(practice=other_practice, tenant_name="Their Org Ltd")
    body = owner_client.get("/settings/integrations/xero/").content.decode()
    assert "Their Org Ltd" not in body and "Not connected" in body
    response = owner_client.post("/settings/integrations/xero/disconnect/", follow=True)
    assert "Xero is not connected" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == XeroConnection.Status.ACTIVE
    assert owner_client.post("/settings/integrations/xero/sync/").status_code == 302
    assert not theirs.practice.xero_sync_runs.exists()


@pytest.mark.django_db
def test_needs_reconnect_banner_only_for_managers(owner_client, staff_user, client, practice):
    XeroConnectionFactory(
        practice=practice, status=XeroConnection.Status.NEEDS_RECONNECT, tenant_name="Demo Org"
    )
    body = owner_client.get("/clients/").content.decode()
    assert "Xero needs you to reconnect" in body and "Reconnect Xero" in body
    client.force_login(staff_user)
    assert "Xero needs you to reconnect" not in client.get("/clients/").content.decode()


@pytest.mark.django_db
def test_activity_log_lists_newest_first(owner_client, practice, owner):
    XeroActivity.objects.create(
        practice=practice, user=owner, action="connected", description="Connected to A"
    )
    XeroActivity.objects.create(
        practice=practice, action="connection_lost", description="Lost B", outcome="failure"
    )
    body = owner_client.get("/settings/integrations/xero/activity/").content.decode()
    assert body.index("Lost B") < body.index("Connected to A")
    assert "Engager (automatic)" in body and "Failed" in body
