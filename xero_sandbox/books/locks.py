"""Lock dates, as Xero applies them (Xero Central, "Set up and work with lock dates"): after a lock
date is set, "users can't add or edit transactions in Xero if the transaction date is on or before
the lock date", but they "can still create draft invoices, bills and expense claims, and submit
these items for approval".

So a document dated on or before a lock date cannot be approved (created as, or moved to,
AUTHORISED), and an approved one cannot be edited or voided; drafts and documents awaiting approval
can. A payment dated on or before a lock date is refused too.

Xero has two: the period lock date ("stop all users except advisers making changes on and before")
and the end of year lock date ("stop all users making changes on and before"). The sandbox's one
user is a standard user, not an adviser, as an API integration's user usually is, so both apply;
each one the date falls on or before gives its own message, the period lock's first, as Xero lists
them ("The document date cannot be before the period lock date, currently set at 30-Nov-2018, The
document date cannot be before the end of year lock date, currently set at 30-Nov-2018").
"""

from datetime import date

from ..records import Invoice, Organisation

APPROVED = ("AUTHORISED", "PAID")


def lock_dates(org: Organisation) -> list[tuple[str, date]]:
    """The organisation's lock dates that are set: (name as Xero words it, date)."""
    locks = [("period lock date", org.period_lock_date), ("end of year lock date", org.end_of_year_lock_date)]
    return [(name, on) for name, on in locks if on is not None]


def xero_date(on: date) -> str:
    """Dates in Xero's lock messages: 30-Nov-2018."""
    return f"{on.day:02d}-{on:%b}-{on.year}"


def dated_in_locked_period(org: Organisation, on: date) -> list[str]:
    """Xero's message for each lock date a new (or newly approved, or re-dated) document breaches."""
    return [
        f"The document date cannot be before the {name}, currently set at {xero_date(lock)}"
        for name, lock in lock_dates(org)
        if on <= lock
    ]


def invoice_lock_errors(org: Organisation, existing: Invoice | None, status: str, on: date) -> list[str]:
    """Why an invoice write is refused by the lock dates: `existing` is the invoice as it stands
    (None when creating), `status` and `on` what the write would make of it."""
    if existing is not None and existing.status in APPROVED:
        stale = [name for name, lock in lock_dates(org) if existing.date <= lock]
        if stale:
            return [
                f"The document cannot be edited as it is currently dated before the {name}" for name in stale
            ]
    if status in APPROVED:
        return dated_in_locked_period(org, on)
    return []


def last_year_end(org: Organisation, today: date) -> date:
    """The organisation's most recent financial year end before today (FinancialYearEndDay/Month)."""
    month = org.financial_year_end_month

    def year_end(year: int) -> date:
        following = date(year + (month == 12), month % 12 + 1, 1)
        last_day = (following - date.resolution).day
        return date(year, month, min(org.financial_year_end_day, last_day))

    candidate = year_end(today.year)
    return candidate if candidate < today else year_end(today.year - 1)
