"""Tenancy: lists show only the practice's rows; every page needs a login.

The sweep of every URL with an object id (GET and POST → 404 for another practice's objects) is a
row of the fault matrix: tests/reliability/test_tenant_isolation.py, using the helpers below."""

import re

import pytest

from clients.models import Officer
from integrations.models import XeroBulkRun, XeroSyncRun
from invoicing.models import BillingRun, Invoice, JobInvoiceLink
from tests.factories import CompanyFactory, IndividualFactory, JobFactory

SKIP_NAMESPACES = {"admin", "xero_sandbox"}


@pytest.fixture
def foreign_objects(other_practice):
    """One object of every kind, all belonging to another practice."""
    company = CompanyFactory(practice=other_practice)
    person = IndividualFactory(practice=other_practice)
    officer = Officer.objects.create(practice=other_practice, company=company, person=person)
    job = JobFactory(client=company)
    sync_run = XeroSyncRun.objects.create(practice=other_practice)
    bulk_run = XeroBulkRun.objects.create(
        practice=other_practice, action=XeroBulkRun.Action.CREATE, status=XeroBulkRun.Status.FAILED,
        batches=[{"key": "k", "client_ids": [company.pk], "status": "pending"}],
    )  # fmt: skip
    invoice = Invoice.objects.create(practice=other_practice, tenant_id="t", invoice_id="i", client=company)
    job_invoice_link = JobInvoiceLink.objects.create(practice=other_practice, job=job, invoice=invoice)
    billing_run = BillingRun.objects.create(
        practice=other_practice, status=BillingRun.Status.FAILED,
        batches=[{"key": "k", "status": "pending", "invoices": []}],
    )  # fmt: skip
    return {
        "client": company, "job": job, "officer": officer, "sync_run": sync_run, "bulk_run": bulk_run,
        "job_invoice_link": job_invoice_link, "billing_run": billing_run,
    }  # fmt: skip


# Which object each (namespace, id kwarg) refers to. A new URL with an id must be added here,
# so the sweep can never silently skip it.
ID_OWNERS = {
    ("clients", "pk"): "client",
    ("clients", "officer_pk"): "officer",
    ("xero_links", "pk"): "client",  # Link with Xero, under /clients/<pk>/xero/
    ("xero_differences", "pk"): "client",  # Differences with Xero, under /clients/<pk>/xero/differences/
    ("xero_matching", "run_pk"): "bulk_run",  # Match clients to Xero: a bulk run's progress and retry
    ("invoicing", "client_pk"): "client",  # Invoice History, Sync now, Raise invoice and its totals
    ("jobs", "pk"): "job",
    ("job_invoices", "job_pk"): "job",  # a job's Invoice tab, Raise, Link existing
    ("job_invoices", "link_pk"): "job_invoice_link",  # Unlink
    ("job_invoices", "pk"): "billing_run",  # batch billing: a run's progress and Retry
    ("integrations", "pk"): "sync_run",
}
CLIENT_ROUTES_IN_JOBS = re.compile(r"^jobs/client/")


def _owner(namespace, route, kwarg):
    if CLIENT_ROUTES_IN_JOBS.match(route) and kwarg == "pk":
        return "client"
    return ID_OWNERS.get((namespace, kwarg))


@pytest.mark.django_db
def test_lists_never_show_other_practices_rows(owner_client, practice, foreign_objects):
    mine = CompanyFactory(practice=practice, name="Mine Ltd")
    response = owner_client.get("/clients/")
    assert mine.name in response.content.decode()
    assert foreign_objects["client"].name not in response.content.decode()
    response = owner_client.get("/jobs/")
    assert foreign_objects["job"].reference not in response.content.decode()


@pytest.mark.django_db
def test_every_page_needs_a_login(client):
    for path in [
        "/",
        "/clients/",
        "/clients/new/",
        "/jobs/",
        "/jobs/new/",
        "/settings/",
        "/settings/billing/",
    ]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/"), path
