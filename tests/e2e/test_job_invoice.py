"""A job's Invoice tab in a real browser: Raise → Submit → the number Xero assigned is shown; and
Link existing → pick one → it is listed."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.e2e

CLIENT = "Brightwater Plumbing Ltd"


def _signed_in_with_a_linked_client_and_job(page):
    from playwright.sync_api import expect

    from clients.models import Client
    from integrations import services
    from integrations.models import XeroContact
    from jobs.models import Job
    from jobs.services import job_create

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

    client = Client.objects.get(name=CLIENT)
    contact = XeroContact.objects.get(practice=client.practice, name=CLIENT)
    services.xero_contact_link(
        practice=client.practice, client=client, contact=contact, user=None, verify=False
    )
    return job_create(
        client=client, job_type=Job.JobType.ANNUAL_ACCOUNTS, deadline=dt.date.today() + dt.timedelta(days=30),
        status=Job.Status.COMPLETED, period_end=dt.date(2026, 3, 31), fee=Decimal("1250.00"),
    )  # fmt: skip


def test_job_invoice_tab_raise_submit_shows_the_number(page, sandbox_on_live_server):  # noqa: F811
    from playwright.sync_api import expect

    from invoicing.models import InvoiceRaise

    job = _signed_in_with_a_linked_client_and_job(page)
    page.goto(job.get_absolute_url())
    page.get_by_role("navigation", name="Job").get_by_role("link", name="Invoice").click()
    expect(page.get_by_role("heading", name="Invoice")).to_be_visible()
    page.locator("#job-invoices").get_by_role("link", name="Raise", exact=True).click()

    expect(page.get_by_label("Reference")).to_have_value(job.reference)
    expect(page.get_by_label("Description, line 1")).to_have_value(
        "Annual accounts for the year ended 31 March 2026"
    )
    expect(page.get_by_label("Unit price, line 1")).to_have_value("1250.00")
    expect(page.get_by_label("Account, line 1")).to_have_value("200")
    page.locator("#invoice-form").get_by_role("button", name="Submit", exact=True).click()

    expect(page.get_by_text(re.compile(r"Invoice INV-\d+ was raised in Xero"))).to_be_visible()
    number = InvoiceRaise.objects.get(job=job).number
    assert number.startswith("INV-")
    expect(page.locator("#job-invoices").get_by_role("link", name=re.compile(number))).to_be_visible()


def test_job_invoice_tab_link_existing(page, sandbox_on_live_server):  # noqa: F811
    from playwright.sync_api import expect

    from invoicing.models import Invoice, JobInvoiceLink

    job = _signed_in_with_a_linked_client_and_job(page)
    since = dt.date.today() - dt.timedelta(days=365)
    invoice = (
        Invoice.objects.filter(client=job.client, date__gte=since)
        .exclude(status__in=["DELETED", "VOIDED"])
        .first()
    )
    assert invoice is not None, "the demo client has invoices in the last 12 months"
    page.goto(f"/jobs/{job.pk}/invoice/")
    page.get_by_role("link", name="Link existing").click()
    expect(page.get_by_role("heading", name="Link existing")).to_be_visible()
    page.get_by_label(invoice.number, exact=True).check()
    page.get_by_role("button", name="Link selected").click()

    expect(page.get_by_text(f"1 invoice linked to {job.reference}")).to_be_visible()
    expect(page.locator("#job-invoices")).to_contain_text(invoice.number)
    assert JobInvoiceLink.objects.filter(job=job, invoice=invoice).exists()
