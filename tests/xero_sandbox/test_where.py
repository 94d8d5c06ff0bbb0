"""The `where`/`order` query language on plain records."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from xero_sandbox.accounting.where import QueryError, compile_where, sort_records


@dataclass
class Row:
    name: str
    email: str
    amount: Decimal
    due: date
    active: bool
    contact_id: str = "8f0e9a52-7d6b-4b53-9d1e-3f1a2b4c5d6e"


FIELDS = {
    "name": lambda row: row.name,
    "emailaddress": lambda row: row.email,
    "amountdue": lambda row: row.amount,
    "duedate": lambda row: row.due,
    "isactive": lambda row: row.active,
    "contact.contactid": lambda row: row.contact_id,
}
ROWS = [
    Row("Acme Widgets Ltd", "a@acme.co.uk", Decimal("10.00"), date(2025, 1, 10), True),
    Row("Bolt & Nut plc", "", Decimal("0"), date(2025, 6, 1), False),
    Row("acme holdings", "boom@acme.co.uk", Decimal("250.5"), date(2026, 2, 1), True),
]


def names(where: str) -> list[str]:
    predicate = compile_where(where, FIELDS, "Row")
    return [row.name for row in ROWS if predicate(row)]


@pytest.mark.parametrize(
    "where, expected",
    [
        ('Name.Contains("ACME")', ["Acme Widgets Ltd", "acme holdings"]),
        ('Name.StartsWith("acme") && AmountDue > 100', ["acme holdings"]),
        ('Name.EndsWith("PLC")', ["Bolt & Nut plc"]),
        ('Name == "acme widgets ltd"', ["Acme Widgets Ltd"]),
        ('Name != "acme widgets ltd" AND IsActive == true', ["acme holdings"]),
        ("AmountDue >= 10 || IsActive == false", ["Acme Widgets Ltd", "Bolt & Nut plc", "acme holdings"]),
        ("!(AmountDue > 0)", ["Bolt & Nut plc"]),
        ("EmailAddress == null", ["Bolt & Nut plc"]),
        ('EmailAddress != null && EmailAddress.StartsWith("boom")', ["acme holdings"]),
        ("DueDate >= DateTime(2025, 06, 01) && DueDate < DateTime(2026,01,01)", ["Bolt & Nut plc"]),
        ('DueDate < DateTime.Parse("2025-02-01")', ["Acme Widgets Ltd"]),
        ('Contact.ContactID == Guid("8F0E9A52-7D6B-4B53-9D1E-3F1A2B4C5D6E")', [row.name for row in ROWS]),
        ('Name.ToLower().Contains("nut")', ["Bolt & Nut plc"]),
        ('Name = "Bolt & Nut plc"', ["Bolt & Nut plc"]),
        ('Name == "say \\"hi\\""', []),
    ],
)
def test_where(where, expected):
    assert names(where) == expected


@pytest.mark.parametrize(
    "where, message",
    [
        ('Colour == "red"', "No property or field 'Colour' exists in type 'Row'"),
        ('Name == "x" &&', "Unexpected end of expression"),
        ("Name.Explode()", "No applicable method 'Explode' exists"),
        ("DateTime(2025, 13, 1) < DueDate", "DateTime needs a valid year, month and day"),
        ("Name == 'x'", "Syntax error"),
    ],
)
def test_bad_queries(where, message):
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        names(where)


def test_order():
    rows = list(ROWS)
    assert [row.name for row in sort_records(rows, "Name ASC", FIELDS, "Row")] == [
        "acme holdings",
        "Acme Widgets Ltd",
        "Bolt & Nut plc",
    ], "case is ignored"
    assert [row.amount for row in sort_records(rows, "AmountDue DESC", FIELDS, "Row")][0] == Decimal("250.5")
    assert [row.name for row in sort_records(rows, "IsActive DESC, DueDate DESC", FIELDS, "Row")] == [
        "acme holdings",
        "Acme Widgets Ltd",
        "Bolt & Nut plc",
    ]
    with pytest.raises(QueryError):
        sort_records(rows, "Name SIDEWAYS", FIELDS, "Row")


def test_datetimes_compare_with_dates():
    predicate = compile_where("DueDate > DateTime(2025,1,9,23,59,59)", {"duedate": lambda row: row}, "Row")
    assert predicate(date(2025, 1, 10)) and not predicate(datetime(2025, 1, 9, tzinfo=UTC))
