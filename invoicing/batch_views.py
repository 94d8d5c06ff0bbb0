"""Batch billing (/jobs/billing/): jobs list → tick jobs → Raise invoices → preview → Submit → the
run's page with live progress. The preview and the run's page read our database only."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_POST

from core.htmx import redirect_after_post, render_page_or_partial
from core.permissions import practice_required
from invoicing.models import BillingRun
from invoicing.services import batch
from invoicing.services.raising import APPROVED, DRAFT

PREVIEW_TEMPLATE = "invoicing/batch_preview.html"
RUN_TEMPLATE = "invoicing/batch_run.html"


def _text(value, limit: int = 20) -> str:
    return str(value or "")[:limit]


@require_http_methods(["GET", "POST"])
@practice_required
def billing_preview(request):
    data = request.POST if request.method == "POST" else request.GET
    job_ids = data.getlist("job")[: batch.MAX_JOBS]
    grouping = _text(data.get("grouping")) or BillingRun.Grouping.PER_CLIENT
    status = APPROVED if _text(data.get("invoice_status")) == APPROVED else DRAFT
    error = ""
    if request.method == "POST" and data.get("action") == "submit":
        try:
            run = batch.billing_start(
                practice=request.practice, user=request.user, job_ids=job_ids, grouping=grouping,
                invoice_status=status,
            )  # fmt: skip
        except batch.BillingError as exc:
            error = exc.message
        else:
            return redirect_after_post(request, "job_invoices:billing_run", run.pk)
    preview = batch.billing_preview(practice=request.practice, job_ids=job_ids, grouping=grouping)
    context = {
        "preview": preview,
        "grouping_choices": BillingRun.Grouping.choices,
        "invoice_status": status,
        "error": error,
    }
    return render_page_or_partial(request, PREVIEW_TEMPLATE, "billing-preview", context)


@practice_required
def billing_run(request, pk: int):
    run = get_object_or_404(BillingRun, practice=request.practice, pk=pk)
    return render_page_or_partial(request, RUN_TEMPLATE, "billing-run", {"run": run})


@require_POST
@practice_required
def billing_retry(request, pk: int):
    run = get_object_or_404(BillingRun, practice=request.practice, pk=pk)
    try:
        batch.billing_retry(run=run)
    except batch.BillingError as exc:
        messages.error(request, exc.message)
    if request.htmx:
        return redirect_after_post(request, "job_invoices:billing_run", run.pk)
    return redirect("job_invoices:billing_run", run.pk)
