"""A job's invoices (the job's Invoice tab): link invoices from the mirror to a job, unlink them,
and what Raise pre-fills from the job.

Links are ours only: Xero never hears of them, so making or removing one calls nothing and is not
written to the Xero activity log (which records what Engager asked of Xero); the link row itself
keeps who linked it and when.
"""

import datetime as dt

from django.db import transaction

from core.models import Practice
from invoicing.mirror_version import mirror_changed_now_and_on_commit
from invoicing.models import BillingClaim, Invoice, JobInvoiceLink
from invoicing.services.raising import jobs_link

LINK_WINDOW_DAYS = 366  # "the last 12 months"
DEFAULT_ACCOUNT_CODE = "200"  # Xero's standard chart: Sales

# What a line says for each job type: "{label} for the {period} ended {date}".
_PERIOD_WORDS = {
    "annual_accounts": "year",
    "corporation_tax": "year",
    "self_assessment": "tax year",
    "vat_return": "period",
    "payroll": "period",
    "bookkeeping": "period",
    "confirmation_statement": "year",
}


class LinkError(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def job_invoice_description(job) -> str:
    """e.g. "Annual accounts for the year ended 31 March 2026" (the job type and its period)."""
    label = job.display_title
    if job.period_end is None:
        return label
    words = _PERIOD_WORDS.get(job.job_type, "period")
    return f"{label} for the {words} ended {job.period_end.day} {job.period_end:%B %Y}"


def default_account_code(accounts: list[dict]) -> str:
    """The organisation's sales account: code 200 when it has one, else its first revenue account."""
    codes = [a["code"] for a in accounts]
    if DEFAULT_ACCOUNT_CODE in codes:
        return DEFAULT_ACCOUNT_CODE
    return codes[0] if codes else ""


def job_invoice_initial(job, *, accounts: list[dict]) -> tuple[dict, list[dict]]:
    """(the invoice's initial fields, its one line) for Raise on a job."""
    line = {
        "description": job_invoice_description(job),
        "quantity": "1",
        "unit_amount": f"{job.fee:.2f}" if job.fee is not None else "",
        "account": default_account_code(accounts),
    }
    return {"reference": job.reference}, [line]


def linkable_invoices(*, practice: Practice, job, today: dt.date):
    """The job's client's invoices dated within the last 12 months, newest first (the mirror)."""
    return Invoice.objects.filter(
        practice=practice,
        client_id=job.client_id,
        date__gte=today - dt.timedelta(days=LINK_WINDOW_DAYS),
    ).exclude(status__in=[Invoice.Status.DELETED, Invoice.Status.VOIDED])


def job_invoices_link(*, practice: Practice, job, invoice_ids, user, today: dt.date) -> int:
    """Link the chosen invoices (only ones Link existing offers) to the job; returns how many were new."""
    clean = {int(i) for i in invoice_ids if str(i).isdigit() and len(str(i)) < 12}
    if not clean:
        raise LinkError("Choose at least one invoice to link.")
    invoices = list(linkable_invoices(practice=practice, job=job, today=today).filter(pk__in=clean))
    if len(invoices) != len(clean):
        raise LinkError("Some of those invoices cannot be linked to this job. Choose from the list.")
    with transaction.atomic():
        return sum(
            jobs_link(practice=practice, invoice=invoice, jobs=[job], user=user) for invoice in invoices
        )


def job_invoice_unlink(*, practice: Practice, job, link_id) -> bool:
    """Remove our link only (the invoice stays in Xero and in the mirror). Once the job has no
    invoice left, batch billing may bill it again."""
    if not str(link_id).isdigit() or len(str(link_id)) > 12:
        return False
    with transaction.atomic():
        deleted, _ = JobInvoiceLink.objects.filter(practice=practice, job=job, pk=int(link_id)).delete()
        if deleted:  # Jobs → Xero's cached totals filter on "linked to a job"
            mirror_changed_now_and_on_commit(practice.pk)
        if deleted and not JobInvoiceLink.objects.filter(job=job).exists():
            BillingClaim.objects.filter(job=job, status=BillingClaim.Status.RAISED).update(
                status=BillingClaim.Status.RELEASED
            )
    return bool(deleted)
