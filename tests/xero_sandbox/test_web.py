"""The sandbox's own pages: home, organisation (acting "in Xero"), deep links, reports."""

import re
from urllib.parse import quote

import pytest
import requests


class Browser:
    """requests with Django's CSRF dance, like a browser submitting the sandbox's forms."""

    def __init__(self, sandbox) -> None:
        self.sandbox = sandbox
        self.http = requests.Session()

    def get(self, path: str, expected: int = 200) -> str:
        response = self.http.get(f"{self.sandbox.base_url}{path}", timeout=10)
        assert response.status_code == expected, response.text[:500]
        return response.text

    def post(self, path: str, form: dict) -> str:
        page = self.get("/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        response = self.http.post(
            f"{self.sandbox.base_url}{path}", data={"csrfmiddlewaretoken": token, **form}, timeout=10
        )
        assert response.status_code == 200, response.text[:500]
        return response.text


@pytest.fixture
def browser(xero_sandbox) -> Browser:
    return Browser(xero_sandbox)


def org_path(sandbox) -> str:
    return f"/orgs/{sandbox.demo_tenant_id}"


def test_home_lists_organisations_connections_and_the_clock(xero_sandbox, browser):
    xero_sandbox.connect()
    page = browser.get("/")
    assert (
        "Xero sandbox" in page
        and "Engager Demo Practice Ltd" in page
        and "Engager Demo Payroll Bureau Ltd" in page
    )
    assert "Engager" in page and "Disconnect" in page and "Move clock forward" in page


def test_disconnect_in_xero(xero_sandbox, browser):
    token = xero_sandbox.connect()
    (connection,) = xero_sandbox.connections(token["access_token"])
    page = browser.post(f"/connections/{connection['id']}/disconnect", {})
    assert "The app was disconnected." in page
    assert xero_sandbox.connections(token["access_token"]) == []


def test_move_the_clock(xero_sandbox, browser):
    before = xero_sandbox.control("GET", "clock")["offset_seconds"]
    browser.post("/clock", {"days": "2"})
    assert xero_sandbox.control("GET", "clock")["offset_seconds"] - before == pytest.approx(172800)


def test_organisation_page_shows_contacts_and_invoices(xero_sandbox, browser):
    page = browser.get(f"{org_path(xero_sandbox)}/")
    assert "Acme Widgets Limited" in page and "INV-0001" not in page  # newest invoices first
    assert "Mark paid" in page and "Void" in page and "Archive" in page and "Rename" in page
    assert "REDBRICK BAKERY LTD" in browser.get(f"{org_path(xero_sandbox)}/?q=bakery")
    assert "DELETED" in browser.get(f"{org_path(xero_sandbox)}/?status=DELETED")


def test_create_an_invoice_in_xero(xero_sandbox, browser):
    page = browser.post(
        f"{org_path(xero_sandbox)}/act",
        {
            "action": "create_invoice",
            "contact": "Cobalt Software Ltd",
            "description": "Extra work",
            "amount": "250.00",
            "account_code": "200",
            "tax_type": "OUTPUT2",
            "status": "AUTHORISED",
        },
    )
    number = re.search(r"Invoice (INV-\d+) created.", page).group(1)
    invoice = next(i for i in xero_sandbox.invoices() if i.get("InvoiceNumber") == number)
    assert (invoice["Total"], invoice["Status"], invoice["Contact"]["Name"]) == (
        300.0,
        "AUTHORISED",
        "Cobalt Software Ltd",
    )


def test_invalid_invoice_says_why(xero_sandbox, browser):
    page = browser.post(
        f"{org_path(xero_sandbox)}/act",
        {
            "action": "create_invoice",
            "contact": "Cobalt Software Ltd",
            "description": "X",
            "amount": "1",
            "account_code": "999",
        },
    )
    assert "Account code &#x27;999&#x27; is not a valid code for this document." in page


def test_pay_in_part_then_in_full_and_void(xero_sandbox, browser):
    unpaid = [i for i in xero_sandbox.invoices() if i["Status"] == "AUTHORISED" and i["AmountPaid"] == 0]
    # The latest ones: those before the demo's lock date (its last year end) cannot be voided.
    first, second = sorted(unpaid, key=lambda invoice: invoice["DateString"], reverse=True)[:2]
    browser.post(
        f"{org_path(xero_sandbox)}/act",
        {"action": "pay", "invoice_id": first["InvoiceID"], "amount": "10.00"},
    )
    after_part = next(i for i in xero_sandbox.invoices() if i["InvoiceID"] == first["InvoiceID"])
    assert (after_part["AmountPaid"], after_part["Status"]) == (10.0, "AUTHORISED")
    browser.post(
        f"{org_path(xero_sandbox)}/act", {"action": "pay", "invoice_id": first["InvoiceID"], "amount": ""}
    )
    assert (
        next(i for i in xero_sandbox.invoices() if i["InvoiceID"] == first["InvoiceID"])["Status"] == "PAID"
    )
    page = browser.post(
        f"{org_path(xero_sandbox)}/act", {"action": "void", "invoice_id": second["InvoiceID"]}
    )
    assert "voided" in page
    assert (
        next(i for i in xero_sandbox.invoices() if i["InvoiceID"] == second["InvoiceID"])["Status"]
        == "VOIDED"
    )


def test_rename_and_archive_a_contact(xero_sandbox, browser):
    contact = next(c for c in xero_sandbox.contacts() if c["Name"] == "Cobalt Software Ltd")
    browser.post(
        f"{org_path(xero_sandbox)}/act",
        {"action": "rename", "contact_id": contact["ContactID"], "name": "Cobalt Software Limited"},
    )
    browser.post(f"{org_path(xero_sandbox)}/act", {"action": "archive", "contact_id": contact["ContactID"]})
    renamed = next(c for c in xero_sandbox.contacts() if c["ContactID"] == contact["ContactID"])
    assert (renamed["Name"], renamed["ContactStatus"]) == ("Cobalt Software Limited", "ARCHIVED")
    page = browser.post(
        f"{org_path(xero_sandbox)}/act",
        {"action": "rename", "contact_id": contact["ContactID"], "name": "Fenwick Engineering Ltd"},
    )
    assert "ARCHIVED" in page


def test_forms_need_the_csrf_token(xero_sandbox):
    response = requests.post(
        f"{xero_sandbox.base_url}{org_path(xero_sandbox)}/act", data={"action": "void"}, timeout=10
    )
    assert response.status_code == 403


def test_invoice_and_contact_deep_links(xero_sandbox):
    org = next(
        o for o in xero_sandbox.state()["organisations"] if o["tenant_id"] == xero_sandbox.demo_tenant_id
    )
    invoice = next(i for i in xero_sandbox.invoices() if i["Status"] == "AUTHORISED")
    link = (
        f"{xero_sandbox.web_base}/organisationlogin/default.aspx?shortcode={quote(org['short_code'])}"
        f"&redirecturl=/AccountsReceivable/View.aspx?InvoiceID={invoice['InvoiceID']}"
    )
    page = requests.get(link, timeout=10)
    assert page.status_code == 200 and invoice["InvoiceNumber"] in page.text and "Xero sandbox" in page.text
    contact_id = invoice["Contact"]["ContactID"]
    for redirect in (f"/Contacts/View/{contact_id}", f"/Contacts/View.aspx?contactID={contact_id}"):
        page = requests.get(
            f"{xero_sandbox.web_base}/organisationlogin/default.aspx",
            params={"shortcode": org["short_code"], "redirecturl": redirect},
            timeout=10,
        )
        assert page.status_code == 200 and invoice["Contact"]["Name"] in page.text
    unknown = requests.get(
        f"{xero_sandbox.web_base}/organisationlogin/default.aspx?shortcode=!nope", timeout=10
    )
    assert unknown.status_code == 404


def test_aged_receivables_summary_report(xero_sandbox):
    org = next(
        o for o in xero_sandbox.state()["organisations"] if o["tenant_id"] == xero_sandbox.demo_tenant_id
    )
    page = requests.get(f"{xero_sandbox.reporting_base}/{org['short_code']}/v1/Run/1201", timeout=10)
    assert page.status_code == 200 and "Aged Receivables Summary" in page.text and "Older" in page.text
    outstanding = sum(
        i["AmountDue"]
        for i in xero_sandbox.invoices()
        if i["Type"] == "ACCREC" and i["Status"] == "AUTHORISED"
    )
    # Less the credit left on approved sales credit notes, which the report shows as negative amounts.
    from xero_sandbox.state import store

    with store.lock:
        notes = store.world.orgs[xero_sandbox.demo_tenant_id].credit_notes.values()
        credit = sum(float(n.remaining_credit) for n in notes if n.status == "AUTHORISED")
    assert credit > 0
    assert f"{outstanding - credit:.2f}" in page.text
    detail = requests.get(f"{xero_sandbox.reporting_base}/{org['short_code']}/v1/Run/1202", timeout=10)
    assert "Aged Receivables Detail" in detail.text
    assert (
        requests.get(f"{xero_sandbox.reporting_base}/{org['short_code']}/v1/Run/1017", timeout=10).status_code
        == 404
    )


def test_online_invoice_page(xero_sandbox):
    invoice = next(i for i in xero_sandbox.invoices() if i["Status"] == "AUTHORISED")
    page = requests.get(f"{xero_sandbox.base_url}/in/{invoice['InvoiceID']}", timeout=10)
    assert page.status_code == 200 and invoice["InvoiceNumber"] in page.text
    draft = next(i for i in xero_sandbox.invoices() if i["Status"] == "DRAFT")
    assert requests.get(f"{xero_sandbox.base_url}/in/{draft['InvoiceID']}", timeout=10).status_code == 404


def test_an_app_session_cookie_never_reaches_the_sandbox(xero_sandbox, settings):
    # With the app's session cookie (as a browser test would send it) the page still needs no database.
    cookies = {settings.SESSION_COOKIE_NAME: "s" * 32, "csrftoken": "x" * 32}
    response = requests.get(f"{xero_sandbox.base_url}/", cookies=cookies, timeout=10)
    assert response.status_code == 200
