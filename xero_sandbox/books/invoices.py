"""Creating, updating and paying invoices the way Xero does.

Known-exact Xero messages: "Invoice # must be unique.", "Invoice not of valid status for
modification", "This document cannot be edited as it has a payment or credit note allocated to
it.", "Payment amount exceeds the amount outstanding on this document" and the contact-identity
message. The others are worded in the same style.
"""

import dataclasses
import re
import uuid
from datetime import date
from decimal import Decimal

from ..clock import clock
from ..events import record_event
from ..records import Contact, Invoice, LineItem, Organisation, Payment
from ..wire import parse_date
from .contacts import plan_contact
from .lines import NO_DEFAULTS, LineDefaults, parse_lines
from .locks import dated_in_locked_period, invoice_lock_errors
from .plans import Batch, Plan, name_key
from .terms import default_due_date
from .totals import invoice_totals

INVOICE_TYPES = ("ACCREC", "ACCPAY")
STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED")
CREATE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
LINE_AMOUNT_TYPES = ("Exclusive", "Inclusive", "NoTax")
TRANSITIONS = {
    "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "AUTHORISED": {"AUTHORISED", "VOIDED"},
    "PAID": {"PAID"},
    "VOIDED": set(),
    "DELETED": set(),
}
APPROVED = ("AUTHORISED", "PAID")
NOT_MODIFIABLE = "Invoice not of valid status for modification"
HAS_PAYMENTS = "This document cannot be edited as it has a payment or credit note allocated to it."
NUMBER_TAKEN = "Invoice # must be unique."
CONTACT_REQUIRED = (
    "The Contact must contain at least 1 of the following elements to identify the contact: "
    "Name, ContactID, ContactNumber"
)
OVERPAYMENT = "Payment amount exceeds the amount outstanding on this document"


def find_invoice(org: Organisation, element: dict, *, by_number: bool) -> tuple[Invoice | None, str | None]:
    invoice_id = str(element.get("InvoiceID") or "").strip().lower()
    if invoice_id:
        invoice = org.invoices.get(invoice_id)
        return (
            (invoice, None)
            if invoice
            else (None, f"The invoice with InvoiceID {invoice_id} could not be found.")
        )
    number = str(element.get("InvoiceNumber") or "").strip()
    if by_number and number:
        return invoice_by_number(org, number), None
    return None, None


def invoice_by_number(org: Organisation, number: str) -> Invoice | None:
    key = name_key(number)
    return next(
        (
            invoice
            for invoice in org.invoices.values()
            if invoice.type == "ACCREC"
            and invoice.status != "DELETED"
            and name_key(invoice.invoice_number) == key
        ),
        None,
    )


def plan_invoice(
    world,
    org: Organisation,
    element: dict,
    *,
    existing: Invoice | None = None,
    by_number: bool = False,
    client_id: str | None = None,
    batch: Batch | None = None,
    unit_decimals: int = 2,
) -> Plan:
    """Validate one element of an Invoices write; the plan's apply() creates or updates the invoice."""
    batch = batch or Batch()
    if not isinstance(element, dict):
        return Plan(["An invoice must be a JSON object."])
    if existing is None:
        existing, error = find_invoice(org, element, by_number=by_number)
        if error:
            return Plan([error])
    creating = existing is None
    if existing is not None and existing.status in ("VOIDED", "DELETED"):
        return Plan([NOT_MODIFIABLE])
    errors: list[str] = []

    invoice_type = existing.type if existing else element.get("Type")
    if creating and not invoice_type:
        errors.append("The invoice Type must be specified (ACCREC or ACCPAY).")
    elif creating and invoice_type not in INVOICE_TYPES:
        errors.append(f"Invoice Type {invoice_type} is not valid. Use ACCREC or ACCPAY.")
    elif not creating and element.get("Type") not in (None, existing.type):
        errors.append("The Type of an existing invoice cannot be changed.")

    current_status = existing.status if existing else None
    status = element.get("Status") or current_status or "DRAFT"
    if status not in STATUSES:
        errors.append(f"Invoice status {status} is not valid.")
    elif creating and status not in CREATE_STATUSES:
        errors.append(f"An invoice cannot be created with status {status}.")
    elif not creating and status not in TRANSITIONS[current_status]:
        errors.append(HAS_PAYMENTS if current_status == "PAID" else NOT_MODIFIABLE)
    elif status == "VOIDED" and (existing.amount_paid or existing.amount_credited):
        errors.append(HAS_PAYMENTS)

    if (
        existing is not None
        and (existing.amount_paid or existing.amount_credited)
        and _changes_locked_fields(existing, element)
    ):
        return Plan([HAS_PAYMENTS])

    contact, new_contact = _resolve_contact(world, org, element, existing, client_id, batch, errors)

    today = clock.today_in(org.timezone)
    invoice_date = _date_field(element, "Date", existing.date if existing else today, errors)
    # Without a DueDate Xero applies payment terms: the contact's own, else the organisation's.
    default_due = (
        existing.due_date
        if existing
        else default_due_date(org, contact, invoice_type or "ACCREC", invoice_date)
    )
    due_date = _date_field(element, "DueDate", default_due, errors)
    expected = _date_field(
        element, "ExpectedPaymentDate", existing.expected_payment_date if existing else None, errors
    )

    line_amount_types = element.get("LineAmountTypes") or (
        existing.line_amount_types if existing else _contact_line_amount_type(contact, invoice_type)
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
    if "LineItems" in element or creating:
        lines = parse_lines(
            org,
            element.get("LineItems"),
            invoice_type=invoice_type or "ACCREC",
            line_amount_types=line_amount_types,
            existing=existing.line_items if existing else [],
            unit_decimals=unit_decimals,
            errors=errors,
            defaults=_line_defaults(contact, invoice_type),
        )
    elif existing is not None and line_amount_types != existing.line_amount_types:
        lines = parse_lines(
            org,
            [_line_as_element(line) for line in existing.line_items],
            invoice_type=invoice_type,
            line_amount_types=line_amount_types,
            existing=existing.line_items,
            unit_decimals=4,
            errors=errors,
        )
    checked_lines = lines if lines is not None else existing.line_items
    if status in ("SUBMITTED", "AUTHORISED") and any(
        line.line_amount and not line.account_code for line in checked_lines
    ):
        errors.append("An AccountCode must be specified on every line item with an amount before approval.")

    number = str(element.get("InvoiceNumber") or "").strip()
    if len(number) > 255:
        errors.append("InvoiceNumber must not be longer than 255 characters.")
    if (
        number
        and invoice_type == "ACCREC"
        and (creating or name_key(number) != name_key(existing.invoice_number))
    ):
        holder = invoice_by_number(org, number)
        if (holder is not None and holder is not existing) or name_key(number) in batch.invoice_numbers:
            errors.append(NUMBER_TAKEN)

    theme = element.get("BrandingThemeID")
    if theme not in (None, ""):
        try:
            theme = str(uuid.UUID(str(theme)))
        except ValueError:
            errors.append(f"BrandingThemeID '{theme}' is not a valid branding theme.")
    elif creating and contact is not None and invoice_type == "ACCREC" and contact.branding_theme:
        theme = contact.branding_theme["BrandingThemeID"]

    url = element.get("Url")
    if url and not re.match(r"^https?://\S+$", str(url)):
        errors.append("The Url must be an absolute http or https address.")
    sent = element.get("SentToContact")
    if sent is True and status not in APPROVED:
        errors.append("SentToContact can only be set on approved invoices.")

    if invoice_date is not None:
        errors.extend(invoice_lock_errors(org, existing, status, invoice_date))

    if errors:
        return Plan(errors)
    if number and invoice_type == "ACCREC":
        batch.invoice_numbers.add(name_key(number))

    def apply() -> Invoice:
        resolved_contact = new_contact.apply() if new_contact else contact
        invoice = existing or Invoice(
            invoice_id=str(uuid.uuid4()),
            type=invoice_type,
            contact_id=resolved_contact.contact_id,
            status=status,
            date=invoice_date,
            due_date=due_date,
            line_amount_types=line_amount_types,
            currency_code=currency,
            updated_at=clock.now(),
            created_by_client_id=client_id,
        )
        before = None if creating else dataclasses.asdict(invoice)
        if creating:
            org.add_invoice(invoice)
        elif resolved_contact.contact_id != invoice.contact_id:
            org.invoice_ids_by_contact[invoice.contact_id].remove(invoice.invoice_id)
            org.invoice_ids_by_contact.setdefault(resolved_contact.contact_id, []).append(invoice.invoice_id)
            invoice.contact_id = resolved_contact.contact_id
        invoice.status = status
        invoice.date, invoice.due_date, invoice.expected_payment_date = invoice_date, due_date, expected
        invoice.line_amount_types, invoice.currency_code = line_amount_types, currency
        if lines is not None:
            invoice.line_items = lines
        _recalculate(invoice)
        if "Reference" in element:
            invoice.reference = str(element.get("Reference") or "")
        if url is not None:
            invoice.url = str(url) or None
        if theme is not None:
            invoice.branding_theme_id = theme or None
        if sent is not None:
            invoice.sent_to_contact = bool(sent)
        _number(org, invoice, number)
        if invoice.status == "AUTHORISED" and invoice.total == 0:
            # Xero treats an approved invoice for nothing as settled.
            invoice.status, invoice.fully_paid_on = "PAID", invoice.date
        if invoice.type == "ACCREC":
            resolved_contact.is_customer = True  # Xero does not bump the contact's UpdatedDateUTC for this
        else:
            resolved_contact.is_supplier = True
        if creating or dataclasses.asdict(invoice) != before:
            invoice.updated_at = clock.now()
            record_event(
                world, org.tenant_id, "INVOICE", "CREATE" if creating else "UPDATE", invoice.invoice_id
            )
        return invoice

    return Plan([], apply)


def invoice_pay(
    world, org: Organisation, invoice: Invoice, amount: Decimal, on: date, reference: str = ""
) -> list:
    """Record a payment (in full or in part), as if entered in Xero. Returns validation errors."""
    if invoice.status != "AUTHORISED":
        return ["Payments can only be made against approved invoices."]
    if locked := dated_in_locked_period(org, on):
        return locked
    if amount <= 0:
        return ["Payment amount must be greater than zero."]
    if amount > invoice.amount_due:
        return [OVERPAYMENT]
    now = clock.now()
    invoice.payments.append(Payment(str(uuid.uuid4()), on, amount, reference, now))
    invoice.amount_paid += amount
    if invoice.amount_due == 0:
        invoice.status, invoice.fully_paid_on = "PAID", on
    invoice.updated_at = now
    record_event(world, org.tenant_id, "INVOICE", "UPDATE", invoice.invoice_id)
    return []


def _resolve_contact(
    world, org, element, existing, client_id, batch, errors
) -> tuple[Contact | None, Plan | None]:
    current = org.contacts[existing.contact_id] if existing else None
    if "Contact" not in element and existing is not None:
        return current, None
    reference = element.get("Contact")
    if not isinstance(reference, dict) or not any(
        reference.get(key) for key in ("ContactID", "ContactNumber", "Name")
    ):
        errors.append(CONTACT_REQUIRED)
        return None, None
    contact = None
    if reference.get("ContactID"):
        contact = org.contacts.get(str(reference["ContactID"]).strip().lower())
        if contact is None:
            errors.append(f"The contact with ContactID {reference['ContactID']} could not be found.")
            return None, None
    elif reference.get("ContactNumber"):
        key = name_key(str(reference["ContactNumber"]))
        contact = next((c for c in org.contacts.values() if name_key(c.contact_number) == key), None)
    if contact is None and reference.get("Name"):
        key = name_key(str(reference["Name"]))
        contact = next(
            (c for c in org.contacts.values() if c.status == "ACTIVE" and name_key(c.name) == key), None
        )
        if contact is None:
            # Xero creates a contact named on an invoice when none exists yet.
            plan = plan_contact(world, org, reference, client_id=client_id, batch=batch)
            errors.extend(plan.errors)
            return None, (plan if plan.ok else None)
    if contact is None:
        errors.append(f"The contact with ContactNumber {reference['ContactNumber']} could not be found.")
        return None, None
    if contact.status != "ACTIVE" and (current is None or contact is not current):
        errors.append(f"The contact {contact.name} is archived and cannot be used on a transaction.")
    return contact, None


LINE_AMOUNT_TYPE_NAMES = {"INCLUSIVE": "Inclusive", "EXCLUSIVE": "Exclusive", "NONE": "NoTax"}


def _contact_line_amount_type(contact: Contact | None, invoice_type: str | None) -> str:
    """A new invoice's LineAmountTypes from the contact's sales or purchases default."""
    if contact is None:
        return "Exclusive"
    wanted = (
        contact.sales_default_line_amount_type
        if invoice_type == "ACCREC"
        else contact.purchases_default_line_amount_type
    )
    return LINE_AMOUNT_TYPE_NAMES.get(wanted, "Exclusive")


def _line_defaults(contact: Contact | None, invoice_type: str | None) -> LineDefaults:
    if contact is None:
        return NO_DEFAULTS
    if invoice_type == "ACCREC":
        return LineDefaults(
            contact.sales_default_account_code,
            contact.accounts_receivable_tax_type,
            contact.discount or None,
        )
    return LineDefaults(contact.purchases_default_account_code, contact.accounts_payable_tax_type)


def _date_field(element: dict, key: str, default, errors: list[str]):
    if element.get(key) in (None, ""):
        return default
    try:
        return parse_date(element[key])
    except ValueError:
        errors.append(f"{key} '{element[key]}' is not a valid date.")
        return default


def _changes_locked_fields(invoice: Invoice, element: dict) -> bool:
    unchanged = {
        "Contact": lambda value: (
            isinstance(value, dict) and str(value.get("ContactID") or "").lower() == invoice.contact_id
        ),
        "Date": lambda value: _same_date(value, invoice.date),
        "DueDate": lambda value: _same_date(value, invoice.due_date),
        "LineAmountTypes": lambda value: value == invoice.line_amount_types,
        "CurrencyCode": lambda value: value == invoice.currency_code,
        "Reference": lambda value: (value or "") == invoice.reference,
        "LineItems": lambda value: not value,
    }
    return any(
        element.get(key) is not None and not is_unchanged(element[key])
        for key, is_unchanged in unchanged.items()
    )


def _same_date(value, current: date | None) -> bool:
    try:
        return parse_date(value) == current
    except ValueError:
        return False


def _line_as_element(line: LineItem) -> dict:
    element = {
        "LineItemID": line.line_item_id,
        "Description": line.description,
        "Quantity": str(line.quantity),
        "UnitAmount": str(line.unit_amount),
        "ItemCode": line.item_code,
        "AccountCode": line.account_code,
        "TaxType": line.tax_type,
    }
    if line.discount_rate is not None:
        element["DiscountRate"] = str(line.discount_rate)
    return element


def _recalculate(invoice: Invoice) -> None:
    invoice.sub_total, invoice.total_tax, invoice.total = invoice_totals(
        invoice.line_items, invoice.line_amount_types
    )


def _number(org: Organisation, invoice: Invoice, requested: str) -> None:
    if requested:
        invoice.invoice_number = requested
    elif invoice.type == "ACCREC" and not invoice.invoice_number:
        while True:
            candidate = f"{org.invoice_prefix}{org.next_invoice_number:04d}"
            org.next_invoice_number += 1
            if invoice_by_number(org, candidate) is None:
                invoice.invoice_number = candidate
                break
    match = re.fullmatch(re.escape(org.invoice_prefix) + r"(\d+)", invoice.invoice_number or "")
    if invoice.type == "ACCREC" and match:
        # Like Xero's invoice settings: the next number follows the highest one used.
        org.next_invoice_number = max(org.next_invoice_number, int(match.group(1)) + 1)
