"""Contact settings (payment terms, defaults, people) are stored, echoed and applied; writes carry
Xero's success metadata; dates take the flavour Xero's examples give each field."""

import datetime as dt
import re
from datetime import date
from decimal import Decimal

import pytest
import requests
from xero_python.accounting import Contact, Contacts, Invoice, Invoices, LineItem

from xero_sandbox.books import plan_contact, plan_invoice
from xero_sandbox.books.terms import due_date_for
from xero_sandbox.clock import clock
from xero_sandbox.seeds import DEMO_TENANT_ID, seed_demo
from xero_sandbox.state import World

PLAIN = re.compile(r"^/Date\(\d+\)/$")
OFFSET = re.compile(r"^/Date\(\d+\+0000\)/$")


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


def new_contact(world, org, **element):
    plan = plan_contact(world, org, {"Name": "Terms Test Ltd", **element})
    assert plan.ok, plan.errors
    return plan.apply()


def new_invoice(world, org, contact, **element):
    body = {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact.contact_id},
        "LineItems": [{"Description": "Fees", "Quantity": 1, "UnitAmount": 100}],
        **element,
    }
    plan = plan_invoice(world, org, body)
    assert plan.ok, plan.errors
    return plan.apply()


class TestDueDateRules:
    @pytest.mark.parametrize(
        "on, day, term_type, due",
        [
            (date(2026, 1, 15), 30, "DAYSAFTERBILLDATE", date(2026, 2, 14)),
            (date(2026, 1, 15), 0, "DAYSAFTERBILLDATE", date(2026, 1, 15)),
            (date(2026, 1, 15), 10, "DAYSAFTERBILLMONTH", date(2026, 2, 10)),
            (date(2026, 2, 3), 31, "DAYSAFTERBILLMONTH", date(2026, 3, 31)),
            (date(2026, 1, 15), 20, "OFCURRENTMONTH", date(2026, 1, 20)),
            (date(2026, 2, 10), 31, "OFCURRENTMONTH", date(2026, 2, 28)),
            (date(2028, 2, 10), 30, "OFCURRENTMONTH", date(2028, 2, 29)),
            (date(2026, 1, 15), 20, "OFFOLLOWINGMONTH", date(2026, 2, 20)),
            (date(2026, 1, 31), 31, "OFFOLLOWINGMONTH", date(2026, 2, 28)),
            (date(2026, 12, 5), 15, "OFFOLLOWINGMONTH", date(2027, 1, 15)),
        ],
    )
    def test_xeros_four_rules(self, on, day, term_type, due):
        assert due_date_for(on, day, term_type) == due


class TestTermsApplied:
    def test_contact_sales_terms_set_the_due_date(self, world, org):
        contact = new_contact(world, org, PaymentTerms={"Sales": {"Day": 20, "Type": "OFFOLLOWINGMONTH"}})
        invoice = new_invoice(world, org, contact, Date="2026-01-15")
        assert invoice.due_date == date(2026, 2, 20)

    def test_bills_terms_apply_to_bills_and_sales_terms_do_not(self, world, org):
        contact = new_contact(world, org, PaymentTerms={"Bills": {"Day": 5, "Type": "OFCURRENTMONTH"}})
        bill = new_invoice(
            world,
            org,
            contact,
            Type="ACCPAY",
            Date="2026-03-02",
            LineItems=[{"Description": "Rent", "Quantity": 1, "UnitAmount": 10, "AccountCode": "469"}],
        )
        assert bill.due_date == date(2026, 3, 5)
        sale = new_invoice(world, org, contact, Date="2026-03-02")
        assert sale.due_date == date(2026, 4, 1)  # the organisation's 30 days after

    def test_organisation_terms_when_the_contact_has_none(self, world, org):
        org.sales_terms_days, org.sales_terms_type = 10, "DAYSAFTERBILLMONTH"
        contact = new_contact(world, org)
        invoice = new_invoice(world, org, contact, Date="2026-04-20")
        assert invoice.due_date == date(2026, 5, 10)

    def test_a_stated_due_date_wins(self, world, org):
        contact = new_contact(world, org, PaymentTerms={"Sales": {"Day": 20, "Type": "OFFOLLOWINGMONTH"}})
        invoice = new_invoice(world, org, contact, Date="2026-01-15", DueDate="2026-01-16")
        assert invoice.due_date == date(2026, 1, 16)

    def test_defaults_fill_new_lines(self, world, org):
        contact = new_contact(
            world,
            org,
            SalesDefaultAccountCode="201",
            AccountsReceivableTaxType="ZERORATEDOUTPUT",
            SalesDefaultLineAmountType="INCLUSIVE",
            Discount=10,
            BrandingTheme={"BrandingThemeID": "dabc7637-62c1-4941-8a6e-ee44fa5090e7", "Name": "Standard"},
        )
        invoice = new_invoice(world, org, contact, Date="2026-01-15")
        (line,) = invoice.line_items
        assert (line.account_code, line.tax_type, line.discount_rate) == ("201", "ZERORATEDOUTPUT", 10)
        assert line.line_amount == Decimal("90.00")
        assert invoice.line_amount_types == "Inclusive"
        assert invoice.branding_theme_id == "dabc7637-62c1-4941-8a6e-ee44fa5090e7"
        stated = new_invoice(
            world,
            org,
            contact,
            LineItems=[{"Description": "Fees", "Quantity": 1, "UnitAmount": 100, "LineAmount": 100}],
        )
        assert stated.line_items[0].discount_rate is None  # a stated amount keeps its own discount

    @pytest.mark.parametrize(
        "element, message",
        [
            ({"PaymentTerms": {"Sales": {"Day": 5, "Type": "WEEKLY"}}}, "PaymentTerms.Sales.Type"),
            ({"PaymentTerms": {"Sales": {"Day": 40, "Type": "OFCURRENTMONTH"}}}, "PaymentTerms.Sales.Day"),
            (
                {"PaymentTerms": {"Bills": {"Day": "soon", "Type": "DAYSAFTERBILLDATE"}}},
                "PaymentTerms.Bills.Day",
            ),
            ({"SalesDefaultAccountCode": "999"}, "Account code '999'"),
            ({"AccountsReceivableTaxType": "GST"}, "The TaxType code GST"),
            ({"SalesDefaultLineAmountType": "Gross"}, "SalesDefaultLineAmountType"),
            ({"Discount": 150}, "Discount must be between"),
            ({"DefaultCurrency": "pounds"}, "DefaultCurrency"),
            ({"BrandingTheme": {"Name": "Standard"}}, "BrandingTheme"),
            ({"ContactPersons": [{"FirstName": "A", "EmailAddress": "not-an-email"}]}, "Email address"),
            ({"ContactPersons": [{"FirstName": str(n)} for n in range(6)]}, "at most 5"),
        ],
    )
    def test_invalid_settings_are_refused(self, world, org, element, message):
        plan = plan_contact(world, org, {"Name": "Bad Settings Ltd", **element})
        assert any(message in error for error in plan.errors), plan.errors


class TestDemo:
    def test_a_few_contacts_have_their_own_terms(self, org):
        types = {term["Type"] for contact in org.contacts.values() for term in contact.payment_terms.values()}
        assert types == {"DAYSAFTERBILLDATE", "DAYSAFTERBILLMONTH", "OFCURRENTMONTH", "OFFOLLOWINGMONTH"}

    def test_seeded_invoices_follow_their_contacts_terms(self, org):
        contact = contact_named(org, "Tidewater Yacht Club")
        for invoice in org.invoices_of(contact.contact_id):
            assert invoice.due_date == due_date_for(invoice.date, 14, "DAYSAFTERBILLMONTH")


SETTINGS = {
    "Name": "Round Trip Settings Ltd",
    "FirstName": "Ada",
    "LastName": "Byron",
    "Website": "https://round-trip.example",
    "DefaultCurrency": "GBP",
    "SalesDefaultAccountCode": "201",
    "AccountsReceivableTaxType": "OUTPUT2",
    "SalesDefaultLineAmountType": "EXCLUSIVE",
    "Discount": 12.5,
    "BrandingTheme": {"BrandingThemeID": "dabc7637-62c1-4941-8a6e-ee44fa5090e7", "Name": "Standard"},
    "SalesTrackingCategories": [{"TrackingCategoryName": "Region", "TrackingOptionName": "North"}],
    "PaymentTerms": {
        "Bills": {"Day": 12, "Type": "OFFOLLOWINGMONTH"},
        "Sales": {"Day": 14, "Type": "OFCURRENTMONTH"},
    },
    "Addresses": [
        {
            "AddressType": "STREET",
            "AddressLine1": "1 High Street",
            "AddressLine2": "Unit 2",
            "AddressLine3": "Old Mill",
            "AddressLine4": "Riverside",
            "City": "Leeds",
            "PostalCode": "LS1 1AA",
        }
    ],
    "ContactPersons": [
        {
            "FirstName": "Sue",
            "LastName": "Johnson",
            "EmailAddress": "sue@round-trip.example",
            "IncludeInEmails": True,
        }
    ],
}


class TestOverHttp:
    def call(self, sandbox, token, method, resource, body=None, **params):
        response = requests.request(
            method,
            f"{sandbox.accounting_url}/{resource}",
            json=body,
            params=params,
            headers={"Authorization": f"Bearer {token}", "xero-tenant-id": sandbox.demo_tenant_id},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def test_settings_are_echoed_on_write_and_by_id(self, xero_sandbox):
        token = xero_sandbox.connect()["access_token"]
        written = self.call(xero_sandbox, token, "PUT", "Contacts", {"Contacts": [SETTINGS]})
        (contact,) = written["Contacts"]
        assert (contact["StatusAttributeString"], contact["ValidationErrors"]) == ("OK", [])
        (by_id,) = self.call(xero_sandbox, token, "GET", f"Contacts/{contact['ContactID']}")["Contacts"]
        for echoed in (contact, by_id):
            for key, value in SETTINGS.items():
                if key != "Addresses":
                    assert echoed[key] == value, key
            street = next(a for a in echoed["Addresses"] if a["AddressType"] == "STREET")
            assert [street[f"AddressLine{n}"] for n in range(1, 5)] == [
                "1 High Street",
                "Unit 2",
                "Old Mill",
                "Riverside",
            ]
        listed = self.call(
            xero_sandbox, token, "GET", "Contacts", page=1, where='Name=="Round Trip Settings Ltd"'
        )
        (in_list,) = listed["Contacts"]
        assert in_list["ContactPersons"] == SETTINGS["ContactPersons"]
        assert in_list["SalesDefaultLineAmountType"] == "EXCLUSIVE"
        assert "PaymentTerms" not in in_list  # as in Xero's list example: by id only

        invoice = {
            "Invoices": [
                {
                    "Type": "ACCREC",
                    "Contact": {"ContactID": contact["ContactID"]},
                    "Date": "2026-01-20",
                    "LineItems": [{"Description": "Fees", "Quantity": 1, "UnitAmount": 100}],
                }
            ]
        }
        (created,) = self.call(xero_sandbox, token, "PUT", "Invoices", invoice)["Invoices"]
        assert (created["StatusAttributeString"], created["ValidationErrors"], created["Warnings"]) == (
            "OK",
            [],
            [],
        )
        assert created["DueDateString"] == "2026-01-14T00:00:00"  # day 14 of the invoice's month
        assert created["Contact"]["ContactPersons"] == SETTINGS["ContactPersons"]
        assert created["Contact"]["FirstName"] == "Ada"
        assert created["LineItems"][0]["ValidationErrors"] == []

    def test_date_flavours_follow_xeros_examples(self, xero_sandbox):
        token = xero_sandbox.connect()["access_token"]
        organisation = self.call(xero_sandbox, token, "GET", "Organisation")
        assert PLAIN.match(organisation["DateTimeUTC"])
        (org,) = organisation["Organisations"]
        assert PLAIN.match(org["CreatedDateUTC"])
        assert org["PaymentTerms"]["Sales"] == {"Day": 30, "Type": "DAYSAFTERBILLDATE"}
        (invoice,) = self.call(xero_sandbox, token, "GET", "Invoices", page=1, Statuses="PAID")["Invoices"][
            :1
        ]
        for key in ("Date", "DueDate", "UpdatedDateUTC", "FullyPaidOnDate"):
            assert OFFSET.match(invoice[key]), key
        assert OFFSET.match(invoice["Payments"][0]["Date"])
        contact_id = invoice["Contact"]["ContactID"]
        (contact,) = self.call(xero_sandbox, token, "GET", f"Contacts/{contact_id}")["Contacts"]
        assert OFFSET.match(contact["UpdatedDateUTC"])
        (report,) = self.call(
            xero_sandbox, token, "GET", "Reports/AgedReceivablesByContact", contactId=contact_id
        )["Reports"]
        assert PLAIN.match(report["UpdatedDateUTC"])

    def test_the_sdk_reads_settings_and_terms(self, sdk, tenant):
        (created,) = sdk.accounting.create_contacts(
            tenant, Contacts(contacts=[Contact(name="Sdk Terms Ltd", website="https://sdk.example")])
        ).contacts
        assert created.status_attribute_string == "OK"
        (peak,) = sdk.accounting.get_contacts(
            tenant, where='Name=="Peak District Outdoor Centre Ltd"'
        ).contacts
        (peak,) = sdk.accounting.get_contact(tenant, peak.contact_id).contacts
        assert (peak.payment_terms.sales.day, peak.payment_terms.sales.type.value) == (20, "OFFOLLOWINGMONTH")
        assert peak.contact_persons[0].include_in_emails is True
        assert peak.batch_payments.bank_account_name == "Peak District Outdoor Centre"
        assert peak.discount == Decimal("5.0")
        on = clock.today_in("GMTSTANDARDTIME")
        (invoice,) = sdk.accounting.create_invoices(
            tenant,
            Invoices(
                invoices=[
                    Invoice(
                        type="ACCREC",
                        contact=Contact(contact_id=peak.contact_id),
                        date=on,
                        line_items=[LineItem(description="Team day", quantity=1, unit_amount=250)],
                    )
                ]
            ),
        ).invoices
        assert invoice.status_attribute_string == "OK"
        expected = due_date_for(on, 20, "OFFOLLOWINGMONTH")
        assert invoice.due_date == expected
        assert invoice.contact.contact_persons[0].first_name == "Megan"
        assert invoice.line_items[0].account_code == "201"
        assert isinstance(invoice.date, dt.date)


def test_settings_and_success_metadata_validate_against_the_spec(xero_sandbox):
    from tests.xero_sandbox.test_spec import Exchange, load_spec

    spec = load_spec("xero_accounting.yaml")
    exchange = Exchange(xero_sandbox, xero_sandbox.connect()["access_token"])
    _, _, found = exchange.call(
        "GET", "Contacts", params={"where": 'Name=="Peak District Outdoor Centre Ltd"'}
    )
    peak = found.json()["Contacts"][0]["ContactID"]
    _, _, paid = exchange.call("GET", "Invoices", params={"page": 1, "ContactIDs": peak})
    calls = [
        ("GET", f"Contacts/{peak}", None, None),
        ("GET", f"Invoices/{paid.json()['Invoices'][0]['InvoiceID']}", None, None),
        ("PUT", "Contacts", None, {"Contacts": [SETTINGS]}),
        ("PUT", "Contacts", {"summarizeErrors": "false"}, {"Contacts": [{**SETTINGS, "Name": "Other Ltd"}]}),
        (
            "PUT",
            "Invoices",
            None,
            {
                "Invoices": [
                    {
                        "Type": "ACCREC",
                        "Contact": {"ContactID": peak},
                        "LineItems": [{"Description": "Team day", "Quantity": 1, "UnitAmount": 250}],
                    }
                ]
            },
        ),
    ]
    for method, resource, params, body in calls:
        request, response, _ = exchange.call(method, resource, params=params, json=body)
        spec.validate_response(request, response)
