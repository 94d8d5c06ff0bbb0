"""Jobs → Xero: every sales invoice of the practice's Xero organisation, from the mirror (never Xero).

One filtered queryset feeds the page, its totals line and the CSV export, so the three always agree.
The page is a fixed number of queries at any size: the connection, the ids of the clients and of the
Xero contacts a search names (only with a search), one aggregate (count and totals, which the paginator reuses), one page of
rows with their clients, and one for their linked jobs. The aggregate reads every matching invoice,
so it is cached under the mirror's version (bumped by syncs, webhooks, raises and job links) and the
filters, the date and the matching clients and contacts (a rename changes what a search finds).
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote_plus

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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


@dataclass(frozen=True)
class SearchMatches:
    """What a search names: the practice's clients and the mirrored Xero contacts whose names
    contain it (one indexed query each, trigram indexes on PostgreSQL). Invoices are then matched
    by id, so the planner knows how many match, and no text index is kept on 100,000 invoices (it
    cost a third of a full sync's write time)."""

    client_ids: tuple[int, ...]
    contact_pks: tuple[int, ...]


def search_matches(*, practice: Practice, tenant_id: str, q: str) -> SearchMatches:
    clients = Client.objects.filter(practice=practice, name__icontains=q).order_by("pk")
    return SearchMatches(
        client_ids=tuple(clients.values_list("pk", flat=True)),
        contact_pks=tuple(
            xero_selectors.xero_contact_pks_named(practice=practice, tenant_id=tenant_id, term=q)
        ),
    )


def firm_invoices(
    *,
    practice: Practice,
    tenant_id: str,
    filters: Filters,
    today: dt.date | None = None,
    matches: SearchMatches | None = None,
) -> QuerySet:
    """The practice's invoices in its connected organisation, filtered; not ordered. A search matches
    the client's name or the Xero contact's; `matches` are what it names, if known."""
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
        if matches is None:
            matches = search_matches(practice=practice, tenant_id=tenant_id, q=filters.q)
        invoices = invoices.filter(
            Q(client_id__any_of=matches.client_ids) | Q(contact_id__any_of=matches.contact_pks)
        )
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

    @property
    def html(self) -> SafeString:
        """The row's <tr>, as the template wrote it (tests/invoicing/test_xero_invoices_list.py
        renders that template and compares): 50 rows of a dozen {{ }} and {% if %} each were a
        quarter of the page's time. Everything from Xero or a user goes through escape()."""
        invoice = self.invoice
        number = escape(invoice.number or "(no number)")
        if self.xero_url:
            number = (
                f'<a href="{escape(self.xero_url)}" target="_blank" rel="noopener">{number}'
                '<span class="visually-hidden"> (opens in Xero in a new window)</span></a>'
            )
        if self.client_url:
            client = f'<a href="{escape(self.client_url)}">{escape(invoice.client.name)}</a>'
        else:
            client = '<span class="muted">Not linked</span>'
        status = (
            '<span class="pill pill-danger">Overdue</span>' if self.overdue else escape(self.status_label)
        )
        jobs = (
            ", ".join(f'<a href="{escape(job.url)}">{escape(job.reference)}</a>' for job in self.jobs)
            or '<span class="muted">—</span>'
        )
        return mark_safe(  # noqa: S308 - every value above is escaped
            f'\n      <tr class="{"row-overdue" if self.overdue else ""}">'
            f'\n        <td class="nowrap">{number}</td>'
            f"\n        <td>{client}</td>"
            f"\n        <td>{escape(invoice.contact_name)}</td>"
            f'\n        <td class="nowrap">{escape(self.date)}</td>'
            f'\n        <td class="nowrap">{escape(self.due_date or "—")}</td>'
            f"\n        <td>{status}</td>"
            f'\n        <td class="num">{escape(self.total)}</td>'
            f'\n        <td class="num">{escape(self.amount_due)}</td>'
            f"\n        <td>{jobs}</td>"
            "\n      </tr>\n    "
        )


def _month_names() -> list[str]:
    """The months as |date:"M" shows them, in the active language: once per page, not per cell."""
    return ["", *(str(MONTHS_3[month]).title() for month in range(1, 13))]


def day_month_year(value: dt.date | None, months: list[str] | None = None) -> str:
    """`value|date:"j M Y"` (1 Mar 2026), without the template filter's cost."""
    if not value:
        return ""
    months = months or _month_names()
    return f"{value.day} {months[value.month]} {value.year:04d}"


def money(value: Decimal) -> str:
    """`value|floatformat:"2g"` in en-GB (1,234.50), without the template filter's cost."""
    return f"{value:,.2f}"


URL_SENTINEL = 987654321


def url_for_pk(viewname: str):
    """`pk → reverse(viewname, args=[pk])`, reversing once: 50 rows' reverse() cost more than the
    query for them."""
    template = reverse(viewname, args=[URL_SENTINEL])
    head, sentinel, tail = template.partition(str(URL_SENTINEL))
    if not sentinel or str(URL_SENTINEL) in tail:
        return lambda pk: reverse(viewname, args=[pk])
    return lambda pk: f"{head}{pk}{tail}"


def xero_invoice_url_for(short_code: str):
    """`invoice_id → xero_invoice_url(short_code=…, invoice_id=…)`, the constant part built once."""
    if not short_code:
        return lambda invoice_id: ""
    prefix = xero_invoice_url(short_code=short_code, invoice_id="-")
    prefix = prefix[: prefix.index("&redirecturl=") + len("&redirecturl=")]
    return lambda invoice_id: (
        f"{prefix}{quote_plus(f'/AccountsReceivable/View.aspx?InvoiceID={invoice_id}')}" if invoice_id else ""
    )


@dataclass(frozen=True)
class _RowFormat:
    today: dt.date
    months: list[str]
    xero_url: object  # invoice_id → URL
    client_url: object  # client pk → URL


def _row(invoice: Invoice, jobs: list[JobRef], fmt: _RowFormat) -> InvoiceRow:
    return InvoiceRow(
        invoice=invoice,
        xero_url=fmt.xero_url(invoice.invoice_id),
        overdue=_is_overdue(invoice, fmt.today),
        jobs=jobs,
        client_url=fmt.client_url(invoice.client_id) if invoice.client_id else "",
        date=day_month_year(invoice.date, fmt.months),
        due_date=day_month_year(invoice.due_date, fmt.months),
        total=money(invoice.total),
        amount_due=money(invoice.amount_due),
    )


def _linked_jobs(invoices: list[Invoice]) -> dict[int, list[JobRef]]:
    """invoice pk → its linked jobs, by job number: one query for the page (a prefetch builds a
    related manager per row, which costs more than the query)."""
    links = (
        JobInvoiceLink.objects.filter(invoice_id__in=[invoice.pk for invoice in invoices])
        .select_related("job")
        .only("invoice_id", "job__id", "job__number")
        .order_by("job__number", "pk")
    )
    found: dict[int, list[JobRef]] = {}
    for link in links:
        found.setdefault(link.invoice_id, []).append(JobRef(link.job.reference, link.job.get_absolute_url()))
    return found


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


def _totals_key(*, practice: Practice, tenant_id: str, filters: Filters, today: dt.date, matches) -> str:
    """Everything but the mirror's version that the totals depend on (the sort does not count)."""
    parts = (
        tenant_id, filters.status, filters.overdue, filters.q, filters.date_from, filters.date_to,
        filters.linked, today, matches,  # a renamed client or contact changes what a search finds
    )  # fmt: skip
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"invoicing:firm-totals:{practice.pk}:{digest}"


def firm_invoice_totals(
    *, practice: Practice, tenant_id: str, filters: Filters, today: dt.date, matches=None
):
    """{count, total, amount_due} of the filtered set, cached under the mirror's version."""

    def compute():  # built only on a miss: building the filter is not free either
        invoices = firm_invoices(
            practice=practice, tenant_id=tenant_id, filters=filters, today=today, matches=matches
        )
        return invoices.aggregate(count=Count("pk"), total=Sum("total"), amount_due=Sum("amount_due"))

    key = _totals_key(practice=practice, tenant_id=tenant_id, filters=filters, today=today, matches=matches)
    return cached_figures(practice.pk, key, compute, timeout=TOTALS_TIMEOUT)


def firm_invoice_list(*, practice: Practice, filters: Filters, page: str | int | None = 1) -> FirmInvoices:
    connection = xero_selectors.xero_connection(practice=practice)
    if connection is None or connection.status == DISCONNECTED:
        return FirmInvoices(connection=None, filters=filters)
    today = timezone.localdate()
    tenant_id = connection.tenant_id
    matches = search_matches(practice=practice, tenant_id=tenant_id, q=filters.q) if filters.q else None
    sums = firm_invoice_totals(
        practice=practice, tenant_id=tenant_id, filters=filters, today=today, matches=matches
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
        practice=practice, tenant_id=tenant_id, filters=filters, today=today, matches=matches
    )
    rows = _sorted(invoices, filters.sort).select_related("client").only(*ROW_FIELDS)
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = sums["count"]  # known already: no second COUNT(*)
    result.page = paginator.get_page(page)
    shown = list(result.page)
    jobs = _linked_jobs(shown) if shown else {}
    fmt = _RowFormat(
        today=today,
        months=_month_names(),
        xero_url=xero_invoice_url_for(connection.short_code),
        client_url=url_for_pk("invoicing:history"),
    )
    result.rows = [_row(invoice, jobs.get(invoice.pk, []), fmt) for invoice in shown]
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
