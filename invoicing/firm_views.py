"""Jobs → Xero (the firm's Xero invoices) and the dashboard's Debtors widget.

Both read the mirror only: no Xero call on any GET. Sync now starts the practice's usual sync.
"""

import csv

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from core.htmx import VARY_ON, render_page_or_partial
from core.permissions import practice_required
from invoicing import debtors as debtor_selectors
from invoicing import firm_selectors
from invoicing.firm_forms import XeroInvoiceFilterForm
from invoicing.views import sync_now

LIST_TEMPLATE = "invoicing/xero_invoices.html"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


NUMERIC = {"total", "amount_due"}


def _columns(current: str) -> list[dict]:
    """The table's columns, each with the sort its header link sets (the other way round if it is
    the current sort) and its aria-sort; the template keeps the other filters ({% querystring %})."""
    columns = []
    for key, (label, _fields) in firm_selectors.SORTS.items():
        aria = "ascending" if current == key else "descending" if current == f"-{key}" else ""
        sort = f"-{key}" if current == key else key
        columns.append({"key": key, "label": label, "num": key in NUMERIC, "sort": sort, "aria": aria})
    return columns


@practice_required
def xero_invoices(request):
    form = XeroInvoiceFilterForm(request.GET)
    filters = form.filters()
    listing = firm_selectors.firm_invoice_list(
        practice=request.practice, filters=filters, page=request.GET.get("page")
    )
    context = {"form": form, "listing": listing, "columns": _columns(filters.sort)}
    return render_page_or_partial(request, LIST_TEMPLATE, "xero-invoices", context)


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_safe(value: str) -> str:
    """Defuse spreadsheet formulas (CSV injection): a text cell that starts with = + - @ (or a
    tab or carriage return) gets a leading quote, so a spreadsheet shows it as text."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


@practice_required
def xero_invoices_csv(request):
    filters = XeroInvoiceFilterForm(request.GET).filters()
    rows = firm_selectors.firm_invoice_csv_rows(practice=request.practice, filters=filters)
    writer = csv.writer(_Echo())
    money = {8, 9}  # Total and Amount due: our own numbers, never text from Xero
    lines = (
        writer.writerow([cell if i in money else csv_safe(cell) for i, cell in enumerate(row)])
        for row in rows
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = f"xero-invoices-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@practice_required
def xero_invoices_sync(request):
    return sync_now(request, reverse("xero_invoices:list"))


@practice_required
def debtors_widget(request):
    widget = debtor_selectors.debtors(
        practice=request.practice, can_connect=bool(request.membership and request.membership.can_manage)
    )
    response = render(request, "invoicing/widgets/debtors.html", {"debtors": widget})
    patch_vary_headers(response, VARY_ON)
    return response
