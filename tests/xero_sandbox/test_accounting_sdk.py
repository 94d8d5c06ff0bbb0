"""Contract tests: every Accounting endpoint the app uses, driven through the unpatched SDK."""

import datetime as dt
from decimal import Decimal

import pytest
import requests
from xero_python.accounting import Contact, Contacts, Invoice, Invoices, LineAmountTypes, LineItem
from xero_python.exceptions import AccountingBadRequestException, NotFoundException

from xero_sandbox.clock import clock


def acme(sdk, tenant):
    (contact,) = sdk.accounting.get_contacts(tenant, where='Name=="Acme Widgets Limited"').contacts
    return contact


class TestSettings:
    def test_organisation(self, sdk, tenant):
        (org,) = sdk.accounting.get_organisations(tenant).organisations
        assert org.name == "Engager Demo Practice Ltd"
        assert org.short_code.startswith("!")
        assert (org.country_code.value, org.version, org.base_currency.value) == ("GB", "UK", "GBP")
        assert org.timezone.value == "GMTSTANDARDTIME"
        assert org.organisation_id == tenant

    def test_accounts_with_where(self, sdk, tenant):
        accounts = sdk.accounting.get_accounts(tenant, where='Type=="REVENUE"', order="Code ASC").accounts
        assert [account.code for account in accounts][:2] == ["200", "201"]
        assert {account.type.value for account in accounts} == {"REVENUE"}
        (by_id,) = sdk.accounting.get_account(tenant, accounts[0].account_id).accounts
        assert by_id.name == accounts[0].name

    def test_uk_tax_rates(self, sdk, tenant):
        rates = {rate.tax_type: rate for rate in sdk.accounting.get_tax_rates(tenant).tax_rates}
        assert rates["OUTPUT2"].effective_rate == Decimal("20")
        assert {"RRINPUT", "ZERORATEDOUTPUT", "NONE", "INPUT2"} <= set(rates)
        (only,) = sdk.accounting.get_tax_rates(tenant, where='TaxType=="NONE"').tax_rates
        assert only.name == "No VAT"
        (reduced,) = sdk.accounting.get_tax_rate_by_tax_type(tenant, "RRINPUT").tax_rates
        assert reduced.display_tax_rate == Decimal("5")

    def test_items(self, sdk, tenant):
        items = {item.code: item for item in sdk.accounting.get_items(tenant).items}
        assert items["VAT"].sales_details.unit_price == Decimal("180.0")
        (item,) = sdk.accounting.get_item(tenant, items["CT600"].item_id).items
        assert item.name == "Corporation tax return"


class TestContacts:
    def test_list_is_everything_active_without_paging(self, sdk, tenant):
        result = sdk.accounting.get_contacts(tenant)
        assert result.pagination is None
        names = [contact.name for contact in result.contacts]
        assert names == sorted(names, key=str.casefold)
        assert "Old Mill Tearooms Ltd" not in names
        with_archived = sdk.accounting.get_contacts(tenant, include_archived=True).contacts
        assert len(with_archived) == len(names) + 1

    def test_paging(self, sdk, tenant):
        first = sdk.accounting.get_contacts(tenant, page=1, page_size=20)
        assert (first.pagination.page, first.pagination.page_size, len(first.contacts)) == (1, 20, 20)
        assert first.pagination.page_count == -(-first.pagination.item_count // 20)
        last = sdk.accounting.get_contacts(tenant, page=first.pagination.page_count, page_size=20)
        assert 0 < len(last.contacts) <= 20
        with pytest.raises(AccountingBadRequestException):
            sdk.accounting.get_contacts(tenant, page=1, page_size=1001)

    @pytest.mark.parametrize(
        "where, expected",
        [
            ('Name.Contains("widgets")', {"Acme Widgets Limited"}),
            ('Name.StartsWith("Hartley")', {"Hartley and Sons Joinery Ltd"}),
            ('Name=="Cobalt Software Ltd"', {"Cobalt Software Ltd"}),
            ('EmailAddress=="accounts@cobaltsoftware.co.uk"', {"Cobalt Software Ltd"}),
            (
                'Name.StartsWith("Co") && Name!="Cobalt Software Ltd"',
                {"Copperfield IT Solutions Ltd", "Corbridge Antiques Ltd"},
            ),
            ('ContactStatus=="ARCHIVED"', set()),
        ],
    )
    def test_where(self, sdk, tenant, where, expected):
        contacts = sdk.accounting.get_contacts(tenant, where=where).contacts
        assert {contact.name for contact in contacts} == expected

    def test_where_on_is_customer(self, sdk, tenant):
        suppliers = sdk.accounting.get_contacts(tenant, where="IsCustomer==false").contacts
        assert len(suppliers) == 6 and all(contact.is_supplier for contact in suppliers)

    def test_search_term_ids_and_summary_only(self, sdk, tenant):
        found = sdk.accounting.get_contacts(tenant, search_term="bakery").contacts
        assert [contact.name for contact in found] == ["REDBRICK BAKERY LTD"]
        by_ids = sdk.accounting.get_contacts(tenant, i_ds=[found[0].contact_id]).contacts
        assert [contact.contact_id for contact in by_ids] == [found[0].contact_id]
        (summary,) = sdk.accounting.get_contacts(
            tenant, i_ds=[found[0].contact_id], summary_only=True
        ).contacts
        assert (
            summary.balances is None and summary.addresses is None and summary.name == "REDBRICK BAKERY LTD"
        )

    def test_fields_company_number_vat_email_addresses_phones(self, sdk, tenant):
        (contact,) = sdk.accounting.get_contacts(tenant, where='Name=="Blue Anchor Boatyard"').contacts
        assert contact.company_number == "06620983"
        assert (
            contact.tax_number.startswith("GB") and contact.email_address == "accounts@blueanchormarine.co.uk"
        )
        postal = next(address for address in contact.addresses if address.address_type == "POBOX")
        assert postal.city == "Falmouth"
        assert next(phone for phone in contact.phones if phone.phone_type == "DEFAULT").phone_number

    def test_balances_from_invoices(self, sdk, tenant, xero_sandbox):
        contact = acme(sdk, tenant)
        invoices = sdk.accounting.get_invoices(
            tenant, contact_i_ds=[contact.contact_id], statuses=["AUTHORISED"]
        ).invoices
        today = clock.today_in("GMTSTANDARDTIME")
        outstanding = sum((invoice.amount_due for invoice in invoices), Decimal(0))
        overdue = sum((invoice.amount_due for invoice in invoices if invoice.due_date < today), Decimal(0))
        balance = contact.balances.accounts_receivable
        assert (balance.outstanding, balance.overdue) == (outstanding, overdue)
        assert contact.is_customer

    def test_get_by_id_and_by_contact_number_and_404(self, sdk, tenant):
        contact = acme(sdk, tenant)
        (by_id,) = sdk.accounting.get_contact(tenant, contact.contact_id).contacts
        assert by_id.name == contact.name
        with pytest.raises(NotFoundException):
            sdk.accounting.get_contact(tenant, "00000000-0000-0000-0000-000000000000")
        sdk.accounting.update_contact(
            tenant, contact.contact_id, Contacts(contacts=[Contact(contact_number="ENG-001")])
        )
        (by_number,) = sdk.accounting.get_contact_by_contact_number(tenant, "ENG-001").contacts
        assert by_number.contact_id == contact.contact_id

    def test_create_and_update(self, sdk, tenant):
        created = sdk.accounting.create_contacts(
            tenant,
            Contacts(
                contacts=[
                    Contact(
                        name="Pinewood Film Services Ltd",
                        email_address="accounts@pinewoodfilmservices.co.uk",
                        company_number="10146627",
                    )
                ]
            ),
        ).contacts[0]
        assert created.contact_status == "ACTIVE" and created.company_number == "10146627"
        assert created.is_customer is False
        updated = sdk.accounting.update_contact(
            tenant,
            created.contact_id,
            Contacts(
                contacts=[Contact(contact_id=created.contact_id, name="Pinewood Film Services Limited")]
            ),
        ).contacts[0]
        assert updated.name == "Pinewood Film Services Limited"
        assert updated.updated_date_utc >= created.updated_date_utc
        upserted = sdk.accounting.update_or_create_contacts(
            tenant, Contacts(contacts=[Contact(name="Lantern Events Ltd")])
        ).contacts[0]
        assert upserted.contact_id != created.contact_id

    def test_duplicate_name_is_refused_with_xeros_message(self, sdk, tenant):
        with pytest.raises(AccountingBadRequestException) as raised:
            sdk.accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="acme widgets limited")]))
        assert raised.value.reason == (
            "The contact name acme widgets limited is already assigned to another contact. "
            "The contact name must be unique across all active contacts."
        )
        assert raised.value.error_data["Type"] == "ValidationException"

    def test_archived_names_can_be_reused_and_archiving_is_an_update(self, sdk, tenant):
        sdk.accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="Old Mill Tearooms Ltd")]))
        contact = acme(sdk, tenant)
        archived = sdk.accounting.update_contact(
            tenant, contact.contact_id, Contacts(contacts=[Contact(contact_status="ARCHIVED")])
        ).contacts[0]
        assert archived.contact_status == "ARCHIVED"
        assert sdk.accounting.get_contacts(tenant, where='Name=="Acme Widgets Limited"').contacts == []

    def test_summarize_errors_false_reports_each_element(self, sdk, tenant):
        result = sdk.accounting.create_contacts(
            tenant,
            Contacts(contacts=[Contact(name="Brand New Client Ltd"), Contact(name="Cobalt Software Ltd")]),
            summarize_errors=False,
        ).contacts
        assert [contact.status_attribute_string for contact in result] == ["OK", "ERROR"]
        assert result[1].has_validation_errors is True
        assert "already assigned" in result[1].validation_errors[0].message
        assert sdk.accounting.get_contacts(tenant, where='Name=="Brand New Client Ltd"').contacts

    def test_summarized_batch_is_all_or_nothing(self, sdk, tenant):
        with pytest.raises(AccountingBadRequestException) as raised:
            sdk.accounting.create_contacts(
                tenant,
                Contacts(
                    contacts=[Contact(name="Another New Client Ltd"), Contact(name="Cobalt Software Ltd")]
                ),
            )
        assert len(raised.value.error_data["Elements"]) == 1
        assert sdk.accounting.get_contacts(tenant, where='Name=="Another New Client Ltd"').contacts == []

    def test_if_modified_since(self, sdk, tenant, xero_sandbox):
        since = clock.now().replace(microsecond=0)
        assert sdk.accounting.get_contacts(tenant, if_modified_since=since).contacts == []
        contact = acme(sdk, tenant)
        xero_sandbox.rename_contact(contact.contact_id, "Acme Widgets Ltd")
        changed = sdk.accounting.get_contacts(tenant, if_modified_since=since).contacts
        assert [c.name for c in changed] == ["Acme Widgets Ltd"]


def draft_invoice(contact_id: str, **fields) -> Invoice:
    return Invoice(
        type="ACCREC",
        contact=Contact(contact_id=contact_id),
        # Today: after the demo organisation's lock date (its last year end), so it can be approved.
        date=dt.date.today(),
        due_date=dt.date.today() + dt.timedelta(days=30),
        line_amount_types=LineAmountTypes.EXCLUSIVE,
        line_items=[
            LineItem(
                description="Annual accounts",
                quantity=Decimal(1),
                unit_amount=Decimal("1200.00"),
                account_code="200",
                tax_type="OUTPUT2",
            )
        ],
        **fields,
    )


class TestInvoices:
    def test_unpaged_list_has_no_line_items(self, sdk, tenant):
        invoices = sdk.accounting.get_invoices(tenant).invoices
        assert len(invoices) > 400
        assert all(invoice.line_items is None for invoice in invoices)

    def test_paged_list_has_line_items_and_pagination(self, sdk, tenant):
        result = sdk.accounting.get_invoices(tenant, page=2, page_size=50, order="Date DESC")
        assert result.pagination.page == 2 and len(result.invoices) == 50
        assert all(invoice.line_items for invoice in result.invoices)
        dates = [invoice.date for invoice in result.invoices]
        assert dates == sorted(dates, reverse=True)

    @pytest.mark.parametrize("status", ["DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED"])
    def test_every_status_is_seeded_and_filterable(self, sdk, tenant, status):
        by_param = sdk.accounting.get_invoices(tenant, statuses=[status]).invoices
        by_where = sdk.accounting.get_invoices(tenant, where=f'Status=="{status}"').invoices
        assert by_param and {invoice.invoice_id for invoice in by_param} == {
            invoice.invoice_id for invoice in by_where
        }

    def test_where_on_type_contact_dates_and_amounts(self, sdk, tenant):
        contact = acme(sdk, tenant)
        where = (
            f'Type=="ACCREC" && Contact.ContactID==Guid("{contact.contact_id}") '
            "&& Date>=DateTime(2025,01,01) && AmountDue>0"
        )
        invoices = sdk.accounting.get_invoices(tenant, where=where).invoices
        assert invoices
        assert all(
            invoice.contact.contact_id == contact.contact_id and invoice.amount_due > 0
            for invoice in invoices
        )
        assert all(invoice.date >= dt.date(2025, 1, 1) for invoice in invoices)
        overdue = sdk.accounting.get_invoices(
            tenant, where=f'Status=="AUTHORISED" && DueDate<DateTime({clock.now():%Y,%m,%d})', page=1
        ).invoices
        assert overdue, "the demo has overdue invoices"
        part_paid = [
            invoice
            for invoice in sdk.accounting.get_invoices(tenant, statuses=["AUTHORISED"]).invoices
            if invoice.amount_paid
        ]
        assert part_paid, "and part-paid ones"

    def test_ids_numbers_and_search(self, sdk, tenant):
        some = sdk.accounting.get_invoices(tenant, page=1, page_size=3).invoices
        by_ids = sdk.accounting.get_invoices(tenant, i_ds=[invoice.invoice_id for invoice in some]).invoices
        assert {invoice.invoice_id for invoice in by_ids} == {invoice.invoice_id for invoice in some}
        numbers = [invoice.invoice_number for invoice in some]
        assert len(sdk.accounting.get_invoices(tenant, invoice_numbers=numbers).invoices) == 3
        payroll = sdk.accounting.get_invoices(tenant, search_term="payroll").invoices
        assert payroll and all("payroll" in invoice.reference.lower() for invoice in payroll)

    def test_get_by_id_or_number(self, sdk, tenant):
        invoice = sdk.accounting.get_invoices(tenant, where='Type=="ACCREC"', page=1, page_size=1).invoices[0]
        (by_id,) = sdk.accounting.get_invoice(tenant, invoice.invoice_id).invoices
        (by_number,) = sdk.accounting.get_invoice(tenant, invoice.invoice_number).invoices
        assert by_id.invoice_id == by_number.invoice_id and by_id.line_items
        with pytest.raises(NotFoundException):
            sdk.accounting.get_invoice(tenant, "INV-9999")

    def test_create_gets_the_next_number_totals_and_makes_a_customer(self, sdk, tenant, xero_sandbox):
        supplier = sdk.accounting.get_contacts(tenant, where='Name=="Swift Couriers Ltd"').contacts[0]
        assert supplier.is_customer is False
        highest = max(int(i["InvoiceNumber"][4:]) for i in xero_sandbox.invoices() if i["Type"] == "ACCREC")
        created = sdk.accounting.create_invoices(
            tenant, Invoices(invoices=[draft_invoice(supplier.contact_id)])
        ).invoices[0]
        assert created.invoice_number == f"INV-{highest + 1:04d}"
        assert (created.sub_total, created.total_tax, created.total, created.amount_due) == (
            Decimal("1200.0"),
            Decimal("240.0"),
            Decimal("1440.0"),
            Decimal("1440.0"),
        )
        assert created.status == "DRAFT" and created.line_items[0].line_item_id
        assert sdk.accounting.get_contact(tenant, supplier.contact_id).contacts[0].is_customer is True

    def test_update_approve_and_online_invoice(self, sdk, tenant):
        contact = acme(sdk, tenant)
        created = sdk.accounting.create_invoices(
            tenant, Invoices(invoices=[draft_invoice(contact.contact_id)])
        ).invoices[0]
        with pytest.raises(AccountingBadRequestException):
            sdk.accounting.get_online_invoice(tenant, created.invoice_id)
        approved = sdk.accounting.update_invoice(
            tenant,
            created.invoice_id,
            Invoices(invoices=[Invoice(status="AUTHORISED", reference="Year end 2026")]),
        ).invoices[0]
        assert (approved.status, approved.reference, approved.invoice_number) == (
            "AUTHORISED",
            "Year end 2026",
            created.invoice_number,
        )
        (online,) = sdk.accounting.get_online_invoice(tenant, created.invoice_id).online_invoices
        assert online.online_invoice_url.endswith(f"/in/{created.invoice_id}")

    def test_update_or_create_by_number(self, sdk, tenant):
        contact = acme(sdk, tenant)
        created = sdk.accounting.create_invoices(
            tenant, Invoices(invoices=[draft_invoice(contact.contact_id)])
        ).invoices[0]
        result = sdk.accounting.update_or_create_invoices(
            tenant, Invoices(invoices=[Invoice(invoice_number=created.invoice_number, reference="by number")])
        ).invoices[0]
        assert result.invoice_id == created.invoice_id and result.reference == "by number"

    def test_contact_by_name_creates_it(self, sdk, tenant):
        invoice = draft_invoice("ignored")
        invoice.contact = Contact(name="Ironbridge Heritage Tours Ltd")
        created = sdk.accounting.create_invoices(tenant, Invoices(invoices=[invoice])).invoices[0]
        (contact,) = sdk.accounting.get_contacts(
            tenant, where='Name=="Ironbridge Heritage Tours Ltd"'
        ).contacts
        assert created.contact.contact_id == contact.contact_id and contact.is_customer

    def test_validation_failure_shape(self, sdk, tenant):
        invoice = draft_invoice(acme(sdk, tenant).contact_id, invoice_number="INV-0001")
        with pytest.raises(AccountingBadRequestException) as raised:
            sdk.accounting.create_invoices(tenant, Invoices(invoices=[invoice]))
        assert raised.value.status == 400
        assert raised.value.reason == "Invoice # must be unique."
        element = raised.value.error_data["Elements"][0]
        assert element["ValidationErrors"] == [{"Message": "Invoice # must be unique."}]

    def test_created_by_my_app_and_if_modified_since(self, sdk, tenant):
        since = clock.now().replace(microsecond=0)
        assert sdk.accounting.get_invoices(tenant, created_by_my_app=True).invoices == []
        created = sdk.accounting.create_invoices(
            tenant, Invoices(invoices=[draft_invoice(acme(sdk, tenant).contact_id)])
        ).invoices[0]
        mine = sdk.accounting.get_invoices(tenant, created_by_my_app=True).invoices
        assert [invoice.invoice_id for invoice in mine] == [created.invoice_id]
        changed = sdk.accounting.get_invoices(tenant, if_modified_since=since).invoices
        assert [invoice.invoice_id for invoice in changed] == [created.invoice_id]

    def test_aged_receivables_by_contact(self, sdk, tenant):
        contact = acme(sdk, tenant)
        (report,) = sdk.accounting.get_report_aged_receivables_by_contact(tenant, contact.contact_id).reports
        assert (
            report.report_type == "AgedReceivablesByContact"
            and report.report_titles[1] == "Acme Widgets Limited"
        )
        header, opening, body, closing = report.rows
        assert [cell.value for cell in header.cells] == [
            "Date",
            "Number",
            "Due Date",
            "",
            "Total",
            "Paid",
            "Credited",
            "Due",
        ]
        assert opening.rows[0].cells[1].value == "Opening Balance"
        assert body.rows[-1].row_type.value == "SummaryRow" and body.rows[-1].cells[0].value == "Total"
        due = Decimal(closing.rows[0].cells[-1].value)
        assert due == contact.balances.accounts_receivable.outstanding

    def test_aged_receivables_needs_a_contact(self, sdk, tenant, xero_sandbox):
        response = requests.get(
            f"{xero_sandbox.accounting_url}/Reports/AgedReceivablesByContact",
            headers={"Authorization": f"Bearer {sdk.token['access_token']}", "xero-tenant-id": tenant},
            timeout=10,
        )
        assert response.status_code == 400
        assert response.json()["Elements"][0]["ValidationErrors"][0]["Message"]
