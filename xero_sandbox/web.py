"""The sandbox's own web pages: the home page where people act "in Xero", Xero's deep-link targets
(go.xero.com/organisationlogin, reporting.xero.com/{ShortCode}/v1/Run/{id}) and online invoices.

Plain server-rendered forms; every change goes through the same books as the API, so it raises
the same webhooks.
"""

import math
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.views.decorators.http import require_POST

from .books import Batch, invoice_pay, plan_contact, plan_invoice
from .books.aging import SUMMARY_COLUMNS, aged_summary, receivable_invoices
from .books.credit_notes import credit_note_by_number, plan_allocation, plan_credit_note
from .books.invoices import invoice_by_number
from .books.plans import name_key
from .clock import clock
from .identity.connections import remove_connection
from .rendering import render_page, sandbox_base
from .serializers import balances
from .state import store
from .wire import parse_decimal

PAGE_SIZE = 50
SUMMARY_REPORTS = {"1001", "1101", "1201"}
DETAIL_REPORTS = {"1002", "1102", "1202"}


def _not_found(request, message: str):
    return render_page(request, "xero_sandbox/not_found.html", {"message": message}, status=404)


def _bad_request(request, message: str):
    return render_page(request, "xero_sandbox/bad_request.html", {"message": message}, status=400)


class Malformed(ValueError):
    """Form input that cannot be read at all: answered 400 with the reason, not a redirect."""


def _form_number(form, name: str) -> float:
    """A number typed into a form (blank is 0); ValueError says which field could not be read."""
    text = form.get(name, "").strip()
    try:
        number = float(text) if text else 0.0
    except ValueError:
        raise ValueError(f"{name.capitalize()} must be a number, not {text[:40]!r}.") from None
    if not math.isfinite(number):
        raise ValueError(f"{name.capitalize()} must be a finite number.")
    return number


@login_not_required
def home(request):
    with store.lock:
        world = store.world
        organisations = list(world.orgs.values())
        connections = [
            {
                "id": connection.id,
                "app": world.apps[grant.client_id].name if grant.client_id in world.apps else grant.client_id,
                "organisation": world.orgs[connection.tenant_id].name,
                "created": connection.created_at,
            }
            for grant in world.grants.values()
            for connection in grant.connections
            if connection.tenant_id in world.orgs
        ]
        context = {
            "organisations": [
                {
                    "org": org,
                    "contacts": len(org.contacts),
                    "invoices": len(org.invoices),
                    "credit_notes": len(org.credit_notes),
                    "recent_credit_notes": [
                        {"note": note, "contact": org.contacts[note.contact_id]}
                        for note in sorted(
                            org.credit_notes.values(),
                            key=lambda note: (note.date, note.credit_note_number),
                            reverse=True,
                        )[:8]
                    ],
                }
                for org in organisations
            ],
            "connections": connections,
            "now": clock.now(),
            "request_path": request.path,
            "message": request.GET.get("message", ""),
            "error": request.GET.get("error", ""),
        }
        # Rendered under the lock: the page reads the live records.
        return render_page(request, "xero_sandbox/home.html", context)


@login_not_required
def organisation(request, tenant_id: str):
    with store.lock:
        org = store.world.orgs.get(tenant_id.lower())
        if org is None:
            return _not_found(request, "There is no such organisation in the sandbox.")
        today = clock.today_in(org.timezone)
        query = request.GET.get("q", "").strip().casefold()
        contacts = sorted(org.contacts.values(), key=lambda contact: contact.name.casefold())
        if query:
            contacts = [contact for contact in contacts if query in contact.name.casefold()]
        contact_page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("contacts_page"))
        status = request.GET.get("status", "")
        invoices = sorted(
            org.invoices.values(), key=lambda invoice: (invoice.date, invoice.invoice_number), reverse=True
        )
        if status:
            invoices = [invoice for invoice in invoices if invoice.status == status]
        invoice_page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("invoices_page"))
        context = {
            "org": org,
            "today": today,
            "query": request.GET.get("q", ""),
            "status": status,
            "statuses": ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED"),
            "contact_page": contact_page,
            "contact_rows": [
                {
                    "contact": contact,
                    "balance": balances(org, contact.contact_id, today)["AccountsReceivable"],
                }
                for contact in contact_page
            ],
            "invoice_page": invoice_page,
            "invoice_rows": [_invoice_row(org, invoice, today) for invoice in invoice_page],
            "contact_names": [c.name for c in contacts if c.status == "ACTIVE"][:500],
            "revenue_accounts": [account for account in org.accounts if account.account_class == "REVENUE"],
            "tax_rates": [rate for rate in org.tax_rates if rate.can_apply_to_revenue],
            "message": request.GET.get("message", ""),
            "error": request.GET.get("error", ""),
            "request_path": request.get_full_path(),
        }
        # Rendered under the lock: the page reads the live records.
        return render_page(request, "xero_sandbox/organisation.html", context)


def _invoice_row(org, invoice, today: date) -> dict:
    return {
        "invoice": invoice,
        "contact": org.contacts[invoice.contact_id],
        "overdue": invoice.status == "AUTHORISED" and invoice.due_date and invoice.due_date < today,
        "can_pay": invoice.status == "AUTHORISED",
        "can_void": invoice.status == "AUTHORISED" and not (invoice.amount_paid or invoice.amount_credited),
    }


@login_not_required
@require_POST
def act(request, tenant_id: str):
    """One action taken "in Xero" from a sandbox page; redirects back with a message."""
    back = request.POST.get("next", "")
    # Only back to a sandbox page, and never with characters a Location header cannot carry.
    if not back.startswith(f"{urlsplit(sandbox_base(request)).path}/") or not back.isprintable():
        back = f"{sandbox_base(request)}/orgs/{tenant_id}/"
    action = request.POST.get("action", "")
    with store.lock:
        world = store.world
        org = world.orgs.get(tenant_id.lower())
        if org is None:
            return _not_found(request, "There is no such organisation in the sandbox.")
        try:
            errors, message = _perform(world, org, action, request.POST)
        except Malformed as error:
            return _bad_request(request, str(error))
        except (ValueError, KeyError, ArithmeticError) as error:
            errors, message = [f"That did not work: {error}"], ""
        if not errors:
            store.changed()
    separator = "&" if "?" in back else "?"
    outcome = {"error": " ".join(errors)} if errors else {"message": message}
    return HttpResponseRedirect(f"{back}{separator}{urlencode(outcome)}")


def _perform(world, org, action: str, form) -> tuple[list[str], str]:
    if action == "create_invoice":
        element = {
            "Type": "ACCREC",
            "Contact": {"Name": form["contact"]},
            "Status": form.get("status", "AUTHORISED"),
            "Reference": form.get("reference", ""),
            "LineAmountTypes": "Exclusive",
            "LineItems": [
                {
                    "Description": form["description"],
                    "Quantity": "1",
                    "UnitAmount": form["amount"],
                    "AccountCode": form.get("account_code", "200"),
                    "TaxType": form.get("tax_type", "OUTPUT2"),
                }
            ],
        }
        for key in ("Date", "DueDate"):
            if form.get(key.lower()):
                element[key] = form[key.lower()]
        plan = plan_invoice(world, org, element, batch=Batch())
        if not plan.ok:
            return plan.errors, ""
        invoice = plan.apply()
        return [], f"Invoice {invoice.invoice_number} created."
    if action in ("pay", "void"):
        invoice = org.invoices.get(form["invoice_id"])
        if invoice is None:
            return ["No such invoice."], ""
        if action == "void":
            plan = plan_invoice(world, org, {"Status": "VOIDED"}, existing=invoice)
            if not plan.ok:
                return plan.errors, ""
            plan.apply()
            return [], f"{invoice.invoice_number} voided."
        amount = parse_decimal(form["amount"]) if form.get("amount") else invoice.amount_due
        on = date.fromisoformat(form["date"]) if form.get("date") else clock.today_in(org.timezone)
        errors = invoice_pay(world, org, invoice, amount, on, "Paid in the Xero sandbox")
        return errors, f"Payment of £{amount:,.2f} recorded against {invoice.invoice_number}."
    if action in ("rename", "archive", "restore"):
        contact = org.contacts.get(form["contact_id"])
        if contact is None:
            return ["No such contact."], ""
        element = {
            "rename": {"Name": form.get("name", "")},
            "archive": {"ContactStatus": "ARCHIVED"},
            "restore": {"ContactStatus": "ACTIVE"},
        }[action]
        plan = plan_contact(world, org, element, existing=contact)
        if not plan.ok:
            return plan.errors, ""
        plan.apply()
        return [], f"{contact.name} saved."
    if action in CREDIT_NOTE_ACTIONS:
        return CREDIT_NOTE_ACTIONS[action](world, org, form)
    if action == "lock_dates":
        # Financial settings > Lock dates, "in Xero" (books/locks.py); a blank field removes the lock.
        locks = {}
        for field, label in (
            ("period_lock_date", "Period lock date"),
            ("end_of_year_lock_date", "End of year lock date"),
        ):
            text = form.get(field, "").strip()
            try:
                locks[field] = date.fromisoformat(text) if text else None
            except ValueError:
                return [f"{label} must be a date (YYYY-MM-DD), not {text[:40]!r}."], ""
        org.period_lock_date = locks["period_lock_date"]
        org.end_of_year_lock_date = locks["end_of_year_lock_date"]
        return [], f"Lock dates of {org.name} saved."
    return [f"Unknown action {action!r}."], ""


# --- credit notes "in Xero" -----------------------------------------------------------------------


def _form_amount(form, name: str = "amount", *, required: bool = True) -> Decimal | None:
    text = str(form.get(name, "")).strip().replace(",", "").lstrip("£")
    if not text:
        if required:
            raise Malformed(f"{name.capitalize()} is needed (an amount such as 25.00).")
        return None
    try:
        amount = parse_decimal(text)
    except ValueError:
        raise Malformed(f"{name.capitalize()} must be an amount such as 25.00, not {text[:40]!r}.") from None
    if amount <= 0 or amount >= Decimal("1e12") or amount != amount.quantize(Decimal("0.01")):
        raise Malformed(f"{name.capitalize()} must be above zero, in pounds and pence (such as 25.00).")
    return amount


def _form_date(form, name: str = "date") -> str | None:
    text = str(form.get(name, "")).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise Malformed(f"{name.capitalize()} must be a date (YYYY-MM-DD), not {text[:40]!r}.") from None


def _form_contact(org, form):
    contact = org.contacts.get(str(form.get("contact_id", "")).strip().lower())
    name = str(form.get("contact", "")).strip()
    if contact is None and name:
        contact = next(
            (c for c in org.contacts.values() if c.status == "ACTIVE" and name_key(c.name) == name_key(name)),
            None,
        )
    if contact is None:
        raise Malformed(f"No active contact is called {name[:80]!r}." if name else "Choose a contact.")
    return contact


def _form_credit_note(org, form):
    note = org.credit_notes.get(str(form.get("credit_note_id", "")).strip().lower())
    number = str(form.get("credit_note", "")).strip()
    if note is None and number:
        note = credit_note_by_number(org, number)
    if note is None:
        raise Malformed(f"There is no credit note {number[:40]!r}." if number else "Choose a credit note.")
    return note


def _raise_credit_note(world, org, form) -> tuple[list[str], str]:
    contact = _form_contact(org, form)
    amount = _form_amount(form)
    status = str(form.get("status", "") or "AUTHORISED")
    if status not in ("DRAFT", "SUBMITTED", "AUTHORISED"):
        raise Malformed("Status must be DRAFT, SUBMITTED or AUTHORISED.")
    element = {
        "Type": "ACCRECCREDIT",
        "Contact": {"ContactID": contact.contact_id},
        "Status": status,
        "Reference": str(form.get("reference", ""))[:255],
        # The amount typed is what the customer is credited, VAT included.
        "LineAmountTypes": "Inclusive",
        "LineItems": [
            {
                "Description": str(form.get("description", "")).strip()[:4000] or "Credit",
                "Quantity": "1",
                "UnitAmount": str(amount),
                "AccountCode": "200",
                "TaxType": "OUTPUT2",
            }
        ],
    }
    on = _form_date(form)
    if on:
        element["Date"] = on
    plan = plan_credit_note(world, org, element, batch=Batch())
    if not plan.ok:
        return plan.errors, ""
    note = plan.apply()
    return [], f"Credit note {note.credit_note_number} for £{note.total:,.2f} raised for {contact.name}."


def _allocate_credit_note(world, org, form) -> tuple[list[str], str]:
    note = _form_credit_note(org, form)
    invoice = org.invoices.get(str(form.get("invoice_id", "")).strip().lower())
    number = str(form.get("invoice", "")).strip()
    if invoice is None and number:
        invoice = invoice_by_number(org, number)
    if invoice is None:
        raise Malformed(f"There is no invoice {number[:40]!r}." if number else "Choose an invoice.")
    amount = _form_amount(form, required=False)
    if amount is None:  # as much as both allow
        amount = min(note.remaining_credit, invoice.amount_due)
    element = {"Invoice": {"InvoiceID": invoice.invoice_id}, "Amount": str(amount)}
    element["Date"] = _form_date(form) or clock.today_in(org.timezone).isoformat()
    plan = plan_allocation(world, org, note, element)
    if not plan.ok:
        return plan.errors, ""
    plan.apply()
    return [], f"£{amount:,.2f} of {note.credit_note_number} allocated to {invoice.invoice_number}."


def _void_credit_note(world, org, form) -> tuple[list[str], str]:
    note = _form_credit_note(org, form)
    plan = plan_credit_note(world, org, {"Status": "VOIDED"}, existing=note)
    if not plan.ok:
        return plan.errors, ""
    plan.apply()
    return [], f"{note.credit_note_number or 'The credit note'} voided."


CREDIT_NOTE_ACTIONS = {
    "raise_credit_note": _raise_credit_note,
    "allocate_credit_note": _allocate_credit_note,
    "void_credit_note": _void_credit_note,
}


@login_not_required
@require_POST
def disconnect(request, connection_id: str):
    """Remove an app's connection "in Xero": the app sees the organisation disappear."""
    with store.lock:
        removed = remove_connection(store.world, connection_id.lower())
        if removed is not None:
            store.changed()
    message = "The app was disconnected." if removed else "That connection no longer exists."
    return HttpResponseRedirect(f"{sandbox_base(request)}/?{urlencode({'message': message})}")


@login_not_required
@require_POST
def advance_clock(request):
    try:
        seconds = 60 * _form_number(request.POST, "minutes") + 86400 * _form_number(request.POST, "days")
        with store.lock:
            clock.advance(seconds)  # ValueError if it would go back or too far ahead
            store.changed()
    except ValueError as error:
        return _bad_request(request, str(error))
    return HttpResponseRedirect(
        f"{sandbox_base(request)}/?{urlencode({'message': 'The sandbox clock moved on.'})}"
    )


@login_not_required
def organisation_login(request):
    """go.xero.com/organisationlogin/default.aspx?shortcode=…&redirecturl=… (Xero's deep links)."""
    short_code = request.GET.get("shortcode", "")
    try:
        target = urlsplit(request.GET.get("redirecturl", ""))
    except ValueError:
        return _bad_request(request, "The redirecturl parameter is not a valid URL.")
    target_query = {key.lower(): values[0] for key, values in parse_qs(target.query).items()}
    with store.lock:
        org = store.world.org_by_short_code(short_code)
        if org is None:
            return _not_found(request, f"No organisation has the short code {short_code!r}.")
        path = target.path.rstrip("/").lower()
        if path in (
            "/accountsreceivable/view.aspx",
            "/accountsreceivable/edit.aspx",
            "/accountspayable/edit.aspx",
            "/accountspayable/view.aspx",
        ):
            invoice = org.invoices.get(target_query.get("invoiceid", "").lower())
            if invoice is None:
                return _not_found(request, "This invoice does not exist in the organisation.")
            today = clock.today_in(org.timezone)
            context = {"org": org, "row": _invoice_row(org, invoice, today), "next": request.get_full_path()}
            return render_page(request, "xero_sandbox/invoice.html", context)
        if path.startswith("/contacts/view"):
            contact_id = target_query.get("contactid") or path.rsplit("/", 1)[-1]
            contact = org.contacts.get(contact_id.lower())
            if contact is None:
                return _not_found(request, "This contact does not exist in the organisation.")
            today = clock.today_in(org.timezone)
            invoices = sorted(
                org.invoices_of(contact.contact_id), key=lambda invoice: invoice.date, reverse=True
            )
            context = {
                "org": org,
                "contact": contact,
                "balance": balances(org, contact.contact_id, today)["AccountsReceivable"],
                "invoice_rows": [_invoice_row(org, invoice, today) for invoice in invoices],
            }
            return render_page(request, "xero_sandbox/contact.html", context)
    return HttpResponseRedirect(f"{sandbox_base(request)}/orgs/{org.tenant_id}/")


@login_not_required
def report(request, short_code: str, report_id: str):
    """reporting.xero.com/{ShortCode}/v1/Run/{id}: the Aged Receivables Summary (and Detail)."""
    with store.lock:
        org = store.world.org_by_short_code(short_code)
        if org is None:
            return _not_found(request, f"No organisation has the short code {short_code!r}.")
        if report_id not in SUMMARY_REPORTS | DETAIL_REPORTS:
            return _not_found(request, f"Report {report_id} is not available in the Xero sandbox.")
        today = clock.today_in(org.timezone)
        lines = aged_summary(org, today)
        totals = [sum((line.buckets[index] for line in lines), 0) for index in range(len(SUMMARY_COLUMNS))]
        detail = []
        if report_id in DETAIL_REPORTS:
            detail = [
                _invoice_row(org, invoice, today)
                for invoice in sorted(
                    receivable_invoices(org), key=lambda invoice: invoice.due_date or invoice.date
                )
                if invoice.amount_due > 0
            ]
        context = {
            "org": org,
            "today": today,
            "title": "Aged Receivables Detail" if detail else "Aged Receivables Summary",
            "columns": SUMMARY_COLUMNS,
            "lines": lines,
            "totals": totals,
            "grand_total": sum(totals),
            "detail": detail,
        }
        # Rendered under the lock: the page reads the live records.
        return render_page(request, "xero_sandbox/report.html", context)


@login_not_required
def online_invoice(request, invoice_id: str):
    """in.xero.com: the invoice as the customer sees it."""
    with store.lock:
        for org in store.world.orgs.values():
            invoice = org.invoices.get(invoice_id.lower())
            if invoice is not None and invoice.status in ("AUTHORISED", "PAID"):
                context = {"org": org, "invoice": invoice, "contact": org.contacts[invoice.contact_id]}
                return render_page(request, "xero_sandbox/online_invoice.html", context)
    return _not_found(request, "This online invoice is not available.")
