"""Payment terms: Xero's four due-date rules, and which terms an invoice gets.

Xero enters the contact's own terms (Sales for ACCREC, Bills for ACCPAY) when the contact has them,
else the organisation's default (help.xero.com "Set up due dates (payment terms)"):

- DAYSAFTERBILLDATE   N day(s) after the invoice date
- DAYSAFTERBILLMONTH  N day(s) after the end of the invoice month
- OFCURRENTMONTH      day N of the invoice's month
- OFFOLLOWINGMONTH    day N of the following month

Days past the end of a month are clamped to its last day (the 31st of February is the 28th/29th).
"""

import calendar
from datetime import date, timedelta

from ..records import Contact, Organisation

TERM_TYPES = ("DAYSAFTERBILLDATE", "DAYSAFTERBILLMONTH", "OFCURRENTMONTH", "OFFOLLOWINGMONTH")
TERM_KINDS = ("Bills", "Sales")
MAX_DAY = 31


def _month_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(max(day, 1), calendar.monthrange(year, month)[1]))


def _following(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def due_date_for(on: date, day: int, term_type: str) -> date:
    if term_type == "DAYSAFTERBILLDATE":
        return on + timedelta(days=day)
    if term_type == "DAYSAFTERBILLMONTH":
        month_end = _month_day(on.year, on.month, MAX_DAY)
        return month_end + timedelta(days=day)
    if term_type == "OFCURRENTMONTH":
        return _month_day(on.year, on.month, day)
    if term_type == "OFFOLLOWINGMONTH":
        return _month_day(*_following(on.year, on.month), day)
    raise ValueError(f"Unknown payment term type {term_type}")


def terms_for(org: Organisation, contact: Contact | None, invoice_type: str) -> tuple[int, str]:
    """(Day, Type) for an invoice of this type to this contact: the contact's, else the organisation's."""
    kind = "Sales" if invoice_type == "ACCREC" else "Bills"
    own = (contact.payment_terms if contact is not None else {}).get(kind)
    if own:
        return int(own["Day"]), own["Type"]
    if kind == "Sales":
        return org.sales_terms_days, org.sales_terms_type
    return org.bills_terms_days, org.bills_terms_type


def default_due_date(org: Organisation, contact: Contact | None, invoice_type: str, on: date) -> date:
    day, term_type = terms_for(org, contact, invoice_type)
    return due_date_for(on, day, term_type)


def parse_payment_terms(value, errors: list[str]) -> dict:
    """{"Bills": {"Day": n, "Type": t}, "Sales": {...}} as stored; an empty kind clears it."""
    if not isinstance(value, dict):
        errors.append("PaymentTerms must be an object with Bills and/or Sales.")
        return {}
    terms = {}
    for kind in TERM_KINDS:
        term = value.get(kind)
        if term in (None, {}):
            continue
        if not isinstance(term, dict):
            errors.append(f"PaymentTerms.{kind} must be an object with Day and Type.")
            continue
        term_type = term.get("Type")
        if term_type not in TERM_TYPES:
            errors.append(f"PaymentTerms.{kind}.Type must be one of {', '.join(TERM_TYPES)}.")
            continue
        try:
            day = int(term.get("Day"))
        except (TypeError, ValueError):
            errors.append(f"PaymentTerms.{kind}.Day must be a whole number.")
            continue
        if isinstance(term.get("Day"), bool) or not 0 <= day <= (
            MAX_DAY if term_type in ("OFCURRENTMONTH", "OFFOLLOWINGMONTH") else 999
        ):
            errors.append(f"PaymentTerms.{kind}.Day {term.get('Day')} is not valid for {term_type}.")
            continue
        terms[kind] = {"Day": day, "Type": term_type}
    return terms
