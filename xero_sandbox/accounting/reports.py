"""GET /Reports/AgedReceivablesByContact: one contact's invoices and credit notes with what is
still due, in Xero's Rows/Cells shape (numbers as strings, dates as 2019-04-23T00:00:00).

A credit note is a row of negative amounts (Total, Credited = what has been allocated, Due = the
credit left), dated and aged by its date, with a creditNoteID attribute (the sandbox's choice: the
spec has no example of a credit note row)."""

import uuid
from datetime import date
from decimal import Decimal

from ..books.aging import aged_items
from ..clock import clock
from ..wire import envelope, json_response, ms_timestamp
from .gateway import Api, bad_request, xero_api

READ = frozenset({"accounting.reports.aged.read"})
COLUMNS = ("Date", "Number", "Due Date", "", "Total", "Paid", "Credited", "Due")


def _day(value: date) -> str:
    return f"{value.isoformat()}T00:00:00"


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _parse(request, name: str) -> date | None:
    raw = request.GET.get(name, "").strip()
    return date.fromisoformat(raw[:10]) if raw else None


@xero_api(read=READ)
def aged_receivables_by_contact(request, api: Api):
    contact_id = request.GET.get("contactId", "").strip().lower()
    if not contact_id:
        return bad_request("A contactId must be provided for this report.")
    try:
        contact = api.org.contacts.get(str(uuid.UUID(contact_id)))
        on = _parse(request, "date") or clock.today_in(api.org.timezone)
        from_date, to_date = _parse(request, "fromDate"), _parse(request, "toDate")
    except ValueError:
        return bad_request("contactId must be a valid ContactID and dates must be YYYY-MM-DD.")
    if contact is None:
        return bad_request(f"The contact with ContactID {contact_id} could not be found.")
    on = min(on, to_date) if to_date else on
    # Invoices and (negated) credit notes: a credit note's unallocated credit reduces what is due.
    items = aged_items(api.org, on, contact.contact_id)
    start = from_date or (items[0].date if items else on)
    opening = sum((item.due for item in items if item.date < start), Decimal(0))
    shown = [item for item in items if item.date >= start and item.due != 0]
    rows = []
    totals = [Decimal(0)] * 4
    for item in shown:
        values = [item.total, item.paid, item.credited, item.due]
        totals = [total + value for total, value in zip(totals, values, strict=True)]
        overdue_days = (on - item.due_date).days if item.due_date and item.kind == "invoice" else 0
        cells = [
            _day(item.date),
            item.number,
            _day(item.due_date) if item.due_date else "",
            f"{overdue_days} days overdue" if overdue_days > 0 else "",
            *(_amount(value) for value in values),
        ]
        attribute = "invoiceID" if item.kind == "invoice" else "creditNoteID"
        attributes = [{"Value": item.record_id, "Id": attribute}]
        rows.append(
            {"RowType": "Row", "Cells": [{"Value": cell, "Attributes": attributes} for cell in cells]}
        )
    rows.append({"RowType": "SummaryRow", "Cells": _cells("Total", totals)})
    closing = [totals[0], totals[1], totals[2], opening + totals[3]]
    report = {
        "ReportName": "Aged Receivables By Contact",
        "ReportType": "AgedReceivablesByContact",
        "ReportTitles": [
            "Invoices",
            contact.name,
            f"From {_long_date(start)} to {_long_date(on)}",
            f"Showing payments to {_long_date(on)}",
        ],
        "ReportDate": _long_date(clock.today_in(api.org.timezone)),
        "UpdatedDateUTC": ms_timestamp(clock.now()),
        "Fields": [],
        "Rows": [
            {"RowType": "Header", "Cells": [{"Value": column} for column in COLUMNS]},
            {
                "RowType": "Section",
                "Title": "",
                "Rows": [
                    {
                        "RowType": "Row",
                        "Cells": [{"Value": _day(start)}, {"Value": "Opening Balance"}]
                        + [{"Value": ""}] * 5
                        + [{"Value": _amount(opening)}],
                    }
                ],
            },
            {"RowType": "Section", "Title": "", "Rows": rows},
            {
                "RowType": "Section",
                "Title": "",
                "Rows": [{"RowType": "SummaryRow", "Cells": _cells("Closing Balance", closing)}],
            },
        ],
    }
    return json_response(envelope("Reports", [report], provider=api.provider))


def _cells(label: str, amounts: list[Decimal]) -> list[dict]:
    return [{"Value": label}, {"Value": ""}, {"Value": ""}, {"Value": ""}] + [
        {"Value": _amount(amount)} for amount in amounts
    ]
