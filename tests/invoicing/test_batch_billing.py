"""Batch billing (issue 11 item 5): jobs list → Raise invoices → preview → Submit, through the
sandbox over HTTP. Never a job invoiced twice."""

import datetime as dt
from decimal import Decimal

import pytest

from integrations import services as xero_services
from integrations.models import XeroContact, XeroContactLink
from invoicing.models import BillingClaim, BillingRun, InvoiceRaise, JobInvoiceLink
from invoicing.services import batch
from jobs.models import Job
from tests.factories import JobFactory

pytestmark = pytest.mark.django_db

BILLING = "/jobs/billing/"


@pytest.fixture
def three(linked, companies, practice):
    """Three companies linked to their Xero contacts, each with completed jobs."""
    names = [n for n in companies if XeroContact.objects.filter(practice=practice, name=n).exists()][:3]
    assert len(names) == 3
    clients = [companies[n] for n in names]
    for client in clients:
        if XeroContactLink.objects.filter(client=client).exists():
            continue
        contact = XeroContact.objects.get(practice=practice, name=client.name)
        xero_services.xero_contact_link(
            practice=practice, client=client, contact=contact, user=None, verify=False
        )
    jobs = {}
    for n, client in enumerate(clients):
        jobs[client.pk] = [
            JobFactory(
                client=client,
                status=Job.Status.COMPLETED,
                job_type=kind,
                period_end=dt.date(2026, 3, 31),
                fee=Decimal(f"{100 * (n + 1) + i}.50"),
            )  # fmt: skip
            for i, kind in enumerate((Job.JobType.ANNUAL_ACCOUNTS, Job.JobType.CORPORATION_TAX))
        ]
    return clients, jobs


def all_jobs(jobs):
    return [job for group in jobs.values() for job in group]


def job_ids(jobs):
    return [str(job.pk) for job in all_jobs(jobs)]


def invoices_put(sandbox):
    return [c for c in sandbox.calls(area="accounting") if c["method"] == "PUT" and "Invoices" in c["path"]]


def submit(owner_client, ids, capture, **extra):
    with capture(execute=True):
        answer = owner_client.post(BILLING, {"job": ids, "action": "submit", **extra})
    assert answer.status_code == 302, answer.content.decode()[:500]
    run = BillingRun.objects.latest("pk")
    assert answer["Location"] == f"/jobs/billing/runs/{run.pk}/"
    return run


def test_preview_for_three_clients_groups_one_invoice_per_client_with_totals(
    three, owner_client, xero_sandbox, htmx
):
    clients, jobs = three
    xero_sandbox.clear_calls()
    html = owner_client.get(BILLING, {"job": job_ids(jobs)}).content.decode()
    for client in clients:
        assert client.name in html
    for job in all_jobs(jobs):
        assert job.reference in html
    total = sum(job.fee for job in all_jobs(jobs))
    assert f'id="billing-total">£{total:,}<' in html
    assert "3 invoices, 6 jobs" in html
    first = jobs[clients[0].pk]
    assert (
        f"£{first[0].fee:,}" in html and f"£{first[0].fee + first[1].fee:,}" in html
    )  # lines, invoice total

    per_job = owner_client.get(BILLING, {"job": job_ids(jobs), "grouping": "job"}, **htmx).content.decode()
    assert per_job.lstrip().startswith('<div id="billing-preview"') and "6 invoices, 6 jobs" in per_job
    assert xero_sandbox.calls(area="accounting") == []


def test_submit_with_one_invoice_refused_by_xero(
    three, owner_client, xero_sandbox, practice, django_capture_on_commit_callbacks
):
    clients, jobs = three
    refused = clients[2]
    xero_sandbox.archive_contact(XeroContact.objects.get(practice=practice, name=refused.name).contact_id)
    xero_sandbox.clear_calls()
    run = submit(owner_client, job_ids(jobs), django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.status == BillingRun.Status.SUCCEEDED and (run.succeeded, run.failed) == (4, 2)
    calls = invoices_put(xero_sandbox)
    assert len(calls) == 1 and "summarizeErrors=false" in calls[0]["query"].replace("False", "false")
    page = owner_client.get(f"/jobs/billing/runs/{run.pk}/").content.decode()
    assert "Finished" in page and "archived" in page
    for client in clients[:2]:
        attempt = InvoiceRaise.objects.get(client=client, status=InvoiceRaise.Status.SUCCEEDED)
        for job in jobs[client.pk]:
            assert JobInvoiceLink.objects.get(job=job).invoice.invoice_id == attempt.invoice_id
            assert attempt.number in owner_client.get(f"/jobs/{job.pk}/invoice/").content.decode()
            assert f"Invoice {attempt.number}" in page
        assert len(JobInvoiceLink.objects.filter(job__client=client).first().invoice.lines) == 2
    for job in jobs[refused.pk]:
        assert not JobInvoiceLink.objects.filter(job=job).exists()
    # The refused jobs' claims are released: once fixed, they can be billed.
    assert not BillingClaim.objects.filter(job__client=refused, status__in=["pending", "raised"]).exists()


def test_a_second_run_invoices_nothing_twice(
    three, owner_client, xero_sandbox, django_capture_on_commit_callbacks
):
    _clients, jobs = three
    first = submit(owner_client, job_ids(jobs), django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.succeeded == 6
    before = len(xero_sandbox.invoices())
    xero_sandbox.clear_calls()
    second = submit(owner_client, job_ids(jobs), django_capture_on_commit_callbacks)
    second.refresh_from_db()
    assert second.status == BillingRun.Status.SUCCEEDED and second.succeeded == 0
    assert {item["status"] for item in second.items} == {"skipped"}
    assert invoices_put(xero_sandbox) == [] and len(xero_sandbox.invoices()) == before
    assert JobInvoiceLink.objects.count() == 6


def test_a_job_being_billed_by_another_run_is_skipped(three, practice, owner, xero_sandbox):
    """The claim: a run started while another holds the jobs (not yet linked) skips them."""
    _clients, jobs = three
    xero_sandbox.inject_fault(path="/Invoices", method="PUT", status=503, count=None)
    first = batch.billing_start(practice=practice, user=owner, job_ids=job_ids(jobs), grouping="client")
    batch.billing_process(run_id=first.pk)
    first.refresh_from_db()
    assert first.status == BillingRun.Status.FAILED and first.can_retry
    xero_sandbox.clear_faults()
    second = batch.billing_start(practice=practice, user=owner, job_ids=job_ids(jobs), grouping="job")
    assert {item["status"] for item in second.items} == {"skipped"}
    assert all("another billing run" in item["message"] for item in second.items)
    assert InvoiceRaise.objects.filter(form_token__startswith=f"billing-{second.pk}-").count() == 0


def test_a_fault_mid_batch_then_retry_invoices_each_job_exactly_once(
    three, owner_client, xero_sandbox, monkeypatch, django_capture_on_commit_callbacks
):
    """Batches of one: the second batch's answer is lost (Xero did create it). Retry resends the same
    payload with the same stored key: Xero replays, and no invoice is created twice."""
    _clients, jobs = three
    monkeypatch.setattr(batch, "BATCH_SIZE", 1)
    original = xero_services.xero_invoices_create
    sent = []

    def flaky(**kwargs):
        sent.append(kwargs["idempotency_key"])
        if len(sent) == 2:
            xero_sandbox.inject_fault(path="/Invoices", method="PUT", timeout=True, delay=0.05, after=True)
        return original(**kwargs)

    monkeypatch.setattr(xero_services, "xero_invoices_create", flaky)
    before = len(xero_sandbox.invoices())
    run = submit(owner_client, job_ids(jobs), django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.status == BillingRun.Status.FAILED and run.can_retry
    assert len(xero_sandbox.invoices()) == before + 2  # the lost answer's invoice was created
    page = owner_client.get(f"/jobs/billing/runs/{run.pk}/").content.decode()
    assert "Failed" in page and "Retry" in page

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/jobs/billing/runs/{run.pk}/retry/")
    run.refresh_from_db()
    assert run.status == BillingRun.Status.SUCCEEDED and run.succeeded == 6
    assert len(xero_sandbox.invoices()) == before + 3  # one per client, none twice
    assert sent[2] == sent[1]  # the retry sent the stored key again
    assert JobInvoiceLink.objects.values("invoice").distinct().count() == 3
    assert InvoiceRaise.objects.filter(status="succeeded").count() == 3


def test_billing_needs_a_connection_and_never_500s_on_nonsense(owner_client, practice):
    answer = owner_client.post(BILLING, {"job": ["1", "x", "-1", "9" * 40], "action": "submit"})
    assert answer.status_code == 200 and "Xero is not connected" in answer.content.decode()


def test_another_practice_cannot_see_or_bill_our_jobs(
    three, client, other_practice, xero_sandbox, practice, owner
):
    from tests.factories import MembershipFactory

    _clients, jobs = three
    run = batch.billing_start(practice=practice, user=owner, job_ids=job_ids(jobs)[:1], grouping="client")
    client.force_login(MembershipFactory(practice=other_practice).user)
    assert client.get(f"/jobs/billing/runs/{run.pk}/").status_code == 404
    assert client.post(f"/jobs/billing/runs/{run.pk}/retry/").status_code == 404
    html = client.get(BILLING, {"job": job_ids(jobs)}).content.decode()
    assert all(job.reference not in html for job in all_jobs(jobs))


def test_approved_batch_makes_one_call_per_batch_not_one_per_invoice(
    three, owner_client, xero_sandbox, django_capture_on_commit_callbacks
):
    """Approved invoices in a batch: one PUT for the batch, and no OnlineInvoice call per invoice
    (that would be a Xero call in a loop: 500 jobs would spend the minute's rate limit)."""
    _clients, jobs = three
    xero_sandbox.clear_calls()
    run = submit(owner_client, job_ids(jobs), django_capture_on_commit_callbacks, invoice_status="AUTHORISED")
    run.refresh_from_db()
    assert run.status == BillingRun.Status.SUCCEEDED and run.succeeded == 6
    calls = xero_sandbox.calls(area="accounting")
    assert [c["method"] for c in calls if "Invoices" in c["path"]] == ["PUT"], calls
    assert InvoiceRaise.objects.filter(status="succeeded").count() == 3
