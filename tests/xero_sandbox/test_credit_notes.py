"""Xero's sales credit notes in the sandbox: the API (through the unpatched SDK and raw HTTP),
allocations and their effect on invoices, balances and aged receivables, lock dates, idempotency,
paging and If-Modified-Since, the "in Xero" actions and the demo seed."""

import datetime as dt
from decimal import Decimal

import pytest
import requests
from xero_python.accounting import (
    Allocation,
    Allocations,
    Contact,
    CreditNote,
    CreditNotes,
    Invoice,
    LineItem,
)
from xero_python.exceptions import AccountingBadRequestException, NotFoundException

from xero_sandbox.clock import clock


def acme(sdk, tenant):
    (contact,) = sdk.accounting.get_contacts(tenant, where='Name=="Acme Widgets Limited"').contacts
    return contact


def today() -> dt.date:
    return clock.today_in("GMTSTANDARDTIME")


def credit_note(contact_id, amount="100.00", *, status="AUTHORISED", on=None, **extra) -> dict:
    element = {
        "Type": "ACCRECCREDIT",
        "Contact": {"ContactID": contact_id},
        "Date": (on or today()).isoformat(),
        "Status": status,
        "LineAmountTypes": "NoTax",
        "LineItems": [{"Description": "Refund", "Quantity": 1, "UnitAmount": amount, "AccountCode": "200"}],
    }
    element.update(extra)
    return element


class Raw:
    def __init__(self, sandbox, token: str) -> None:
        self.sandbox, self.token = sandbox, token

    def __call__(self, method, resource, *, json=None, params=None, headers=None, expected=200):
        sent = {"Authorization": f"Bearer {self.token}", "xero-tenant-id": self.sandbox.demo_tenant_id}
        sent.update(headers or {})
        response = requests.request(
            method,
            f"{self.sandbox.accounting_url}/{resource}",
            json=json,
            params=params,
            headers=sent,
            timeout=30,
        )
        assert response.status_code == expected, response.text
        return (
            response.json() if response.headers["Content-Type"].startswith("application/json") else response
        )


@pytest.fixture
def raw(xero_sandbox) -> Raw:
    return Raw(xero_sandbox, xero_sandbox.connect()["access_token"])


def open_invoice(raw, contact_id, amount="240.00") -> dict:
    body = {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id},
        "Date": today().isoformat(),
        "DueDate": (today() + dt.timedelta(days=30)).isoformat(),
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "LineItems": [{"Description": "Fees", "Quantity": 1, "UnitAmount": amount, "AccountCode": "200"}],
    }
    return raw("PUT", "Invoices", json={"Invoices": [body]})["Invoices"][0]


class TestReadAndWrite:
    def test_create_read_and_number_through_the_sdk(self, sdk, tenant):
        contact = acme(sdk, tenant)
        note = CreditNote(
            type="ACCRECCREDIT",
            contact=Contact(contact_id=contact.contact_id),
            date=today(),
            line_items=[LineItem(description="Goodwill", quantity=1.0, unit_amount=20.0, account_code="200")],
        )
        (created,) = sdk.accounting.create_credit_notes(tenant, CreditNotes(credit_notes=[note])).credit_notes
        assert created.status == "DRAFT"
        assert created.credit_note_number.startswith("CN-")
        assert (created.sub_total, created.total_tax, created.total) == (
            Decimal("20.00"),
            Decimal("4.00"),
            Decimal("24.00"),
        )
        assert created.remaining_credit == Decimal("24.00")
        assert created.status_attribute_string == "OK"
        (by_id,) = sdk.accounting.get_credit_note(tenant, created.credit_note_id).credit_notes
        assert by_id.line_items[0].description == "Goodwill"
        assert by_id.contact.name == contact.name
        listed = sdk.accounting.get_credit_notes(
            tenant, where=f'CreditNoteNumber=="{created.credit_note_number}"'
        )
        assert [item.credit_note_id for item in listed.credit_notes] == [created.credit_note_id]

    def test_numbers_follow_on(self, raw, xero_sandbox):
        contact_id = xero_sandbox.contacts()[0]["ContactID"]
        first = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(contact_id, status="DRAFT")]})
        second = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(contact_id, status="DRAFT")]})
        numbers = [body["CreditNotes"][0]["CreditNoteNumber"] for body in (first, second)]
        assert int(numbers[1][3:]) == int(numbers[0][3:]) + 1
        again = credit_note(contact_id, status="DRAFT", CreditNoteNumber=numbers[0])
        error = raw("PUT", "CreditNotes", json={"CreditNotes": [again]}, expected=400)
        assert error["Elements"][0]["ValidationErrors"] == [{"Message": "Credit Note # must be unique."}]

    def test_unknown_credit_note_is_xeros_404(self, sdk, tenant):
        with pytest.raises(NotFoundException):
            sdk.accounting.get_credit_note(tenant, "00000000-0000-0000-0000-000000000001")


def contact_by_name(xero_sandbox, name: str) -> dict:
    return next(contact for contact in xero_sandbox.contacts() if contact["Name"] == name)


@pytest.fixture
def fresh_contact(raw) -> str:
    created = raw("PUT", "Contacts", json={"Contacts": [{"Name": "Credit Test Ltd"}]})
    return created["Contacts"][0]["ContactID"]


def receivable(raw, contact_id) -> dict:
    return raw("GET", f"Contacts/{contact_id}")["Contacts"][0]["Balances"]["AccountsReceivable"]


class TestAllocations:
    def test_allocating_through_the_sdk_moves_the_amounts(self, sdk, tenant, raw, fresh_contact):
        invoice = open_invoice(raw, fresh_contact, "240.00")
        (note,) = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, "100.00")]})[
            "CreditNotes"
        ]
        before = raw("GET", f"Invoices/{invoice['InvoiceID']}")["Invoices"][0]["UpdatedDateUTC"]
        clock.advance(5)
        allocation = Allocation(invoice=Invoice(invoice_id=invoice["InvoiceID"]), amount=60.0, date=today())
        (made,) = sdk.accounting.create_credit_note_allocation(
            tenant, note["CreditNoteID"], Allocations(allocations=[allocation])
        ).allocations
        assert made.amount == Decimal("60.00")
        assert made.invoice.invoice_id == invoice["InvoiceID"]
        assert made.credit_note.credit_note_id == note["CreditNoteID"]

        (after,) = sdk.accounting.get_invoice(tenant, invoice["InvoiceID"]).invoices
        assert (after.amount_credited, after.amount_due, after.status) == (
            Decimal("60.00"),
            Decimal("180.00"),
            "AUTHORISED",
        )
        (applied,) = after.credit_notes
        assert (applied.credit_note_id, applied.applied_amount) == (note["CreditNoteID"], Decimal("60.00"))
        assert raw("GET", f"Invoices/{invoice['InvoiceID']}")["Invoices"][0]["UpdatedDateUTC"] != before

        (credit,) = sdk.accounting.get_credit_note(tenant, note["CreditNoteID"]).credit_notes
        assert credit.remaining_credit == Decimal("40.00")
        assert [(item.invoice.invoice_id, item.amount) for item in credit.allocations] == [
            (invoice["InvoiceID"], Decimal("60.00"))
        ]
        # 180 still due on the invoice, less 40 of credit not yet allocated.
        assert receivable(raw, fresh_contact) == {"Outstanding": 140.0, "Overdue": 0.0}

    def test_allocating_everything_pays_the_invoice_and_uses_up_the_credit(self, raw, fresh_contact):
        invoice = open_invoice(raw, fresh_contact, "100.00")
        (note,) = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, "100.00")]})[
            "CreditNotes"
        ]
        body = {
            "Allocations": [
                {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 100, "Date": str(today())}
            ]
        }
        (made,) = raw("PUT", f"CreditNotes/{note['CreditNoteID']}/Allocations", json=body)["Allocations"]
        assert made["StatusAttributeString"] == "OK"
        paid = raw("GET", f"Invoices/{invoice['InvoiceID']}")["Invoices"][0]
        assert (paid["Status"], paid["AmountDue"], paid["AmountCredited"]) == ("PAID", 0.0, 100.0)
        assert "FullyPaidOnDate" in paid
        used = raw("GET", f"CreditNotes/{note['CreditNoteID']}")["CreditNotes"][0]
        assert (used["Status"], used["RemainingCredit"]) == ("PAID", 0.0)
        assert receivable(raw, fresh_contact) == {"Outstanding": 0.0, "Overdue": 0.0}
        # A credited invoice can no longer be voided; a used credit note can no longer be allocated.
        error = raw("POST", f"Invoices/{invoice['InvoiceID']}", json={"Status": "VOIDED"}, expected=400)
        assert error["Elements"][0]["ValidationErrors"][0]["Message"].startswith(
            "This document cannot be edited"
        )

    @pytest.mark.parametrize(
        ("amount", "message"),
        [
            (150, "Credit Note cannot be allocated as amount is greater than amount outstanding"),
            (0, "The Amount of the allocation must be greater than zero."),
        ],
    )
    def test_amount_limits(self, raw, fresh_contact, amount, message):
        invoice = open_invoice(raw, fresh_contact, "500.00")
        (note,) = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, "100.00")]})[
            "CreditNotes"
        ]
        body = {
            "Allocations": [
                {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": amount, "Date": str(today())}
            ]
        }
        error = raw("PUT", f"CreditNotes/{note['CreditNoteID']}/Allocations", json=body, expected=400)
        assert error["Elements"][0]["ValidationErrors"] == [{"Message": message}]

    def test_more_than_the_invoice_owes_is_refused(self, raw, fresh_contact):
        invoice = open_invoice(raw, fresh_contact, "30.00")
        (note,) = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, "100.00")]})[
            "CreditNotes"
        ]
        body = {
            "Allocations": [
                {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 31, "Date": str(today())}
            ]
        }
        error = raw("PUT", f"CreditNotes/{note['CreditNoteID']}/Allocations", json=body, expected=400)
        assert error["Elements"][0]["ValidationErrors"] == [
            {"Message": "Credit Note cannot be allocated as amount is greater than amount outstanding"}
        ]

    def test_invoice_must_be_approved_unpaid_and_the_same_contacts(self, raw, xero_sandbox, fresh_contact):
        (note,) = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, "100.00")]})[
            "CreditNotes"
        ]
        other = open_invoice(raw, xero_sandbox.contacts()[0]["ContactID"], "50.00")
        paid = open_invoice(raw, fresh_contact, "10.00")
        xero_sandbox.pay_invoice(paid["InvoiceID"])
        draft = raw(
            "PUT",
            "Invoices",
            json={
                "Type": "ACCREC",
                "Contact": {"ContactID": fresh_contact},
                "LineItems": [{"Description": "x", "UnitAmount": 5, "AccountCode": "200"}],
            },
        )["Invoices"][0]

        def refused(invoice_id) -> list[str]:
            body = {
                "Allocations": [{"Invoice": {"InvoiceID": invoice_id}, "Amount": 1, "Date": str(today())}]
            }
            error = raw("PUT", f"CreditNotes/{note['CreditNoteID']}/Allocations", json=body, expected=400)
            return [item["Message"] for item in error["Elements"][0]["ValidationErrors"]]

        assert refused(other["InvoiceID"]) == [
            "The credit note and the invoice must be for the same contact."
        ]
        assert refused(paid["InvoiceID"]) == [
            "The invoice you are trying to allocate to has already been paid off"
        ]
        assert refused(draft["InvoiceID"]) == [
            "Credit notes can only be allocated to approved (AUTHORISED) invoices."
        ]

    def test_a_draft_credit_note_cannot_be_allocated(self, raw, fresh_contact):
        invoice = open_invoice(raw, fresh_contact)
        (note,) = raw(
            "PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, status="DRAFT")]}
        )["CreditNotes"]
        body = {
            "Allocations": [
                {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 1, "Date": str(today())}
            ]
        }
        error = raw("PUT", f"CreditNotes/{note['CreditNoteID']}/Allocations", json=body, expected=400)
        assert error["Elements"][0]["ValidationErrors"] == [
            {"Message": "Only approved (AUTHORISED) credit notes can be allocated."}
        ]

    def test_an_allocated_credit_note_cannot_be_voided_or_edited(self, raw, fresh_contact):
        invoice = open_invoice(raw, fresh_contact)
        (note,) = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, "100.00")]})[
            "CreditNotes"
        ]
        body = {
            "Allocations": [
                {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 10, "Date": str(today())}
            ]
        }
        raw("PUT", f"CreditNotes/{note['CreditNoteID']}/Allocations", json=body)
        for change in ({"Status": "VOIDED"}, {"Reference": "changed"}):
            error = raw("POST", f"CreditNotes/{note['CreditNoteID']}", json=change, expected=400)
            assert error["Elements"][0]["ValidationErrors"] == [
                {
                    "Message": "This document cannot be edited as it has a payment or credit note allocated to it."
                }
            ]


class TestStatuses:
    def test_draft_to_authorised_to_voided(self, raw, fresh_contact):
        (note,) = raw(
            "PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, status="DRAFT")]}
        )["CreditNotes"]
        url = f"CreditNotes/{note['CreditNoteID']}"
        assert raw("POST", url, json={"Status": "SUBMITTED"})["CreditNotes"][0]["Status"] == "SUBMITTED"
        assert raw("POST", url, json={"Status": "AUTHORISED"})["CreditNotes"][0]["Status"] == "AUTHORISED"
        assert receivable(raw, fresh_contact)["Outstanding"] == -100.0
        error = raw("POST", url, json={"Status": "DRAFT"}, expected=400)
        assert error["Elements"][0]["ValidationErrors"] == [
            {"Message": "Invoice not of valid status for modification"}
        ]
        assert raw("POST", url, json={"Status": "VOIDED"})["CreditNotes"][0]["Status"] == "VOIDED"
        assert receivable(raw, fresh_contact)["Outstanding"] == 0.0

    def test_a_draft_can_be_deleted_and_needs_no_lines(self, raw, fresh_contact):
        minimal = {"Type": "ACCRECCREDIT", "Contact": {"ContactID": fresh_contact}}
        (note,) = raw("PUT", "CreditNotes", json={"CreditNotes": [minimal]})["CreditNotes"]
        assert (note["Status"], note["Total"], note["LineItems"]) == ("DRAFT", 0.0, [])
        error = raw(
            "POST", f"CreditNotes/{note['CreditNoteID']}", json={"Status": "AUTHORISED"}, expected=400
        )
        assert error["Elements"][0]["ValidationErrors"] == [
            {"Message": "A credit note must have at least one line item before it can be approved."}
        ]
        deleted = raw("POST", f"CreditNotes/{note['CreditNoteID']}", json={"Status": "DELETED"})
        assert deleted["CreditNotes"][0]["Status"] == "DELETED"

    def test_per_line_rounding_as_invoices(self, raw, fresh_contact):
        lines = [
            {"Description": "a", "Quantity": 3, "UnitAmount": "0.335", "AccountCode": "200"},
            {"Description": "b", "Quantity": 1, "UnitAmount": "10.05", "AccountCode": "200"},
        ]
        note = credit_note(fresh_contact, LineAmountTypes="Inclusive", LineItems=lines)
        invoice = {**note, "Type": "ACCREC"}
        (made,) = raw("PUT", "CreditNotes", json={"CreditNotes": [note]})["CreditNotes"]
        (same,) = raw("PUT", "Invoices", json={"Invoices": [invoice]})["Invoices"]
        assert [made[key] for key in ("SubTotal", "TotalTax", "Total")] == [
            same[key] for key in ("SubTotal", "TotalTax", "Total")
        ]
        assert [line["TaxAmount"] for line in made["LineItems"]] == [
            line["TaxAmount"] for line in same["LineItems"]
        ]


def allocate(raw, note_id, invoice_id, amount, on=None, **kwargs):
    body = {
        "Allocations": [{"Invoice": {"InvoiceID": invoice_id}, "Amount": amount, "Date": str(on or today())}]
    }
    return raw("PUT", f"CreditNotes/{note_id}/Allocations", json=body, **kwargs)


class TestBalancesAndAgedReceivables:
    def test_the_report_places_credit_notes_and_its_total_equals_the_balance(
        self, raw, xero_sandbox, fresh_contact
    ):
        invoice = open_invoice(raw, fresh_contact, "300.00")
        (used,) = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, "50.00")]})[
            "CreditNotes"
        ]
        allocate(raw, used["CreditNoteID"], invoice["InvoiceID"], 50)
        (spare,) = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, "80.00")]})[
            "CreditNotes"
        ]
        clock.advance(40 * 86400)
        raw = Raw(xero_sandbox, xero_sandbox.connect()["access_token"])  # the old token has expired
        report = raw("GET", "Reports/AgedReceivablesByContact", params={"contactId": fresh_contact})[
            "Reports"
        ][0]
        rows = report["Rows"][2]["Rows"]
        by_number = {row["Cells"][1]["Value"]: [cell["Value"] for cell in row["Cells"]] for row in rows[:-1]}
        assert by_number[invoice["InvoiceNumber"]][4:] == ["300.00", "0.00", "50.00", "250.00"]
        assert by_number[spare["CreditNoteNumber"]][4:] == ["-80.00", "0.00", "0.00", "-80.00"]
        assert used["CreditNoteNumber"] not in by_number  # nothing left on it
        attributes = rows[1]["Cells"][0]["Attributes"][0]
        assert attributes["Id"] in ("invoiceID", "creditNoteID")
        (closing,) = report["Rows"][3]["Rows"]
        balance = receivable(raw, fresh_contact)
        assert closing["Cells"][-1]["Value"] == "170.00"
        assert balance == {"Outstanding": 170.0, "Overdue": 170.0}

    def test_voided_and_draft_credit_notes_do_not_count(self, raw, fresh_contact):
        open_invoice(raw, fresh_contact, "100.00")
        raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, "30.00", status="DRAFT")]})
        (note,) = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, "20.00")]})[
            "CreditNotes"
        ]
        assert receivable(raw, fresh_contact)["Outstanding"] == 80.0
        raw("POST", f"CreditNotes/{note['CreditNoteID']}", json={"Status": "VOIDED"})
        assert receivable(raw, fresh_contact)["Outstanding"] == 100.0


class TestLockDatesIdempotencyPagingAndEvents:
    def test_lock_dates_apply_to_credit_notes_and_allocations(self, raw, xero_sandbox, fresh_contact):
        # The demo organisation is locked at its last financial year end.
        old = dt.date(2000, 1, 31)
        error = raw(
            "PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, on=old)]}, expected=400
        )
        assert error["Elements"][0]["ValidationErrors"][0]["Message"].startswith(
            "The document date cannot be before the period lock date"
        )
        draft = raw(
            "PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, on=old, status="DRAFT")]}
        )
        assert draft["CreditNotes"][0]["Status"] == "DRAFT"
        invoice = open_invoice(raw, fresh_contact)
        (note,) = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact)]})["CreditNotes"]
        error = allocate(raw, note["CreditNoteID"], invoice["InvoiceID"], 5, on=old, expected=400)
        assert error["Elements"][0]["ValidationErrors"][0]["Message"].startswith(
            "The document date cannot be before the period lock date"
        )

    def test_idempotency_key_replays_the_same_answer(self, raw, xero_sandbox, fresh_contact):
        invoice = open_invoice(raw, fresh_contact)
        body = {"CreditNotes": [credit_note(fresh_contact, "10.00")]}
        first = raw("PUT", "CreditNotes", json=body, headers={"Idempotency-Key": "cn-1"})
        again = raw("PUT", "CreditNotes", json=body, headers={"Idempotency-Key": "cn-1"})
        assert first == again
        note_id = first["CreditNotes"][0]["CreditNoteID"]
        headers = {"Idempotency-Key": "alloc-1"}
        allocate(raw, note_id, invoice["InvoiceID"], 4, headers=headers)
        allocate(raw, note_id, invoice["InvoiceID"], 4, headers=headers)
        after = raw("GET", f"Invoices/{invoice['InvoiceID']}")["Invoices"][0]
        assert after["AmountCredited"] == 4.0
        notes = raw("GET", "CreditNotes", params={"where": f'Contact.ContactID==Guid("{fresh_contact}")'})
        assert len(notes["CreditNotes"]) == 1

    def test_paging_and_if_modified_since_see_allocations(self, raw, xero_sandbox, fresh_contact):
        total = len(raw("GET", "CreditNotes")["CreditNotes"])
        page = raw("GET", "CreditNotes", params={"page": 1, "pageSize": 2})
        assert page["pagination"] == {
            "page": 1,
            "pageSize": 2,
            "pageCount": (total + 1) // 2,
            "itemCount": total,
        }
        assert len(page["CreditNotes"]) == 2 and all("LineItems" in item for item in page["CreditNotes"])
        invoice = open_invoice(raw, fresh_contact)
        (note,) = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, "10.00")]})[
            "CreditNotes"
        ]
        clock.advance(300)
        since = clock.now().strftime("%Y-%m-%dT%H:%M:%S")
        assert raw("GET", "CreditNotes", headers={"If-Modified-Since": since})["CreditNotes"] == []
        clock.advance(60)
        allocate(raw, note["CreditNoteID"], invoice["InvoiceID"], 3)
        changed = raw("GET", "CreditNotes", params={"page": 1}, headers={"If-Modified-Since": since})
        assert [item["CreditNoteID"] for item in changed["CreditNotes"]] == [note["CreditNoteID"]]
        invoices = raw("GET", "Invoices", params={"page": 1}, headers={"If-Modified-Since": since})[
            "Invoices"
        ]
        assert [item["InvoiceID"] for item in invoices] == [invoice["InvoiceID"]]

    def test_webhooks_for_the_credit_note_and_the_invoice_it_changes(self, raw, xero_sandbox, fresh_contact):
        from .test_webhooks import KEY, Receiver

        invoice = open_invoice(raw, fresh_contact)
        receiver = Receiver()
        try:
            xero_sandbox.configure_webhooks(url=receiver.url, key=KEY)
            (note,) = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, "10.00")]})[
                "CreditNotes"
            ]
            allocate(raw, note["CreditNoteID"], invoice["InvoiceID"], 10)
            assert xero_sandbox.flush_webhooks()
            events = [
                (e["eventCategory"], e["eventType"], e["resourceId"], e.get("data"))
                for e in receiver.events()
            ]
        finally:
            receiver.close()
        assert events == [
            ("CREDITNOTE", "CREATE", note["CreditNoteID"], {"Type": "ACCRECCREDIT", "Status": "AUTHORISED"}),
            ("INVOICE", "UPDATE", invoice["InvoiceID"], None),
            ("CREDITNOTE", "UPDATE", note["CreditNoteID"], {"Type": "ACCRECCREDIT", "Status": "PAID"}),
        ]

    def test_the_sdk_reports_xeros_validation_message(self, sdk, tenant, raw, fresh_contact):
        invoice = open_invoice(raw, fresh_contact, "10.00")
        (note,) = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, "50.00")]})[
            "CreditNotes"
        ]
        allocation = Allocation(invoice=Invoice(invoice_id=invoice["InvoiceID"]), amount=20.0, date=today())
        with pytest.raises(AccountingBadRequestException) as raised:
            sdk.accounting.create_credit_note_allocation(
                tenant, note["CreditNoteID"], Allocations(allocations=[allocation])
            )
        assert (
            raised.value.reason
            == "Credit Note cannot be allocated as amount is greater than amount outstanding"
        )


class TestDemoAndHomePage:
    def test_the_demo_seed_has_a_handful_of_credit_notes(self, raw):
        notes = raw("GET", "CreditNotes", params={"page": 1, "order": "CreditNoteNumber ASC"})["CreditNotes"]
        assert [note["CreditNoteNumber"] for note in notes] == [f"CN-{n:04d}" for n in range(1, 7)]
        statuses = sorted(note["Status"] for note in notes)
        assert statuses == ["AUTHORISED", "AUTHORISED", "DRAFT", "PAID", "PAID", "VOIDED"]
        allocated = [note for note in notes if note["Allocations"]]
        assert len(allocated) == 3
        assert any(0 < note["RemainingCredit"] < note["Total"] for note in allocated)
        for note in allocated:
            for item in note["Allocations"]:
                invoice = raw("GET", f"Invoices/{item['Invoice']['InvoiceID']}")["Invoices"][0]
                assert invoice["AmountCredited"] >= item["Amount"]
                assert note["CreditNoteID"] in [applied["CreditNoteID"] for applied in invoice["CreditNotes"]]

    def test_the_demo_seed_is_deterministic(self, xero_sandbox, raw):
        def summary(call):
            return [
                (n["CreditNoteNumber"], n["Contact"]["Name"], n["Total"], n["RemainingCredit"])
                for n in call("GET", "CreditNotes")["CreditNotes"]
            ]

        first = summary(raw)
        xero_sandbox.reset()
        assert summary(Raw(xero_sandbox, xero_sandbox.connect()["access_token"])) == first

    def test_raise_allocate_and_void_from_the_home_page(self, xero_sandbox, raw, fresh_contact):
        from .test_web import Browser

        browser = Browser(xero_sandbox)
        invoice = open_invoice(raw, fresh_contact, "90.00")
        act = f"/orgs/{xero_sandbox.demo_tenant_id}/act"
        page = browser.post(
            act,
            {
                "action": "raise_credit_note",
                "contact": "Credit Test Ltd",
                "amount": "25.50",
                "next": "/xero-sandbox/",
            },
        )
        assert "raised for Credit Test Ltd" in page
        notes = raw("GET", "CreditNotes", params={"where": f'Contact.ContactID==Guid("{fresh_contact}")'})[
            "CreditNotes"
        ]
        (note,) = notes
        assert (note["Total"], note["Status"]) == (25.5, "AUTHORISED")
        page = browser.post(
            act,
            {
                "action": "allocate_credit_note",
                "credit_note": note["CreditNoteNumber"],
                "invoice": invoice["InvoiceNumber"],
            },
        )
        assert "allocated to" in page
        assert raw("GET", f"Invoices/{invoice['InvoiceID']}")["Invoices"][0]["AmountDue"] == 64.5
        (second,) = raw("PUT", "CreditNotes", json={"CreditNotes": [credit_note(fresh_contact, "5.00")]})[
            "CreditNotes"
        ]
        page = browser.post(act, {"action": "void_credit_note", "credit_note": second["CreditNoteNumber"]})
        assert "voided" in page
        assert raw("GET", f"CreditNotes/{second['CreditNoteID']}")["CreditNotes"][0]["Status"] == "VOIDED"
        # A refused allocation (the first note is used up) says why.
        page = browser.post(
            act,
            {
                "action": "allocate_credit_note",
                "credit_note": note["CreditNoteNumber"],
                "invoice": invoice["InvoiceNumber"],
                "amount": "1",
            },
        )
        assert "greater than amount outstanding" in page
        assert "Credit notes" in browser.get("/")

    def test_malformed_home_page_input_is_400_with_a_reason(self, xero_sandbox):
        from .test_web import Browser

        browser = Browser(xero_sandbox)
        token_page = browser.get("/")
        import re

        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', token_page).group(1)
        response = browser.http.post(
            f"{xero_sandbox.base_url}/orgs/{xero_sandbox.demo_tenant_id}/act",
            data={
                "csrfmiddlewaretoken": token,
                "action": "raise_credit_note",
                "contact": "Nobody",
                "amount": "x",
            },
            timeout=10,
        )
        assert response.status_code == 400
        assert "No active contact" in response.text
