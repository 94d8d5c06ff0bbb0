"""The whole accountant's journey in one browser session (issue 12, section 3), on a fresh demo.

Sign in → connect Xero → link a company → raise an invoice from its Invoice History → the invoice
is paid in Xero (the sandbox posts a signed webhook to the live server) → shown paid with no manual
sync → Debtors report in a new window → a job's Invoice tab: Raise, Link existing → Jobs → Xero →
the dashboard's Debtors widget.

Every step saves a screenshot under var/e2e/walkthrough/ (git-ignored) and is checked with axe-core
(0 serious or critical violations, collected and asserted at the end so one run shows them all).
"""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from tests.e2e.test_accessibility import Audit

pytestmark = pytest.mark.e2e

WALKTHROUGH = Path(django_settings.BASE_DIR) / "var" / "e2e" / "walkthrough"
CLIENT, CONTACT = "Acme Widgets Ltd", "Acme Widgets Limited"
POLL_SECONDS = 30  # Invoice History's hx-trigger="every 30s"


def settle(page) -> None:
    """Wait until htmx has no request in flight (nor one waiting out its 300 ms typing delay).

    The totals re-render themselves (hx-target="this", outerHTML): a request still in flight when
    the next change is made can swap out the element the later request will answer to, and the
    totals stay stale. Until that is fixed in the form, the test makes one change at a time.
    """
    page.wait_for_timeout(400)  # the totals' "delay:300ms" has run out (not a timing assertion)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_the_whole_walkthrough(page, live_server, settings, sandbox_on_live_server):  # noqa: F811
    from playwright.sync_api import expect

    from clients.models import Client
    from invoicing.models import Invoice, InvoiceRaise, JobInvoiceLink
    from jobs.models import Job
    from xero_sandbox.testing import XeroSandbox

    call_command("seed_demo", verbosity=0)
    sandbox = XeroSandbox(
        server_url=live_server.url,
        client_id=settings.XERO_CLIENT_ID,
        client_secret=settings.XERO_CLIENT_SECRET,
        redirect_uri=settings.XERO_REDIRECT_URI,
    )
    audit = Audit(page, "walkthrough", directory=WALKTHROUGH)
    main_nav = page.get_by_role("navigation", name="Main")

    # 1. Sign in.
    page.goto("/login/")
    audit.check("Sign in")
    page.get_by_label("Email address").fill("demo@example.com")
    page.get_by_label("Password").fill("engager-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    # 2. Settings → Integrations → Select Xero → Authorise Xero → Allow access → connected, £4/month.
    main_nav.get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Integrations").click()
    expect(page.get_by_text("£4.00 per month for all of your clients")).to_be_visible()
    audit.check("Settings: integrations, £4 per month")
    page.get_by_role("link", name="Select Xero").click()
    page.get_by_role("button", name="Authorise Xero").click()
    expect(page.get_by_role("heading", name="Engager wants to access your Xero organisation")).to_be_visible()
    page.screenshot(path=str(WALKTHROUGH / "walkthrough-02b-xero-consent.png"))  # Xero's page, not ours
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Allow access").click()
    card = page.locator("#xero-card")
    expect(card.get_by_text("Connected", exact=True)).to_be_visible()
    expect(page.locator("#sync-status")).to_contain_text("credit notes updated")
    audit.check("Xero connected")

    # 3. Clients → a company → Link with Xero → match → Confirm → Save → the Xero icon in the list.
    main_nav.get_by_role("link", name="Clients").click()
    page.get_by_role("link", name=CLIENT, exact=True).click()
    expect(page.get_by_role("heading", name=CLIENT, level=1)).to_be_visible()
    page.get_by_role("link", name="Link with Xero").first.click()
    dialog = page.get_by_role("dialog", name="Link with Xero")
    expect(dialog.get_by_role("radio", name=CONTACT)).to_be_visible()
    audit.check("Link with Xero: match")
    dialog.get_by_role("radio", name=CONTACT).check()
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog.get_by_text(f"Link {CLIENT} to the Xero contact")).to_be_visible()
    audit.check("Link with Xero: confirm")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"{CLIENT} is now linked to {CONTACT} in Xero.")).to_be_visible()
    main_nav.get_by_role("link", name="Clients").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=CLIENT, exact=True))
    expect(row.locator("svg.xero-icon")).to_be_visible()
    audit.check("Clients, with the Xero icon")

    # 4. Invoice History → Raise invoice → Submit → the number shown.
    row.get_by_role("link", name=CLIENT, exact=True).click()
    client_nav = page.get_by_role("navigation", name="Client")
    client_nav.get_by_role("link", name="Invoice History").click()
    expect(page.get_by_role("heading", name="Invoice History")).to_be_visible()
    audit.check("Invoice History")
    page.get_by_role("link", name="Raise invoice").first.click()
    form = page.locator("#invoice-form")
    expect(form.get_by_role("heading", name="Raise invoice")).to_be_visible()
    audit.check("Raise invoice")
    # One change at a time, each one's totals request answered before the next (see `settle`).
    form.get_by_role("radio", name="Approved").check()  # approved, so that it can be paid
    settle(page)
    for label, value in [
        ("Reference", "Walkthrough"),
        ("Description, line 1", "Annual accounts"),
        ("Quantity, line 1", "1"),
        ("Unit price, line 1", "1000"),
    ]:
        page.get_by_label(label).fill(value)
        settle(page)
    page.get_by_label("Account, line 1").select_option("200")
    expect(page.locator("#invoice-total")).to_contain_text("1,200.00")
    settle(page)
    form.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_text(re.compile(r"Invoice INV-\d+ was raised in Xero"))).to_be_visible()
    raised = InvoiceRaise.objects.get(client__name=CLIENT)
    history = page.locator("#invoice-history")
    raised_row = history.get_by_role("row").filter(
        has=page.get_by_role("link", name=re.compile(raised.number))
    )
    expect(raised_row).to_contain_text("Awaiting payment")
    audit.check("Invoice History, the invoice raised")

    # 5. Paid in Xero (the sandbox posts a signed webhook to this server) → shown paid, no manual
    # sync: the list refreshes itself (hx-trigger="every 30s"); Playwright waits for that poll.
    # Xero's webhooks go to this live server, signed with the app's key: switched on for this step
    # only, as the test database (in-memory SQLite) cannot take a webhook's writes at the same
    # moment as a page's (the sandbox delivers from a thread of its own).
    sandbox.configure_webhooks(
        url=f"{live_server.url}/integrations/xero/webhooks/", key=settings.XERO_WEBHOOK_KEY
    )
    sandbox.pay_invoice(raised.invoice_id)
    assert sandbox.flush_webhooks()
    sandbox.configure_webhooks(enabled=False)
    assert sandbox.webhook_deliveries()[-1]["attempts"][-1]["status"] == 200
    assert Invoice.objects.get(invoice_id=raised.invoice_id).status == "PAID"
    expect(raised_row).to_contain_text("Paid", timeout=(POLL_SECONDS + 15) * 1000)
    audit.check("Invoice History, the invoice paid")

    # 6. Debtors report opens in a new window.
    with page.context.expect_page() as new_window:
        history.get_by_role("link", name=re.compile("Debtors report")).click()
    report = new_window.value
    report.wait_for_load_state()
    assert report.url.startswith(settings.XERO_REPORTING_BASE), report.url
    report.screenshot(path=str(WALKTHROUGH / "walkthrough-06b-debtors-report.png"))
    report.close()

    # 7. A job → Invoice tab → Raise → Submit → Link existing → pick one.
    client = Client.objects.get(name=CLIENT)
    job = Job.objects.filter(client=client).order_by("pk").first()
    assert job is not None, f"the demo has a job for {CLIENT}"
    client_nav.get_by_role("link", name="Jobs").click()
    page.locator("main").get_by_role("link", name=job.reference).first.click()
    page.get_by_role("navigation", name="Job").get_by_role("link", name="Invoice").click()
    tab = page.locator("#job-invoices")
    expect(tab.get_by_role("heading", name="Invoice")).to_be_visible()
    audit.check("Job: Invoice tab")
    tab.get_by_role("link", name="Raise", exact=True).click()
    expect(page.get_by_label("Reference")).to_have_value(job.reference)
    if not page.get_by_label("Unit price, line 1").input_value():
        page.get_by_label("Unit price, line 1").fill("500")
    audit.check("Job: Raise")
    settle(page)
    page.locator("#invoice-form").get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_text(re.compile(r"Invoice INV-\d+ was raised in Xero"))).to_be_visible()
    job_raise = InvoiceRaise.objects.get(job=job)
    expect(tab.get_by_role("link", name=re.compile(job_raise.number))).to_be_visible()
    audit.check("Job: Invoice tab, raised")
    tab.get_by_role("link", name="Link existing").click()
    expect(page.get_by_role("heading", name="Link existing")).to_be_visible()
    audit.check("Job: Link existing")
    choice = page.locator("main").get_by_role("checkbox").first
    picked = choice.get_attribute("value")
    choice.check()
    page.get_by_role("button", name="Link selected").click()
    expect(page.get_by_text(f"1 invoice linked to {job.reference}")).to_be_visible()
    linked = set(JobInvoiceLink.objects.filter(job=job).values_list("invoice_id", flat=True))
    assert linked == {Invoice.objects.get(invoice_id=job_raise.invoice_id).pk, int(picked)}, linked
    audit.check("Job: Invoice tab, linked")

    # 8. Jobs → Xero → the list.
    main_nav.get_by_text("Jobs", exact=True).click()
    main_nav.get_by_role("link", name="Xero", exact=True).click()
    expect(page.get_by_role("heading", name="Xero invoices")).to_be_visible()
    table = page.locator("#xero-invoices table")
    expect(table.locator("tbody tr").first).to_be_visible()
    audit.check("Jobs → Xero")
    page.get_by_label("Status").select_option("draft")  # the job's invoice was raised as a draft
    expect(page).to_have_url(re.compile(r"status=draft"))
    expect(table.get_by_role("link", name=re.compile(job_raise.number)).first).to_be_visible()

    # 9. Dashboard → the Debtors widget.
    main_nav.get_by_role("link", name="Dashboard").click()
    widget = page.locator("#widget-debtors")
    expect(widget.get_by_role("img", name="Aged debtors by days overdue")).to_be_visible()
    expect(page.locator(".widget").filter(has_text="Loading")).to_have_count(0)
    audit.check("Dashboard with the Debtors widget")

    audit.assert_clean()
