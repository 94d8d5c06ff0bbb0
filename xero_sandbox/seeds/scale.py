"""A deterministic large organisation for benchmarks: thousands of contacts, 100,000+ invoices.

Builds in seconds: amounts come from a small pool of precomputed lines, so each invoice is only
object construction.
"""

import random
import uuid
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from ..books.totals import line_amount, line_tax
from ..clock import clock
from ..records import Allocation, Contact, CreditNote, Invoice, LineItem, Organisation, Payment
from .chart import furnish_uk_organisation, stable_id

FIRST = (
    "North",
    "South",
    "Bright",
    "Silver",
    "Oak",
    "Harbour",
    "Copper",
    "Meadow",
    "Granite",
    "River",
    "Kings",
    "Elm",
)
SECOND = (
    "Widgets",
    "Plumbing",
    "Bakery",
    "Logistics",
    "Dental",
    "Joinery",
    "Software",
    "Interiors",
    "Farm",
    "Print",
)
SUFFIX = ("Ltd", "Limited", "LLP", "& Co", "Services Ltd", "Group Ltd")
STATUS_WEIGHTS = (("PAID", 62), ("AUTHORISED", 24), ("PART", 6), ("DRAFT", 4), ("VOIDED", 2), ("DELETED", 2))
HISTORY_DAYS = 730
# One sales credit note for every this many invoices (2,000 for 100,000).
INVOICES_PER_CREDIT_NOTE = 50


def short_code_for(tenant_id: str) -> str:
    """A ShortCode like Xero's ("!" and five letters or digits), stable for the tenant."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    value = uuid.UUID(tenant_id).int
    letters = []
    for _ in range(5):
        value, index = divmod(value, len(alphabet))
        letters.append(alphabet[index])
    return "!" + "".join(letters)


def seed_scale(
    world, *, contacts: int = 10_000, invoices: int = 100_000, seed: int = 1, name: str = ""
) -> Organisation:
    rng = random.Random(seed)
    today = clock.today_in("GMTSTANDARDTIME")
    label = name or f"Scale Test Practice {seed} Ltd"
    tenant_id = stable_id("org", "scale", label)
    created = datetime.combine(today - timedelta(days=HISTORY_DAYS + 1), time(), tzinfo=UTC)
    org = Organisation(
        tenant_id=tenant_id,
        name=label,
        legal_name=label,
        short_code=short_code_for(tenant_id),
        created_at=created,
    )
    furnish_uk_organisation(org, created)

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    people = []
    for number in range(1, contacts + 1):
        contact_name = f"{rng.choice(FIRST)} {rng.choice(SECOND)} {number:05d} {rng.choice(SUFFIX)}"
        contact = Contact(
            contact_id=new_id(),
            name=contact_name,
            updated_at=created + timedelta(minutes=number),
            email_address=f"accounts{number}@example-client.co.uk",
            company_number=f"{rng.randint(1, 15_999_999):08d}",
        )
        org.contacts[contact.contact_id] = contact
        people.append(contact)

    rates = {rate.tax_type: rate.rate for rate in org.tax_rates}
    price_points = [Decimal(price) for price in range(45, 3000, 35)]
    pool = []
    for unit in price_points:
        amount = line_amount(Decimal(1), unit, None)
        pool.append((unit, amount, line_tax(amount, rates["OUTPUT2"], "Exclusive")))
    statuses = [status for status, weight in STATUS_WEIGHTS for _ in range(weight)]

    start = today - timedelta(days=HISTORY_DAYS)
    now = clock.now()
    invoice_dates = sorted(
        start + timedelta(days=rng.randrange(HISTORY_DAYS)) for _ in range(invoices if people else 0)
    )
    for number, on in enumerate(invoice_dates, start=1):
        contact = people[rng.randrange(len(people))]
        unit, amount, tax = pool[rng.randrange(len(pool))]
        status = rng.choice(statuses)
        invoice = Invoice(
            invoice_id=new_id(),
            type="ACCREC",
            contact_id=contact.contact_id,
            status="AUTHORISED" if status == "PART" else status,
            date=on,
            due_date=on + timedelta(days=30),
            line_amount_types="Exclusive",
            currency_code="GBP",
            updated_at=min(datetime.combine(on, time(10), tzinfo=UTC), now),
            invoice_number=f"INV-{number:06d}",
            reference=f"Fees {on:%b %Y}",
            line_items=[
                LineItem(
                    new_id(), "Professional services", Decimal(1), unit, None, "200", "OUTPUT2", tax, amount
                )
            ],
            sub_total=amount,
            total_tax=tax,
            total=amount + tax,
        )
        if status in ("PAID", "PART"):
            paid = invoice.total if status == "PAID" else (invoice.total / 2).quantize(Decimal("0.01"))
            paid_on = min(on + timedelta(days=rng.randint(5, 45)), today)
            invoice.updated_at = min(datetime.combine(paid_on, time(11), tzinfo=UTC), now)
            invoice.payments.append(Payment(new_id(), paid_on, paid, "BACS", invoice.updated_at))
            invoice.amount_paid = paid
            if status == "PAID":
                invoice.fully_paid_on = paid_on
        org.add_invoice(invoice)
        contact.is_customer = True
    org.next_invoice_number = invoices + 1
    _credit_notes(
        org, random.Random(f"credit-notes-{seed}"), invoices // INVOICES_PER_CREDIT_NOTE, today, now
    )
    world.orgs[org.tenant_id] = org
    return org


def _credit_notes(org: Organisation, rng: random.Random, count: int, today, now) -> None:
    """Credit notes against open invoices (their own random stream, so the invoices do not change):
    half allocated to the invoice (up to what it owes), the rest left as unallocated credit."""
    open_invoices = [invoice for invoice in org.invoices.values() if invoice.status == "AUTHORISED"]
    if not open_invoices:
        return

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    rate = Decimal(20)
    picks = sorted(
        rng.sample(open_invoices, min(count, len(open_invoices))), key=lambda invoice: invoice.date
    )
    for number, invoice in enumerate(picks, start=1):
        on = min(invoice.date + timedelta(days=rng.randint(1, 20)), today)
        amount = Decimal(rng.randrange(20, 400, 5))
        tax = line_tax(amount, rate, "Exclusive")
        updated = min(datetime.combine(on, time(12), tzinfo=UTC), now)
        note = CreditNote(
            credit_note_id=new_id(),
            type="ACCRECCREDIT",
            contact_id=invoice.contact_id,
            status="AUTHORISED",
            date=on,
            line_amount_types="Exclusive",
            currency_code="GBP",
            updated_at=updated,
            credit_note_number=f"CN-{number:06d}",
            reference=f"Credit {invoice.invoice_number}",
            line_items=[
                LineItem(new_id(), "Fee adjustment", Decimal(1), amount, None, "200", "OUTPUT2", tax, amount)
            ],
            sub_total=amount,
            total_tax=tax,
            total=amount + tax,
            sent_to_contact=True,
        )
        if number % 2:
            applied = min(note.total, invoice.amount_due)
            note.allocations.append(Allocation(new_id(), invoice.invoice_id, applied, on, updated))
            invoice.amount_credited += applied
            invoice.credit_note_ids.append(note.credit_note_id)
            invoice.updated_at = max(invoice.updated_at, updated)
            if invoice.amount_due == 0:
                invoice.status, invoice.fully_paid_on = "PAID", on
            if note.remaining_credit == 0:
                note.status, note.fully_paid_on = "PAID", on
        org.add_credit_note(note)
    org.next_credit_note_number = len(picks) + 1
