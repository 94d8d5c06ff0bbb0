"""Settings → Integrations → Xero: the whole authorise flow against the sandbox over HTTP."""

from urllib.parse import parse_qs, urlsplit

import pytest

from core.models import AddOn
from integrations import tokens
from integrations.models import PendingXeroGrant, XeroActivity, XeroConnection, XeroContact, XeroReferenceItem
from tests.integrations.conftest import CALLBACK, authorise

pytestmark = pytest.mark.django_db


def messages_of(client, response):
    return client.get(response["Location"]).content.decode()


def test_one_organisation_connects_directly_and_syncs(owner_client, owner, xero_sandbox, connect):
    connection = connect(tenants=[xero_sandbox.demo_tenant_id])
    in_sandbox = xero_sandbox.state()["connections"]
    assert connection.status == XeroConnection.Status.ACTIVE
    assert connection.tenant_id == xero_sandbox.demo_tenant_id
    assert connection.short_code.startswith("!")
    assert connection.base_currency == "GBP" and connection.country_code == "GB"
    assert connection.connection_id and connection.connected_by == owner
    # The first sync mirrored every contact (archived ones too) and the reference data.
    in_xero = xero_sandbox.contacts()
    assert XeroContact.objects.count() == len(in_xero) > 30
    archived = [c for c in in_xero if c.get("ContactStatus") == "ARCHIVED"]
    assert XeroContact.objects.filter(status="ARCHIVED").count() == len(archived)
    kinds = set(XeroReferenceItem.objects.values_list("kind", flat=True))
    assert kinds == {"account", "tax_rate", "item"}
    assert XeroReferenceItem.objects.filter(kind="tax_rate", code="OUTPUT2").exists()
    # The card shows the organisation, the £4 charge started once, the activity log has it.
    body = owner_client.get("/settings/integrations/xero/").content.decode()
    assert connection.tenant_name in body and "Connected" in body and "Last successful sync" in body
    assert AddOn.objects.filter(code="xero", ended_at__isnull=True).count() == 1
    assert XeroActivity.objects.filter(action="connected").exists()
    # Xero holds exactly the connection Engager stored.
    assert [(c["id"], c["tenantId"]) for c in in_sandbox] == [
        (connection.connection_id, connection.tenant_id)
    ]


def test_two_organisations_the_user_chooses(owner_client, xero_sandbox, django_capture_on_commit_callbacks):
    response = authorise(
        owner_client, xero_sandbox, tenants=[xero_sandbox.demo_tenant_id, xero_sandbox.second_tenant_id]
    )
    assert response["Location"] == "/settings/integrations/xero/organisation/"
    assert not XeroConnection.objects.exists()
    page = owner_client.get(response["Location"]).content.decode()
    grant = PendingXeroGrant.objects.get()
    names = {t["tenant_id"]: t["tenant_name"] for t in grant.tenants}
    assert all(name in page for name in names.values())
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            "/settings/integrations/xero/organisation/", {"tenant_id": xero_sandbox.second_tenant_id}
        )
    assert response.status_code == 302
    connection = XeroConnection.objects.get()
    assert connection.tenant_id == xero_sandbox.second_tenant_id
    assert connection.tenant_name == names[xero_sandbox.second_tenant_id]
    assert not PendingXeroGrant.objects.exists()
    # The organisation not chosen was let go at Xero, so the practice holds one connection.
    listed = xero_sandbox.connections(tokens.decrypt(connection.access_token_encrypted))
    assert [c["tenantId"] for c in listed] == [xero_sandbox.second_tenant_id]
    released = XeroActivity.objects.get(action="connection_released")
    assert released.xero_id == xero_sandbox.demo_tenant_id and released.outcome == "success"


def test_cancel_on_xero_stores_nothing(owner_client, xero_sandbox):
    response = authorise(owner_client, xero_sandbox, allow=False)
    assert "cancelled on Xero" in messages_of(owner_client, response)
    assert not XeroConnection.objects.exists() and not PendingXeroGrant.objects.exists()


def test_code_used_twice_is_refused(owner_client, xero_sandbox):
    start = owner_client.post("/settings/integrations/xero/authorise/")
    callback = xero_sandbox.decide(xero_sandbox.consent_page(start["Location"]))
    query = parse_qs(urlsplit(callback).query)
    owner_client.get(f"{CALLBACK}?code={query['code'][0]}&state={query['state'][0]}")
    first = XeroConnection.objects.get()
    # Start again, but come back with the code that was already exchanged.
    owner_client.post("/settings/integrations/xero/authorise/")
    state = owner_client.session["xero_oauth"]["state"]
    response = owner_client.get(f"{CALLBACK}?code={query['code'][0]}&state={state}")
    assert "used already" in messages_of(owner_client, response)
    assert not PendingXeroGrant.objects.exists()
    assert XeroConnection.objects.get().refresh_token_encrypted == first.refresh_token_encrypted
    assert XeroActivity.objects.filter(action="authorise", outcome="failure").exists()


@pytest.mark.parametrize(
    ("fault", "message"),
    [({"status": 500}, "Xero is not answering"), ({"status": 503}, "Xero is not answering"),
     ({"timeout": True}, "Xero is not answering")],
)  # fmt: skip
def test_token_endpoint_failing_or_timing_out(owner_client, xero_sandbox, settings, fault, message):
    settings.XERO_HTTP_TIMEOUT = 0.5
    xero_sandbox.inject_fault(path="/connect/token", **fault)
    response = authorise(owner_client, xero_sandbox)
    assert message in messages_of(owner_client, response)
    assert not XeroConnection.objects.exists() and not PendingXeroGrant.objects.exists()


def test_staff_cannot_complete_a_callback(staff_client, xero_sandbox):
    assert staff_client.post("/settings/integrations/xero/authorise/").status_code == 403


def test_the_demo_comes_back_to_the_host_the_browser_is_on(owner_client, xero_sandbox, settings):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    start = owner_client.post("/settings/integrations/xero/authorise/", HTTP_HOST="localhost:8000")
    assert (
        "redirect_uri=http%3A%2F%2Flocalhost%3A8000%2Fsettings%2Fintegrations%2Fxero%2Fcallback%2F"
        in start["Location"]
    )
    callback = xero_sandbox.decide(xero_sandbox.consent_page(start["Location"]))
    assert callback.startswith("http://localhost:8000/settings/integrations/xero/callback/?")
    parts = urlsplit(callback)
    response = owner_client.get(f"{parts.path}?{parts.query}", HTTP_HOST="localhost:8000")
    assert response.status_code == 302
    assert XeroConnection.objects.get().status == XeroConnection.Status.ACTIVE  # the code exchange matched


def test_real_xero_always_uses_the_registered_redirect_uri(owner_client, settings):
    settings.XERO_SANDBOX_ENABLED = False
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    settings.XERO_REDIRECT_URI = "https://engager.example/settings/integrations/xero/callback/"
    start = owner_client.post("/settings/integrations/xero/authorise/", HTTP_HOST="localhost:8000")
    assert "redirect_uri=https%3A%2F%2Fengager.example%2F" in start["Location"]
