"""Raise invoice in a real browser: a linked demo client → Invoice History → Raise invoice → two
lines → Submit → the number Xero assigned appears in the list."""

import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.e2e


def test_raise_an_invoice_with_two_lines(page, sandbox_on_live_server):  # noqa: F811
    from playwright.sync_api import expect

    from integrations import services
    from integrations.models import XeroContact
    from invoicing.models import InvoiceRaise

    call_command("seed_demo", verbosity=0)
    page.goto("/login/")
    page.get_by_label("Email address").fill("demo@example.com")
    page.get_by_label("Password").fill("engager-demo")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/settings/integrations/xero/")
    page.get_by_role("button", name="Authorise Xero").click()
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Allow access").click()
    expect(page.locator("#sync-status")).to_contain_text("Sync finished")

    # Link Brightwater Plumbing Ltd (the link flow has its own browser test).
    from clients.models import Client

    client = Client.objects.get(name="Brightwater Plumbing Ltd")
    contact = XeroContact.objects.get(practice=client.practice, name="Brightwater Plumbing Ltd")
    services.xero_contact_link(
        practice=client.practice, client=client, contact=contact, user=None, verify=False
    )

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    page.get_by_role("link", name="Brightwater Plumbing Ltd", exact=True).click()
    page.get_by_role("navigation", name="Client").get_by_role("link", name="Invoice History").click()
    expect(page.get_by_role("heading", name="Invoice History")).to_be_visible()
    page.get_by_role("link", name="Raise invoice").first.click()

    form = page.locator("#invoice-form")
    page.get_by_label("Reference").fill("Browser test")
    page.get_by_label("Description, line 1").fill("Annual accounts")
    page.get_by_label("Quantity, line 1").fill("1")
    page.get_by_label("Unit price, line 1").fill("1200")
    page.get_by_label("Account, line 1").select_option("201")
    form.get_by_role("button", name="Add line").click()
    expect(page.get_by_label("Description, line 2")).to_be_visible()
    expect(page.get_by_label("Description, line 1")).to_have_value("Annual accounts")
    page.get_by_label("Description, line 2").fill("Payroll, 3 months")
    page.get_by_label("Quantity, line 2").fill("3")
    page.get_by_label("Unit price, line 2").fill("33.33")
    page.get_by_label("Account, line 2").select_option("202")
    # Totals as you type: 1,200.00 + 99.99 = 1,299.99, VAT 240.00 + 20.00, total 1,559.99.
    expect(page.locator("#invoice-total")).to_contain_text("1,559.99")
    form.get_by_role("button", name="Submit", exact=True).click()

    expect(page.get_by_text(re.compile(r"Invoice INV-\d+ was raised in Xero"))).to_be_visible()
    number = InvoiceRaise.objects.get().number
    assert number.startswith("INV-")
    expect(page.locator("#invoice-history").get_by_role("link", name=re.compile(number))).to_be_visible()
