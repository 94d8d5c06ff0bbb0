"""Item 7: the fields where a linked client and its Xero contact disagree, and each direction of
update, through the sandbox over HTTP."""

import pytest

from core.models import Membership
from integrations.models import XeroActivity, XeroContact
from integrations.services import xero_contact_link
from tests.factories import MembershipFactory
from tests.integrations.demo_data import create_demo_companies

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(connect, practice, owner):
    """ACME in Engager, linked to "Acme Widgets Limited" in Xero (no company number there)."""
    connect()
    client = create_demo_companies(practice)["Acme Widgets Ltd"]
    contact = XeroContact.objects.get(practice=practice, name="Acme Widgets Limited")
    xero_contact_link(practice=practice, client=client, contact=contact, user=owner, verify=False)
    return client, contact


def url(client, field=""):
    return f"/clients/{client.pk}/xero/differences/" + (f"{field}/" if field else "")


def sandbox_contact(sandbox, contact_id):
    return next(c for c in sandbox.contacts() if c["ContactID"] == contact_id)


def test_differences_listed_on_the_client_page(acme, owner_client):
    client, contact = acme
    page = owner_client.get(f"/clients/{client.pk}/").content.decode()
    assert "Differences with Xero" in page
    assert "Acme Widgets Limited" in page  # the name differs
    assert "Company number" in page and "08412735" in page  # Xero has none
    # email, VAT number and address agree (the address once "United Kingdom" and line breaks are ignored)
    section = page.split('id="xero-differences"')[1]
    assert "VAT number" not in section and "accounts@acmewidgets.co.uk" not in section
    assert ">Address<" not in section


def test_update_xero_sends_our_value_and_refreshes_the_mirror(acme, owner_client, xero_sandbox, htmx):
    client, contact = acme
    response = owner_client.post(url(client, "company_number"), {"to": "xero"}, **htmx)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="xero-differences"')  # the partial only
    assert "Xero was updated." in body
    assert sandbox_contact(xero_sandbox, contact.contact_id)["CompanyNumber"] == "08412735"
    contact.refresh_from_db()
    assert contact.company_number == "08412735" and contact.match_company_number == "08412735"
    assert "Company number" not in body.split("</table>")[0] or "08412735" not in body
    log = XeroActivity.objects.get(action="contact_update")
    assert log.outcome == "success" and log.xero_id == contact.contact_id
    assert "company number" in log.description
    posts = [c for c in xero_sandbox.calls(area="accounting") if c["method"] == "POST"]
    assert posts and posts[-1]["idempotency_key"]


def test_update_xero_address_as_street_address(acme, owner_client, xero_sandbox, htmx):
    client, contact = acme
    client.registered_address = "Unit 2, 14 Kelham Island Works\nSheffield\nS3 8RY"
    client.save()
    owner_client.post(url(client, "address"), {"to": "xero"}, **htmx)
    street = next(a for a in sandbox_contact(xero_sandbox, contact.contact_id)["Addresses"]
                  if a["AddressType"] == "STREET")  # fmt: skip
    assert street["PostalCode"] == "S3 8RY" and street["City"] == "Sheffield"
    contact.refresh_from_db()
    assert contact.address.startswith("Unit 2")


def test_update_engager_copies_xeros_value(acme, owner_client, htmx):
    client, contact = acme
    response = owner_client.post(url(client, "name"), {"to": "engager"}, **htmx)
    assert "Engager was updated from Xero." in response.content.decode()
    client.refresh_from_db()
    assert client.name == "Acme Widgets Limited"
    log = XeroActivity.objects.get(action="client_update")
    assert log.outcome == "success" and "Acme Widgets Ltd" in log.detail


def test_xero_down_changes_nothing_and_says_so(acme, owner_client, xero_sandbox, htmx):
    client, contact = acme
    xero_sandbox.inject_fault(status=503, path="/Contacts", count=None)
    response = owner_client.post(url(client, "company_number"), {"to": "xero"}, **htmx)
    assert response.status_code == 200
    assert "Nothing was changed" in response.content.decode()
    xero_sandbox.clear_faults()
    assert not sandbox_contact(xero_sandbox, contact.contact_id).get("CompanyNumber")
    contact.refresh_from_db()
    assert contact.company_number == ""
    assert XeroActivity.objects.get(action="contact_update").outcome == "failure"


def test_lost_answer_then_retry_writes_once_with_the_same_key(acme, owner_client, xero_sandbox, htmx):
    client, contact = acme
    xero_sandbox.inject_fault(path=f"/Contacts/{contact.contact_id}", method="POST", status=503, after=True)
    owner_client.post(url(client, "company_number"), {"to": "xero"}, **htmx)
    owner_client.post(url(client, "company_number"), {"to": "xero"}, **htmx)
    posts = [c for c in xero_sandbox.calls(area="accounting") if c["method"] == "POST"]
    assert len(posts) == 2 and posts[0]["idempotency_key"] == posts[1]["idempotency_key"]
    contact.refresh_from_db()
    assert contact.company_number == "08412735"


def test_xero_validation_message_shown_as_xero_gives_it(acme, owner_client, htmx):
    client, contact = acme
    client.name = "Brightwater Plumbing Ltd"  # another active contact has this name in Xero
    client.save()
    response = owner_client.post(url(client, "name"), {"to": "xero"}, **htmx)
    body = response.content.decode()
    assert response.status_code == 200
    assert "is already assigned to another contact" in body
    contact.refresh_from_db()
    assert contact.name == "Acme Widgets Limited"


def test_contact_names_with_html_are_escaped(acme, owner_client, htmx):
    client, contact = acme
    XeroContact.objects.filter(pk=contact.pk).update(name="<script>alert(1)</script> Ltd")
    body = owner_client.get(url(client), **htmx).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ltd" in body


def test_plain_post_redirects_with_a_message(acme, owner_client):
    client, _ = acme
    response = owner_client.post(url(client, "name"), {"to": "engager"})
    assert response.status_code == 302 and response["Location"] == f"/clients/{client.pk}/"


def test_unknown_field_or_direction(acme, owner_client, htmx):
    client, _ = acme
    assert owner_client.post(url(client, "name"), {"to": "sideways"}, **htmx).status_code == 404
    body = owner_client.post(url(client, "utr"), {"to": "xero"}, **htmx).content.decode()
    assert "Choose one of the fields listed." in body


def test_other_practice_gets_404(acme, client, other_practice):
    target, _ = acme
    intruder = MembershipFactory(practice=other_practice, role=Membership.Role.OWNER).user
    client.force_login(intruder)
    assert client.get(url(target), HTTP_HX_REQUEST="true").status_code == 404
    assert client.post(url(target, "name"), {"to": "engager"}).status_code == 404
    target.refresh_from_db()
    assert target.name == "Acme Widgets Ltd"
