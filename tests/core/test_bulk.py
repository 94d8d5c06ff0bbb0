"""core.bulk.bulk_upsert: COPY + INSERT … SELECT on PostgreSQL, INSERT … VALUES on SQLite; both must
store every value exactly and update only what they are told to."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction

from core.bulk import bulk_upsert, relax_commit_durability
from core.models import Practice
from invoicing.models import Invoice

pytestmark = pytest.mark.django_db(transaction=True)

AWKWARD = [
    "tab\there", "new\nline", "carriage\rreturn", "back\\slash", "\\N", "quote ' and \" both",
    "tab-escaped \\t literally", "émoji 🧾 £", "", "comma, semicolon; pipe |",
]  # fmt: skip
UNIQUE = ["practice", "tenant_id", "invoice_id"]
UPDATE = ["number", "reference", "status", "total", "lines", "updated_at_xero", "date"]


def row(practice, n, **overrides):
    return {
        "practice_id": practice.pk,
        "tenant_id": "tenant",
        "invoice_id": f"inv-{n}",
        "number": f"INV-{n}",
        "reference": AWKWARD[n % len(AWKWARD)],
        "contact_name": AWKWARD[(n + 3) % len(AWKWARD)],
        "status": "AUTHORISED",
        "date": dt.date(2026, 1, 1) + dt.timedelta(days=n),
        "due_date": None,
        "total": Decimal("1234567890.12") if n == 0 else Decimal(n) / 4,
        "amount_due": Decimal("0.01"),
        "updated_at_xero": dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC),
        "lines": [{"description": AWKWARD[n % len(AWKWARD)], "quantity": "1.0000", "nested": {"k": "\\"}}],
        **overrides,
    }


@pytest.fixture
def practice():
    return Practice.objects.create(name="Bulk & Co")


def test_inserts_every_value_exactly_in_batches(practice):
    rows = [row(practice, n) for n in range(23)]
    assert bulk_upsert(Invoice, rows, unique_fields=UNIQUE, update_fields=UPDATE, batch_size=5) == 23
    stored = {i.invoice_id: i for i in Invoice.objects.filter(practice=practice)}
    assert len(stored) == 23
    for expected in rows:
        invoice = stored[expected["invoice_id"]]
        assert invoice.reference == expected["reference"]
        assert invoice.contact_name == expected["contact_name"]
        assert invoice.lines == expected["lines"]
        assert invoice.total == expected["total"] and invoice.amount_due == Decimal("0.01")
        assert invoice.date == expected["date"] and invoice.due_date is None
        assert invoice.updated_at_xero == expected["updated_at_xero"]
        # Columns not given take the model's defaults.
        assert invoice.amount_paid == 0 and invoice.online_invoice_url == "" and invoice.client_id is None
        assert invoice.synced_at is not None


def test_updates_only_the_fields_named_and_keeps_the_rest(practice):
    bulk_upsert(Invoice, [row(practice, 1)], unique_fields=UNIQUE, update_fields=UPDATE)
    Invoice.objects.filter(invoice_id="inv-1").update(
        online_invoice_url="https://in.xero.com/x", amount_due=5
    )
    changed = row(practice, 1, status="PAID", reference="new\tref", amount_due=Decimal("0"), lines=[])
    bulk_upsert(Invoice, [changed, row(practice, 2)], unique_fields=UNIQUE, update_fields=UPDATE)
    invoice = Invoice.objects.get(invoice_id="inv-1")
    assert invoice.status == "PAID" and invoice.reference == "new\tref" and invoice.lines == []
    # Not in update_fields: left as they were.
    assert invoice.online_invoice_url == "https://in.xero.com/x" and invoice.amount_due == 5
    assert Invoice.objects.filter(practice=practice).count() == 2


def test_two_upserts_in_one_transaction_do_not_replay_the_first(practice):
    """The staging table is per connection and emptied only at commit: each call must empty it."""
    with transaction.atomic():
        bulk_upsert(Invoice, [row(practice, 1)], unique_fields=UNIQUE, update_fields=UPDATE)
        Invoice.objects.filter(invoice_id="inv-1").update(status="VOIDED")
        bulk_upsert(Invoice, [row(practice, 2)], unique_fields=UNIQUE, update_fields=UPDATE)
    assert Invoice.objects.get(invoice_id="inv-1").status == "VOIDED"
    assert Invoice.objects.filter(practice=practice).count() == 2


def test_refuses_fields_the_model_does_not_have(practice):
    with pytest.raises(ValueError, match="no field"):
        bulk_upsert(Invoice, [row(practice, 1)], unique_fields=UNIQUE, update_fields=["colour"])


def test_relaxed_durability_is_for_the_one_transaction_only():
    if connection.vendor != "postgresql":
        relax_commit_durability()  # a no-op elsewhere
        return

    def setting():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    assert setting() == "on"
    with transaction.atomic():
        relax_commit_durability()
        assert setting() == "off"
    assert setting() == "on"
    relax_commit_durability()  # outside a transaction: does nothing (SET LOCAL would only warn)
    assert setting() == "on"
