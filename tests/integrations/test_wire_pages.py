"""Invoice and credit-note pages are read as JSON (integrations.xero.wire), not through the SDK's
models: the result must be exactly what the SDK path gives, and a page we cannot read must fail
the sync with a reason, never half-write it."""

import datetime as dt
from decimal import Decimal

import pytest

from integrations.models import XeroSyncRun
from integrations.services import xero_client_for
from integrations.xero import mappers, wire
from integrations.xero.errors import XeroError
from invoicing.models import Invoice

pytestmark = pytest.mark.django_db


def sdk_pages(client, operation, collection, mapper, **kwargs):
    """The SDK's way (models, then mappers): what the app did before reading JSON itself."""
    page, items = 1, []
    while True:
        result = client._call(operation, client.tenant_id, page=page, page_size=100, **kwargs)
        rows = getattr(result, collection) or []
        items += [mapper(row) for row in rows]
        if len(rows) < 100:
            return items
        page += 1


def wire_pages(fetch):
    page, items = 1, []
    while True:
        result = fetch(page=page, page_size=100)
        items += result.items
        if result.is_last:
            return items
        page += 1


def test_wire_pages_equal_the_sdk_on_every_invoice_and_credit_note(connect, xero_sandbox):
    connection = connect()
    client = xero_client_for(connection=connection)

    by_sdk = sdk_pages(
        client, client.accounting.get_invoices, "invoices", mappers.invoice,
        where='Type=="ACCREC"', order="UpdatedDateUTC ASC",
    )  # fmt: skip
    by_wire = wire_pages(client.invoices_page)
    assert len(by_wire) == len(by_sdk) > 10
    assert by_wire == by_sdk  # every field of every invoice, lines included
    assert any(i.fully_paid_on for i in by_wire) and any(i.status == "VOIDED" for i in by_wire)
    assert all(isinstance(i.total, Decimal) and i.updated_at.tzinfo for i in by_wire)

    by_sdk = sdk_pages(
        client, client.accounting.get_credit_notes, "credit_notes", mappers.credit_note,
        where='Type=="ACCRECCREDIT"', order="UpdatedDateUTC ASC",
    )  # fmt: skip
    by_wire = wire_pages(client.credit_notes_page)
    assert len(by_wire) == len(by_sdk) > 1
    assert by_wire == by_sdk
    assert any(c.allocations for c in by_wire)

    one = by_wire[0]
    assert client.credit_note_get(one.credit_note_id).total == one.total  # by id: still the SDK


def test_wire_reads_xero_dates_and_amounts_exactly():
    assert wire.instant("/Date(1539993600000+0000)/") == dt.datetime(2018, 10, 20, tzinfo=dt.UTC)
    assert wire.instant("/Date(1539993600123+1300)/") == dt.datetime(
        2018, 10, 20, 0, 0, 0, 123000, tzinfo=dt.UTC
    )
    assert wire.calendar_date("/Date(1539993600000+0000)/") == dt.date(2018, 10, 20)
    assert wire.calendar_date("2018-10-20T00:00:00") == dt.date(2018, 10, 20)
    assert wire.instant(None) is None and wire.calendar_date("") is None
    assert wire.money(Decimal("0.10")) == Decimal("0.10") and wire.money(7) == Decimal(7)
    assert wire.money(None) == 0 and wire.optional_money(None) is None
    line = wire.line_item({"Description": "Fee\x00s \ud800", "Quantity": Decimal("1.0000"), "LineAmount": 5})
    assert line.description == "Fees " and line.quantity == Decimal("1.0000") and line.tax_amount == 0


@pytest.mark.parametrize(
    "payload",
    [
        {"InvoiceID": "a", "Total": "lots"},
        {"InvoiceID": "a", "Total": True},
        {"InvoiceID": "a", "Total": Decimal("NaN")},
        {"InvoiceID": "a", "Date": "yesterday"},
        {"InvoiceID": "a", "Date": 1539993600000},
        {"InvoiceID": "a", "UpdatedDateUTC": "/Date(99999999999999999999)/"},
        {"InvoiceID": "a", "Contact": "someone"},
        {"InvoiceID": "a", "LineItems": {"Description": "not a list"}},
        {"InvoiceID": "a", "LineItems": ["not an object"]},
        {"InvoiceID": {"nested": 1}},
        "not an object",
    ],
)
def test_wire_refuses_what_xero_would_never_send(payload):
    with pytest.raises(XeroError) as caught:
        wire.invoice(payload)
    assert "could not read" in caught.value.message


def test_wire_refuses_an_answer_that_is_not_a_page():
    for body in (["not", "an", "object"], {"Invoices": "none"}):
        with pytest.raises(XeroError):
            wire.records(body, "Invoices")
    assert wire.records({"Invoices": None}, "Invoices") == []
    assert wire.page_count({"pagination": {"pageCount": 3}}) == 3
    assert wire.page_count({"pagination": {"pageCount": "3"}}) is None and wire.page_count({}) is None


def test_an_unreadable_page_fails_the_sync_with_a_reason_and_writes_nothing(
    connect, xero_sandbox, owner_client, django_capture_on_commit_callbacks
):
    connection = connect()
    before = Invoice.objects.filter(tenant_id=connection.tenant_id).count()
    assert before
    good = {"Type": "ACCREC", "InvoiceID": "11111111-1111-1111-1111-111111111111", "Status": "AUTHORISED",
            "Total": 10, "UpdatedDateUTC": "/Date(1893456000000+0000)/"}  # fmt: skip
    bad = {**good, "InvoiceID": "22222222-2222-2222-2222-222222222222", "AmountDue": "a lot"}
    xero_sandbox.inject_fault(
        path="/Invoices$", method="GET", status=200, body={"Invoices": [good, bad]}, count=1
    )

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/settings/integrations/xero/sync/")
    run = XeroSyncRun.objects.order_by("-created_at").first()
    assert run.status in (XeroSyncRun.Status.FAILED, XeroSyncRun.Status.WAITING), run.message
    assert "could not read" in run.message and "AmountDue" in run.message
    # The page is written whole or not at all: the good invoice of the bad page is not there.
    assert not Invoice.objects.filter(invoice_id=good["InvoiceID"]).exists()
    assert Invoice.objects.filter(tenant_id=connection.tenant_id).count() == before
    page = owner_client.get("/settings/integrations/xero/")
    assert page.status_code == 200
    xero_sandbox.clear_faults()
