"""The demo: the practice's own Xero organisation (its customers are the practice's clients) and a
second organisation so that the organisation picker matters.

Contacts come from demo/clients.json, the list the app's seed_demo also reads: most clients by
exact name, some only roughly, some under another name with the same company number, some not at
all; plus customers who are not clients, suppliers, and about 18 months of invoices in every status.
"""

import copy
import json
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from ..books.locks import last_year_end
from ..clock import clock
from ..records import Contact, Organisation
from .chart import furnish_uk_organisation, stable_id
from .ledger import Line, SeedLedger, at_office_hours

DEMO_TENANT_ID = stable_id("org", "demo-practice")
BUREAU_TENANT_ID = stable_id("org", "payroll-bureau")
HISTORY_DAYS = 548  # about 18 months

OTHER_CUSTOMERS = [
    # name, email, company number or ""
    ("Bramley Orchard Partnership", "office@bramleyorchard.co.uk", ""),
    ("St Anne's Parish Council", "clerk@stannesparish.org.uk", ""),
    ("Tidewater Yacht Club", "treasurer@tidewateryc.org.uk", ""),
    ("Corbridge Antiques Ltd", "sales@corbridgeantiques.co.uk", "07731942"),
    ("Holloway Dance Academy", "hello@hollowaydance.co.uk", ""),
    ("Peak District Outdoor Centre Ltd", "bookings@peakoutdoor.co.uk", "09864113"),
    ("Saffron Spice Kitchen Ltd", "orders@saffronspice.co.uk", "12338540"),
    ("Whitmore Family Trust", "trustees@whitmoretrust.co.uk", ""),
]
SUPPLIERS = [
    # name, email, account, tax type, monthly amount, reference prefix
    ("Northgate Property Holdings Ltd", "rent@northgateproperty.co.uk", "469", "INPUT2", "1500.00", "RENT"),
    ("CloudLedger Software Ltd", "billing@cloudledger.co.uk", "485", "INPUT2", "89.00", "CL"),
    ("Brightspark Energy Ltd", "accounts@brightsparkenergy.co.uk", "445", "RRINPUT", "210.00", "BSE"),
    ("Lineside Telecom Ltd", "billing@linesidetelecom.co.uk", "489", "INPUT2", "65.00", "LT"),
    ("Pennant Office Supplies Ltd", "orders@pennantoffice.co.uk", "461", "INPUT2", "42.50", "POS"),
    ("Swift Couriers Ltd", "invoices@swiftcouriers.co.uk", "429", "INPUT2", "28.00", "SC"),
]
# Contacts with their own settings, as set on their contact record in Xero: payment terms of each
# kind Xero offers, people, defaults for new invoices and bills.
CONTACT_SETTINGS = {
    # Every setting Xero's own example contact shows, on one customer that is also a supplier.
    "Peak District Outdoor Centre Ltd": {
        "contact_number": "PDOC-01",
        "account_number": "PDOC-1044",
        "first_name": "Megan",
        "last_name": "Hollins",
        "tax_number": "GB 318 4402 71",
        "website": "https://www.peakoutdoor.co.uk",
        "bank_account_details": "40-11-62 71234590",
        "addresses": [
            {
                "AddressType": "STREET",
                "AddressLine1": "Millstone Barn",
                "AddressLine2": "Castleton Road",
                "AddressLine3": "Hope",
                "AddressLine4": "Hope Valley",
                "City": "Sheffield",
                "Region": "Derbyshire",
                "PostalCode": "S33 6RB",
                "Country": "United Kingdom",
                "AttentionTo": "Megan Hollins",
            },
            {
                "AddressType": "POBOX",
                "AddressLine1": "PO Box 118",
                "City": "Sheffield",
                "PostalCode": "S33 6ZZ",
                "Country": "United Kingdom",
            },
        ],
        "phones": [
            {
                "PhoneType": "DEFAULT",
                "PhoneNumber": "620 118",
                "PhoneAreaCode": "01433",
                "PhoneCountryCode": "44",
            },
            {"PhoneType": "MOBILE", "PhoneNumber": "7700 900412", "PhoneCountryCode": "44"},
        ],
        "default_currency": "GBP",
        "sales_default_account_code": "201",
        "purchases_default_account_code": "429",
        "accounts_receivable_tax_type": "OUTPUT2",
        "accounts_payable_tax_type": "INPUT2",
        "sales_default_line_amount_type": "EXCLUSIVE",
        "purchases_default_line_amount_type": "INCLUSIVE",
        "discount": Decimal(5),
        "branding_theme": {"BrandingThemeID": stable_id("branding-theme", "Standard"), "Name": "Standard"},
        "payment_terms": {
            "Bills": {"Day": 14, "Type": "DAYSAFTERBILLDATE"},
            "Sales": {"Day": 20, "Type": "OFFOLLOWINGMONTH"},
        },
        "contact_persons": [
            {
                "FirstName": "Megan",
                "LastName": "Hollins",
                "EmailAddress": "megan@peakoutdoor.co.uk",
                "IncludeInEmails": True,
            },
            {
                "FirstName": "Dev",
                "LastName": "Sharma",
                "EmailAddress": "accounts@peakoutdoor.co.uk",
                "IncludeInEmails": False,
            },
        ],
        "batch_payments": {
            "BankAccountNumber": "40-11-62 71234590",
            "BankAccountName": "Peak District Outdoor Centre",
            "Details": "Team days",
            "Code": "",
            "Reference": "",
        },
    },
    "Bramley Orchard Partnership": {"payment_terms": {"Sales": {"Day": 20, "Type": "OFFOLLOWINGMONTH"}}},
    "Tidewater Yacht Club": {"payment_terms": {"Sales": {"Day": 14, "Type": "DAYSAFTERBILLMONTH"}}},
    "Whitmore Family Trust": {"payment_terms": {"Sales": {"Day": 28, "Type": "OFCURRENTMONTH"}}},
    "St Anne's Parish Council": {"payment_terms": {"Sales": {"Day": 7, "Type": "DAYSAFTERBILLDATE"}}},
    "Northgate Property Holdings Ltd": {
        "purchases_default_account_code": "469",
        "accounts_payable_tax_type": "INPUT2",
        "purchases_default_line_amount_type": "INCLUSIVE",
        "payment_terms": {"Bills": {"Day": 1, "Type": "OFFOLLOWINGMONTH"}},
        "batch_payments": {
            "BankAccountNumber": "20-32-06 90817263",
            "BankAccountName": "Northgate Property Holdings Ltd",
            "Details": "Rent",
            "Code": "",
            "Reference": "",
        },
    },
}
BUREAU_CLIENTS = [
    "Northern Quarter Coffee Ltd",
    "Kestrel Logistics Ltd",
    "Quayside Fitness Limited",
    "Sandbanks Surf School Ltd",
    "Marsh Lane Dental Ltd",
    "Greyfriars Brewing Co Ltd",
]


def demo_clients() -> dict:
    path = Path(settings.BASE_DIR) / "demo" / "clients.json"
    return json.loads(path.read_text(encoding="utf-8"))


def seed_demo(world) -> list[Organisation]:
    today = clock.today_in("GMTSTANDARDTIME")
    rng = random.Random(20260401)
    practice = _demo_practice(today, rng)
    bureau = _payroll_bureau(today, rng)
    for org in (practice, bureau):
        world.orgs[org.tenant_id] = org
    return [practice, bureau]


def _organisation(tenant_id: str, name: str, short_code: str, today: date, **details) -> Organisation:
    created = datetime.combine(today - timedelta(days=HISTORY_DAYS + 30), datetime.min.time(), tzinfo=UTC)
    org = Organisation(
        tenant_id=tenant_id, name=name, legal_name=name, short_code=short_code, created_at=created, **details
    )
    furnish_uk_organisation(org, created)
    return org


def _contact(org: Organisation, name: str, created: datetime, **fields) -> Contact:
    contact = Contact(
        contact_id=stable_id(org.tenant_id, "contact", name),
        name=name,
        updated_at=created,
        **{**fields, **copy.deepcopy(CONTACT_SETTINGS.get(name, {}))},
    )
    org.contacts[contact.contact_id] = contact
    return contact


def _postal(address: dict) -> list[dict]:
    return [
        {
            "AddressType": "POBOX",
            "AddressLine1": address["line1"],
            "AddressLine2": address.get("line2", ""),
            "City": address["city"],
            "PostalCode": address["postcode"],
            "Country": address.get("country", "United Kingdom"),
        }
    ]


def _demo_practice(today: date, rng: random.Random) -> Organisation:
    org = _organisation(
        DEMO_TENANT_ID,
        "Engager Demo Practice Ltd",
        "!Eng7Q",
        today,
        registration_number="11842367",
        tax_number="GB 284 6613 52",
        line_of_business="Accountancy and tax services",
        address={"AddressLine1": "3 Bridge Street", "City": "York", "PostalCode": "YO1 6DD", "Country": "GB"},
        phone="01904 496 000",
        website="https://www.engager-demo-practice.co.uk",
    )
    ledger = SeedLedger(org, rng, today)
    created = datetime.combine(today - timedelta(days=HISTORY_DAYS), datetime.min.time(), tzinfo=UTC)
    data = demo_clients()
    customers: list[tuple[Contact, dict | None]] = []
    for position, company in enumerate(data["companies"]):
        match = company["xero"]["match"]
        if match == "none":
            continue
        keeps_number = match == "company_number" or (match == "exact" and position % 3 != 2)
        contact = _contact(
            org,
            company["xero"].get("name") or company["name"],
            created,
            email_address=company["email"],
            company_number=company["company_number"] if keeps_number else "",
            tax_number=company["vat_number"] or "",
            addresses=_postal(company["registered_address"]),
            phones=[{"PhoneType": "DEFAULT", "PhoneNumber": company["phone"]}],
        )
        customers.append((contact, company))
    for person in data["individuals"]:
        if person["xero"]["match"] == "exact":
            contact = _contact(
                org,
                person["name"],
                created,
                first_name=person["first_name"],
                last_name=person["last_name"],
                email_address=person["email"],
                addresses=_postal(person["address"]),
                phones=[{"PhoneType": "MOBILE", "PhoneNumber": person["phone"]}],
            )
            customers.append((contact, person))
    for name, email, company_number in OTHER_CUSTOMERS:
        customers.append(
            (_contact(org, name, created, email_address=email, company_number=company_number), None)
        )

    for contact, source in customers:
        _bill_customer(ledger, contact, source, today)
    _lifecycle_examples(ledger, [contact for contact, _ in customers], today)
    _archived_customer(ledger, created, today)
    _credit_notes(org, [contact for contact, _ in customers], today)
    for name, email, account, tax_type, amount, prefix in SUPPLIERS:
        supplier = _contact(org, name, created, email_address=email)
        for month in _month_starts(today):
            on = month + timedelta(days=2)
            ledger.invoice(
                supplier,
                on,
                [Line(f"{name} - {on:%B %Y}", Decimal(1), Decimal(amount), account, tax_type)],
                invoice_type="ACCPAY",
                number=f"{prefix}-{on:%Y%m}",
                line_amount_types="Inclusive",
            )
    ledger.finish()
    # The books are closed at the last year end, so the app meets Xero's lock dates.
    org.period_lock_date = org.end_of_year_lock_date = last_year_end(org, today)
    return org


def _bill_customer(ledger: SeedLedger, contact: Contact, source: dict | None, today: date) -> None:
    rng = ledger.rng
    if source and source.get("kind") == "individual":
        for year in (today.year - 1, today.year):
            on = date(year, 1, 20)
            if today - timedelta(days=HISTORY_DAYS) <= on <= today:
                ledger.invoice(
                    contact,
                    on,
                    [_item_line(ledger, "SA100")],
                    reference=f"Tax return {year - 1}/{year % 100}",
                )
        return
    profile = rng.choice(("monthly", "quarterly", "annual", "annual"))
    discount = Decimal(10) if contact.name.startswith("Cobalt") else None
    employees = Decimal(rng.randint(2, 14))
    for month in _month_starts(today):
        on = month + timedelta(days=27)
        if on > today:
            continue
        if profile == "monthly":
            lines = [_item_line(ledger, "PAYROLL", employees, discount=discount)]
            if rng.random() < 0.3:
                lines.append(_item_line(ledger, "BOOK", Decimal(rng.randint(2, 8))))
            ledger.invoice(contact, on, lines, reference=f"Payroll {on:%B %Y}")
        elif profile == "quarterly" and on.month % 3 == 0:
            lines = [_item_line(ledger, "VAT"), _item_line(ledger, "BOOK", Decimal(rng.randint(3, 10)))]
            ledger.invoice(contact, on, lines, reference=f"VAT quarter to {on:%B %Y}")
    year_end = (source or {}).get("year_end") or {"day": 31, "month": 3}
    for year in range(today.year - 2, today.year + 1):
        period_end = date(year, year_end["month"], min(year_end["day"], 28))
        on = period_end + timedelta(days=120)
        if today - timedelta(days=HISTORY_DAYS) <= on <= today:
            fee = Decimal(rng.randrange(900, 2800, 50))
            lines = [_item_line(ledger, "ACCS", unit_amount=fee), _item_line(ledger, "CT600")]
            if rng.random() < 0.5:
                lines.append(_item_line(ledger, "COSEC"))
            ledger.invoice(contact, on, lines, reference=f"Year end {period_end:%d/%m/%Y}")
    if rng.random() < 0.3:
        on = today - timedelta(days=rng.randint(10, HISTORY_DAYS - 10))
        ledger.invoice(
            contact, on, [_item_line(ledger, "CONS", Decimal(rng.randint(2, 6)))], reference="Advisory"
        )


def _lifecycle_examples(ledger: SeedLedger, contacts: list[Contact], today: date) -> None:
    """Invoices not yet approved or thrown away, so every status is represented."""
    picks = ledger.rng.sample(contacts, 8)
    for contact in picks[:4]:
        ledger.invoice(
            contact, today - timedelta(days=2), [_item_line(ledger, "CONS", Decimal(3))], status="DRAFT"
        )
    for contact in picks[4:6]:
        ledger.invoice(
            contact, today - timedelta(days=5), [_item_line(ledger, "BOOK", Decimal(6))], status="SUBMITTED"
        )
    for contact in picks[6:]:
        ledger.invoice(contact, today - timedelta(days=40), [_item_line(ledger, "COSEC")], status="DELETED")


# Contacts the tests lean on by name keep their figures: no credit notes for them.
UNCREDITED = {
    "Acme Widgets Limited",
    "Acme Widgets Ltd",
    "Brightwater Plumbing Ltd",
    "Cobalt Software Ltd",
    "Ashdown Garden Centre Ltd",
    "Peak District Outdoor Centre Ltd",
}


def _credit_notes(org: Organisation, customers: list[Contact], today: date) -> None:
    """A handful of sales credit notes: two allocated in full (one settling its invoice), one part
    allocated, one with all its credit left, one voided and one draft. Their own random stream, so
    the rest of the demo does not change with them."""
    ledger = SeedLedger(org, random.Random(10), today)
    lock = last_year_end(org, today)
    owing = [
        invoice
        for contact in customers
        if contact.name not in UNCREDITED
        for invoice in org.invoices_of(contact.contact_id)
        if invoice.type == "ACCREC"
        and invoice.status == "AUTHORISED"
        and invoice.date > lock
        and invoice.amount_due >= Decimal("100")
    ]
    owing.sort(key=lambda invoice: (invoice.date, invoice.reference, invoice.total))
    picks, seen = [], set()
    for invoice in ledger.rng.sample(owing, len(owing)):
        if invoice.contact_id not in seen:
            picks.append(invoice)
            seen.add(invoice.contact_id)
        if len(picks) == 6:
            break

    def raise_for(invoice, amount: Decimal, status: str = "AUTHORISED", reason: str = "Fee reduction"):
        contact = org.contacts[invoice.contact_id]
        on = min(today, invoice.date + timedelta(days=ledger.rng.randint(5, 20)))
        line = Line(reason, Decimal(1), amount, "200")
        reference = f"Re {invoice.reference}"[:255]
        # Tax inclusive, so the credit is exactly the amount (VAT included), as the invoice's due.
        return ledger.credit_note(
            contact, on, [line], status=status, reference=reference, line_amount_types="Inclusive"
        )

    # 1. A fifth of an invoice credited (the invoice still has something due).
    note = raise_for(picks[0], (picks[0].total / 5).quantize(Decimal("0.01")))
    ledger.allocate(note, picks[0], note.total, note.date)
    # 2. The rest of an invoice credited: the invoice is settled by the credit note.
    note = raise_for(picks[1], picks[1].amount_due, reason="Fee waived")
    ledger.allocate(note, picks[1], note.total, note.date)
    # 3. Part allocated, some credit left.
    note = raise_for(picks[2], Decimal("150.00"), reason="Goodwill credit")
    ledger.allocate(note, picks[2], Decimal("60.00"), note.date)
    # 4. All its credit still to use.
    raise_for(picks[3], Decimal("75.00"), reason="Overcharge on disbursements")
    # 5. Voided, and 6. a draft.
    raise_for(picks[4], Decimal("50.00"), status="VOIDED", reason="Raised in error")
    raise_for(picks[5], Decimal("40.00"), status="DRAFT", reason="Proposed discount")
    # Numbered CN-0001… by the practice's ledger.finish(), in date order.


def _archived_customer(ledger: SeedLedger, created: datetime, today: date) -> None:
    contact = _contact(
        ledger.org, "Old Mill Tearooms Ltd", created, email_address="owner@oldmilltearooms.co.uk"
    )
    for months_ago in (17, 16, 15):
        ledger.invoice(
            contact,
            today - timedelta(days=30 * months_ago),
            [_item_line(ledger, "BOOK", Decimal(5))],
            status="PAID",
        )
    contact.status = "ARCHIVED"
    contact.updated_at = at_office_hours(today - timedelta(days=30 * 14), ledger.rng)


def _payroll_bureau(today: date, rng: random.Random) -> Organisation:
    org = _organisation(
        BUREAU_TENANT_ID,
        "Engager Demo Payroll Bureau Ltd",
        "!PayB7",
        today,
        registration_number="12960474",
        tax_number="GB 391 2284 07",
        line_of_business="Payroll services",
        address={"AddressLine1": "3 Bridge Street", "City": "York", "PostalCode": "YO1 6DD", "Country": "GB"},
        sales_terms_days=14,
    )
    ledger = SeedLedger(org, rng, today)
    created = datetime.combine(today - timedelta(days=400), datetime.min.time(), tzinfo=UTC)
    for name in BUREAU_CLIENTS:
        contact = _contact(org, name, created, email_address=f"payroll@{name.split()[0].lower()}.co.uk")
        employees = Decimal(rng.randint(3, 25))
        for month in _month_starts(today)[-12:]:
            on = month + timedelta(days=24)
            if on <= today:
                ledger.invoice(
                    contact, on, [_item_line(ledger, "PAYROLL", employees)], reference=f"Payroll {on:%B %Y}"
                )
    ledger.finish()
    return org


def _item_line(ledger, code: str, quantity: Decimal = Decimal(1), *, unit_amount=None, discount=None) -> Line:
    item = ledger.org.item(code)
    return Line(
        item.description,
        quantity,
        unit_amount if unit_amount is not None else item.unit_price,
        item.account_code,
        item.tax_type,
        item_code=item.code,
        discount_rate=discount,
    )


def _month_starts(today: date) -> list[date]:
    start = today - timedelta(days=HISTORY_DAYS)
    month = date(start.year, start.month, 1)
    months = []
    while month <= today:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months
