"""SDK model objects → our plain dataclasses. Nothing else looks inside SDK objects."""

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from xero_python.accounting import Address, Contact, Phone

from integrations.xero.types import (
    XeroAccountData,
    XeroAllocationData,
    XeroContactData,
    XeroContactWriteResult,
    XeroCreditNoteData,
    XeroInvoiceData,
    XeroItemData,
    XeroLineItemData,
    XeroNewContact,
    XeroNewInvoice,
    XeroOrganisationData,
    XeroTaxRateData,
    XeroTenantConnection,
)

# Xero accepts text that PostgreSQL refuses: NUL characters, and lone surrogates (from JSON escapes
# such as "\ud800") that cannot be encoded as UTF-8. Both are dropped on the way in.
_REFUSED = re.compile("[\x00\ud800-\udfff]")


def text(value: Any) -> str:
    """A string from Xero, safe to store: None becomes "", refused characters are dropped."""
    if value is None:
        return ""
    value = value if isinstance(value, str) else str(value)
    if value.isascii():  # the usual case, checked in C: only NUL can be refused
        return value.replace("\x00", "") if "\x00" in value else value
    return _REFUSED.sub("", value)


def enum_value(value: Any) -> str:
    """SDK enums and plain strings alike, as Xero spells them."""
    if value is None:
        return ""
    return text(getattr(value, "value", value))


def decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal("0")


def aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def connection(c: Any) -> XeroTenantConnection:
    return XeroTenantConnection(
        connection_id=text(c.id),
        tenant_id=text(c.tenant_id),
        tenant_name=text(c.tenant_name),
        tenant_type=enum_value(c.tenant_type),
        auth_event_id=text(c.auth_event_id),
    )


def organisation(o: Any) -> XeroOrganisationData:
    return XeroOrganisationData(
        organisation_id=text(o.organisation_id),
        name=text(o.name),
        short_code=text(o.short_code),
        country_code=enum_value(o.country_code),
        version=enum_value(o.version),
        base_currency=enum_value(o.base_currency),
        timezone=enum_value(o.timezone),
    )


def contact(c: Any) -> XeroContactData:
    receivable = getattr(getattr(c, "balances", None), "accounts_receivable", None)
    return XeroContactData(
        contact_id=text(c.contact_id),
        name=text(c.name),
        status=enum_value(c.contact_status) or "ACTIVE",
        first_name=text(c.first_name),
        last_name=text(c.last_name),
        email=text(c.email_address),
        company_number=text(c.company_number),
        tax_number=text(c.tax_number),
        account_number=text(c.account_number),
        is_customer=bool(c.is_customer),
        is_supplier=bool(c.is_supplier),
        ar_outstanding=decimal(getattr(receivable, "outstanding", None)),
        ar_overdue=decimal(getattr(receivable, "overdue", None)),
        updated_at=aware(c.updated_date_utc),
        address=address(getattr(c, "addresses", None)),
    )


ADDRESS_PARTS = (
    "address_line1", "address_line2", "address_line3", "address_line4", "city", "region", "postal_code", "country",
)  # fmt: skip


def address(addresses: Any) -> str:
    """The STREET address (else the POBOX one) as lines, blank parts left out."""
    by_type = {enum_value(getattr(a, "address_type", None)): a for a in addresses or []}
    for kind in ("STREET", "POBOX"):
        found = by_type.get(kind)
        if found is None:
            continue
        lines = [text(getattr(found, part, None)).strip() for part in ADDRESS_PARTS]
        if any(lines):
            return "\n".join(line for line in lines if line)
    return ""


def account(a: Any) -> XeroAccountData:
    return XeroAccountData(
        account_id=text(a.account_id),
        code=text(a.code),
        name=text(a.name),
        type=enum_value(a.type),
        status=enum_value(a.status),
        tax_type=text(a.tax_type),
    )


def tax_rate(t: Any) -> XeroTaxRateData:
    return XeroTaxRateData(
        tax_type=text(t.tax_type),
        name=text(t.name),
        rate=decimal(t.effective_rate if t.effective_rate is not None else t.display_tax_rate),
        status=enum_value(t.status),
        can_apply_to_revenue=bool(t.can_apply_to_revenue),
    )


def item(i: Any) -> XeroItemData:
    sales = getattr(i, "sales_details", None)
    return XeroItemData(
        item_id=text(i.item_id),
        code=text(i.code),
        name=text(i.name),
        description=text(i.description),
        unit_price=decimal(sales.unit_price) if sales and sales.unit_price is not None else None,
        account_code=text(sales.account_code) if sales else "",
        tax_type=text(sales.tax_type) if sales else "",
    )


def new_contact(c: XeroNewContact, *, contact_id: str | None = None) -> Any:
    """Our XeroNewContact → the SDK's Contact (only the fields that have a value)."""
    fields: dict[str, Any] = {}
    if contact_id:
        fields["contact_id"] = contact_id
    for name, sdk_name in (
        ("name", "name"),
        ("email", "email_address"),
        ("company_number", "company_number"),
        ("tax_number", "tax_number"),
        ("account_number", "account_number"),
    ):
        value = getattr(c, name)
        if value:
            fields[sdk_name] = value
    if c.phone:
        fields["phones"] = [Phone(phone_type="DEFAULT", phone_number=c.phone)]
    if c.address is not None:
        lines = list(c.address.lines[:4]) + [None] * (4 - len(c.address.lines[:4]))
        fields["addresses"] = [
            Address(
                address_type=c.address.address_type,
                address_line1=lines[0],
                address_line2=lines[1],
                address_line3=lines[2],
                address_line4=lines[3],
                city=c.address.city or None,
                region=c.address.region or None,
                postal_code=c.address.postal_code or None,
                country=c.address.country or None,
            )
        ]
    return Contact(**fields)


def contact_write_result(c: Any) -> XeroContactWriteResult:
    """One element of a PUT/POST /Contacts answer (summarizeErrors=false: errors per element)."""
    messages = tuple(
        text(getattr(error, "message", "")) for error in (getattr(c, "validation_errors", None) or [])
    )
    messages = tuple(m for m in messages if m)
    if messages or getattr(c, "has_validation_errors", False):
        return XeroContactWriteResult(contact=None, messages=messages or ("Xero rejected this contact.",))
    return XeroContactWriteResult(contact=contact(c))


def new_invoice(i: XeroNewInvoice) -> Any:
    """Our XeroNewInvoice → the SDK's Invoice (ACCREC), sending only the fields that have a value."""
    from xero_python.accounting import CurrencyCode, Invoice, LineAmountTypes, LineItem

    fields: dict[str, Any] = {
        "type": "ACCREC",
        "contact": Contact(contact_id=i.contact_id),
        "line_items": [
            LineItem(
                description=line.description,
                quantity=line.quantity,
                unit_amount=line.unit_amount,
                account_code=line.account_code or None,
                tax_type=line.tax_type or None,
                item_code=line.item_code or None,
            )
            for line in i.lines
        ],
        "line_amount_types": LineAmountTypes(i.line_amount_types),
        "status": i.status,
        "date": i.date,
    }
    if i.due_date is not None:
        fields["due_date"] = i.due_date
    if i.reference:
        fields["reference"] = i.reference
    if i.currency_code:
        fields["currency_code"] = CurrencyCode(i.currency_code)
    if i.url:
        fields["url"] = i.url
    return Invoice(**fields)


def optional_decimal(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value is not None else None


def calendar_date(value: Any) -> dt.date | None:
    """Xero's Date/DueDate (the SDK gives a date, or a datetime at midnight)."""
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def line_item(line: Any) -> XeroLineItemData:
    return XeroLineItemData(
        description=text(line.description),
        quantity=optional_decimal(line.quantity),
        unit_amount=optional_decimal(line.unit_amount),
        item_code=text(line.item_code),
        account_code=text(line.account_code),
        tax_type=text(line.tax_type),
        line_amount=decimal(line.line_amount),
        tax_amount=decimal(line.tax_amount),
        line_item_id=text(line.line_item_id),
    )


def _document(d: Any, number: Any) -> dict:
    """What invoices and credit notes share, as keyword arguments of their dataclasses."""
    contact_ = getattr(d, "contact", None)
    lines = getattr(d, "line_items", None)
    return {
        "type": enum_value(d.type),
        "status": enum_value(d.status),
        "number": text(number),
        "reference": text(d.reference),
        "contact_id": text(getattr(contact_, "contact_id", None)),
        "contact_name": text(getattr(contact_, "name", None)),
        "date": calendar_date(d.date),
        "due_date": calendar_date(d.due_date),
        "currency_code": enum_value(d.currency_code),
        "line_amount_types": enum_value(d.line_amount_types),
        "sub_total": decimal(d.sub_total),
        "total_tax": decimal(d.total_tax),
        "total": decimal(d.total),
        "fully_paid_on": calendar_date(d.fully_paid_on_date),
        "updated_at": aware(d.updated_date_utc),
        "lines": tuple(line_item(line) for line in lines or []),
        "has_lines": lines is not None,
    }


def invoice(i: Any) -> XeroInvoiceData:
    return XeroInvoiceData(
        invoice_id=text(i.invoice_id),
        **_document(i, i.invoice_number),
        amount_paid=decimal(i.amount_paid),
        amount_credited=decimal(i.amount_credited),
        amount_due=decimal(i.amount_due),
        url=text(i.url),
    )


def allocation(a: Any) -> XeroAllocationData:
    return XeroAllocationData(
        invoice_id=text(getattr(getattr(a, "invoice", None), "invoice_id", None)),
        amount=decimal(a.amount),
        date=calendar_date(a.date),
        allocation_id=text(a.allocation_id),
        is_deleted=bool(a.is_deleted),
    )


def credit_note(c: Any) -> XeroCreditNoteData:
    return XeroCreditNoteData(
        credit_note_id=text(c.credit_note_id),
        **_document(c, c.credit_note_number),
        remaining_credit=decimal(c.remaining_credit),
        allocations=tuple(allocation(a) for a in c.allocations or [] if getattr(a, "invoice", None)),
    )
