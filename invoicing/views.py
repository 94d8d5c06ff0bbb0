"""Invoice History and Raise invoice, under a client (/clients/<client_pk>/invoices/).

Pages read the mirror only (no Xero call on any GET); Submit calls one service, Sync now starts the
practice's sync. Each page works without JavaScript; for htmx the same views answer with the
partial named after the DOM id it replaces (`invoice-form`, `invoice-totals`).
"""

from decimal import Decimal

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from clients.models import Client
from clients.views import client_page_context
from core.htmx import redirect_after_post, render_page_or_partial, wants_partial
from core.permissions import practice_required
from integrations import selectors as xero_selectors
from integrations import services as xero_services
from invoicing import selectors
from invoicing.forms import MAX_LINES, RaiseInvoiceForm
from invoicing.services.raising import InvoiceRefused, RaiseError, xero_invoice_raise

HISTORY_TEMPLATE = "invoicing/invoice_history.html"
RAISE_TEMPLATE = "invoicing/invoice_raise.html"
MAIN_FIELDS = ("token", "date", "due_date", "reference", "line_amount_types", "status")
NOT_CREATED = (
    "Your invoice was not created. Everything you typed is still here: Submit again when ready — "
    "Engager will not create it twice."
)


def _client(request, client_pk: int) -> Client:
    return get_object_or_404(Client, practice=request.practice, pk=client_pk)


@practice_required
def invoice_history(request, client_pk: int):
    client = _client(request, client_pk)
    period = request.GET.get("period", selectors.DEFAULT_PERIOD)
    panel = xero_selectors.xero_client_panel(practice=request.practice, client=client)
    history = selectors.invoice_history(
        practice=request.practice, client=client, period=period, page=request.GET.get("page"), panel=panel
    )
    context = client_page_context(request, client, "invoices") | {
        "xero": panel,  # the same panel the page header would otherwise read again
        "history": history,
        "period_choices": selectors.PERIOD_CHOICES,
    }
    return render_page_or_partial(request, HISTORY_TEMPLATE, "invoice-history", context)


@require_POST
@practice_required
def invoice_history_sync(request, client_pk: int):
    """Sync now: the practice's usual sync (contacts, invoices, credit notes), with its progress."""
    client = _client(request, client_pk)
    return sync_now(request, reverse("invoicing:history", args=[client.pk]))


def sync_now(request, back_url: str):
    """Sync now (Invoice History, Jobs → Xero): start the practice's sync and show its progress, or
    go back to `back_url` (without htmx, or for htmx once the sync has finished)."""
    connection = xero_selectors.xero_connection(practice=request.practice)
    if connection is None or not connection.is_active:
        messages.error(request, "Connect Xero before syncing.")
        return redirect_after_post(request, back_url)
    run, _created = xero_services.xero_sync_request(practice=request.practice, user=request.user)
    run.refresh_from_db()  # with eager Celery (no Redis) the sync has already run
    if not request.htmx:
        return redirect(back_url)
    if run.is_finished:
        return HttpResponseClientRefresh()  # show the fresh rows
    return render(request, "integrations/xero.html#sync-status", {"run": run})


# --- Raise invoice --------------------------------------------------------------------------------


def _raise_context(request, client: Client, **extra) -> dict:
    panel = xero_selectors.xero_client_panel(practice=request.practice, client=client)
    connection = panel.connection
    can_raise = bool(panel.link and panel.connected and connection.is_active and not panel.warning)
    context = client_page_context(request, client, "invoices") | {
        "panel": panel,
        "can_raise": can_raise,
        "currency_code": connection.base_currency if connection else "",
        "raise_url": reverse("invoicing:raise", args=[client.pk]),
        "cancel_url": reverse("invoicing:history", args=[client.pk]),
    }
    return context | extra


def _options(request, context: dict):
    return xero_selectors.xero_invoice_options(
        practice=request.practice, tenant_id=context["panel"].connection.tenant_id
    )


def _render_form(request, context: dict, form: RaiseInvoiceForm):
    amounts = form.line_amounts()
    rows = [(line, amounts[i] if i < len(amounts) else None) for i, line in enumerate(form.lines.forms)]
    context |= {"form": form, "totals": form.totals(), "line_amounts": amounts, "line_rows": rows}
    return _render(request, context)


def _render(request, context: dict):
    """The raise form's page (a client's, or a job's: `page_template`), or its #invoice-form part."""
    page = RAISE_TEMPLATE if wants_partial(request) else context.get("page_template", RAISE_TEMPLATE)
    return render_page_or_partial(request, page, "invoice-form", context)


def _rebuilt(request, options, rows: list[dict]) -> RaiseInvoiceForm:
    """The form as typed, unbound (no errors shown), with its lines changed (Add line, Remove)."""
    initial = {name: str(request.POST.get(name, ""))[:255] for name in MAIN_FIELDS}
    return RaiseInvoiceForm(options=options, initial=initial, lines=rows or [{}])


def _index(value, count: int) -> int | None:
    try:
        index = int(str(value))
    except (TypeError, ValueError):
        return None
    return index if 0 <= index < count else None


def _filled(options, row: dict) -> dict:
    """An item chosen on a line fills in its description, price, account and tax rate."""
    item = next((i for i in options.items if i["code"] == row.get("item")), None)
    if item is None:
        return row
    return row | {
        "description": item["description"] or item["name"],
        "unit_amount": f"{Decimal(item['unit_price']):.2f}"
        if item["unit_price"]
        else row.get("unit_amount", ""),
        "quantity": row.get("quantity") or "1",
        "account": item["account_code"] or row.get("account", ""),
        "tax_type": item["tax_type"] or row.get("tax_type", ""),
    }


@require_http_methods(["GET", "POST"])
@practice_required
def invoice_raise(request, client_pk: int):
    client = _client(request, client_pk)
    return raise_flow(request, client, _raise_context(request, client))


def raise_flow(request, client: Client, context: dict, *, job=None, prefill=None, done_url: str = ""):
    """Raise invoice, for a client or (job's Raise) for a job: the same form and the one service.
    `prefill(options)` gives (initial fields, lines) for a new form; `done_url` where Submit goes."""
    if not context["can_raise"]:
        return _render(request, context)
    options = _options(request, context)
    if request.method == "GET":
        initial, lines = prefill(options) if prefill else (None, None)
        return _render_form(request, context, RaiseInvoiceForm(options=options, initial=initial, lines=lines))

    posted = RaiseInvoiceForm(request.POST, options=options)
    rows = posted.raw_lines()
    action = request.POST.get("action", "submit")
    if "remove" in request.POST:
        index = _index(request.POST.get("remove"), len(rows))
        if index is not None:
            rows.pop(index)
        return _render_form(request, context, _rebuilt(request, options, rows))
    if action == "add":
        if len(rows) < MAX_LINES:
            rows.append({"quantity": "1"})
        return _render_form(request, context, _rebuilt(request, options, rows))
    if action == "fill":
        index = _index(request.POST.get("line"), len(rows))
        if index is not None:
            rows[index] = _filled(options, rows[index])
        return _render_form(request, context, _rebuilt(request, options, rows))

    if not posted.is_valid():
        return _render_form(request, context, posted)
    try:
        result = xero_invoice_raise(
            practice=request.practice,
            client=client,
            user=request.user,
            data=posted.new_invoice(),
            form_token=posted.invoice.cleaned_data["token"],
            job=job,
        )
    except InvoiceRefused as exc:
        context["xero_messages"] = exc.messages
    except RaiseError as exc:
        context["error"] = exc.message
    except xero_services.XeroError as exc:
        context["error"] = f"{exc.message} {NOT_CREATED}"
    else:
        number = result.number or "(no number yet)"
        note = (
            " It was created as first submitted; your later changes were not sent — edit it in Xero."
            if result.sent_as_first_submitted
            else ""
        )
        messages.success(request, f"Invoice {number} was raised in Xero for {client.name}.{note}")
        return redirect_after_post(request, done_url or reverse("invoicing:history", args=[client.pk]))
    return _render_form(request, context, posted)


@require_POST
@practice_required
def invoice_raise_totals(request, client_pk: int):
    """The totals as you type (and each line's amount, out of band): what Xero will compute."""
    client = _client(request, client_pk)
    context = _raise_context(request, client)
    if not context["can_raise"]:
        return render(request, f"{RAISE_TEMPLATE}#invoice-totals", context)
    form = RaiseInvoiceForm(request.POST, options=_options(request, context))
    context |= {"form": form, "totals": form.totals(), "line_amounts": form.line_amounts(), "oob": True}
    if not wants_partial(request):
        return _render_form(request, context, form)
    return render(request, f"{RAISE_TEMPLATE}#invoice-totals", context)
