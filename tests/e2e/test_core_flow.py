"""The core flow in a real browser: sign in, add a company, give it a job, see it on the dashboard."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from clients.models import Client
from jobs.models import Job

pytestmark = pytest.mark.e2e

COMPANY = "Harbour Lights Bakery Ltd"


def _expect():
    from playwright.sync_api import expect

    return expect


def test_new_company_and_job_show_on_the_dashboard(page):
    expect = _expect()
    call_command("seed_demo", verbosity=0)
    deadline = timezone.localdate() + dt.timedelta(days=7)

    # Sign in with the published demo login.
    page.goto("/login/")
    page.get_by_label("Email address").fill("demo@example.com")
    page.get_by_label("Password").fill("engager-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    # Clients → New company.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    expect(page.get_by_role("heading", name="Clients", level=1)).to_be_visible()
    page.get_by_role("link", name="New company").click()
    expect(page.get_by_role("heading", name="New company", level=1)).to_be_visible()

    page.get_by_label("Company name").fill(COMPANY)
    page.get_by_label("Type of business").select_option(label="Limited company")
    page.get_by_label("Company number").fill("09876543")
    page.get_by_label("VAT number").fill("GB 123 4567 89")
    page.get_by_label("Email").fill("accounts@harbourlights.example")
    page.get_by_label("Phone").fill("0117 496 0123")
    page.get_by_role("button", name="Save").click()

    # The client page.
    expect(page).to_have_url(re.compile(r"/clients/\d+/$"))
    expect(page.get_by_role("heading", name=COMPANY, level=1)).to_be_visible()
    expect(page.get_by_text(f"{COMPANY} was added.")).to_be_visible()
    company = Client.objects.get(name=COMPANY)
    assert (company.kind, company.company_type) == (Client.Kind.COMPANY, Client.CompanyType.LIMITED)
    assert (company.company_number, company.vat_number) == ("09876543", "GB123456789")

    # New job: a VAT return due next week.
    page.get_by_role("link", name="New job").click()
    expect(page.get_by_role("heading", name=f"New job for {COMPANY}", level=1)).to_be_visible()
    page.get_by_label("Job type").select_option(label="VAT return")
    page.get_by_label("Deadline").fill(deadline.isoformat())
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))  # wait for the save before reading the database
    job = Job.objects.get(client=company)
    assert page.url.endswith(f"/jobs/{job.pk}/")
    expect(page.get_by_text(f"{job.reference} VAT return was created.")).to_be_visible()
    assert (job.job_type, job.deadline, job.status) == (
        Job.JobType.VAT_RETURN,
        deadline,
        Job.Status.NOT_STARTED,
    )

    # The dashboard's Deadlines widget (loaded by htmx) lists it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    widget = page.locator("#widget-deadlines")
    expect(widget.get_by_role("heading", name="Deadlines")).to_be_visible()
    entry = widget.get_by_role("link", name=f"{COMPANY} — VAT return")
    expect(entry).to_be_visible()
    entry.click()
    expect(page).to_have_url(re.compile(rf"/jobs/{job.pk}/$"))
