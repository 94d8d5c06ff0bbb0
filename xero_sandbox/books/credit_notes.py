"""Credit notes and their allocations to invoices, the way Xero does them.

Xero's Credit Notes API: credit notes are "almost identical to Invoices, with the exception of the
naming of a few key elements"; drafts may be deleted and approved ones voided; a draft needs only a
Type and a Contact (no line items); the status codes and line items are the invoice's. Sales credit
notes (ACCRECCREDIT) are numbered from the invoice settings (CN-0001, as in Xero's example CN-0005);
purchase credit notes keep the number they are given (blank in Xero's examples).

Allocations (PUT CreditNotes/{id}/Allocations) apply credit to an approved invoice of the same
contact, type and currency: the invoice's AmountCredited goes up and its AmountDue down (PAID, with
FullyPaidOnDate, at zero), the credit note's RemainingCredit goes down (PAID at zero). A credit
note with an allocation can no longer be edited or voided.

Known-exact Xero messages (quoted in waynerobinson/xeroizer#320 and #211, calcinai/xero-php#251):
"The invoice you are trying to allocate to has already been paid off", "Credit Note cannot be
allocated as amount is greater than amount outstanding", "Credit Note cannot be allocated to an
incorrect invoice type" (the quote is cut off after "incorrect invoice t") and "This document cannot
be edited as it has a payment or credit note allocated to it."; and from the spec's example, "An
existing Credit Note with the specified CreditNoteID could not be found". The others are worded in
the same style.
"""

import dataclasses
import re
import uuid
from datetime import date
from decimal import Decimal

from ..clock import clock
from ..events import record_event
from ..records import Allocation, CreditNote, Invoice, Organisation
from ..wire import parse_date, parse_decimal
from .invoices import (
    HAS_PAYMENTS,
    LINE_AMOUNT_TYPES,
    NOT_MODIFIABLE,
    STATUSES,
    TRANSITIONS,
    _changes_locked_fields,
    _contact_line_amount_type,
    _date_field,
    _line_as_element,
    _line_defaults,
    _resolve_contact,
    invoice_by_number,
)
from .lines import parse_lines
from .locks import dated_in_locked_period, invoice_lock_errors
from .plans import Batch, Plan, name_key
from .totals import invoice_totals

CREDIT_NOTE_TYPES = ("ACCRECCREDIT", "ACCPAYCREDIT")
# The invoice type each kind of credit note is allocated to (and whose line rules it follows).
LEDGER = {"ACCRECCREDIT": "ACCREC", "ACCPAYCREDIT": "ACCPAY"}
CREATE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
APPROVED = ("AUTHORISED", "PAID")
NOT_FOUND = "An existing Credit Note with the specified CreditNoteID could not be found"
NUMBER_TAKEN = "Credit Note # must be unique."
PAID_OFF = "The invoice you are trying to allocate to has already been paid off"
TOO_MUCH = "Credit Note cannot be allocated as amount is greater than amount outstanding"
WRONG_TYPE = "Credit Note cannot be allocated to an incorrect invoice type"


def credit_note_event(world, org: Organisation, note: CreditNote, event_type: str) -> None:
    record_event(
        world,
        org.tenant_id,
        "CREDITNOTE",
        event_type,
        note.credit_note_id,
        {"Type": note.type, "Status": note.status},
    )


def credit_note_by_number(org: Organisation, number: str) -> CreditNote | None:
    key = name_key(number)
    return next(
        (
            note
            for note in org.credit_notes.values()
            if note.type == "ACCRECCREDIT"
            and note.status != "DELETED"
            and name_key(note.credit_note_number) == key
        ),
        None,
    )


def find_credit_note(
    org: Organisation, element: dict, *, by_number: bool
) -> tuple[CreditNote | None, str | None]:
    note_id = str(element.get("CreditNoteID") or "").strip().lower()
    if note_id:
        note = org.credit_notes.get(note_id)
        return (note, None) if note else (None, NOT_FOUND)
    number = str(element.get("CreditNoteNumber") or "").strip()
    if by_number and number:
        return credit_note_by_number(org, number), None
    return None, None


def plan_credit_note(
    world,
    org: Organisation,
    element: dict,
    *,
    existing: CreditNote | None = None,
    by_number: bool = False,
    client_id: str | None = None,
    batch: Batch | None = None,
    unit_decimals: int = 2,
) -> Plan:
    """Validate one element of a CreditNotes write; the plan's apply() creates or updates it."""
    batch = batch or Batch()
    if not isinstance(element, dict):
        return Plan(["A credit note must be a JSON object."])
    if existing is None:
        existing, error = find_credit_note(org, element, by_number=by_number)
        if error:
            return Plan([error])
    creating = existing is None
    if existing is not None and existing.status in ("VOIDED", "DELETED"):
        return Plan([NOT_MODIFIABLE])
    errors: list[str] = []

    note_type = existing.type if existing else element.get("Type")
    if creating and not note_type:
        errors.append("The credit note Type must be specified (ACCRECCREDIT or ACCPAYCREDIT).")
    elif creating and note_type not in CREDIT_NOTE_TYPES:
        errors.append(f"Credit note Type {note_type} is not valid. Use ACCRECCREDIT or ACCPAYCREDIT.")
    elif not creating and element.get("Type") not in (None, existing.type):
        errors.append("The Type of an existing credit note cannot be changed.")
    ledger = LEDGER.get(note_type, "ACCREC")

    current_status = existing.status if existing else None
    status = element.get("Status") or current_status or "DRAFT"
    if status not in STATUSES:
        errors.append(f"Credit note status {status} is not valid.")
    elif creating and status not in CREATE_STATUSES:
        errors.append(f"A credit note cannot be created with status {status}.")
    elif not creating and status not in TRANSITIONS[current_status]:
        errors.append(HAS_PAYMENTS if current_status == "PAID" else NOT_MODIFIABLE)
    elif status == "VOIDED" and existing.allocations:
        errors.append(HAS_PAYMENTS)

    if existing is not None and existing.allocations and _changes_locked_fields(existing, element):
        return Plan([HAS_PAYMENTS])

    contact, new_contact = _resolve_contact(world, org, element, existing, client_id, batch, errors)

    today = clock.today_in(org.timezone)
    note_date = _date_field(element, "Date", existing.date if existing else today, errors)
    due_date = _date_field(element, "DueDate", existing.due_date if existing else None, errors)

    line_amount_types = element.get("LineAmountTypes") or (
        existing.line_amount_types if existing else _contact_line_amount_type(contact, ledger)
    )
    if line_amount_types not in LINE_AMOUNT_TYPES:
        errors.append(f"LineAmountTypes {line_amount_types} is not valid. Use Exclusive, Inclusive or NoTax.")
        line_amount_types = "Exclusive"

    currency = element.get("CurrencyCode") or (
        existing.currency_code
        if existing
        else (contact.default_currency if contact else None) or org.base_currency
    )
    if currency != org.base_currency:
        errors.append(f"The currency {currency} is not enabled for this organisation.")

    lines = None
    raw_lines = element.get("LineItems")
    if raw_lines not in (None, []):
        lines = parse_lines(
            org,
            raw_lines,
            invoice_type=ledger,
            line_amount_types=line_amount_types,
            existing=existing.line_items if existing else [],
            unit_decimals=unit_decimals,
            errors=errors,
            defaults=_line_defaults(contact, ledger),
        )
    elif creating:
        lines = []  # a draft credit note needs no line items (Xero's minimum example has none)
    elif line_amount_types != existing.line_amount_types:
        lines = (
            parse_lines(
                org,
                [_line_as_element(line) for line in existing.line_items],
                invoice_type=ledger,
                line_amount_types=line_amount_types,
                existing=existing.line_items,
                unit_decimals=4,
                errors=errors,
            )
            if existing.line_items
            else []
        )
    checked_lines = lines if lines is not None else existing.line_items
    if status in ("SUBMITTED", "AUTHORISED"):
        if not checked_lines:
            errors.append("A credit note must have at least one line item before it can be approved.")
        elif any(line.line_amount and not line.account_code for line in checked_lines):
            errors.append(
                "An AccountCode must be specified on every line item with an amount before approval."
            )

    number = str(element.get("CreditNoteNumber") or "").strip()
    if len(number) > 255:
        errors.append("CreditNoteNumber must not be longer than 255 characters.")
    if (
        number
        and note_type == "ACCRECCREDIT"
        and (creating or name_key(number) != name_key(existing.credit_note_number))
    ):
        holder = credit_note_by_number(org, number)
        if (holder is not None and holder is not existing) or name_key(number) in batch.credit_note_numbers:
            errors.append(NUMBER_TAKEN)

    theme = element.get("BrandingThemeID")
    if theme not in (None, ""):
        try:
            theme = str(uuid.UUID(str(theme)))
        except ValueError:
            errors.append(f"BrandingThemeID '{theme}' is not a valid branding theme.")
    sent = element.get("SentToContact")
    if sent is True and status not in APPROVED:
        errors.append("SentToContact can only be set on approved credit notes.")

    if note_date is not None:
        errors.extend(invoice_lock_errors(org, existing, status, note_date))

    if errors:
        return Plan(errors)
    if number and note_type == "ACCRECCREDIT":
        batch.credit_note_numbers.add(name_key(number))

    def apply() -> CreditNote:
        resolved_contact = new_contact.apply() if new_contact else contact
        note = existing or CreditNote(
            credit_note_id=str(uuid.uuid4()),
            type=note_type,
            contact_id=resolved_contact.contact_id,
            status=status,
            date=note_date,
            line_amount_types=line_amount_types,
            currency_code=currency,
            updated_at=clock.now(),
            created_by_client_id=client_id,
        )
        before = None if creating else dataclasses.asdict(note)
        if creating:
            org.add_credit_note(note)
        elif resolved_contact.contact_id != note.contact_id:
            org.credit_note_ids_by_contact[note.contact_id].remove(note.credit_note_id)
            org.credit_note_ids_by_contact.setdefault(resolved_contact.contact_id, []).append(
                note.credit_note_id
            )
            note.contact_id = resolved_contact.contact_id
        note.status = status
        note.date, note.due_date = note_date, due_date
        note.line_amount_types, note.currency_code = line_amount_types, currency
        if lines is not None:
            note.line_items = lines
        note.sub_total, note.total_tax, note.total = invoice_totals(note.line_items, note.line_amount_types)
        if "Reference" in element:
            note.reference = str(element.get("Reference") or "")
        if theme is not None:
            note.branding_theme_id = theme or None
        if sent is not None:
            note.sent_to_contact = bool(sent)
        _number(org, note, number)
        if note.status == "AUTHORISED" and note.total == 0:
            note.status, note.fully_paid_on = "PAID", note.date  # nothing to allocate: settled
        if creating or dataclasses.asdict(note) != before:
            note.updated_at = clock.now()
            credit_note_event(world, org, note, "CREATE" if creating else "UPDATE")
        return note

    return Plan([], apply)


def _number(org: Organisation, note: CreditNote, requested: str) -> None:
    if requested:
        note.credit_note_number = requested
    elif note.type == "ACCRECCREDIT" and not note.credit_note_number:
        while True:
            candidate = f"{org.credit_note_prefix}{org.next_credit_note_number:04d}"
            org.next_credit_note_number += 1
            if credit_note_by_number(org, candidate) is None:
                note.credit_note_number = candidate
                break
    match = re.fullmatch(re.escape(org.credit_note_prefix) + r"(\d+)", note.credit_note_number or "")
    if note.type == "ACCRECCREDIT" and match:
        org.next_credit_note_number = max(org.next_credit_note_number, int(match.group(1)) + 1)


# --- allocations ------------------------------------------------------------------------------


def plan_allocation(
    world, org: Organisation, note: CreditNote, element, *, batch: Batch | None = None
) -> Plan:
    """Validate one element of an Allocations write ({"Invoice": {"InvoiceID"}, "Amount", "Date"})."""
    batch = batch or Batch()
    if not isinstance(element, dict):
        return Plan(["An allocation must be a JSON object."])
    errors: list[str] = []
    reference = element.get("Invoice")
    invoice = None
    if not isinstance(reference, dict) or not (reference.get("InvoiceID") or reference.get("InvoiceNumber")):
        errors.append("The Invoice to allocate to must be given by its InvoiceID.")
    elif reference.get("InvoiceID"):
        invoice = org.invoices.get(str(reference["InvoiceID"]).strip().lower())
        if invoice is None:
            errors.append(f"The invoice with InvoiceID {reference['InvoiceID']} could not be found.")
    else:
        invoice = invoice_by_number(org, str(reference["InvoiceNumber"]))
        if invoice is None:
            errors.append(f"The invoice with InvoiceNumber {reference['InvoiceNumber']} could not be found.")

    amount = None
    raw_amount = element.get("Amount", element.get("AppliedAmount"))
    if raw_amount in (None, ""):
        errors.append("The Amount of the allocation must be given.")
    else:
        try:
            amount = parse_decimal(raw_amount)
        except ValueError:
            errors.append(f"Amount '{raw_amount}' is not a valid number.")
        else:
            if amount <= 0:
                errors.append("The Amount of the allocation must be greater than zero.")
            elif amount != amount.quantize(Decimal("0.01")):
                errors.append("The Amount of the allocation cannot have more than 2 decimal places.")

    on = None
    if element.get("Date") not in (None, ""):
        try:
            on = parse_date(element["Date"])
        except ValueError:
            errors.append(f"Date '{element['Date']}' is not a valid date.")

    if note.status != "AUTHORISED":
        errors.append(
            TOO_MUCH if note.status == "PAID" else "Only approved (AUTHORISED) credit notes can be allocated."
        )
    if invoice is not None:
        if invoice.type != LEDGER[note.type]:
            errors.append(WRONG_TYPE)
        elif invoice.status == "PAID":
            errors.append(PAID_OFF)
        elif invoice.status != "AUTHORISED":
            errors.append("Credit notes can only be allocated to approved (AUTHORISED) invoices.")
        if invoice.contact_id != note.contact_id:
            errors.append("The credit note and the invoice must be for the same contact.")
        if invoice.currency_code != note.currency_code:
            errors.append("The credit note and the invoice must be in the same currency.")
    if invoice is not None and amount is not None and amount > 0 and note.status == "AUTHORISED":
        pending_note = batch.allocated.get(note.credit_note_id, Decimal(0))
        pending_invoice = batch.allocated.get(invoice.invoice_id, Decimal(0))
        if (
            amount + pending_note > note.remaining_credit
            or (invoice.status == "AUTHORISED" and amount + pending_invoice > invoice.amount_due)
        ) and TOO_MUCH not in errors:
            errors.append(TOO_MUCH)
    if invoice is not None and on is None:
        # As Xero dates an allocation by default: the later of the credit note's and the invoice's date.
        on = max(note.date, invoice.date)
    if on is not None:
        errors.extend(dated_in_locked_period(org, on))
    if errors:
        return Plan(errors)
    batch.allocated[note.credit_note_id] = batch.allocated.get(note.credit_note_id, Decimal(0)) + amount
    batch.allocated[invoice.invoice_id] = batch.allocated.get(invoice.invoice_id, Decimal(0)) + amount

    def apply() -> Allocation:
        return allocate(world, org, note, invoice, amount, on)

    return Plan([], apply)


def allocate(
    world, org: Organisation, note: CreditNote, invoice: Invoice, amount: Decimal, on: date
) -> Allocation:
    """Apply credit (already validated) and raise the webhooks Xero would: the invoice changed."""
    now = clock.now()
    allocation = Allocation(str(uuid.uuid4()), invoice.invoice_id, amount, on, now)
    note.allocations.append(allocation)
    invoice.amount_credited += amount
    if note.credit_note_id not in invoice.credit_note_ids:
        invoice.credit_note_ids.append(note.credit_note_id)
    if invoice.amount_due == 0:
        invoice.status, invoice.fully_paid_on = "PAID", on
    if note.remaining_credit == 0:
        note.status, note.fully_paid_on = "PAID", on
    invoice.updated_at = note.updated_at = now
    record_event(world, org.tenant_id, "INVOICE", "UPDATE", invoice.invoice_id)
    credit_note_event(world, org, note, "UPDATE")
    return allocation
