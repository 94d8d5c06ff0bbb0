"""Jobs → Xero: every sales invoice of the practice's Xero organisation, from the mirror (never Xero).

One filtered queryset feeds the page, its totals line and the CSV export, so the three always agree.
The page is a fixed number of queries at any size: the connection, the ids of the clients a search
names (only with a search), one aggregate (count and totals, which the paginator reuses), one page of
rows with their clients, and one for their linked jobs. The aggregate reads every matching invoice,
so it is cached under the mirror's version (bumped by syncs, webhooks, raises and job links) and the
filters, the date and the matching clients (a renamed client changes what a search finds).
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3

from clients.models import Client
from core.models import Practice
from integrations import selectors as xero_selectors
from invoicing.mirror_version import cached_figures
from invoicing.models import Invoice, JobInvoiceLink
from invoicing.selectors import debtors_report_url, xero_invoice_url

PAGE_SIZE = 50
ZERO = Decimal("0.00")
DISCONNECTED = "disconnected"  # XeroConnection.Status.DISCONNECTED
TOTALS_TIMEOUT = 24 * 60 * 60  # the key changes with the mirror, the date and the filters anyway
# What a row shows (the rest, the lines above all, is never read here).
ROW_FIELDS = (
    "invoice_id", "number", "client__id", "client__name", "contact_name", "date", "due_date", "status",
    "total", "amount_due",
)  # fmt: skip

# status filter value → statuses ("outstanding" is what Xero calls Awaiting payment: approved, unpaid)
STATUS_FILTERS = {
    "outstanding": (Invoice.Status.AUTHORISED,),
    "draft": (Invoice.Status.DRAFT,),
    "submitted": (Invoice.Status.SUBMITTED,),
    "paid": (Invoice.Status.PAID,),
    "voided": (Invoice.Status.VOIDED,),
    "all": None,  # everything but deleted
}
STATUS_CHOICES = [
    ("outstanding", "Outstanding (awaiting payment)"),
    ("draft", "Draft"),
    ("submitted", "Awaiting approval"),
    ("paid", "Paid"),
    ("voided", "Voided"),
    ("all", "All statuses"),
]
DEFAULT_STATUS = "outstanding"

# sort key → (label, order_by fields ascending); "-key" sorts descending. Whitelisted: nothing else.
SORTS = {
    "number": ("Number", ("number",)),
    "client": ("Client", ("client__name", "contact_name")),
    "contact": ("Contact", ("contact_name",)),
    "date": ("Date", ("date",)),
    "due_date": ("Due date", ("due_date",)),
    "status": ("Status", ("status",)),
    "total": ("Total", ("total",)),
    "amount_due": ("Amount due", ("amount_due",)),
    "jobs": ("Linked jobs", ("job_count",)),
}
DEFAULT_SORT = "-date"


@dataclass(frozen=True)
class Filters:
    status: str = DEFAULT_STATUS
    overdue: bool = False
    q: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    linked: str = ""  # "" | "yes" | "no"
    sort: str = DEFAULT_SORT


def order_fields(sort: str) -> list[str]:
    key = sort.removeprefix("-")
    if key not in SORTS:
        sort, key = DEFAULT_SORT, DEFAULT_SORT.removeprefix("-")
    prefix = "-" if sort.startswith("-") else ""
    fields = [f"{prefix}{name}" for name in SORTS[key][1]]
    return [*fields, f"{prefix}pk"]  # a stable order for pagination


def matching_client_ids(*, practice: Practice, q: str) -> list[int]:
    """The practice's clients whose name contains `q` (one query; a trigram index on PostgreSQL)."""
    return list(
        Client.objects.filter(practice=practice, name__icontains=q)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def firm_invoices(
    *,
    practice: Practice,
    tenant_id: str,
    filters: Filters,
    today: dt.date | None = None,
    client_ids: list[int] | None = None,
) -> QuerySet:
    """The practice's invoices in its connected organisation, filtered; not ordered. A search matches
    the client's name or the Xero contact's; `client_ids` are the clients it matches, if known."""
    today = today or timezone.localdate()
    invoices = Invoice.objects.filter(practice=practice, tenant_id=tenant_id)
    statuses = STATUS_FILTERS.get(filters.status, STATUS_FILTERS[DEFAULT_STATUS])
    if statuses is None:
        invoices = invoices.exclude(status=Invoice.Status.DELETED)
    else:
        invoices = invoices.filter(status__in=statuses)
    if filters.overdue:
        invoices = invoices.filter(status__in=Invoice.OPEN, amount_due__gt=0, due_date__lt=today)
    if filters.q:
        if client_ids is None:
            client_ids = matching_client_ids(practice=practice, q=filters.q)
        # Client ids rather than a join on the client's name: the planner then knows how many
        # invoices match and walks the date index for a page instead of reading them all.
        invoices = invoices.filter(Q(client_id__any_of=client_ids) | Q(contact_name__icontains=filters.q))
    if filters.date_from:
        invoices = invoices.filter(date__gte=filters.date_from)
    if filters.date_to:
        invoices = invoices.filter(date__lte=filters.date_to)
    if filters.linked in ("yes", "no"):
        linked = Exists(JobInvoiceLink.objects.filter(practice=practice, invoice=OuterRef("pk")))
        invoices = invoices.filter(linked if filters.linked == "yes" else ~linked)
    return invoices


def _sorted(invoices: QuerySet, sort: str) -> QuerySet:
    if sort.removeprefix("-") == "jobs":
        invoices = invoices.annotate(job_count=Count("job_links"))
    return invoices.order_by(*order_fields(sort))


@dataclass(frozen=True)
class JobRef:
    reference: str
    url: str


@dataclass
class InvoiceRow:
    """One row, its cells formatted here: 50 rows × the template's filters and {% url %} tags cost
    more than the queries behind the page."""

    invoice: Invoice
    xero_url: str
    overdue: bool
    jobs: list[JobRef] = field(default_factory=list)
    client_url: str = ""
    date: str = ""  # as |date:"j M Y"
    due_date: str = ""
    total: str = ""  # as |floatformat:"2g"
    amount_due: str = ""

    @property
    def status_label(self) -> str:
        return "Overdue" if self.overdue else status_label(self.invoice.status)


def day_month_year(value: dt.date | None) -> str:
    """`value|date:"j M Y"` (1 Mar 2026), without the template filter's cost."""
    return f"{value.day} {MONTHS_3[value.month].title()} {value.year:04d}" if value else ""


def money(value: Decimal) -> str:
    """`value|floatformat:"2g"` in en-GB (1,234.50), without the template filter's cost."""
    return f"{value:,.2f}"


def _row(invoice: Invoice, *, short_code: str, today: dt.date) -> InvoiceRow:
    return InvoiceRow(
        invoice=invoice,
        xero_url=xero_invoice_url(short_code=short_code, invoice_id=invoice.invoice_id),
        overdue=_is_overdue(invoice, today),
        jobs=[JobRef(link.job.reference, link.job.get_absolute_url()) for link in invoice.job_links.all()],
        client_url=reverse("invoicing:history", args=[invoice.client_id]) if invoice.client_id else "",
        date=day_month_year(invoice.date),
        due_date=day_month_year(invoice.due_date),
        total=money(invoice.total),
        amount_due=money(invoice.amount_due),
    )


@dataclass
class FirmInvoices:
    connection: object | None
    filters: Filters
    page: Page | None = None
    rows: list[InvoiceRow] = field(default_factory=list)
    count: int = 0
    total: Decimal = ZERO
    amount_due: Decimal = ZERO
    currency_code: str = ""
    updated_at: dt.datetime | None = None
    debtors_report_url: str = ""

    @property
    def connected(self) -> bool:
        return self.connection is not None


def status_label(status: str) -> str:
    try:
        return Invoice.Status(status).label
    except ValueError:
        return status.title()


def _is_overdue(invoice: Invoice, today: dt.date) -> bool:
    return (
        invoice.status in Invoice.OPEN
        and invoice.amount_due > 0
        and invoice.due_date is not None
        and invoice.due_date < today
    )


def _job_links():
    return Prefetch(
        "job_links",
        queryset=JobInvoiceLink.objects.select_related("job")
        .only("invoice_id", "job__id", "job__number", "job__title", "job__job_type")
        .order_by("job__number"),
    )


def _totals_key(*, practice: Practice, tenant_id: str, filters: Filters, today: dt.date, client_ids) -> str:
    """Everything but the mirror's version that the totals depend on (the sort does not count)."""
    parts = (
        tenant_id, filters.status, filters.overdue, filters.q, filters.date_from, filters.date_to,
        filters.linked, today, client_ids,
    )  # fmt: skip
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"invoicing:firm-totals:{practice.pk}:{digest}"


def firm_invoice_totals(
    *, practice: Practice, tenant_id: str, filters: Filters, today: dt.date, client_ids=None
):
    """{count, total, amount_due} of the filtered set, cached under the mirror's version."""

    def compute():  # built only on a miss: building the filter is not free either
        invoices = firm_invoices(
            practice=practice, tenant_id=tenant_id, filters=filters, today=today, client_ids=client_ids
        )
        return invoices.aggregate(count=Count("pk"), total=Sum("total"), amount_due=Sum("amount_due"))

    key = _totals_key(
        practice=practice, tenant_id=tenant_id, filters=filters, today=today, client_ids=client_ids
    )
    return cached_figures(practice.pk, key, compute, timeout=TOTALS_TIMEOUT)


def firm_invoice_list(*, practice: Practice, filters: Filters, page: str | int | None = 1) -> FirmInvoices:
    connection = xero_selectors.xero_connection(practice=practice)
    if connection is None or connection.status == DISCONNECTED:
        return FirmInvoices(connection=None, filters=filters)
    today = timezone.localdate()
    tenant_id = connection.tenant_id
    client_ids = matching_client_ids(practice=practice, q=filters.q) if filters.q else None
    sums = firm_invoice_totals(
        practice=practice, tenant_id=tenant_id, filters=filters, today=today, client_ids=client_ids
    )
    result = FirmInvoices(
        connection=connection,
        filters=filters,
        count=sums["count"],
        total=sums["total"] or ZERO,
        amount_due=sums["amount_due"] or ZERO,
        currency_code=connection.base_currency,
        updated_at=connection.last_sync_at,
        debtors_report_url=debtors_report_url(
            short_code=connection.short_code, country_code=connection.country_code
        ),
    )
    invoices = firm_invoices(
        practice=practice, tenant_id=tenant_id, filters=filters, today=today, client_ids=client_ids
    )
    rows = (
        _sorted(invoices, filters.sort)
        .select_related("client")
        .only(*ROW_FIELDS)
        .prefetch_related(_job_links())
    )
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = sums["count"]  # known already: no second COUNT(*)
    result.page = paginator.get_page(page)
    result.rows = [_row(invoice, short_code=connection.short_code, today=today) for invoice in result.page]
    return result


CSV_HEADER = [
    "Number", "Client", "Contact", "Reference", "Date", "Due date", "Status", "Currency", "Total",
    "Amount due", "Linked jobs",
]  # fmt: skip
CSV_CHUNK = 2000


def firm_invoice_csv_rows(*, practice: Practice, filters: Filters):
    """The filtered set as CSV rows (lists of str), header first, read in chunks of CSV_CHUNK: a
    constant amount of memory whatever the number of invoices. Nothing when Xero is not connected."""
    connection = xero_selectors.xero_connection(practice=practice)
    yield CSV_HEADER
    if connection is None or connection.status == DISCONNECTED:
        return
    today = timezone.localdate()
    invoices = firm_invoices(practice=practice, tenant_id=connection.tenant_id, filters=filters, today=today)
    rows = (
        _sorted(invoices, filters.sort)
        .select_related("client")
        .only(
            "number",
            "client__name",
            "contact_name",
            "reference",
            "date",
            "due_date",
            "status",
            "currency_code",
            "total",
            "amount_due",
        )  # fmt: skip
        .prefetch_related(_job_links())
    )
    for invoice in rows.iterator(chunk_size=CSV_CHUNK):
        yield [
            invoice.number,
            invoice.client.name if invoice.client else "",
            invoice.contact_name,
            invoice.reference,
            invoice.date.isoformat() if invoice.date else "",
            invoice.due_date.isoformat() if invoice.due_date else "",
            "Overdue" if _is_overdue(invoice, today) else status_label(invoice.status),
            invoice.currency_code,
            f"{invoice.total:.2f}",
            f"{invoice.amount_due:.2f}",
            " ".join(link.job.reference for link in invoice.job_links.all()),
        ]
