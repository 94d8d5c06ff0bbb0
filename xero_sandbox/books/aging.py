"""Aged receivables, computed from the organisation's approved sales invoices and credit notes.

Xero's aged receivables show "unpaid invoices, credit notes and overpayments" by age: a credit
note's unallocated credit appears as a negative amount, aged by its date (a credit note has no
due date unless one is given), so the report's totals equal the contact's Balances.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..records import CreditNote, Invoice, Organisation

# The Aged Receivables Summary's columns: ageing by months overdue, as Xero's report shows it.
SUMMARY_COLUMNS = ("Current", "< 1 Month", "1 Month", "2 Months", "3 Months", "Older")
APPROVED = ("AUTHORISED", "PAID")


def paid_by(invoice: Invoice, on: date) -> Decimal:
    return sum((payment.amount for payment in invoice.payments if payment.date <= on), Decimal(0))


def credited_by(org: Organisation, invoice: Invoice, on: date) -> Decimal:
    """Credit allocated to the invoice by allocations dated on or before `on`."""
    total = Decimal(0)
    for note_id in invoice.credit_note_ids:
        note = org.credit_notes.get(note_id)
        if note is not None:
            total += sum(
                (a.amount for a in note.allocations if a.invoice_id == invoice.invoice_id and a.date <= on),
                Decimal(0),
            )
    return total


def receivable_invoices(org: Organisation, contact_id: str | None = None) -> list[Invoice]:
    invoices = org.invoices_of(contact_id) if contact_id else org.invoices.values()
    return [invoice for invoice in invoices if invoice.type == "ACCREC" and invoice.status in APPROVED]


def receivable_credit_notes(org: Organisation, contact_id: str | None = None) -> list[CreditNote]:
    notes = org.credit_notes_of(contact_id) if contact_id else org.credit_notes.values()
    return [note for note in notes if note.type == "ACCRECCREDIT" and note.status in APPROVED]


@dataclass(frozen=True)
class AgedItem:
    """One line of an aged receivables report, as at a date: an invoice, or a credit note with
    its amounts negated. due = total - paid - credited."""

    record_id: str
    kind: str  # "invoice" | "credit note"
    date: date
    number: str
    ages_from: date
    due_date: date | None
    total: Decimal
    paid: Decimal
    credited: Decimal

    @property
    def due(self) -> Decimal:
        return self.total - self.paid - self.credited


def aged_items(org: Organisation, on: date, contact_id: str | None = None) -> list[AgedItem]:
    """Every approved sales invoice and credit note dated on or before `on`, with what was paid
    and allocated by then, oldest first."""
    items = []
    for invoice in receivable_invoices(org, contact_id):
        if invoice.date > on:
            continue
        items.append(
            AgedItem(
                invoice.invoice_id,
                "invoice",
                invoice.date,
                invoice.invoice_number,
                invoice.due_date or invoice.date,
                invoice.due_date,
                invoice.total,
                paid_by(invoice, on),
                credited_by(org, invoice, on),
            )
        )
    for note in receivable_credit_notes(org, contact_id):
        if note.date > on:
            continue
        allocated = sum((a.amount for a in note.allocations if a.date <= on), Decimal(0))
        items.append(
            AgedItem(
                note.credit_note_id,
                "credit note",
                note.date,
                note.credit_note_number,
                note.due_date or note.date,
                note.due_date or note.date,
                -note.total,
                Decimal(0),
                -allocated,
            )
        )
    items.sort(key=lambda item: (item.date, item.number))
    return items


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


def bucket(ages_from: date, on: date) -> int:
    return 0 if ages_from >= on else min(1 + months_overdue(ages_from, on), len(SUMMARY_COLUMNS) - 1)


def aged_summary(org: Organisation, on: date) -> list[SummaryLine]:
    lines: dict[str, SummaryLine] = {}
    for invoice in receivable_invoices(org):
        if invoice.date > on:
            continue
        outstanding = invoice.total - credited_by(org, invoice, on) - paid_by(invoice, on)
        if outstanding <= 0:
            continue
        contact = org.contacts[invoice.contact_id]
        line = lines.setdefault(contact.contact_id, SummaryLine(contact.contact_id, contact.name))
        line.buckets[bucket(invoice.due_date or invoice.date, on)] += outstanding
    for note in receivable_credit_notes(org):
        if note.date > on:
            continue
        remaining = note.total - sum((a.amount for a in note.allocations if a.date <= on), Decimal(0))
        if remaining <= 0:
            continue
        contact = org.contacts[note.contact_id]
        line = lines.setdefault(contact.contact_id, SummaryLine(contact.contact_id, contact.name))
        line.buckets[bucket(note.due_date or note.date, on)] -= remaining
    return sorted(lines.values(), key=lambda line: line.name.casefold())
