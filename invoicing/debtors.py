"""The dashboard's Debtors widget: Xero's aged receivables, from the mirror only (never Xero).

What Xero counts as owed (its contacts' `Balances.AccountsReceivable`, and the Aged Receivables
reports): approved — AUTHORISED — sales invoices' `AmountDue` (already net of payments and allocated
credit) less the unallocated credit (`RemainingCredit`) of AUTHORISED sales credit notes. Drafts,
invoices awaiting approval, paid, voided and deleted ones count for nothing.

Ageing, as Xero's aged receivables do it: by **due date** (a credit note, which rarely has one, by
its date), in whole days overdue "as at" the date of the last successful sync — the moment the
mirrored amounts are from, so the widget shows exactly what Xero showed then. Not yet overdue
(due on or after the as-at date) is Current; then 1–30, 31–60, 61–90 and more than 90 days overdue.
Unallocated credit is a negative amount in its bucket, as in Xero's report.

A fixed number of queries whatever the number of invoices: one aggregate per ledger for the
totals and buckets, one grouped query per ledger for the top debtors, one for their names and
clients, one for the last 12 months' sales and one for unbilled completed work. The aggregates are
cached under the mirror's version (invoicing.mirror_version), so while nothing changed in the
mirror a view costs only the names and the connection. Unbilled completed work reads every completed
job (30,000 jobs in a large practice): it is cached under the mirror's version and the practice's
work version, which every job or job link saved or deleted bumps, so a job completed, its fee
changed or an invoice linked shows on the next view.
"""

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DateField, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.models import Practice
from integrations import selectors as xero_selectors
from invoicing.mirror_version import cached_figures, work_version
from invoicing.models import CreditNote, Invoice, JobInvoiceLink
from invoicing.selectors import debtors_report_url, period_start
from jobs.models import Job

ZERO = Decimal("0.00")
DISCONNECTED = (
    "disconnected"  # XeroConnection.Status.DISCONNECTED (integrations.models is not ours to import)
)
TOP_DEBTORS = 5
FIGURES_TIMEOUT = 24 * 60 * 60  # the key changes with the mirror and the as-at date anyway
UNBILLED_TIMEOUT = 5 * 60  # the key changes with every job write; this bounds a write sending no signal
# (key, label, accessible label, days overdue from, to): "Current" is not yet due.
BUCKETS = (
    ("current", "Current", "Current (not yet due)", None, 0),
    ("d1_30", "1–30", "1 to 30 days overdue", 1, 30),
    ("d31_60", "31–60", "31 to 60 days overdue", 31, 60),
    ("d61_90", "61–90", "61 to 90 days overdue", 61, 90),
    ("d90_plus", "90+", "More than 90 days overdue", 91, None),
)


def _bucket_filters(as_at: dt.date) -> dict[str, Q]:
    """Q objects on `ages_from` (due date, else date) for each bucket, as at `as_at`."""
    filters = {}
    for key, _label, _long, low, high in BUCKETS:
        if low is None:  # current: not yet overdue
            filters[key] = Q(ages_from__gte=as_at)
            continue
        q = Q(ages_from__lte=as_at - dt.timedelta(days=low))
        if high is not None:
            q &= Q(ages_from__gte=as_at - dt.timedelta(days=high))
        filters[key] = q
    return filters


def _aged_sums(queryset, amount: str, as_at: dt.date) -> dict:
    aged = queryset.annotate(ages_from=Coalesce("due_date", "date", output_field=DateField()))
    sums = {key: Sum(amount, filter=q) for key, q in _bucket_filters(as_at).items()}
    return aged.aggregate(**sums)


def receivable_invoices(*, practice: Practice, tenant_id: str):
    return Invoice.objects.filter(
        practice=practice, tenant_id=tenant_id, status=Invoice.Status.AUTHORISED
    ).exclude(amount_due=0)


def receivable_credit_notes(*, practice: Practice, tenant_id: str):
    return CreditNote.objects.filter(
        practice=practice, tenant_id=tenant_id, status=CreditNote.Status.AUTHORISED
    ).exclude(remaining_credit=0)


@dataclass
class Bucket:
    key: str
    label: str
    long_label: str
    amount: Decimal = ZERO
    # Bar geometry for the server-rendered SVG chart (viewBox units).
    x: int = 0
    y: int = 0
    height: int = 0
    label_y: int = 0


@dataclass
class Debtor:
    contact_id: str
    name: str
    outstanding: Decimal = ZERO
    overdue: Decimal = ZERO
    client_id: int | None = None


@dataclass
class AgedFigures:
    """Aged receivables as at a date: the buckets (Bucket.key → amount) and totals."""

    as_at: dt.date
    buckets: dict[str, Decimal]

    @property
    def outstanding(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    @property
    def overdue(self) -> Decimal:
        return self.outstanding - self.buckets["current"]


@dataclass
class Debtors:
    connected: bool
    connection: object | None = None
    can_connect: bool = False
    as_at: dt.date | None = None
    updated_at: dt.datetime | None = None
    currency_code: str = ""
    outstanding: Decimal = ZERO
    overdue: Decimal = ZERO
    buckets: list[Bucket] = field(default_factory=list)
    top: list[Debtor] = field(default_factory=list)
    sales_12_months: Decimal = ZERO
    debtor_days: int | None = None
    unbilled: Decimal = ZERO
    unbilled_jobs: int = 0
    report_url: str = ""

    @property
    def chart_summary(self) -> str:
        parts = [f"{b.long_label} {self.currency_code} {b.amount:,.2f}" for b in self.buckets]
        return "Aged debtors: " + "; ".join(parts) + "."


CHART_HEIGHT = 120  # the bars' area, in viewBox units; labels go below and above it
CHART_TOP = 18
BAR_WIDTH = 44
BAR_GAP = 16


def _chart(buckets: list[Bucket]) -> None:
    """Bar geometry: heights in proportion to the largest bucket; negatives (credit) draw as none."""
    biggest = max((b.amount for b in buckets if b.amount > 0), default=ZERO)
    for index, bucket in enumerate(buckets):
        share = (bucket.amount / biggest) if biggest and bucket.amount > 0 else Decimal(0)
        bucket.height = int(round(share * CHART_HEIGHT))
        bucket.x = BAR_GAP + index * (BAR_WIDTH + BAR_GAP)
        bucket.y = CHART_TOP + CHART_HEIGHT - bucket.height
        bucket.label_y = bucket.y - 4


def as_at_date(connection) -> dt.date:
    """The date the mirrored figures are "as at": the day of the last successful sync (local
    time), or today before the first one."""
    if connection.last_sync_at is not None:
        return timezone.localdate(connection.last_sync_at)
    return timezone.localdate()


def aged_receivables(
    *, practice: Practice, tenant_id: str, as_at: dt.date, contact_id: str | None = None
) -> AgedFigures:
    """The organisation's (or one contact's) aged receivables, as at `as_at`: two queries."""
    invoices = receivable_invoices(practice=practice, tenant_id=tenant_id)
    credit_notes = receivable_credit_notes(practice=practice, tenant_id=tenant_id)
    if contact_id is not None:
        invoices = invoices.filter(xero_contact_id=contact_id)
        credit_notes = credit_notes.filter(xero_contact_id=contact_id)
    owed = _aged_sums(invoices, "amount_due", as_at)
    credit = _aged_sums(credit_notes, "remaining_credit", as_at)
    buckets = {key: (owed[key] or ZERO) - (credit[key] or ZERO) for key, *_rest in BUCKETS}
    return AgedFigures(as_at=as_at, buckets=buckets)


def _rank_debtors(
    *, practice: Practice, tenant_id: str, as_at: dt.date, limit: int = TOP_DEBTORS
) -> list[Debtor]:
    """The contacts owing most (net of their unallocated credit), biggest first: two queries."""
    overdue = Q(ages_from__lt=as_at)
    ages_from = Coalesce("due_date", "date", output_field=DateField())

    def grouped(queryset, amount: str):
        return (
            queryset.annotate(ages_from=ages_from)
            .order_by()
            .values("xero_contact_id")
            .annotate(total=Sum(amount), overdue=Sum(amount, filter=overdue))
            .values_list("xero_contact_id", "total", "overdue")
        )

    debtors: dict[str, Debtor] = {}
    invoices = receivable_invoices(practice=practice, tenant_id=tenant_id)
    for contact_id, total, late in grouped(invoices, "amount_due"):
        debtors[contact_id] = Debtor(contact_id, "", total or ZERO, late or ZERO)
    credit_notes = receivable_credit_notes(practice=practice, tenant_id=tenant_id)
    for contact_id, total, late in grouped(credit_notes, "remaining_credit"):
        debtor = debtors.setdefault(contact_id, Debtor(contact_id, ""))
        debtor.outstanding -= total or ZERO
        debtor.overdue -= late or ZERO
    return sorted(
        (d for d in debtors.values() if d.outstanding > 0), key=lambda d: (-d.outstanding, d.contact_id)
    )[:limit]


def _name_debtors(*, practice: Practice, tenant_id: str, ranked: list[Debtor]) -> list[Debtor]:
    """Names and linked clients, read live (renames and links are not mirror writes): one query."""
    if not ranked:
        return []
    contacts = (
        xero_selectors.xero_contacts(practice=practice)
        .filter(tenant_id=tenant_id, contact_id__in=[d.contact_id for d in ranked])
        .values_list("contact_id", "name", "client_link__client_id")
    )
    found = {contact_id: (name, client_id) for contact_id, name, client_id in contacts}
    for debtor in ranked:
        debtor.name, debtor.client_id = found.get(debtor.contact_id, ("(unknown contact)", None))
    return ranked


def top_debtors(
    *, practice: Practice, tenant_id: str, as_at: dt.date, limit: int = TOP_DEBTORS
) -> list[Debtor]:
    ranked = _rank_debtors(practice=practice, tenant_id=tenant_id, as_at=as_at, limit=limit)
    return _name_debtors(practice=practice, tenant_id=tenant_id, ranked=ranked)


def _mirror_figures(*, practice: Practice, tenant_id: str, as_at: dt.date):
    """The aggregates over the whole mirror (buckets, ranking, 12 months' sales), cached under the
    mirror's version: recomputed after any sync, webhook or raised invoice, free otherwise."""
    figures, ranked, sales = cached_figures(
        practice.pk,
        f"invoicing:debtors:{practice.pk}:{tenant_id}:{as_at.isoformat()}",
        lambda: (
            aged_receivables(practice=practice, tenant_id=tenant_id, as_at=as_at),
            _rank_debtors(practice=practice, tenant_id=tenant_id, as_at=as_at),
            sales_last_12_months(practice=practice, tenant_id=tenant_id, as_at=as_at),
        ),
        timeout=FIGURES_TIMEOUT,
    )
    return figures, copy.deepcopy(ranked), sales


def sales_last_12_months(*, practice: Practice, tenant_id: str, as_at: dt.date) -> Decimal:
    """Approved sales invoices' totals (VAT included, as receivables are) less approved sales credit
    notes' totals, dated in the 12 months up to the as-at date: two aggregate queries."""
    since = period_start("12", as_at)
    approved = (Invoice.Status.AUTHORISED, Invoice.Status.PAID)
    sold = Invoice.objects.filter(
        practice=practice, tenant_id=tenant_id, status__in=approved, date__gt=since, date__lte=as_at
    ).aggregate(total=Sum("total"))["total"]
    credited = CreditNote.objects.filter(
        practice=practice, tenant_id=tenant_id, status__in=approved, date__gt=since, date__lte=as_at
    ).aggregate(total=Sum("total"))["total"]
    return (sold or ZERO) - (credited or ZERO)


def unbilled_completed_work(*, practice: Practice) -> tuple[Decimal, int]:
    """The fees of completed jobs with no invoice linked, and how many such jobs: one query."""
    linked = JobInvoiceLink.objects.filter(job=OuterRef("pk"))
    figures = (
        Job.objects.filter(practice=practice, status=Job.Status.COMPLETED)
        .filter(~Exists(linked))
        .aggregate(fees=Sum("fee"), jobs=Count("pk"))
    )
    return figures["fees"] or ZERO, figures["jobs"] or 0


def cached_unbilled_completed_work(*, practice: Practice) -> tuple[Decimal, int]:
    """unbilled_completed_work, cached under the mirror's version and the practice's work version."""
    return cached_figures(
        practice.pk,
        f"invoicing:unbilled:{practice.pk}:{work_version(practice.pk)}",
        lambda: unbilled_completed_work(practice=practice),
        timeout=UNBILLED_TIMEOUT,
    )


def debtors(*, practice: Practice, can_connect: bool = False) -> Debtors:
    connection = xero_selectors.xero_connection(practice=practice)
    if connection is None or connection.status == DISCONNECTED:
        return Debtors(connected=False, can_connect=can_connect)
    tenant_id = connection.tenant_id
    as_at = as_at_date(connection)
    figures, ranked, sales = _mirror_figures(practice=practice, tenant_id=tenant_id, as_at=as_at)
    widget = Debtors(
        connected=True,
        connection=connection,
        as_at=as_at,
        updated_at=connection.last_sync_at,
        currency_code=connection.base_currency,
        outstanding=figures.outstanding,
        overdue=figures.overdue,
        buckets=[
            Bucket(key, label, long_label, figures.buckets[key]) for key, label, long_label, *_r in BUCKETS
        ],
        top=_name_debtors(practice=practice, tenant_id=tenant_id, ranked=ranked),
        sales_12_months=sales,
        report_url=debtors_report_url(short_code=connection.short_code, country_code=connection.country_code),
    )
    _chart(widget.buckets)
    if widget.sales_12_months > 0:
        widget.debtor_days = int(
            (widget.outstanding / widget.sales_12_months * 365).quantize(Decimal(1), rounding="ROUND_HALF_UP")
        )
    widget.unbilled, widget.unbilled_jobs = cached_unbilled_completed_work(practice=practice)
    return widget
