"""Xero's JSON (as sent on the wire) → our plain dataclasses, for paged invoices and credit notes.

A full sync reads up to 100,000 invoices; building the SDK's model objects for them cost more than
everything else the sync does (about 40% of its time). These pages are therefore read as JSON and
mapped here directly, giving exactly what `mappers.invoice` / `mappers.credit_note` give for the SDK's
objects (tests compare the two on every record of the sandbox). Everything else still goes through
the SDK's models. Values that are not what Xero's schema promises raise XeroError, as the SDK's
deserialiser would have refused them.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.xero.errors import XeroError
from integrations.xero.mappers import text
from integrations.xero.types import XeroAllocationData, XeroCreditNoteData, XeroInvoiceData, XeroLineItemData

# Xero's Microsoft JSON dates: "/Date(1539993600000+0000)/" (milliseconds since the epoch; the
# offset is informational, the instant is the number). The SDK reads them the same way.
_MS_DATE = re.compile(r"/Date\((-?\d{1,15})(?:[+-]\d{2,4})?\)/")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ZERO = Decimal("0")


class WireFormatError(XeroError):
    def __init__(self, what: str, value: Any):
        super().__init__(f"Xero sent a value we could not read ({what}: {str(value)[:40]!r}).")


def instant(value: Any, what: str = "date") -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        match = _MS_DATE.fullmatch(value)
        if match:
            return _EPOCH + dt.timedelta(milliseconds=int(match[1]))
        try:  # ISO 8601, as some of Xero's endpoints and its *String fields use
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    raise WireFormatError(what, value)


def calendar_date(value: Any, what: str = "date") -> dt.date | None:
    moment = instant(value, what)
    return None if moment is None else moment.astimezone(dt.UTC).date()


def money(value: Any, what: str = "amount") -> Decimal:
    amount = optional_money(value, what)
    return _ZERO if amount is None else amount


def optional_money(value: Any, what: str = "amount") -> Decimal | None:
    # Pages are parsed with parse_float=Decimal: numbers arrive as Decimal or int, exactly as sent.
    if value is None:
        return None
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            amount = Decimal(value)
        except InvalidOperation:
            pass
        else:
            if amount.is_finite():
                return amount
    raise WireFormatError(what, value)


def _text(payload: dict, key: str) -> str:
    value = payload.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        # The usual case inline (a page has ~15,000 of these): plain ASCII without NUL is safe as is.
        return value if value.isascii() and "\x00" not in value else text(value)
    if isinstance(value, dict | list):
        raise WireFormatError(key, value)
    return text(value)


def _object(payload: dict, key: str) -> dict:
    value = payload.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise WireFormatError(key, value)
    return value


def _list(payload: dict, key: str) -> list | None:
    value = payload.get(key)
    if value is not None and not isinstance(value, list):
        raise WireFormatError(key, value)
    return value


def line_item(line: Any) -> XeroLineItemData:
    if not isinstance(line, dict):
        raise WireFormatError("LineItems", line)
    return XeroLineItemData(
        description=_text(line, "Description"),
        quantity=optional_money(line.get("Quantity"), "Quantity"),
        unit_amount=optional_money(line.get("UnitAmount"), "UnitAmount"),
        item_code=_text(line, "ItemCode"),
        account_code=_text(line, "AccountCode"),
        tax_type=_text(line, "TaxType"),
        line_amount=money(line.get("LineAmount"), "LineAmount"),
        tax_amount=money(line.get("TaxAmount"), "TaxAmount"),
        line_item_id=_text(line, "LineItemID"),
    )


def _document(payload: Any, kind: str, number_key: str) -> dict:
    """What invoices and credit notes share, as keyword arguments of their dataclasses."""
    if not isinstance(payload, dict):
        raise WireFormatError(kind, payload)
    contact = _object(payload, "Contact")
    lines = _list(payload, "LineItems")
    return {
        "type": _text(payload, "Type"),
        "status": _text(payload, "Status"),
        "number": _text(payload, number_key),
        "reference": _text(payload, "Reference"),
        "contact_id": _text(contact, "ContactID"),
        "contact_name": _text(contact, "Name"),
        "date": calendar_date(payload.get("Date"), "Date"),
        "due_date": calendar_date(payload.get("DueDate"), "DueDate"),
        "currency_code": _text(payload, "CurrencyCode"),
        "line_amount_types": _text(payload, "LineAmountTypes"),
        "sub_total": money(payload.get("SubTotal"), "SubTotal"),
        "total_tax": money(payload.get("TotalTax"), "TotalTax"),
        "total": money(payload.get("Total"), "Total"),
        "fully_paid_on": calendar_date(payload.get("FullyPaidOnDate"), "FullyPaidOnDate"),
        "updated_at": instant(payload.get("UpdatedDateUTC"), "UpdatedDateUTC"),
        "lines": tuple(line_item(line) for line in lines or ()),
        "has_lines": lines is not None,
    }


def invoice(payload: Any) -> XeroInvoiceData:
    common = _document(payload, "Invoices", "InvoiceNumber")
    return XeroInvoiceData(
        invoice_id=_text(payload, "InvoiceID"),
        **common,
        amount_paid=money(payload.get("AmountPaid"), "AmountPaid"),
        amount_credited=money(payload.get("AmountCredited"), "AmountCredited"),
        amount_due=money(payload.get("AmountDue"), "AmountDue"),
        url=_text(payload, "Url"),
    )


def allocation(payload: Any) -> XeroAllocationData:
    if not isinstance(payload, dict):
        raise WireFormatError("Allocations", payload)
    return XeroAllocationData(
        invoice_id=_text(_object(payload, "Invoice"), "InvoiceID"),
        amount=money(payload.get("Amount"), "Amount"),
        date=calendar_date(payload.get("Date"), "Date"),
        allocation_id=_text(payload, "AllocationID"),
        is_deleted=payload.get("IsDeleted") is True,
    )


def credit_note(payload: Any) -> XeroCreditNoteData:
    common = _document(payload, "CreditNotes", "CreditNoteNumber")
    allocations = _list(payload, "Allocations") or ()
    return XeroCreditNoteData(
        credit_note_id=_text(payload, "CreditNoteID"),
        **common,
        remaining_credit=money(payload.get("RemainingCredit"), "RemainingCredit"),
        allocations=tuple(allocation(a) for a in allocations if isinstance(a, dict) and a.get("Invoice")),
    )


def page_count(body: dict) -> int | None:
    """Xero's `pagination.pageCount` (present when a page size was asked for)."""
    pagination = body.get("pagination")
    if not isinstance(pagination, dict):
        return None
    count = pagination.get("pageCount")
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def records(body: Any, key: str) -> list:
    if not isinstance(body, dict):
        raise WireFormatError("answer", body)
    return _list(body, key) or []
