"""Builds seeded invoices directly (no events, no validation round trip) with Xero's own totals."""

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from ..books.terms import default_due_date
from ..books.totals import invoice_totals, line_amount, line_tax
from ..records import Allocation, Contact, CreditNote, Invoice, LineItem, Organisation, Payment


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit_amount: Decimal
    account_code: str
    tax_type: str = "OUTPUT2"
    item_code: str | None = None
    discount_rate: Decimal | None = None


def at_office_hours(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(9), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 8 * 60))


class SeedLedger:
    def __init__(self, org: Organisation, rng: random.Random, today: date) -> None:
        self.org, self.rng, self.today = org, rng, today

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def invoice(
        self,
        contact: Contact,
        on: date,
        lines: list[Line],
        *,
        invoice_type: str = "ACCREC",
        status: str | None = None,
        reference: str = "",
        number: str = "",
        line_amount_types: str = "Exclusive",
    ) -> Invoice:
        line_items = self.line_items(lines, line_amount_types)
        sub_total, total_tax, total = invoice_totals(line_items, line_amount_types)
        invoice = Invoice(
            invoice_id=self.new_id(),
            type=invoice_type,
            contact_id=contact.contact_id,
            status="DRAFT",
            date=on,
            due_date=default_due_date(self.org, contact, invoice_type, on),
            line_amount_types=line_amount_types,
            currency_code=self.org.base_currency,
            updated_at=at_office_hours(min(on, self.today), self.rng),
            invoice_number=number,
            reference=reference,
            line_items=line_items,
            sub_total=sub_total,
            total_tax=total_tax,
            total=total,
        )
        self.settle(invoice, status)
        self.org.add_invoice(invoice)
        if invoice_type == "ACCREC":
            contact.is_customer = True
        else:
            contact.is_supplier = True
        return invoice

    def line_items(self, lines: list[Line], line_amount_types: str) -> list[LineItem]:
        rates = {rate.tax_type: rate.rate for rate in self.org.tax_rates}
        line_items = []
        for line in lines:
            amount = line_amount(line.quantity, line.unit_amount, line.discount_rate)
            line_items.append(
                LineItem(
                    line_item_id=self.new_id(),
                    description=line.description,
                    quantity=line.quantity,
                    unit_amount=line.unit_amount,
                    item_code=line.item_code,
                    account_code=line.account_code,
                    tax_type=line.tax_type,
                    tax_amount=line_tax(amount, rates[line.tax_type], line_amount_types),
                    line_amount=amount,
                    discount_rate=line.discount_rate,
                )
            )
        return line_items

    def credit_note(
        self,
        contact: Contact,
        on: date,
        lines: list[Line],
        *,
        status: str = "AUTHORISED",
        reference: str = "",
        line_amount_types: str = "Exclusive",
    ) -> CreditNote:
        """A sales credit note (numbered CN-… by finish()), approved unless stated."""
        line_items = self.line_items(lines, line_amount_types)
        sub_total, total_tax, total = invoice_totals(line_items, line_amount_types)
        note = CreditNote(
            credit_note_id=self.new_id(),
            type="ACCRECCREDIT",
            contact_id=contact.contact_id,
            status=status,
            date=on,
            line_amount_types=line_amount_types,
            currency_code=self.org.base_currency,
            updated_at=at_office_hours(min(on, self.today), self.rng),
            reference=reference,
            line_items=line_items,
            sub_total=sub_total,
            total_tax=total_tax,
            total=total,
            sent_to_contact=status in ("AUTHORISED", "PAID", "VOIDED"),
        )
        self.org.add_credit_note(note)
        return note

    def allocate(self, note: CreditNote, invoice: Invoice, amount: Decimal, on: date) -> None:
        """Apply credit as books/credit_notes.allocate does, without events or validation."""
        updated = at_office_hours(on, self.rng)
        note.allocations.append(Allocation(self.new_id(), invoice.invoice_id, amount, on, updated))
        invoice.amount_credited += amount
        if note.credit_note_id not in invoice.credit_note_ids:
            invoice.credit_note_ids.append(note.credit_note_id)
        if invoice.amount_due <= 0:
            invoice.status, invoice.fully_paid_on = "PAID", on
        if note.remaining_credit <= 0:
            note.status, note.fully_paid_on = "PAID", on
        invoice.updated_at = max(invoice.updated_at, updated)
        note.updated_at = max(note.updated_at, updated)

    def settle(self, invoice: Invoice, status: str | None) -> None:
        """Give the invoice a status (by its age unless stated) and the payments that go with it."""
        if status is None:
            status = self._status_for_age(invoice)
        if status in ("PART_PAID", "PAID"):
            invoice.status = "AUTHORISED"
            share = (
                Decimal(self.rng.choice(("0.25", "0.4", "0.5", "0.6")))
                if status == "PART_PAID"
                else Decimal(1)
            )
            latest = max(invoice.date, self.today - timedelta(days=1))
            paid_on = min(invoice.date + timedelta(days=self.rng.randint(3, 40)), latest)
            self.pay(invoice, (invoice.total * share).quantize(Decimal("0.01")), paid_on)
        else:
            invoice.status = status
        if invoice.status in ("AUTHORISED", "PAID", "VOIDED") and not invoice.sent_to_contact:
            invoice.sent_to_contact = invoice.type == "ACCREC"

    def pay(self, invoice: Invoice, amount: Decimal, on: date) -> None:
        updated = at_office_hours(on, self.rng)
        invoice.payments.append(Payment(self.new_id(), on, amount, "BACS", updated))
        invoice.amount_paid += amount
        invoice.updated_at = max(invoice.updated_at, updated)
        if invoice.amount_due <= 0:
            invoice.status, invoice.fully_paid_on = "PAID", on

    def _status_for_age(self, invoice: Invoice) -> str:
        age = (self.today - invoice.date).days
        roll = self.rng.random()
        if age > 75:
            for threshold, status in ((0.03, "VOIDED"), (0.07, "AUTHORISED"), (0.10, "PART_PAID")):
                if roll < threshold:
                    return status
            return "PAID"
        if age > 30:
            return "AUTHORISED" if roll < 0.35 else "PART_PAID" if roll < 0.5 else "PAID"
        return "AUTHORISED" if roll < 0.6 else "PART_PAID" if roll < 0.7 else "PAID"

    def finish(self) -> None:
        """Put invoices in the order they were raised, then number sales invoices INV-0001… in that
        order (as if raised one after another) and set the organisation's next number."""
        ordered = sorted(self.org.invoices.values(), key=lambda invoice: (invoice.date, invoice.updated_at))
        self.org.invoices = {invoice.invoice_id: invoice for invoice in ordered}
        self.org.reindex()
        for invoice in ordered:
            if invoice.type == "ACCREC" and not invoice.invoice_number:
                invoice.invoice_number = f"{self.org.invoice_prefix}{self.org.next_invoice_number:04d}"
                self.org.next_invoice_number += 1
        notes = sorted(self.org.credit_notes.values(), key=lambda note: (note.date, note.updated_at))
        self.org.credit_notes = {note.credit_note_id: note for note in notes}
        self.org.reindex()
        for note in notes:
            if not note.credit_note_number:
                note.credit_note_number = (
                    f"{self.org.credit_note_prefix}{self.org.next_credit_note_number:04d}"
                )
                self.org.next_credit_note_number += 1
