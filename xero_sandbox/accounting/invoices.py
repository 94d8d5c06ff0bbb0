"""GET/PUT/POST /Invoices, GET/POST /Invoices/{InvoiceID or InvoiceNumber} and its OnlineInvoice.

As in Xero, a list returns line items only when paged; by-id fetches always include them.
"""

import uuid

from ..books import plan_invoice
from ..books.invoices import invoice_by_number
from ..rendering import sandbox_base
from ..serializers import invoice_json
from ..wire import envelope, json_response
from .gateway import Api, bad_request, not_found, xero_api
from .query import csv_values, filtered, flag, if_modified_since, invoice_fields, paging
from .writes import write_batch

READ = frozenset({"accounting.invoices.read"})
WRITE = frozenset({"accounting.invoices"})


def unit_decimals(request) -> int:
    return 4 if request.GET.get("unitdp") == "4" else 2


@xero_api(read=READ, write=WRITE)
def invoices(request, api: Api):
    if request.method == "GET":
        return _list(request, api)
    if request.method in ("PUT", "POST"):
        decimals = unit_decimals(request)
        return write_batch(
            request,
            api,
            collection="Invoices",
            planner=lambda element, batch: plan_invoice(
                api.world,
                api.org,
                element,
                by_number=request.method == "POST",
                client_id=api.access.client_id,
                batch=batch,
                unit_decimals=decimals,
            ),
            serialize=lambda invoice: invoice_json(invoice, api.org, with_lines=True, unit_decimals=decimals),
        )
    return json_response({"Message": "The requested resource does not support this method"}, 405)


@xero_api(read=READ, write=WRITE)
def invoice(request, api: Api, identifier: str):
    found = find(api, identifier)
    if found is None:
        return not_found()
    decimals = unit_decimals(request)
    if request.method == "GET":
        payload = invoice_json(found, api.org, with_lines=True, unit_decimals=decimals)
        return json_response(envelope("Invoices", [payload], provider=api.provider))
    if request.method == "POST":
        return write_batch(
            request,
            api,
            collection="Invoices",
            planner=lambda element, batch: plan_invoice(
                api.world,
                api.org,
                element,
                existing=found,
                client_id=api.access.client_id,
                batch=batch,
                unit_decimals=decimals,
            ),
            serialize=lambda updated: invoice_json(updated, api.org, with_lines=True, unit_decimals=decimals),
            single=True,
        )
    return json_response({"Message": "The requested resource does not support this method"}, 405)


@xero_api(read=READ)
def online_invoice(request, api: Api, identifier: str):
    found = find(api, identifier)
    if found is None:
        return not_found()
    if found.type != "ACCREC" or found.status not in ("AUTHORISED", "PAID"):
        return bad_request("An online invoice is only available for approved sales invoices.")
    url = f"{sandbox_base(request)}/in/{found.invoice_id}"
    return json_response(envelope("OnlineInvoices", [{"OnlineInvoiceUrl": url}], provider=api.provider))


def find(api: Api, identifier: str):
    try:
        return api.org.invoices.get(str(uuid.UUID(identifier)))
    except ValueError:
        return invoice_by_number(api.org, identifier)


def _list(request, api: Api):
    records = api.org.invoices.values()
    ids = {value.lower() for value in csv_values(request, "IDs")}
    if ids:
        records = [invoice for invoice in records if invoice.invoice_id in ids]
    numbers = {value.casefold() for value in csv_values(request, "InvoiceNumbers")}
    if numbers:
        records = [invoice for invoice in records if invoice.invoice_number.casefold() in numbers]
    contact_ids = {value.lower() for value in csv_values(request, "ContactIDs")}
    if contact_ids:
        records = [invoice for invoice in records if invoice.contact_id in contact_ids]
    statuses = {value.upper() for value in csv_values(request, "Statuses")}
    if statuses:
        records = [invoice for invoice in records if invoice.status in statuses]
    if flag(request, "createdByMyApp"):
        records = [invoice for invoice in records if invoice.created_by_client_id == api.access.client_id]
    since = if_modified_since(request)
    if since is not None:
        records = [invoice for invoice in records if invoice.updated_at >= since]
    term = request.GET.get("searchTerm", "").strip().casefold()
    if term:
        records = [
            invoice
            for invoice in records
            if term in invoice.invoice_number.casefold() or term in invoice.reference.casefold()
        ]
    records = filtered(records, request, invoice_fields(api.org), "Invoice")
    pages = paging(request)
    page, pagination = pages.slice(records)
    summary = flag(request, "summaryOnly")
    decimals = unit_decimals(request)
    items = [
        invoice_json(
            invoice, api.org, with_lines=pages.paged, summary=summary, unit_decimals=decimals, detail=False
        )
        for invoice in page
    ]
    return json_response(envelope("Invoices", items, pagination=pagination, provider=api.provider))
