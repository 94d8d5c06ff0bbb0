"""Aged receivables, computed from the organisation's approved sales invoices."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..records import Invoice, Organisation

# The Aged Receivables Summary's columns: ageing by months overdue, as Xero's report shows it.
SUMMARY_COLUMNS = ("Current", "< 1 Month", "1 Month", "2 Months", "3 Months", "Older")


def paid_by(invoice: Invoice, on: date) -> Decimal:
    return sum((payment.amount for payment in invoice.payments if payment.date <= on), Decimal(0))


def receivable_invoices(org: Organisation, contact_id: str | None = None) -> list[Invoice]:
    invoices = org.invoices_of(contact_id) if contact_id else org.invoices.values()
    return [
        invoice
        for invoice in invoices
        if invoice.type == "ACCREC" and invoice.status in ("AUTHORISED", "PAID")
    ]


@dataclass
class SummaryLine:
    contact_id: str
    name: str
    buckets: list[Decimal] = field(default_factory=lambda: [Decimal(0)] * len(SUMMARY_COLUMNS))

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, Decimal(0))


def months_overdue(due: date, on: date) -> int:
    months = (on.year - due.year) * 12 + on.month - due.month
    return months - (1 if on.day < due.day else 0)


def aged_summary(org: Organisation, on: date) -> list[SummaryLine]:
    lines: dict[str, SummaryLine] = {}
    for invoice in receivable_invoices(org):
        if invoice.date > on:
            continue
        outstanding = invoice.total - invoice.amount_credited - paid_by(invoice, on)
        if outstanding <= 0:
            continue
        contact = org.contacts[invoice.contact_id]
        line = lines.setdefault(contact.contact_id, SummaryLine(contact.contact_id, contact.name))
        due = invoice.due_date or invoice.date
        column = 0 if due >= on else min(1 + months_overdue(due, on), len(SUMMARY_COLUMNS) - 1)
        line.buckets[column] += outstanding
    return sorted(lines.values(), key=lambda line: line.name.casefold())
