"""Accessibility in a real browser: axe-core on every page of the walkthrough, and the htmx dialogs.

axe-core comes bundled with axe-playwright-python (axe.min.js, injected by `page.evaluate`): nothing
is downloaded. Each page must have no serious or critical violation; lesser ones are reported in
the failure message. A screenshot of each page checked is saved under var/e2e/ (git-ignored).
"""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "e2e"
BLOCKING = {"serious", "critical"}
DEMO_EMAIL, DEMO_PASSWORD = "demo@example.com", "engager-demo"


def _expect():
    from playwright.sync_api import expect

    return expect


class Audit:
    """Runs axe-core on each page visited, saves a screenshot, and keeps what it found."""

    def __init__(self, page, prefix: str, directory: Path = SCREENSHOTS):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.page = page
        self.prefix = prefix
        self.directory = directory
        self.blocking: list[str] = []
        self.other: list[str] = []
        self.checked: list[str] = []
        directory.mkdir(parents=True, exist_ok=True)

    def check(self, name: str, context: str | None = None) -> None:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        shot = self.directory / f"{self.prefix}-{len(self.checked) + 1:02d}-{slug}.png"
        self.page.screenshot(path=str(shot))
        results = self.axe.run(self.page, context=context)
        self.checked.append(name)
        for violation in results.response["violations"]:
            targets = "; ".join(
                f"{', '.join(map(str, node['target']))} → {node.get('failureSummary', '').splitlines()[-1].strip()}"
                for node in violation["nodes"][:5]
            )
            line = f"[{name}] {violation['id']} ({violation['impact']}): {violation['help']} — {targets}"
            (self.blocking if violation["impact"] in BLOCKING else self.other).append(line)

    def assert_clean(self) -> None:
        others = "\n".join(self.other) or "none"
        assert not self.blocking, (
            f"serious or critical accessibility violations on {len(self.checked)} pages checked:\n"
            + "\n".join(self.blocking)
            + f"\n\nminor and moderate ones:\n{others}"
        )
        if self.other:
            print("Minor and moderate accessibility findings:\n" + others)


def _sign_in(page, email=DEMO_EMAIL, password=DEMO_PASSWORD):
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    _expect()(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def _main_nav(page, name: str):
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def test_every_walkthrough_page_has_no_serious_accessibility_violation(page, sandbox_on_live_server):
    expect = _expect()
    call_command("seed_demo", verbosity=0)
    audit = Audit(page, "a11y")

    # Sign in: the page, then with an error, then signed in.
    page.goto("/login/")
    audit.check("Sign in")
    page.get_by_label("Email address").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit.check("Sign in with an error")
    _sign_in(page)

    # The dashboard, once its widgets (htmx, hx-trigger="load") have arrived.
    expect(page.locator(".widget").filter(has_text="Loading")).to_have_count(0)
    audit.check("Dashboard")

    # Settings.
    _main_nav(page, "Settings")
    expect(page.get_by_role("heading", name="Practice profile")).to_be_visible()
    audit.check("Settings: practice profile")
    settings_nav = page.get_by_role("navigation", name="Settings")
    settings_nav.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    audit.check("Settings: users")
    page.get_by_role("link", name="Add user").click()
    page.get_by_role("button", name="Save").click()  # empty: the errors come back by htmx
    expect(page.get_by_text("Please correct the errors below.")).to_be_visible()
    # Focus goes to the first field in error (the Save button it was on is gone: htmx re-rendered the form).
    expect(page.locator("#member-form [aria-invalid=true]").first).to_be_focused()
    audit.check("Settings: add user, with errors")
    settings_nav.get_by_role("link", name="Billing").click()
    expect(page.get_by_role("heading", name="Billing")).to_be_visible()
    audit.check("Settings: billing")

    # Settings → Integrations → the Xero card, not connected, then Authorise Xero with both of the
    # sandbox's organisations, so that the organisation chooser is shown.
    settings_nav.get_by_role("link", name="Integrations").click()
    audit.check("Settings: integrations")
    page.get_by_role("link", name="Select Xero").click()
    expect(page.get_by_role("button", name="Authorise Xero")).to_be_visible()
    audit.check("Xero card, not connected")
    page.get_by_role("button", name="Authorise Xero").click()
    organisations = page.get_by_role("checkbox")
    for index in range(organisations.count()):
        organisations.nth(index).check()
    page.get_by_role("button", name="Allow access").click()
    expect(page.get_by_role("heading", name="Choose the organisation")).to_be_visible()
    audit.check("Choose the Xero organisation")
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#sync-status")).to_contain_text("updated")
    audit.check("Xero card, connected")

    # Clients, and Clients → Match clients to Xero.
    _main_nav(page, "Clients")
    expect(page.get_by_role("heading", name="Clients", level=1)).to_be_visible()
    audit.check("Clients")
    page.get_by_role("link", name="Match clients to Xero").click()
    expect(page.get_by_role("heading", name="Match clients to Xero", level=1)).to_be_visible()
    audit.check("Match clients to Xero")

    # A company: its page, People, Jobs.
    _main_nav(page, "Clients")
    page.get_by_role("link", name="Acme Widgets Ltd", exact=True).click()
    expect(page.get_by_role("heading", name="Acme Widgets Ltd", level=1)).to_be_visible()
    audit.check("Company client")
    client_nav = page.get_by_role("navigation", name="Client")
    client_nav.get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", name="People", level=2)).to_be_visible()
    audit.check("Company client: people")
    client_nav.get_by_role("link", name="Jobs").click()
    expect(page.get_by_role("heading", name="Jobs", level=2)).to_be_visible()
    audit.check("Company client: jobs")

    # Link with Xero, opened by htmx over the page: match, create new (the preview), then link.
    client_nav.get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Link with Xero").first.click()
    dialog = page.get_by_role("dialog", name="Link with Xero")
    expect(dialog.get_by_role("radio").first).to_be_visible()
    audit.check("Link with Xero: match")
    dialog.get_by_role("link", name="Create a new contact").click()
    expect(dialog.get_by_role("heading", name="What will be sent to Xero")).to_be_visible()
    audit.check("Link with Xero: create a new contact")
    dialog.get_by_role("link", name="Match an existing contact").click()
    dialog.get_by_role("radio", name="Acme Widgets Limited").check()
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog.get_by_text("Link Acme Widgets Ltd to the Xero contact")).to_be_visible()
    audit.check("Link with Xero: confirm the match")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#xero-link")).to_contain_text("Acme Widgets Limited")
    audit.check("Company client, linked")
    page.get_by_role("link", name="Change or unlink").click()
    dialog.get_by_role("link", name="Unlink").click()
    expect(dialog.get_by_role("button", name="Unlink")).to_be_visible()
    audit.check("Link with Xero: unlink")
    dialog.get_by_role("button", name="Unlink").click()  # unlinked again, for the pages after
    expect(page.locator("#xero-link")).to_contain_text("Not linked to Xero yet")

    # A person, through the company's People.
    client_nav.get_by_role("link", name="People").click()
    page.locator("#people").get_by_role("link").first.click()
    expect(
        page.get_by_role("navigation", name="Client").get_by_role("link", name="Companies")
    ).to_be_attached()
    audit.check("Individual client")

    # New company, saved empty: the errors.
    _main_nav(page, "Clients")
    page.get_by_role("link", name="New company").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Please correct the errors below.")).to_be_visible()
    audit.check("New company, with errors")
    # Each field in error is aria-invalid and described by its message (and help text).
    described = page.evaluate(
        """() => [...document.querySelectorAll('[aria-invalid=true]')].map(el => ({
            id: el.id,
            missing: (el.getAttribute('aria-describedby') || '').split(' ').filter(id => !document.getElementById(id)),
            errors: (el.getAttribute('aria-describedby') || '').split(' ').filter(id => id.endsWith('_error')).length,
        }))"""
    )
    assert described and all(not d["missing"] and d["errors"] == 1 for d in described), described

    # Jobs: the list, a job and each of its tabs, the new job form.
    page.get_by_role("navigation", name="Main").get_by_text("Jobs", exact=True).click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="All jobs").click()
    expect(page.get_by_role("heading", name="Jobs", level=1)).to_be_visible()
    audit.check("Jobs")
    page.locator("#job-table tbody").get_by_role("link").first.click()
    expect(page.get_by_role("navigation", name="Job")).to_be_visible()
    audit.check("Job")
    tabs = page.get_by_role("navigation", name="Job").get_by_role("link")
    for label in [tabs.nth(i).inner_text().strip() for i in range(tabs.count())]:
        if label in {"Overview", "Invoice"}:  # Overview is the job page; Invoice is checked with invoicing
            continue
        page.get_by_role("navigation", name="Job").get_by_role("link", name=label).click()
        audit.check(f"Job: {label}")
    page.goto("/jobs/new/")
    expect(page.get_by_role("heading", name="New job", level=1)).to_be_visible()
    audit.check("New job")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Please correct the errors below.")).to_be_visible()
    audit.check("New job, with errors")

    # The Xero activity log.
    page.goto("/settings/integrations/xero/")
    page.get_by_role("link", name="Activity").click()
    expect(page.get_by_role("heading", name="Activity")).to_be_visible()
    audit.check("Xero activity")

    audit.assert_clean()


def test_the_link_dialog_takes_focus_gives_it_back_and_announces_errors(page, sandbox_on_live_server):
    from clients.models import Client
    from integrations import selectors, services

    expect = _expect()
    call_command("seed_demo", verbosity=0)
    page.goto("/login/")
    _sign_in(page)
    page.goto("/settings/integrations/xero/")
    page.get_by_role("button", name="Authorise Xero").click()
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Allow access").click()
    expect(page.locator("#sync-status")).to_contain_text("updated")
    # htmx replaces the sync status: its new text is read out by a live region that stays put.
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("body > .live-announcer[aria-live=polite]")).to_contain_text("already up to date")

    page.goto("/clients/")
    page.get_by_role("link", name="Acme Widgets Ltd", exact=True).click()
    opener = page.locator(".page-head").get_by_role("link", name="Link with Xero")

    # Opened: a modal dialog (the page behind is inert), with focus inside it, on its heading.
    opener.click()
    dialog = page.get_by_role("dialog", name="Link with Xero")
    expect(dialog).to_be_visible()
    page.wait_for_function("() => document.querySelector('dialog')?.matches(':modal')")
    expect(dialog.get_by_role("heading", name="Link with Xero")).to_be_focused()

    # Escape closes it, and focus goes back to the button that opened it.
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()

    # Reopened: still works (the host is ready again); Close closes it the same way.
    opener.click()
    expect(dialog.get_by_role("heading", name="Link with Xero")).to_be_focused()
    # What a search finds is read out (from a live region inside the dialog: the page is inert).
    dialog.get_by_role("searchbox").fill("Brightwater")
    expect(dialog.locator(".live-announcer[aria-live=polite]")).to_contain_text("matches “Brightwater”")
    dialog.get_by_role("link", name="Create a new contact").click()  # a step inside keeps the dialog
    expect(dialog.get_by_role("heading", name="What will be sent to Xero")).to_be_visible()
    expect(dialog.get_by_role("heading", name="Link with Xero")).to_be_focused()  # the new step's top
    dialog.get_by_role("link", name=re.compile("^Close")).click()
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()
    expect(page).to_have_url(re.compile(r"/clients/\d+/$"))

    # An error in the dialog is a role="alert" message, and it takes focus, so it is announced:
    # the contact is linked to another client between Confirm and Save.
    opener.click()
    dialog.get_by_role("radio", name="Acme Widgets Limited").check()
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog.get_by_role("button", name="Save")).to_be_visible()
    acme = Client.objects.get(name="Acme Widgets Ltd")
    other = (
        Client.objects.filter(practice=acme.practice, kind=Client.Kind.COMPANY).exclude(pk=acme.pk).first()
    )
    contact = next(
        s.contact
        for s in selectors.xero_contact_suggestions(practice=acme.practice, client=acme, limit=5)
        if s.contact.name == "Acme Widgets Limited"
    )
    owner = acme.practice.memberships.first().user
    services.xero_contact_link(
        practice=acme.practice, client=other, contact=contact, user=owner, verify=False
    )
    dialog.get_by_role("button", name="Save").click()
    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text(other.name)
    expect(alert).to_be_focused()
    page.keyboard.press("Escape")
    expect(opener).to_be_focused()


def test_the_link_dialog_still_works_as_a_plain_page_without_javascript(
    browser, live_server, sandbox_on_live_server
):
    """Without JavaScript the dialog is a page of its own (and Close a link back)."""
    from clients.models import Client

    expect = _expect()
    call_command("seed_demo", verbosity=0)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Email address").fill(DEMO_EMAIL)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        acme = Client.objects.get(name="Acme Widgets Ltd")
        page.goto(f"/clients/{acme.pk}/xero/")
        expect(page.get_by_role("heading", name="Link with Xero", level=1)).to_be_visible()
        page.get_by_role("link", name=re.compile("^Close")).click()
        expect(page).to_have_url(re.compile(r"/clients/\d+/$"))
    finally:
        context.close()


def test_invoicing_pages_have_no_serious_accessibility_violation(page, sandbox_on_live_server):
    """The invoicing pages the walkthrough does not reach: Raise invoice with errors, and batch
    billing's preview and run. (Invoice History, Raise invoice, the job's Invoice tab, Link
    existing, Jobs → Xero and the Debtors widget are checked in test_walkthrough.py.)"""
    import datetime as dt
    from decimal import Decimal

    from clients.models import Client
    from integrations import services
    from integrations.models import XeroContact
    from jobs.models import Job
    from jobs.services import job_create

    expect = _expect()
    call_command("seed_demo", verbosity=0)
    page.goto("/login/")
    _sign_in(page)
    page.goto("/settings/integrations/xero/")
    page.get_by_role("button", name="Authorise Xero").click()
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Allow access").click()
    expect(page.locator("#sync-status")).to_contain_text("updated")
    client = Client.objects.get(name="Brightwater Plumbing Ltd")
    contact = XeroContact.objects.get(practice=client.practice, name=client.name)
    services.xero_contact_link(
        practice=client.practice, client=client, contact=contact, user=None, verify=False
    )
    jobs = [
        job_create(
            client=client,
            job_type=job_type,
            deadline=dt.date.today() + dt.timedelta(days=30),
            status=Job.Status.COMPLETED,
            period_end=dt.date(2026, 3, 31),
            fee=Decimal(fee),
        )  # fmt: skip
        for job_type, fee in [(Job.JobType.ANNUAL_ACCOUNTS, "1250.00"), (Job.JobType.PAYROLL, "90.00")]
    ]
    audit = Audit(page, "a11y-invoicing")

    # Raise invoice, submitted empty: the errors.
    page.goto(f"/clients/{client.pk}/invoices/raise/")
    page.locator("#invoice-form").get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator("#invoice-form [aria-invalid=true], #invoice-form .error").first).to_be_visible()
    audit.check("Raise invoice, with errors")

    # Batch billing: the preview, then the run's page once it has finished.
    page.goto("/jobs/billing/?" + "&".join(f"job={job.pk}" for job in jobs))
    expect(page.get_by_role("heading", name="Raise invoices", level=1)).to_be_visible()
    audit.check("Batch billing: preview")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator("#billing-run")).to_contain_text("invoiced")
    expect(page.locator("#billing-run[hx-trigger]")).to_have_count(0)  # finished: no more polling
    audit.check("Batch billing: the run")

    audit.assert_clean()
