"""The invoice and credit-note mirror: full then incremental sync, changes made in Xero, failures."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from integrations.models import XeroConnection, XeroSyncMark, XeroSyncRun
from integrations.tasks import sync_xero
from integrations.xero.client import XeroClient
from invoicing.models import CreditNote, CreditNoteAllocation, Invoice

pytestmark = pytest.mark.django_db


def calls_to(sandbox, resource, since=0):
    return [
        c for c in sandbox.calls(area="accounting", since=since) if c["path"].lower().endswith(f"/{resource}")
    ]


def sync_now(owner_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/settings/integrations/xero/sync/")
    return XeroSyncRun.objects.order_by("-created_at").first()


def last_seq(sandbox):
    calls = sandbox.calls()
    return calls[-1]["seq"] if calls else 0


@pytest.fixture
def scale_org(xero_sandbox):
    """2,500 sales invoices (three pages of 1,000) for 300 contacts."""
    return xero_sandbox.seed_scale(contacts=300, invoices=2500, name="Big Practice Ltd")


def test_full_then_incremental_invoice_sync(connect, xero_sandbox, scale_org, owner_client,
                                            django_capture_on_commit_callbacks):  # fmt: skip
    xero_sandbox.clear_calls()
    connect(tenants=[scale_org])
    calls = calls_to(xero_sandbox, "invoices")
    in_xero = [i for i in xero_sandbox.invoices(scale_org) if i["Type"] == "ACCREC"]
    assert len(calls) == -(-len(in_xero) // 1000)  # one call per page of 1,000
    assert all("pageSize=1000" in c["query"] for c in calls)
    assert Invoice.objects.filter(tenant_id=scale_org).count() == len(in_xero)
    assert XeroSyncMark.objects.get(kind="invoices", tenant_id=scale_org).modified_since
    sample = Invoice.objects.filter(tenant_id=scale_org).exclude(lines=[]).first()
    assert sample is not None and sample.lines[0]["line_amount"] is not None
    run = XeroSyncRun.objects.order_by("-created_at").first()
    assert run.status == XeroSyncRun.Status.SUCCEEDED and run.counts["invoices"] == len(in_xero)

    # Nothing changed: one call per resource.
    seq = last_seq(xero_sandbox)
    run = sync_now(owner_client, django_capture_on_commit_callbacks)
    assert run.status == XeroSyncRun.Status.SUCCEEDED, run.message
    assert len(calls_to(xero_sandbox, "contacts", since=seq)) == 1
    assert len(calls_to(xero_sandbox, "invoices", since=seq)) == 1
    assert len(calls_to(xero_sandbox, "creditnotes", since=seq)) <= 1
    assert run.counts.get("invoices") == 0 and "already up to date" in run.message

    # Two invoices changed in Xero: one call, and just those two count as changes.
    open_invoices = [i for i in in_xero if i["Status"] == "AUTHORISED" and Decimal(str(i["AmountDue"])) > 0]
    paid, voided = open_invoices[0], open_invoices[1]
    xero_sandbox.pay_invoice(paid["InvoiceID"], tenant_id=scale_org)
    xero_sandbox.void_invoice(voided["InvoiceID"], tenant_id=scale_org) if not Decimal(
        str(voided["AmountPaid"])
    ) else None
    seq = last_seq(xero_sandbox)
    run = sync_now(owner_client, django_capture_on_commit_callbacks)
    assert len(calls_to(xero_sandbox, "invoices", since=seq)) == 1
    assert Invoice.objects.get(invoice_id=paid["InvoiceID"]).status == "PAID"
    assert Invoice.objects.get(invoice_id=paid["InvoiceID"]).amount_due == 0
    assert run.counts["invoices"] >= 1


def api_write(sandbox, connection, method, path, payload):
    """Act "in Xero" through its Accounting API (for what the control API has no shortcut for)."""
    from integrations.services import xero_access_token

    response = sandbox.http.request(
        method,
        f"{sandbox.accounting_url}/{path}",
        json=payload,
        headers={
            "Authorization": f"Bearer {xero_access_token(connection=connection)}",
            "xero-tenant-id": connection.tenant_id,
            "Accept": "application/json",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


def open_invoices(sandbox, count):
    """The newest open invoices (older ones may be behind the organisation's lock date)."""
    found = [
        i
        for i in sandbox.invoices()
        if i["Type"] == "ACCREC" and i["Status"] == "AUTHORISED" and Decimal(str(i["AmountPaid"])) == 0
        and Decimal(str(i["AmountCredited"])) == 0
    ]  # fmt: skip
    return sorted(found, key=lambda i: i["DateString"], reverse=True)[:count]


def test_paid_part_paid_voided_edited_and_credited_in_xero_show_after_a_sync(
    connect, xero_sandbox, owner_client, django_capture_on_commit_callbacks
):
    connection = connect()
    paid, part_paid, credited, edited = open_invoices(xero_sandbox, 4)
    xero_sandbox.pay_invoice(paid["InvoiceID"])
    xero_sandbox.pay_invoice(part_paid["InvoiceID"], "10.00")
    xero_sandbox.update_invoice(edited["InvoiceID"], {"Reference": "Edited in Xero"})
    voidable = open_invoices(xero_sandbox, 5)[4]
    xero_sandbox.void_invoice(voidable["InvoiceID"])
    note = api_write(xero_sandbox, connection, "PUT", "CreditNotes", {"CreditNotes": [{
        "Type": "ACCRECCREDIT", "Contact": {"ContactID": credited["Contact"]["ContactID"]}, "Status": "AUTHORISED",
        "LineAmountTypes": "Inclusive",
        "LineItems": [{"Description": "Goodwill", "Quantity": 1, "UnitAmount": 12.5, "AccountCode": "200"}],
    }]})["CreditNotes"][0]  # fmt: skip
    api_write(xero_sandbox, connection, "PUT", f"CreditNotes/{note['CreditNoteID']}/Allocations", {
        "Allocations": [{"Invoice": {"InvoiceID": credited["InvoiceID"]}, "Amount": 12.5,
                         "Date": timezone.localdate().isoformat()}],
    })  # fmt: skip

    run = sync_now(owner_client, django_capture_on_commit_callbacks)

    assert run.status == XeroSyncRun.Status.SUCCEEDED, run.message
    mirror = {i.invoice_id: i for i in Invoice.objects.all()}
    assert mirror[paid["InvoiceID"]].status == "PAID" and mirror[paid["InvoiceID"]].amount_due == 0
    assert mirror[paid["InvoiceID"]].fully_paid_on is not None
    part = mirror[part_paid["InvoiceID"]]
    assert part.status == "AUTHORISED" and part.amount_paid == Decimal("10.00")
    assert part.amount_due == Decimal(str(part_paid["Total"])) - Decimal("10.00")
    assert mirror[voidable["InvoiceID"]].status == "VOIDED"
    assert mirror[edited["InvoiceID"]].reference == "Edited in Xero"
    assert mirror[credited["InvoiceID"]].amount_credited == Decimal("12.50")
    assert mirror[credited["InvoiceID"]].amount_due == Decimal(str(credited["Total"])) - Decimal("12.50")
    mirrored_note = CreditNote.objects.get(credit_note_id=note["CreditNoteID"])
    assert mirrored_note.total == Decimal("12.50") and mirrored_note.remaining_credit == 0
    allocation = mirrored_note.allocations.get()
    assert allocation.invoice == mirror[credited["InvoiceID"]] and allocation.amount == Decimal("12.50")
    assert run.counts["invoices"] >= 5 and run.counts["credit_notes"] >= 1


def test_the_demo_credit_notes_and_allocations_are_mirrored(connect, xero_sandbox):
    connection = connect()
    notes = CreditNote.objects.filter(tenant_id=connection.tenant_id)
    assert notes.count() >= 5
    assert {"AUTHORISED", "PAID", "VOIDED", "DRAFT"} <= set(notes.values_list("status", flat=True))
    allocations = CreditNoteAllocation.objects.filter(credit_note__tenant_id=connection.tenant_id)
    assert allocations.count() >= 3 and not allocations.filter(invoice__isnull=True).exists()
    for allocation in allocations:
        assert allocation.invoice.amount_credited >= allocation.amount
    part = notes.get(remaining_credit=Decimal("90.00"))
    assert part.total == Decimal("150.00")
    # Linked clients get their credit notes, as their invoices.
    assert not Invoice.objects.filter(contact__client_link__isnull=False, client__isnull=True).exists()


def test_a_429_in_the_middle_of_the_invoices_waits_and_loses_nothing(
    connect, xero_sandbox, scale_org, owner_client, htmx, django_capture_on_commit_callbacks
):
    connection = connect(tenants=[scale_org])
    Invoice.objects.all().delete()
    XeroSyncMark.objects.all().delete()
    XeroConnection.objects.filter(pk=connection.pk).update(contacts_modified_since=timezone.now())
    run = XeroSyncRun.objects.create(practice=connection.practice)
    real_page = XeroClient.invoices_page

    def page_then_throttle(self, *, page=1, **kwargs):
        result = real_page(self, page=page, **kwargs)
        if page == 1:
            xero_sandbox.inject_fault(
                status=429, path="/Invoices", retry_after=41, rate_limit_problem="minute"
            )
        return result

    with mock.patch.object(XeroClient, "invoices_page", page_then_throttle):
        assert sync_xero.apply(args=[run.pk]).get() == "waiting"
    run.refresh_from_db()
    assert run.status == XeroSyncRun.Status.WAITING and "slow down" in run.message
    assert run.step == "invoices" and run.next_page == 2 and run.counts["invoices"] == 1000
    assert Invoice.objects.count() == 1000

    XeroSyncRun.objects.filter(pk=run.pk).update(retry_at=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.get(run.get_absolute_url(), **htmx)
    run.refresh_from_db()
    in_xero = sum(1 for i in xero_sandbox.invoices(scale_org) if i["Type"] == "ACCREC")
    assert run.status == XeroSyncRun.Status.SUCCEEDED, run.message
    assert Invoice.objects.count() == in_xero and run.counts["invoices"] == in_xero


def test_a_503_on_invoices_retries_and_the_status_shows_it(
    connect, xero_sandbox, owner_client, django_capture_on_commit_callbacks
):
    connection = connect()
    xero_sandbox.inject_fault(status=503, path="/Invoices", count=None)
    run = sync_now(owner_client, django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.status == XeroSyncRun.Status.WAITING and "not answering" in run.message
    assert run.step == "invoices" and run.retries == 1
    page = owner_client.get("/settings/integrations/xero/").content.decode()
    assert "not answering" in page

    xero_sandbox.clear_faults()
    XeroSyncRun.objects.filter(pk=run.pk).update(retry_at=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.get(run.get_absolute_url(), HTTP_HX_REQUEST="true")
    run.refresh_from_db()
    assert run.status == XeroSyncRun.Status.SUCCEEDED
    assert Invoice.objects.filter(tenant_id=connection.tenant_id).exists()


def test_the_daily_limit_is_shown_as_such_and_resumes_after_the_reset(
    connect, xero_sandbox, owner_client, django_capture_on_commit_callbacks
):
    connect()
    xero_sandbox.inject_fault(status=429, path="/Invoices", retry_after=5 * 3600, rate_limit_problem="day")
    run = sync_now(owner_client, django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.status == XeroSyncRun.Status.WAITING
    assert run.message.startswith("Xero's daily limit reached; resuming after ")
    assert run.retry_at >= timezone.now() + dt.timedelta(hours=4)


def test_the_card_shows_counts_per_kind_last_sync_and_last_error(
    connect, xero_sandbox, owner_client, django_capture_on_commit_callbacks
):
    connection = connect()
    page = owner_client.get("/settings/integrations/xero/").content.decode()
    invoices = Invoice.objects.filter(tenant_id=connection.tenant_id).count()
    notes = CreditNote.objects.filter(tenant_id=connection.tenant_id).count()
    assert f"<dt>Xero invoices</dt><dd>{invoices}</dd>" in page
    assert f"<dt>Xero credit notes</dt><dd>{notes}</dd>" in page
    assert "Last successful sync" in page and "No events received yet" in page
    assert "Last error" not in page

    from integrations.services import xero_sync_fail

    run = XeroSyncRun.objects.create(practice=connection.practice)
    xero_sync_fail(run=run, message="Xero said no to <b>this</b>.")
    page = owner_client.get("/settings/integrations/xero/").content.decode()
    assert "Last error" in page and "Xero said no to &lt;b&gt;this&lt;/b&gt;." in page


def test_text_from_xero_is_cleaned_and_bounded(practice):
    from integrations.xero.types import XeroInvoiceData, XeroLineItemData
    from invoicing.services.mirror import invoices_upsert

    nasty = XeroInvoiceData(
        invoice_id="7d1c4b2e-0000-4000-8000-000000000001", type="ACCREC", status="AUTHORISED",
        number="INV-\x00001", reference="<script>alert(1)</script>" + "x" * 400,
        contact_name="Evil <b>Ltd</b>", updated_at=timezone.now(),
        lines=(XeroLineItemData(description="Line\x00 one", line_amount=Decimal("1.00")),),
    )  # fmt: skip
    # The Xero layer drops NUL; a value built by hand still must not break the database.
    from integrations.xero import mappers

    assert mappers.text("INV-\x00001") == "INV-001"
    invoices_upsert(practice=practice, tenant_id="t", invoices=[nasty])
    row = Invoice.objects.get()
    assert len(row.reference) == 255 and row.contact_name == "Evil <b>Ltd</b>"
    assert row.number == "INV-001" and row.lines[0]["description"] == "Line one"


def test_out_of_order_data_never_overwrites_newer(practice):
    from integrations.xero.types import XeroInvoiceData
    from invoicing.services.mirror import invoices_upsert

    now = timezone.now()
    newer = XeroInvoiceData(invoice_id="i-1", type="ACCREC", status="PAID", updated_at=now)
    older = XeroInvoiceData(
        invoice_id="i-1", type="ACCREC", status="AUTHORISED", updated_at=now - dt.timedelta(1)
    )
    invoices_upsert(practice=practice, tenant_id="t", invoices=[newer])
    invoices_upsert(practice=practice, tenant_id="t", invoices=[older])
    assert Invoice.objects.get().status == "PAID"
    # Bills are not mirrored.
    invoices_upsert(practice=practice, tenant_id="t", invoices=[XeroInvoiceData(invoice_id="b", type="ACCPAY",
                                                                                status="AUTHORISED")])  # fmt: skip
    assert Invoice.objects.count() == 1


def test_linking_and_unlinking_a_contact_carries_its_invoices(connect, xero_sandbox, practice):
    from integrations.models import XeroContactLink
    from tests.factories import CompanyFactory

    connect()
    invoice = Invoice.objects.filter(client__isnull=True, contact__isnull=False).first()
    contact = invoice.contact
    client = CompanyFactory(practice=practice)
    link = XeroContactLink.objects.create(practice=practice, client=client, contact=contact)
    assert set(Invoice.objects.filter(contact=contact).values_list("client", flat=True)) == {client.pk}
    link.delete()
    assert set(Invoice.objects.filter(contact=contact).values_list("client", flat=True)) == {None}


def test_other_practices_never_get_each_others_invoices(connect, xero_sandbox, practice, other_practice):
    from integrations.xero.types import XeroInvoiceData
    from invoicing.services.mirror import invoices_upsert

    connection = connect()
    theirs = Invoice.objects.filter(practice=practice).first()
    invoices_upsert(
        practice=other_practice, tenant_id=connection.tenant_id,
        invoices=[XeroInvoiceData(invoice_id=theirs.invoice_id, type="ACCREC", status="VOIDED",
                                  contact_id=theirs.xero_contact_id, updated_at=timezone.now())],
    )  # fmt: skip
    theirs.refresh_from_db()
    assert theirs.status != "VOIDED" and theirs.client_id is None or theirs.practice_id == practice.pk
    other = Invoice.objects.get(practice=other_practice)
    assert other.contact_id is None and other.client_id is None  # never another practice's contact
