"""Reads for invoicing (the mirror only: never Xero)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import CharField, Max, Q, Sum, Value
from django.utils import timezone

from clients.models import Client
from core.models import Practice
from integrations import selectors as xero_selectors
from invoicing.models import CreditNote, Invoice, InvoiceRaise

PAGE_SIZE = 25
PERIODS = {"3": 3, "12": 12, "24": 24, "all": None}  # months back; "all" for everything
DEFAULT_PERIOD = "12"
PERIOD_CHOICES = [("3", "Last 3 months"), ("12", "Last 12 months"), ("24", "Last 24 months"), ("all", "All")]
AGED_RECEIVABLES_REPORT = {"GB": "1201", "US": "1101"}  # else 1001 (Xero's "new reports" ids)
ZERO = Decimal("0.00")


def xero_invoice_url(*, short_code: str, invoice_id: str) -> str:
    """Deep link that opens the invoice in Xero (in the organisation with that ShortCode)."""
    if not short_code or not invoice_id:
        return ""
    query = urlencode(
        {"shortcode": short_code, "redirecturl": f"/AccountsReceivable/View.aspx?InvoiceID={invoice_id}"}
    )
    return f"{settings.XERO_WEB_BASE}/organisationlogin/default.aspx?{query}"


def xero_credit_note_url(*, short_code: str, credit_note_id: str) -> str:
    if not short_code or not credit_note_id:
        return ""
    query = urlencode(
        {
            "shortcode": short_code,
            "redirecturl": f"/AccountsReceivable/ViewCreditNote.aspx?creditNoteID={credit_note_id}",
        }
    )
    return f"{settings.XERO_WEB_BASE}/organisationlogin/default.aspx?{query}"


def debtors_report_url(*, short_code: str, country_code: str) -> str:
    """Xero's Aged Receivables Summary for the organisation: report 1201 in the UK, 1101 in the US,
    1001 elsewhere."""
    if not short_code:
        return ""
    report = AGED_RECEIVABLES_REPORT.get((country_code or "").upper(), "1001")
    return f"{settings.XERO_REPORTING_BASE}/{short_code}/v1/Run/{report}"


def period_start(period: str, today: dt.date) -> dt.date | None:
    months = PERIODS.get(period, PERIODS[DEFAULT_PERIOD])
    if months is None:
        return None
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    day = min(today.day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
    return dt.date(year, month, day)


@dataclass
class HistoryRow:
    kind: str  # "invoice" | "credit_note"
    pk: int
    xero_id: str
    number: str
    reference: str
    status: str
    date: dt.date | None
    due_date: dt.date | None
    currency_code: str
    total: Decimal
    amount_due: Decimal
    online_invoice_url: str
    xero_url: str = ""
    overdue: bool = False

    @property
    def is_credit_note(self) -> bool:
        return self.kind == "credit_note"

    @property
    def status_label(self) -> str:
        if self.overdue:
            return "Overdue"
        labels = CreditNote.Status if self.is_credit_note else Invoice.Status
        try:
            return labels(self.status).label
        except ValueError:
            return self.status.title()

    @property
    def approved(self) -> bool:
        return not self.is_credit_note and self.status in (Invoice.Status.AUTHORISED, Invoice.Status.PAID)


@dataclass
class InvoiceHistory:
    linked: bool
    connection: object | None = None
    contact: object | None = None
    page: Page | None = None
    rows: list[HistoryRow] = field(default_factory=list)
    period: str = DEFAULT_PERIOD
    outstanding: Decimal = ZERO
    overdue: Decimal = ZERO
    credit: Decimal = ZERO
    currency_code: str = ""
    updated_at: dt.datetime | None = None
    debtors_report_url: str = ""

    @property
    def can_raise(self) -> bool:
        return self.linked and self.connection is not None and self.connection.is_active


def _history_union(*, practice: Practice, client: Client, tenant_id: str, since: dt.date | None):
    invoices = Invoice.objects.filter(practice=practice, tenant_id=tenant_id, client=client).exclude(
        status=Invoice.Status.DELETED
    )
    credit_notes = CreditNote.objects.filter(practice=practice, tenant_id=tenant_id, client=client).exclude(
        status=CreditNote.Status.DELETED
    )
    if since is not None:
        invoices = invoices.filter(date__gte=since)
        credit_notes = credit_notes.filter(date__gte=since)
    invoice_rows = invoices.order_by().annotate(kind=Value("invoice", output_field=CharField())).values_list(
        "kind", "pk", "invoice_id", "number", "reference", "status", "date", "due_date", "currency_code",
        "total", "amount_due", "online_invoice_url",
    )  # fmt: skip
    credit_rows = credit_notes.order_by().annotate(
        kind=Value("credit_note", output_field=CharField()),
        online_invoice_url=Value("", output_field=CharField()),
    ).values_list(
        "kind", "pk", "credit_note_id", "number", "reference", "status", "date", "due_date", "currency_code",
        "total", "remaining_credit", "online_invoice_url",
    )  # fmt: skip
    return invoice_rows.union(credit_rows, all=True).order_by("-date", "-number", "-pk")


def invoice_history(
    *,
    practice: Practice,
    client: Client,
    period: str = DEFAULT_PERIOD,
    page: str | int | None = 1,
    panel=None,
) -> InvoiceHistory:
    """The client's invoices and credit notes from the mirror, newest first, one page of them, with
    the totals outstanding and overdue. A fixed number of queries whatever the number of rows.
    `panel`: the client's Xero panel when the caller has it already (saves its queries)."""
    panel = panel or xero_selectors.xero_client_panel(practice=practice, client=client)
    period = period if period in PERIODS else DEFAULT_PERIOD
    connection = panel.connection
    history = InvoiceHistory(linked=panel.link is not None and panel.connected, connection=connection)
    history.period = period
    if not history.linked:
        return history
    history.contact = panel.contact
    tenant_id = connection.tenant_id
    today = timezone.localdate()
    union = _history_union(
        practice=practice, client=client, tenant_id=tenant_id, since=period_start(period, today)
    )
    history.page = Paginator(union, PAGE_SIZE).get_page(page)
    short_code = connection.short_code
    for values in history.page.object_list:
        row = HistoryRow(*values)
        if row.is_credit_note:
            row.xero_url = xero_credit_note_url(short_code=short_code, credit_note_id=row.xero_id)
        else:
            row.xero_url = xero_invoice_url(short_code=short_code, invoice_id=row.xero_id)
            row.overdue = (
                row.status in Invoice.OPEN
                and row.amount_due > 0
                and row.due_date is not None
                and row.due_date < today
            )
        history.rows.append(row)
    open_invoices = Invoice.objects.filter(practice=practice, tenant_id=tenant_id, client=client)
    sums = open_invoices.aggregate(
        outstanding=Sum("amount_due", filter=Q(status__in=Invoice.OPEN)),
        overdue=Sum("amount_due", filter=Q(status__in=Invoice.OPEN, due_date__lt=today)),
        synced=Max("synced_at"),
    )
    credit = CreditNote.objects.filter(
        practice=practice, tenant_id=tenant_id, client=client, status=CreditNote.Status.AUTHORISED
    ).aggregate(credit=Sum("remaining_credit"))
    history.outstanding = sums["outstanding"] or ZERO
    history.overdue = sums["overdue"] or ZERO
    history.credit = credit["credit"] or ZERO
    history.currency_code = connection.base_currency
    history.updated_at = max(
        (moment for moment in (connection.last_sync_at, sums["synced"]) if moment is not None), default=None
    )
    history.debtors_report_url = debtors_report_url(
        short_code=short_code, country_code=connection.country_code
    )
    return history


def invoice_raise_for_token(*, practice: Practice, client: Client, token: str) -> InvoiceRaise | None:
    """The raise form's live attempt (pending or raised), if this form was submitted before."""
    if not token:
        return None
    return (
        InvoiceRaise.objects.filter(practice=practice, client=client, form_token=token)
        .exclude(status=InvoiceRaise.Status.FAILED)
        .first()
    )


def client_is_linked(client: Client) -> bool:
    """For the client menu's Invoice History entry (one small query)."""
    return xero_selectors.xero_client_link(practice=client.practice_id, client=client) is not None
