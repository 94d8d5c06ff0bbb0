"""A job's Invoice tab (/jobs/<job_pk>/invoice/): its invoices, Raise, Link existing and Unlink.

Pages read the mirror only (no Xero call on any GET); Raise is the client's Raise invoice form,
pre-filled from the job, and Submit goes through the one raise service, which links the new invoice
to the job. Each page works without JavaScript; htmx gets the partial named after its DOM id.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.htmx import redirect_after_post, render_page_or_partial
from core.permissions import practice_required
from invoicing import job_selectors
from invoicing.services import job_links
from invoicing.services.job_links import (
    LinkError,
    job_invoice_initial,
    job_invoices_link,
)
from invoicing.views import raise_flow
from jobs.selectors import job_get
from jobs.views import job_page_context

TAB_TEMPLATE = "invoicing/job_invoices.html"
RAISE_PAGE = "invoicing/job_raise.html"
LINK_TEMPLATE = "invoicing/job_link.html"


def _job(request, job_pk: int):
    return job_get(practice=request.practice, pk=job_pk)


def _tab_url(job) -> str:
    return reverse("job_invoices:tab", args=[job.pk])


@practice_required
def job_invoices(request, job_pk: int):
    job = _job(request, job_pk)
    context = job_page_context(job, "invoice") | {
        "tab": job_selectors.job_invoice_tab(practice=request.practice, job=job)
    }
    return render_page_or_partial(request, TAB_TEMPLATE, "job-invoices", context)


@require_http_methods(["GET", "POST"])
@practice_required
def job_invoice_raise(request, job_pk: int):
    job = _job(request, job_pk)
    tab = job_selectors.job_invoice_tab(practice=request.practice, job=job)
    connection = tab.panel.connection
    context = job_page_context(job, "invoice") | {
        "client": job.client,
        "panel": tab.panel,
        "can_raise": tab.can_raise,
        "currency_code": connection.base_currency if connection else "",
        "raise_url": reverse("job_invoices:raise", args=[job.pk]),
        "cancel_url": _tab_url(job),
        "page_template": RAISE_PAGE,
        "tab": tab,
    }
    return raise_flow(
        request,
        job.client,
        context,
        job=job,
        prefill=lambda options: job_invoice_initial(job, accounts=options.accounts),
        done_url=_tab_url(job),
    )


@require_http_methods(["GET", "POST"])
@practice_required
def job_invoice_link(request, job_pk: int):
    job = _job(request, job_pk)
    today = timezone.localdate()
    error = ""
    if request.method == "POST":
        try:
            count = job_invoices_link(
                practice=request.practice,
                job=job,
                invoice_ids=request.POST.getlist("invoice")[:200],
                user=request.user,
                today=today,
            )
        except LinkError as exc:
            error = exc.message
        else:
            messages.success(
                request, f"{count} invoice{'' if count == 1 else 's'} linked to {job.reference}."
            )
            return redirect_after_post(request, _tab_url(job))
    context = job_page_context(job, "invoice") | {
        "invoices": job_selectors.job_linkable_invoices(practice=request.practice, job=job, today=today),
        "error": error,
    }
    return render_page_or_partial(request, LINK_TEMPLATE, "job-link", context)


@require_POST
@practice_required
def job_invoice_unlink(request, job_pk: int, link_pk: int):
    job = _job(request, job_pk)
    if job_links.job_invoice_unlink(practice=request.practice, job=job, link_id=link_pk):
        messages.success(request, f"Unlinked from {job.reference}. The invoice is unchanged in Xero.")
    if not request.htmx:
        return redirect(_tab_url(job))
    return redirect_after_post(request, _tab_url(job))
