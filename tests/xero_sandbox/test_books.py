"""Xero's bookkeeping rules, tested directly on the sandbox's books (no HTTP)."""

from datetime import date
from decimal import Decimal

import pytest

from xero_sandbox.books import Batch, invoice_pay, plan_contact, plan_invoice
from xero_sandbox.books.totals import invoice_totals, line_tax
from xero_sandbox.clock import clock
from xero_sandbox.seeds import DEMO_TENANT_ID, seed_demo
from xero_sandbox.serializers import balances
from xero_sandbox.state import World


@pytest.fixture
def world() -> World:
    world = World()
    seed_demo(world)
    return world


@pytest.fixture
def org(world):
    return world.orgs[DEMO_TENANT_ID]


def contact_named(org, name):
    return next(contact for contact in org.contacts.values() if contact.name == name)


def sale(contact_id, *lines, **fields):
    return {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id},
        "LineItems": list(lines)
        or [{"Description": "Fees", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200"}],
        **fields,
    }


def create(world, org, element, **options):
    plan = plan_invoice(world, org, element, **options)
    assert plan.ok, plan.errors
    return plan.apply()


def errors_of(world, org, element, **options):
    plan = plan_invoice(world, org, element, **options)
    assert not plan.ok
    return plan.errors


class TestContactNames:
    def test_names_are_unique_among_active_contacts_ignoring_case_and_spaces(self, world, org):
        plan = plan_contact(world, org, {"Name": "  cobalt   software ltd "})
        assert plan.errors == [
            "The contact name cobalt software ltd is already assigned to another contact. "
            "The contact name must be unique across all active contacts."
        ]

    def test_an_archived_contacts_name_is_free(self, world, org):
        assert plan_contact(world, org, {"Name": "Old Mill Tearooms Ltd"}).ok

    def test_restoring_a_contact_whose_name_was_taken_is_refused(self, world, org):
        plan_contact(world, org, {"Name": "Old Mill Tearooms Ltd"}).apply()
        archived = next(c for c in org.contacts.values() if c.status == "ARCHIVED")
        assert (
            "already assigned"
            in plan_contact(world, org, {"ContactStatus": "ACTIVE"}, existing=archived).errors[0]
        )

    def test_two_new_contacts_with_one_name_in_one_batch(self, world, org):
        batch = Batch()
        assert plan_contact(world, org, {"Name": "Twin Ltd"}, batch=batch).ok
        assert not plan_contact(world, org, {"Name": "TWIN LTD"}, batch=batch).ok

    def test_name_required_and_email_checked(self, world, org):
        assert plan_contact(world, org, {"EmailAddress": "x@example.com"}).errors == [
            "A contact name must be specified."
        ]
        assert plan_contact(world, org, {"Name": "Z Ltd", "EmailAddress": "not-an-email"}).errors == [
            "Email address must be valid."
        ]

    def test_updates_bump_updated_date_only_when_something_changed(self, world, org):
        contact = contact_named(org, "Cobalt Software Ltd")
        before = contact.updated_at
        plan_contact(world, org, {"Name": "Cobalt Software Ltd"}, existing=contact).apply()
        assert contact.updated_at == before
        plan_contact(world, org, {"EmailAddress": "new@cobaltsoftware.co.uk"}, existing=contact).apply()
        assert contact.updated_at > before


class TestNumbering:
    def test_sales_invoices_get_the_next_number(self, world, org):
        contact = contact_named(org, "Cobalt Software Ltd")
        expected = org.next_invoice_number
        first = create(world, org, sale(contact.contact_id))
        second = create(world, org, sale(contact.contact_id))
        assert (first.invoice_number, second.invoice_number) == (
            f"INV-{expected:04d}",
            f"INV-{expected + 1:04d}",
        )

    def test_a_higher_number_typed_in_moves_the_sequence_on(self, world, org):
        contact = contact_named(org, "Cobalt Software Ltd")
        create(world, org, sale(contact.contact_id, InvoiceNumber="INV-5000"))
        assert create(world, org, sale(contact.contact_id)).invoice_number == "INV-5001"

    def test_numbers_are_unique_for_sales_invoices_only(self, world, org):
        contact = contact_named(org, "Cobalt Software Ltd")
        assert errors_of(world, org, sale(contact.contact_id, InvoiceNumber="inv-0001")) == [
            "Invoice # must be unique."
        ]
        bill = sale(contact.contact_id, Type="ACCPAY", InvoiceNumber="INV-0001")
        assert create(world, org, bill).invoice_number == "INV-0001"
        batch = Batch()
        assert plan_invoice(world, org, sale(contact.contact_id, InvoiceNumber="X-1"), batch=batch).ok
        assert not plan_invoice(world, org, sale(contact.contact_id, InvoiceNumber="X-1"), batch=batch).ok

    def test_bills_get_no_number(self, world, org):
        contact = contact_named(org, "Swift Couriers Ltd")
        assert create(world, org, sale(contact.contact_id, Type="ACCPAY")).invoice_number == ""


class TestTotals:
    @pytest.mark.parametrize(
        "amount_types, expected",
        [
            ("Exclusive", ("100.00", "20.00", "120.00")),
            ("Inclusive", ("83.33", "16.67", "100.00")),
            ("NoTax", ("100.00", "0.00", "100.00")),
        ],
    )
    def test_line_amount_types(self, world, org, amount_types, expected):
        contact = contact_named(org, "Cobalt Software Ltd")
        invoice = create(world, org, sale(contact.contact_id, LineAmountTypes=amount_types))
        assert (invoice.sub_total, invoice.total_tax, invoice.total) == tuple(
            Decimal(value) for value in expected
        )
        assert invoice.amount_due == invoice.total

    def test_tax_is_rounded_per_line_half_up(self, world, org):
        contact = contact_named(org, "Cobalt Software Ltd")
        lines = [
            {"Description": "A", "Quantity": 1, "UnitAmount": "0.125", "AccountCode": "200"},
            {"Description": "B", "Quantity": 3, "UnitAmount": "33.335", "AccountCode": "200"},
        ]
        invoice = create(world, org, sale(contact.contact_id, *lines), unit_decimals=4)
        # 0.125 -> line 0.13 (half up), tax 0.03; 3 x 33.335 = 100.005 -> 100.01, tax 20.00 (20.002)
        assert [line.line_amount for line in invoice.line_items] == [Decimal("0.13"), Decimal("100.01")]
        assert [line.tax_amount for line in invoice.line_items] == [Decimal("0.03"), Decimal("20.00")]
        assert invoice.total == Decimal("120.17")

    def test_unit_amounts_round_to_two_places_unless_unitdp_4(self, world, org):
        contact = contact_named(org, "Cobalt Software Ltd")
        line = {"Description": "A", "Quantity": 1, "UnitAmount": "10.0049", "AccountCode": "200"}
        assert create(world, org, sale(contact.contact_id, line)).line_items[0].unit_amount == Decimal(
            "10.00"
        )
        assert create(world, org, sale(contact.contact_id, line), unit_decimals=4).line_items[
            0
        ].unit_amount == Decimal("10.0049")

    def test_discount_rate_and_reduced_rate_vat(self, world, org):
        contact = contact_named(org, "Cobalt Software Ltd")
        line = {
            "Description": "A",
            "Quantity": 2,
            "UnitAmount": 50,
            "DiscountRate": 10,
            "AccountCode": "200",
            "TaxType": "RROUTPUT",
        }
        invoice = create(world, org, sale(contact.contact_id, line))
        assert (invoice.line_items[0].line_amount, invoice.total_tax, invoice.total) == (
            Decimal("90.00"),
            Decimal("4.50"),
            Decimal("94.50"),
        )

    def test_items_fill_in_the_line(self, world, org):
        contact = contact_named(org, "Cobalt Software Ltd")
        invoice = create(world, org, sale(contact.contact_id, {"ItemCode": "vat", "Quantity": 2}))
        line = invoice.line_items[0]
        assert (line.description, line.unit_amount, line.account_code, line.tax_type) == (
            "Quarterly VAT return preparation and MTD submission",
            Decimal("180.00"),
            "201",
            "OUTPUT2",
        )

    def test_line_amount_alone_sets_the_unit_amount(self, world, org):
        contact = contact_named(org, "Cobalt Software Ltd")
        invoice = create(
            world,
            org,
            sale(contact.contact_id, {"Description": "A", "LineAmount": "99.99", "AccountCode": "200"}),
        )
        assert (invoice.line_items[0].quantity, invoice.line_items[0].unit_amount, invoice.sub_total) == (
            Decimal("1.0000"),
            Decimal("99.99"),
            Decimal("99.99"),
        )

    @pytest.mark.parametrize(
        "line, message",
        [
            (
                {"Description": "A", "UnitAmount": 1, "AccountCode": "999"},
                "Account code '999' is not a valid code for this document.",
            ),
            ({"Description": "A", "UnitAmount": 1, "TaxType": "20%"}, "The TaxType code 20% does not exist"),
            ({"UnitAmount": "abc", "Description": "A"}, "UnitAmount 'abc' is not a valid number."),
            ({"Quantity": 1}, None),
            ({}, "Description needs to be at least 1 char long."),
        ],
    )
    def test_line_validation(self, world, org, line, message):
        contact = contact_named(org, "Cobalt Software Ltd")
        plan = plan_invoice(world, org, sale(contact.contact_id, line))
        if message is None:
            assert plan.ok
        else:
            assert any(error.startswith(message) for error in plan.errors), plan.errors

    def test_pure_functions(self):
        assert line_tax(Decimal("10.00"), Decimal(20), "Inclusive") == Decimal("1.67")
        assert invoice_totals([], "Exclusive") == (Decimal(0), Decimal(0), Decimal(0))


class TestStatuses:
    def test_new_invoices_default_to_draft_with_dates_from_the_org(self, world, org):
        contact = contact_named(org, "Cobalt Software Ltd")
        invoice = create(world, org, sale(contact.contact_id))
        today = clock.today_in(org.timezone)
        assert (invoice.status, invoice.date, (invoice.due_date - invoice.date).days) == ("DRAFT", today, 30)

    @pytest.mark.parametrize(
        "path, allowed",
        [
            (["SUBMITTED", "AUTHORISED", "VOIDED"], True),
            (["DRAFT", "DELETED"], True),
            (["AUTHORISED", "DELETED"], False),
            (["AUTHORISED", "DRAFT"], False),
            (["DRAFT", "VOIDED"], False),
            (["DELETED", "DRAFT"], False),
            (["AUTHORISED", "PAID"], False),
        ],
    )
    def test_transitions(self, world, org, path, allowed):
        contact = contact_named(org, "Cobalt Software Ltd")
        invoice = create(world, org, sale(contact.contact_id))
        for status in path[:-1]:
            create(world, org, {"Status": status}, existing=invoice)
        last = plan_invoice(world, org, {"Status": path[-1]}, existing=invoice)
        assert last.ok is allowed
        if not allowed:
            assert last.errors == ["Invoice not of valid status for modification"]

    def test_cannot_create_paid(self, world, org):
        contact = contact_named(org, "Cobalt Software Ltd")
        assert errors_of(world, org, sale(contact.contact_id, Status="PAID")) == [
            "An invoice cannot be created with status PAID."
        ]

    def test_approval_needs_account_codes(self, world, org):
        contact = contact_named(org, "Cobalt Software Ltd")
        element = sale(contact.contact_id, {"Description": "A", "UnitAmount": 5}, Status="AUTHORISED")
        assert errors_of(world, org, element) == [
            "An AccountCode must be specified on every line item with an amount before approval."
        ]

    def test_archived_contacts_cannot_be_invoiced(self, world, org):
        archived = next(c for c in org.contacts.values() if c.status == "ARCHIVED")
        assert "archived" in errors_of(world, org, sale(archived.contact_id))[0]

    def test_contact_is_required(self, world, org):
        assert errors_of(world, org, {"Type": "ACCREC", "LineItems": [{"Description": "A"}]}) == [
            "The Contact must contain at least 1 of the following elements to identify the contact: "
            "Name, ContactID, ContactNumber"
        ]

    def test_an_approved_invoice_for_nothing_is_paid(self, world, org):
        contact = contact_named(org, "Cobalt Software Ltd")
        line = {"Description": "Free advice", "UnitAmount": 0, "AccountCode": "200"}
        assert create(world, org, sale(contact.contact_id, line, Status="AUTHORISED")).status == "PAID"


class TestPayments:
    def approved(self, world, org, amount="100"):
        contact = contact_named(org, "Cobalt Software Ltd")
        line = {"Description": "Fees", "UnitAmount": amount, "AccountCode": "200"}
        return create(world, org, sale(contact.contact_id, line, Status="AUTHORISED"))

    def test_part_then_full_payment(self, world, org):
        invoice = self.approved(world, org)
        assert invoice_pay(world, org, invoice, Decimal("20.00"), date(2026, 4, 1)) == []
        assert (invoice.status, invoice.amount_paid, invoice.amount_due) == (
            "AUTHORISED",
            Decimal("20.00"),
            Decimal("100.00"),
        )
        assert invoice_pay(world, org, invoice, Decimal("100.01"), date(2026, 4, 2)) == [
            "Payment amount exceeds the amount outstanding on this document"
        ]
        assert invoice_pay(world, org, invoice, Decimal("100.00"), date(2026, 4, 3)) == []
        assert (invoice.status, invoice.fully_paid_on, invoice.amount_due) == (
            "PAID",
            date(2026, 4, 3),
            Decimal(0),
        )

    def test_paid_invoices_cannot_be_edited_or_voided(self, world, org):
        invoice = self.approved(world, org)
        invoice_pay(world, org, invoice, Decimal("10"), date(2026, 4, 1))
        message = "This document cannot be edited as it has a payment or credit note allocated to it."
        assert errors_of(world, org, {"Status": "VOIDED"}, existing=invoice) == [message]
        assert errors_of(
            world, org, {"LineItems": [{"Description": "X", "UnitAmount": 1}]}, existing=invoice
        ) == [message]
        assert plan_invoice(world, org, {"SentToContact": True}, existing=invoice).ok

    def test_only_approved_invoices_take_payments(self, world, org):
        contact = contact_named(org, "Cobalt Software Ltd")
        draft = create(world, org, sale(contact.contact_id))
        assert invoice_pay(world, org, draft, Decimal(1), date(2026, 1, 1)) == [
            "Payments can only be made against approved invoices."
        ]


class TestContactFlagsAndBalances:
    def test_first_sales_invoice_makes_a_customer_without_bumping_updated_date(self, world, org):
        supplier = contact_named(org, "Swift Couriers Ltd")
        before = supplier.updated_at
        assert supplier.is_customer is False
        create(world, org, sale(supplier.contact_id))
        assert supplier.is_customer is True and supplier.updated_at == before

    def test_balances_count_approved_sales_invoices_and_overdue_ones(self, world, org):
        contact = contact_named(org, "Cobalt Software Ltd")
        today = clock.today_in(org.timezone)
        before = balances(org, contact.contact_id, today)["AccountsReceivable"]
        line = {"Description": "Fees", "UnitAmount": 100, "AccountCode": "200"}
        org.period_lock_date = org.end_of_year_lock_date = None  # open the books back to 2020
        create(
            world,
            org,
            sale(contact.contact_id, line, Status="AUTHORISED", Date="2020-01-01", DueDate="2020-01-31"),
        )
        create(world, org, sale(contact.contact_id, line))  # drafts do not count
        after = balances(org, contact.contact_id, today)["AccountsReceivable"]
        assert after["Outstanding"] == pytest.approx(before["Outstanding"] + 120)
        assert after["Overdue"] == pytest.approx(before["Overdue"] + 120)
