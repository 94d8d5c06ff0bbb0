"""Reads for a job's Invoice tab and Link existing (the mirror only: never Xero). A fixed number of
queries whatever the number of invoices."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch

from clients.models import Client
from core.models import Practice
from integrations import selectors as xero_selectors
from invoicing.models import Invoice, JobInvoiceLink
from invoicing.selectors import xero_invoice_url
from invoicing.services.job_links import linkable_invoices


@dataclass
class JobInvoiceTab:
    job: object
    panel: object
    links: list = field(default_factory=list)
    companies: list = field(default_factory=list)  # an individual's companies (to link with Xero)

    @property
    def connected(self) -> bool:
        return self.panel.connected

    @property
    def linked(self) -> bool:
        return self.panel.link is not None

    @property
    def can_raise(self) -> bool:
        panel = self.panel
        return bool(panel.link and panel.connected and panel.connection.is_active and not panel.warning)


def _short_code(panel) -> str:
    return getattr(panel.connection, "short_code", "") if panel.connection else ""


def job_invoice_tab(*, practice: Practice, job) -> JobInvoiceTab:
    panel = xero_selectors.xero_client_panel(practice=practice, client=job.client)
    links = list(
        JobInvoiceLink.objects.filter(practice=practice, job=job)
        .select_related("invoice", "linked_by")
        .order_by("-invoice__date", "-invoice__number", "pk")
    )
    short_code = _short_code(panel)
    for link in links:
        link.xero_url = xero_invoice_url(short_code=short_code, invoice_id=link.invoice.invoice_id)
    companies = []
    if not job.client.is_company:
        companies = list(
            Client.objects.filter(practice=practice, kind=Client.Kind.COMPANY, officers__person=job.client)
            .distinct()
            .order_by("name")
        )
    return JobInvoiceTab(job=job, panel=panel, links=links, companies=companies)


def job_linkable_invoices(*, practice: Practice, job, today: dt.date) -> list[Invoice]:
    """Link existing: the client's invoices in the last 12 months, newest first, each with the other
    jobs it is already linked to (`other_jobs`) and whether it is linked to this job."""
    rows = list(
        linkable_invoices(practice=practice, job=job, today=today)
        .prefetch_related(
            Prefetch("job_links", queryset=JobInvoiceLink.objects.select_related("job").order_by("pk"))
        )
        .order_by("-date", "-number", "-pk")[:200]
    )
    for invoice in rows:
        links = list(invoice.job_links.all())
        invoice.linked_here = any(link.job_id == job.pk for link in links)
        invoice.other_jobs = [link.job for link in links if link.job_id != job.pk]
    return rows
