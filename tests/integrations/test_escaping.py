"""Names from Xero are data, never markup. An organisation and a contact whose names carry HTML are
set up in the sandbox, connected and synced through the real flow, and every page that shows them
must show the escaped text and never the raw markup: the organisation chooser, the Xero card, the
flash message, the activity log, the disconnect page, the reconnect banner and the contact admin.
Every other page is swept too (tests/integrations/pages.py), so a page added later that shows these
names is covered."""

import pytest
from django.utils.html import escape

from clients.models import Officer
from integrations import tasks
from integrations.models import XeroActivity, XeroConnection, XeroContact, XeroSyncRun
from tests.factories import CompanyFactory, IndividualFactory, JobFactory
from tests.integrations.conftest import authorise
from tests.integrations.pages import page_urls, practice_url_kwargs

pytestmark = pytest.mark.django_db

ORG_NAME = '<script>alert(1)</script><b>x</b>"><img src=x onerror=alert(2)> & Co Ltd'
CONTACT_NAME = "<b>Bold</b> '\"><img src=y onerror=alert(3)><script>alert(4)</script> Holdings"
# Markup that must never reach a page as markup.
RAW = ("<script>alert(", "<b>x</b>", "<img src=x onerror", "<b>Bold</b>", "<img src=y onerror")


def assert_escaped(body: str, name: str, where: str) -> None:
    assert escape(name) in body, f"{where} does not show {name!r} (escaped)"
    assert_no_raw_markup(body, where)


def assert_no_raw_markup(body: str, where: str) -> None:
    for raw in RAW:
        assert raw not in body, f"{where} shows {raw!r} unescaped"


def page(client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, f"GET {url} -> {response.status_code}"
    return response.content.decode()


def test_hostile_organisation_and_contact_names_are_escaped_on_every_page(
    owner_client, practice, xero_sandbox, django_capture_on_commit_callbacks, admin_client
):
    tenant_id = xero_sandbox.seed_scale(contacts=3, invoices=2, name=ORG_NAME)
    contact = xero_sandbox.contacts(tenant_id)[0]
    xero_sandbox.rename_contact(contact["ContactID"], CONTACT_NAME, tenant_id=tenant_id)

    # Both organisations ticked on Xero's screen: the chooser lists them.
    response = authorise(owner_client, xero_sandbox, tenants=[xero_sandbox.demo_tenant_id, tenant_id])
    assert response["Location"] == "/settings/integrations/xero/organisation/"
    assert_escaped(page(owner_client, response["Location"]), ORG_NAME, "the organisation chooser")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            "/settings/integrations/xero/organisation/", {"tenant_id": tenant_id}, follow=True
        )
    assert response.status_code == 200
    assert_escaped(response.content.decode(), ORG_NAME, "the 'Connected to …' message")

    # The hostile data really reached the mirror, unchanged.
    connection = XeroConnection.objects.get()
    assert connection.tenant_name == ORG_NAME
    assert XeroContact.objects.filter(practice=practice, name=CONTACT_NAME).exists()
    assert XeroActivity.objects.filter(description__contains=ORG_NAME).exists()

    assert_escaped(page(owner_client, "/settings/integrations/xero/"), ORG_NAME, "the Xero card")
    assert_escaped(page(owner_client, "/settings/integrations/xero/activity/"), ORG_NAME, "the activity log")
    assert_escaped(page(owner_client, "/settings/integrations/xero/disconnect/"), ORG_NAME, "disconnect")

    # Contact names: the mirror's admin lists them.
    changelist = page(admin_client, "/admin/integrations/xerocontact/")
    assert_escaped(changelist, CONTACT_NAME, "the Xero contact admin")

    # Every page of the app: no raw markup anywhere, as a page or as an htmx partial.
    company = CompanyFactory(practice=practice)
    officer = Officer.objects.create(
        practice=practice, company=company, person=IndividualFactory(practice=practice)
    )
    job = JobFactory(practice=practice, client=company)
    run = XeroSyncRun.objects.filter(practice=practice).latest("pk")
    for url in page_urls(practice_url_kwargs(client=company, job=job, officer=officer, run=run)):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = owner_client.get(url, **headers)
            if response.streaming:  # a download (Jobs → Xero's CSV), not HTML: it has its own test
                continue
            assert_no_raw_markup(response.content.decode(), f"GET {url} {headers}")

    # Removed on Xero's side; the daily check flags it and every page shows the reconnect banner.
    xero_sandbox.delete_connection(connection.connection_id)
    assert tasks.check_xero_connection(connection.pk) is False
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.NEEDS_RECONNECT
    body = page(owner_client, "/clients/")
    assert "Xero needs you to reconnect" in body
    assert_escaped(body, ORG_NAME, "the reconnect banner")
    assert_escaped(
        page(owner_client, "/settings/integrations/xero/"), ORG_NAME, "the card needing reconnection"
    )

    # Reconnecting, with both organisations ticked again: choosing the other one warns about the
    # current (hostile) one.
    response = authorise(owner_client, xero_sandbox, tenants=[xero_sandbox.demo_tenant_id, tenant_id])
    chooser = page(owner_client, f"{response['Location']}?tenant={xero_sandbox.demo_tenant_id}")
    assert "This is a different organisation" in chooser
    assert_escaped(chooser.split("This is a different organisation")[1], ORG_NAME, "the switch warning")
