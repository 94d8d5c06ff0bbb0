"""A job's Invoice tab (issue 11 items 1–4): Raise, Link existing, Unlink, the jobs list's flag and
filter — through the sandbox over HTTP."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from clients.models import Officer
from invoicing.models import Invoice, InvoiceRaise, JobInvoiceLink
from jobs.models import Job
from tests.factories import CompanyFactory, IndividualFactory, JobFactory
from tests.invoicing.helpers import form_data, line

pytestmark = pytest.mark.django_db


def tab_url(job) -> str:
    return f"/jobs/{job.pk}/invoice/"


def raise_url(job) -> str:
    return f"/jobs/{job.pk}/invoice/raise/"


def link_url(job) -> str:
    return f"/jobs/{job.pk}/invoice/link/"


def unlink_url(job, link) -> str:
    return f"/jobs/{job.pk}/invoice/links/{link.pk}/unlink/"


def accounts_job(client, **extra):
    values = {
        "client": client, "job_type": Job.JobType.ANNUAL_ACCOUNTS, "period_end": dt.date(2026, 3, 31),
        "fee": Decimal("1250.00"), "status": Job.Status.COMPLETED,
    }  # fmt: skip
    return JobFactory(**(values | extra))


def mirror_invoice(practice, connection, client, *, number, days_ago, total="100.00"):
    return Invoice.objects.create(
        practice=practice, tenant_id=connection.tenant_id, invoice_id=f"inv-{number}", number=number,
        client=client, status=Invoice.Status.AUTHORISED, date=timezone.localdate() - dt.timedelta(days=days_ago),
        total=Decimal(total), amount_due=Decimal(total), currency_code="GBP",
    )  # fmt: skip


# --- the tab --------------------------------------------------------------------------------------


def test_every_job_has_an_invoice_tab_that_calls_no_xero(linked, owner_client, xero_sandbox):
    _connection, client, _contact = linked
    job = accounts_job(client)
    page = owner_client.get(job.get_absolute_url()).content.decode()
    assert f'href="{tab_url(job)}"' in page and ">Invoice</a>" in page
    xero_sandbox.clear_calls()
    html = owner_client.get(tab_url(job)).content.decode()
    assert "Raise" in html and "Link existing" in html and "No invoices are linked" in html
    assert xero_sandbox.calls(area="accounting") == []


def test_tab_lists_linked_invoices_with_overdue_and_a_link_into_xero(linked, owner_client, practice, owner):
    connection, client, _contact = linked
    job = accounts_job(client)
    invoice = mirror_invoice(practice, connection, client, number="INV-9001", days_ago=60, total="240.00")
    Invoice.objects.filter(pk=invoice.pk).update(due_date=timezone.localdate() - dt.timedelta(days=30))
    JobInvoiceLink.objects.create(practice=practice, job=job, invoice=invoice, linked_by=owner)
    html = owner_client.get(tab_url(job)).content.decode()
    assert "INV-9001" in html and "Overdue" in html and "240.00" in html
    assert "InvoiceID%3Dinv-INV-9001" in html and 'target="_blank"' in html


def test_tab_query_count_does_not_grow_with_invoices(
    linked, owner_client, practice, owner, django_assert_max_num_queries
):
    connection, client, _contact = linked
    job = accounts_job(client)
    invoice = mirror_invoice(practice, connection, client, number="INV-1", days_ago=1)
    JobInvoiceLink.objects.create(practice=practice, job=job, invoice=invoice, linked_by=owner)
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    owner_client.get(tab_url(job))  # warm: the session and the practice
    with CaptureQueriesContext(db) as one:
        owner_client.get(tab_url(job))
    for n in range(2, 12):
        more = mirror_invoice(practice, connection, client, number=f"INV-{n}", days_ago=n)
        JobInvoiceLink.objects.create(practice=practice, job=job, invoice=more, linked_by=owner)
    with CaptureQueriesContext(db) as many:
        owner_client.get(tab_url(job))
    assert len(many) == len(one)


def test_an_unlinked_client_is_offered_link_with_xero(connect, owner_client, practice):
    connect()
    company = CompanyFactory(practice=practice, name="Nowhere Ltd")
    job = accounts_job(company)
    html = owner_client.get(tab_url(job)).content.decode()
    assert "Nowhere Ltd is not linked to a Xero contact" in html
    assert f'href="/clients/{company.pk}/xero/' in html and "Link with Xero" in html
    assert raise_url(job) not in html
    assert "Link with Xero" in owner_client.get(raise_url(job)).content.decode()  # Raise says so too


def test_an_individual_names_the_company_to_link(connect, owner_client, practice):
    connect()
    person = IndividualFactory(practice=practice, first_name="Ada", last_name="Lovelace", name="Ada Lovelace")
    company = CompanyFactory(practice=practice, name="Analytical Engines Ltd")
    Officer.objects.create(practice=practice, company=company, person=person, role=Officer.Role.DIRECTOR)
    job = accounts_job(person, job_type=Job.JobType.SELF_ASSESSMENT, period_end=dt.date(2026, 4, 5))
    html = owner_client.get(tab_url(job)).content.decode()
    assert "Ada Lovelace is an individual" in html and "Analytical Engines Ltd" in html
    assert f'href="/clients/{company.pk}/xero/' in html


# --- Raise ----------------------------------------------------------------------------------------


def test_raise_is_prefilled_from_the_job(linked, owner_client, xero_sandbox):
    _connection, client, _contact = linked
    job = accounts_job(client)
    xero_sandbox.clear_calls()
    html = owner_client.get(raise_url(job)).content.decode()
    assert f'value="{job.reference}"' in html  # the reference
    assert "Annual accounts for the year ended 31 March 2026</textarea>" in html
    assert 'value="1250.00"' in html
    assert re.search(r'<option value="200" selected>200 · Sales', html)  # the default revenue account
    assert xero_sandbox.calls(area="accounting") == []


def test_submit_raises_through_the_one_service_and_links_the_invoice(
    linked, owner_client, xero_sandbox, htmx
):
    _connection, client, contact = linked
    job = accounts_job(client)
    data = form_data(
        [line("Annual accounts for the year ended 31 March 2026", "1", "1250.00")], reference=job.reference
    )
    answer = owner_client.post(raise_url(job), data, **htmx)
    assert answer["HX-Redirect"] == tab_url(job)
    attempt = InvoiceRaise.objects.get()
    assert attempt.job == job and attempt.status == InvoiceRaise.Status.SUCCEEDED
    created = next(i for i in xero_sandbox.invoices() if i["InvoiceID"] == attempt.invoice_id)
    assert created["Reference"] == job.reference and created["Contact"]["ContactID"] == contact.contact_id
    link = JobInvoiceLink.objects.get(job=job)
    assert link.invoice.invoice_id == attempt.invoice_id and link.linked_by is not None
    html = owner_client.get(tab_url(job)).content.decode()
    assert created["InvoiceNumber"] in html

    # A double submit joins the first attempt: one invoice, one link.
    again = owner_client.post(raise_url(job), data, **htmx)
    assert again["HX-Redirect"] == tab_url(job)
    assert len([i for i in xero_sandbox.invoices() if i.get("Reference") == job.reference]) == 1
    assert JobInvoiceLink.objects.filter(job=job).count() == 1


def test_raise_for_another_clients_job_is_refused(linked, practice):
    from invoicing.services.raising import NewInvoice, NewInvoiceLine, RaiseError, xero_invoice_raise

    _connection, client, _contact = linked
    other_job = accounts_job(CompanyFactory(practice=practice))
    data = NewInvoice(date=timezone.localdate(), lines=(NewInvoiceLine("x", Decimal(1), Decimal(1), "200"),))
    with pytest.raises(RaiseError):
        xero_invoice_raise(
            practice=practice, client=client, user=None, data=data, form_token="t", job=other_job
        )


# --- Link existing / Unlink -----------------------------------------------------------------------


def test_link_existing_lists_only_this_clients_last_12_months_newest_first(
    linked, owner_client, practice, owner, htmx
):
    connection, client, _contact = linked
    Invoice.objects.filter(practice=practice).delete()
    job = accounts_job(client)
    other_job = accounts_job(client, job_type=Job.JobType.VAT_RETURN)
    recent = mirror_invoice(practice, connection, client, number="RECENT-1", days_ago=10)
    older = mirror_invoice(practice, connection, client, number="OLDER-2", days_ago=200)
    mirror_invoice(practice, connection, client, number="ANCIENT-3", days_ago=400)
    mirror_invoice(practice, connection, CompanyFactory(practice=practice), number="OTHER-4", days_ago=5)
    JobInvoiceLink.objects.create(practice=practice, job=other_job, invoice=older, linked_by=owner)

    html = owner_client.get(link_url(job)).content.decode()
    assert "RECENT-1" in html and "OLDER-2" in html
    assert "ANCIENT-3" not in html and "OTHER-4" not in html
    assert html.index("RECENT-1") < html.index("OLDER-2")
    assert other_job.reference in html  # already linked to another job
    assert html.count('type="checkbox" name="invoice"') == 2

    answer = owner_client.post(link_url(job), {"invoice": [recent.pk, older.pk]}, **htmx)
    assert answer["HX-Redirect"] == tab_url(job)
    assert set(JobInvoiceLink.objects.filter(job=job).values_list("invoice__number", flat=True)) == {
        "RECENT-1", "OLDER-2",
    }  # fmt: skip
    assert JobInvoiceLink.objects.filter(invoice=older).count() == 2  # an invoice can cover several jobs
    link = JobInvoiceLink.objects.get(job=job, invoice=recent)
    assert link.linked_by == owner and link.linked_at is not None
    tab = owner_client.get(tab_url(job)).content.decode()
    assert "RECENT-1" in tab and "OLDER-2" in tab


def test_link_refuses_invoices_it_does_not_offer(linked, owner_client, practice, htmx):
    connection, client, _contact = linked
    job = accounts_job(client)
    ancient = mirror_invoice(practice, connection, client, number="ANCIENT-3", days_ago=400)
    others = mirror_invoice(
        practice, connection, CompanyFactory(practice=practice), number="OTHER-4", days_ago=5
    )
    for pk in (ancient.pk, others.pk, "x", ""):
        answer = owner_client.post(link_url(job), {"invoice": [pk]}, **htmx)
        html = answer.content.decode()
        assert answer.status_code == 200 and ("cannot be linked" in html or "Choose at least one" in html)
    assert not JobInvoiceLink.objects.exists()


def test_unlink_removes_only_our_link(linked, owner_client, practice, owner, xero_sandbox, htmx):
    connection, client, _contact = linked
    job = accounts_job(client)
    other_job = accounts_job(client, job_type=Job.JobType.VAT_RETURN)
    invoice = mirror_invoice(practice, connection, client, number="KEEP-1", days_ago=3)
    link = JobInvoiceLink.objects.create(practice=practice, job=job, invoice=invoice, linked_by=owner)
    JobInvoiceLink.objects.create(practice=practice, job=other_job, invoice=invoice, linked_by=owner)
    xero_sandbox.clear_calls()
    answer = owner_client.post(unlink_url(job, link), **htmx)
    assert answer["HX-Redirect"] == tab_url(job)
    assert not JobInvoiceLink.objects.filter(job=job).exists()
    assert JobInvoiceLink.objects.filter(job=other_job, invoice=invoice).exists()
    assert Invoice.objects.filter(pk=invoice.pk).exists()
    assert xero_sandbox.calls(area="accounting") == []


def test_another_practice_gets_404(linked, practice, other_practice, owner, client):
    from tests.factories import MembershipFactory

    connection, company, _contact = linked
    job = accounts_job(company)
    invoice = mirror_invoice(practice, connection, company, number="MINE-1", days_ago=3)
    link = JobInvoiceLink.objects.create(practice=practice, job=job, invoice=invoice, linked_by=owner)
    stranger = MembershipFactory(practice=other_practice).user
    client.force_login(stranger)
    for url in (tab_url(job), raise_url(job), link_url(job)):
        assert client.get(url).status_code == 404
    assert client.post(link_url(job), {"invoice": [invoice.pk]}).status_code == 404
    assert client.post(unlink_url(job, link)).status_code == 404
    assert JobInvoiceLink.objects.filter(pk=link.pk).exists()


# --- the jobs list --------------------------------------------------------------------------------


def test_jobs_list_flags_invoiced_and_filters_completed_not_invoiced_with_the_fee_total(
    linked, owner_client, practice, owner, htmx
):
    connection, client, _contact = linked
    invoiced = accounts_job(client, fee=Decimal("100.00"))
    waiting = [accounts_job(client, fee=Decimal(fee)) for fee in ("200.00", "300.50")]
    accounts_job(client, status=Job.Status.IN_PROGRESS, fee=Decimal("999.00"))
    invoice = mirror_invoice(practice, connection, client, number="DONE-1", days_ago=1)
    JobInvoiceLink.objects.create(practice=practice, job=invoiced, invoice=invoice, linked_by=owner)

    html = owner_client.get("/jobs/").content.decode()
    assert html.count('<span class="pill">Invoiced</span>') == 1

    html = owner_client.get("/jobs/?status=completed_not_invoiced", **htmx).content.decode()
    for job in waiting:
        assert job.reference in html
    assert invoiced.reference not in html and "999" not in html
    assert 'id="jobs-fee-total">£500.50<' in html
    assert "Raise invoices" in html and html.count('name="job"') == 2


def test_jobs_list_query_count_is_fixed(linked, owner_client, practice, owner):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    connection, client, _contact = linked
    accounts_job(client)
    owner_client.get("/jobs/")  # warm: the session and the practice
    with CaptureQueriesContext(db) as one:
        owner_client.get("/jobs/?status=completed_not_invoiced")
    for n in range(8):
        job = accounts_job(client)
        invoice = mirror_invoice(practice, connection, client, number=f"Q-{n}", days_ago=n)
        if n % 2:
            JobInvoiceLink.objects.create(practice=practice, job=job, invoice=invoice, linked_by=owner)
    with CaptureQueriesContext(db) as many:
        html = owner_client.get("/jobs/?status=completed_not_invoiced").content.decode()
    assert len(many) == len(one) and html.count('name="job"') == 5
