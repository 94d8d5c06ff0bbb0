"""Each record as Xero's JSON: field names, enum spelling, omitted empty values, /Date()/ dates."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .clock import clock
from .records import (
    Account,
    Allocation,
    Contact,
    CreditNote,
    Invoice,
    Item,
    LineItem,
    Organisation,
    Payment,
    TaxRate,
)
from .wire import iso_date, iso_datetime_utc, money, ms_date, ms_datetime, ms_timestamp, number

APPROVED_STATUSES = {"AUTHORISED", "PAID"}


def _set(payload: dict, key: str, value) -> None:
    if value not in (None, ""):
        payload[key] = value


ADDRESS_TYPES = ("POBOX", "STREET")
ADDRESS_LINES = ("AddressLine1", "AddressLine2", "AddressLine3", "AddressLine4")
PHONE_TYPES = ("DEFAULT", "DDI", "FAX", "MOBILE")
NO_LIST: list = []  # shared, never mutated: the empty arrays Xero sends


def addresses_json(addresses: list[dict], *, detail: bool = True) -> list[dict]:
    """One address of each type, blank where nothing was entered; as in Xero's examples, the four
    address lines appear (blank or not) once an address has been entered, and AttentionTo always
    appears on a single contact."""
    by_type = {address.get("AddressType"): address for address in addresses}
    result = []
    for address_type in ADDRESS_TYPES:
        stored = by_type.get(address_type, {})
        address = {"AddressType": address_type}
        if any(stored.get(key) for key in ADDRESS_LINES):
            for key in ADDRESS_LINES:
                address[key] = stored.get(key, "")
        for key in ("City", "Region", "PostalCode", "Country"):
            address[key] = stored.get(key, "")
        if detail or stored.get("AttentionTo"):
            address["AttentionTo"] = stored.get("AttentionTo", "")
        result.append(address)
    return result


def phones_json(phones: list[dict]) -> list[dict]:
    by_type = {phone.get("PhoneType"): phone for phone in phones}
    return [
        {
            "PhoneType": phone_type,
            "PhoneNumber": by_type.get(phone_type, {}).get("PhoneNumber", ""),
            "PhoneAreaCode": by_type.get(phone_type, {}).get("PhoneAreaCode", ""),
            "PhoneCountryCode": by_type.get(phone_type, {}).get("PhoneCountryCode", ""),
        }
        for phone_type in PHONE_TYPES
    ]


def contact_persons_json(persons: list[dict]) -> list[dict]:
    return [
        {
            "FirstName": person.get("FirstName", ""),
            "LastName": person.get("LastName", ""),
            "EmailAddress": person.get("EmailAddress", ""),
            "IncludeInEmails": bool(person.get("IncludeInEmails", False)),
        }
        for person in persons
    ]


CREDIT_NOTE_LEDGER = {"ACCRECCREDIT": "ACCREC", "ACCPAYCREDIT": "ACCPAY"}


def balances(org: Organisation, contact_id: str, today: date) -> dict:
    """What the contact owes (or is owed): approved invoices' AmountDue less approved credit notes'
    unallocated credit ("the amount due takes credit notes and part payments into account", Xero
    Central, Contact activity). A credit note counts as overdue once its date has passed, as the
    aged receivables report ages it by its date (books/aging.py)."""
    totals = {"ACCREC": [Decimal(0), Decimal(0)], "ACCPAY": [Decimal(0), Decimal(0)]}
    for invoice in org.invoices_of(contact_id):
        if invoice.status != "AUTHORISED" or invoice.type not in totals:
            continue
        totals[invoice.type][0] += invoice.amount_due
        if invoice.due_date and invoice.due_date < today:
            totals[invoice.type][1] += invoice.amount_due
    for note in org.credit_notes_of(contact_id):
        if note.status != "AUTHORISED" or note.type not in CREDIT_NOTE_LEDGER:
            continue
        ledger = totals[CREDIT_NOTE_LEDGER[note.type]]
        ledger[0] -= note.remaining_credit
        if (note.due_date or note.date) < today:
            ledger[1] -= note.remaining_credit
    receivable, payable = totals["ACCREC"], totals["ACCPAY"]
    return {
        "AccountsReceivable": {"Outstanding": money(receivable[0]), "Overdue": money(receivable[1])},
        "AccountsPayable": {"Outstanding": money(payable[0]), "Overdue": money(payable[1])},
    }


def payment_terms_json(terms: dict) -> dict:
    return {kind: {"Day": term["Day"], "Type": term["Type"]} for kind, term in terms.items()}


def contact_json(contact: Contact, org: Organisation, *, summary: bool = False, detail: bool = True) -> dict:
    """A contact as Xero sends it: `detail` for GET by id and write answers (every setting), else as
    in a GET Contacts page; `summary` for summaryOnly=true (no addresses, phones or balances)."""
    payload = {"ContactID": contact.contact_id}
    _set(payload, "ContactNumber", contact.contact_number)
    _set(payload, "AccountNumber", contact.account_number)
    payload["ContactStatus"] = contact.status
    payload["Name"] = contact.name
    _set(payload, "FirstName", contact.first_name)
    _set(payload, "LastName", contact.last_name)
    _set(payload, "CompanyNumber", contact.company_number)
    payload["EmailAddress"] = contact.email_address
    if not summary:
        payload["BankAccountDetails"] = contact.bank_account_details
    _set(payload, "TaxNumber", contact.tax_number)
    if detail:
        _set(payload, "AccountsReceivableTaxType", contact.accounts_receivable_tax_type)
        _set(payload, "AccountsPayableTaxType", contact.accounts_payable_tax_type)
    if not summary:
        payload["Addresses"] = addresses_json(contact.addresses, detail=detail)
        payload["Phones"] = phones_json(contact.phones)
    payload["UpdatedDateUTC"] = ms_datetime(contact.updated_at)
    if not summary:
        payload["ContactGroups"] = NO_LIST
    payload["IsSupplier"] = contact.is_supplier
    payload["IsCustomer"] = contact.is_customer
    _set(payload, "SalesDefaultLineAmountType", contact.sales_default_line_amount_type)
    _set(payload, "PurchasesDefaultLineAmountType", contact.purchases_default_line_amount_type)
    if detail:
        _set(payload, "DefaultCurrency", contact.default_currency)
        if contact.discount is not None:
            payload["Discount"] = number(contact.discount)
        _set(payload, "Website", contact.website)
        if contact.branding_theme:
            payload["BrandingTheme"] = dict(contact.branding_theme)
        _set(payload, "PurchasesDefaultAccountCode", contact.purchases_default_account_code)
        _set(payload, "SalesDefaultAccountCode", contact.sales_default_account_code)
        payload["SalesTrackingCategories"] = [dict(item) for item in contact.sales_tracking_categories]
        payload["PurchasesTrackingCategories"] = [
            dict(item) for item in contact.purchases_tracking_categories
        ]
        if contact.batch_payments:
            payload["BatchPayments"] = dict(contact.batch_payments)
    if not summary:
        payload["Balances"] = balances(org, contact.contact_id, clock.today_in(org.timezone))
    if detail and contact.payment_terms:
        payload["PaymentTerms"] = payment_terms_json(contact.payment_terms)
    if not summary:
        payload["ContactPersons"] = contact_persons_json(contact.contact_persons)
    payload["HasAttachments"] = False
    payload["HasValidationErrors"] = False
    return payload


def contact_reference_json(contact: Contact, *, detail: bool) -> dict:
    """The contact nested in an invoice. In a list Xero sends a reference with empty arrays; by id
    and in write answers the contact itself (no balances, terms or settings), as its examples show."""
    payload = {"ContactID": contact.contact_id}
    _set(payload, "ContactNumber", contact.contact_number)
    if not detail:
        payload["Name"] = contact.name
        payload["Addresses"] = NO_LIST
        payload["Phones"] = NO_LIST
        payload["ContactGroups"] = NO_LIST
        payload["ContactPersons"] = NO_LIST
        payload["HasValidationErrors"] = False
        return payload
    _set(payload, "AccountNumber", contact.account_number)
    payload["ContactStatus"] = contact.status
    payload["Name"] = contact.name
    _set(payload, "FirstName", contact.first_name)
    _set(payload, "LastName", contact.last_name)
    _set(payload, "CompanyNumber", contact.company_number)
    payload["EmailAddress"] = contact.email_address
    payload["BankAccountDetails"] = contact.bank_account_details
    _set(payload, "TaxNumber", contact.tax_number)
    payload["Addresses"] = addresses_json(contact.addresses)
    payload["Phones"] = phones_json(contact.phones)
    payload["UpdatedDateUTC"] = ms_datetime(contact.updated_at)
    payload["ContactGroups"] = NO_LIST
    payload["IsSupplier"] = contact.is_supplier
    payload["IsCustomer"] = contact.is_customer
    _set(payload, "DefaultCurrency", contact.default_currency)
    payload["SalesTrackingCategories"] = [dict(item) for item in contact.sales_tracking_categories]
    payload["PurchasesTrackingCategories"] = [dict(item) for item in contact.purchases_tracking_categories]
    payload["ContactPersons"] = contact_persons_json(contact.contact_persons)
    payload["HasValidationErrors"] = False
    return payload


def line_item_json(line: LineItem, unit_decimals: int = 2) -> dict:
    payload = {"LineItemID": line.line_item_id, "Description": line.description}
    payload["Quantity"] = number(line.quantity)
    # UnitAmount shows 2 decimal places unless the caller asked for unitdp=4.
    payload["UnitAmount"] = number(
        line.unit_amount.quantize(Decimal(1).scaleb(-unit_decimals), ROUND_HALF_UP)
    )
    _set(payload, "ItemCode", line.item_code)
    _set(payload, "AccountCode", line.account_code)
    payload["TaxType"] = line.tax_type or "NONE"
    payload["TaxAmount"] = money(line.tax_amount)
    payload["LineAmount"] = money(line.line_amount)
    if line.discount_rate is not None:
        payload["DiscountRate"] = number(line.discount_rate)
    payload["Tracking"] = NO_LIST
    payload["ValidationErrors"] = NO_LIST
    return payload


def payment_json(payment: Payment) -> dict:
    return {
        "PaymentID": payment.payment_id,
        "Date": ms_date(payment.date),
        "Amount": money(payment.amount),
        "Reference": payment.reference,
        "CurrencyRate": 1.0,
        "HasAccount": False,
        "HasValidationErrors": False,
    }


def invoice_json(
    invoice: Invoice,
    org: Organisation,
    *,
    with_lines: bool,
    summary: bool = False,
    unit_decimals: int = 2,
    detail: bool = True,
) -> dict:
    """An invoice as Xero sends it: `detail` (GET by id, write answers) nests the full contact,
    a list page a contact reference."""
    contact = org.contacts[invoice.contact_id]
    payload = {"Type": invoice.type, "InvoiceID": invoice.invoice_id}
    _set(payload, "InvoiceNumber", invoice.invoice_number)
    _set(payload, "Reference", invoice.reference)
    if not summary:
        payload["Payments"] = [payment_json(payment) for payment in invoice.payments]
        payload["CreditNotes"] = applied_credit_notes_json(invoice, org)
        payload["Prepayments"] = []
        payload["Overpayments"] = []
    payload["AmountDue"] = money(invoice.amount_due)
    payload["AmountPaid"] = money(invoice.amount_paid)
    payload["AmountCredited"] = money(invoice.amount_credited)
    payload["CurrencyRate"] = 1.0
    payload["IsDiscounted"] = any(line.discount_rate for line in invoice.line_items)
    payload["HasAttachments"] = False
    payload["HasErrors"] = False
    payload["Contact"] = contact_reference_json(contact, detail=detail and not summary)
    payload["DateString"] = iso_date(invoice.date)
    payload["Date"] = ms_date(invoice.date)
    if invoice.due_date:
        payload["DueDateString"] = iso_date(invoice.due_date)
        payload["DueDate"] = ms_date(invoice.due_date)
    if invoice.expected_payment_date:
        payload["ExpectedPaymentDate"] = ms_date(invoice.expected_payment_date)
    payload["Status"] = invoice.status
    payload["LineAmountTypes"] = invoice.line_amount_types
    if with_lines and not summary:
        payload["LineItems"] = [line_item_json(line, unit_decimals) for line in invoice.line_items]
    payload["SubTotal"] = money(invoice.sub_total)
    payload["TotalTax"] = money(invoice.total_tax)
    payload["Total"] = money(invoice.total)
    payload["UpdatedDateUTC"] = ms_datetime(invoice.updated_at)
    payload["UpdatedDateUTCString"] = iso_datetime_utc(invoice.updated_at)
    payload["CurrencyCode"] = invoice.currency_code
    if invoice.fully_paid_on:
        payload["FullyPaidOnDate"] = ms_date(invoice.fully_paid_on)
    if invoice.status in APPROVED_STATUSES:
        payload["SentToContact"] = invoice.sent_to_contact
    _set(payload, "Url", invoice.url)
    _set(payload, "BrandingThemeID", invoice.branding_theme_id)
    return payload


def applied_credit_notes_json(invoice: Invoice, org: Organisation) -> list[dict]:
    """The credit notes allocated to an invoice, each with the amount it applied (AppliedAmount,
    the CreditNote schema's "amount of applied to an invoice")."""
    result = []
    for note_id in invoice.credit_note_ids:
        note = org.credit_notes.get(note_id)
        if note is None:
            continue
        applied = sum(
            (item.amount for item in note.allocations if item.invoice_id == invoice.invoice_id), Decimal(0)
        )
        payload = {"CreditNoteID": note.credit_note_id, "ID": note.credit_note_id}
        _set(payload, "CreditNoteNumber", note.credit_note_number)
        payload["HasErrors"] = False
        payload["AppliedAmount"] = money(applied)
        payload["DateString"] = iso_date(note.date)
        payload["Date"] = ms_date(note.date)
        payload["LineItems"] = NO_LIST
        payload["Total"] = money(note.total)
        result.append(payload)
    return result


def allocation_json(allocation: Allocation, org: Organisation) -> dict:
    """An allocation as a credit note lists it: the invoice it went to, the amount and date."""
    invoice = org.invoices.get(allocation.invoice_id)
    reference = {"InvoiceID": allocation.invoice_id}
    if invoice is not None:
        _set(reference, "InvoiceNumber", invoice.invoice_number)
    reference.update(
        {
            "Payments": NO_LIST,
            "CreditNotes": NO_LIST,
            "Prepayments": NO_LIST,
            "Overpayments": NO_LIST,
            "HasErrors": False,
            "IsDiscounted": False,
            "LineItems": NO_LIST,
            "ValidationErrors": NO_LIST,
        }
    )
    return {
        "AllocationID": allocation.allocation_id,
        "Amount": money(allocation.amount),
        "Date": ms_date(allocation.date),
        "Invoice": reference,
    }


def allocation_write_json(allocation: Allocation, note: CreditNote, org: Organisation) -> dict:
    """An allocation as PUT CreditNotes/{id}/Allocations answers it (Xero's example): the invoice
    and a reference to the credit note."""
    payload = allocation_json(allocation, org)
    payload["CreditNote"] = {
        "CreditNoteID": note.credit_note_id,
        "ID": note.credit_note_id,
        "LineItems": NO_LIST,
    }
    return payload


def credit_note_json(
    note: CreditNote,
    org: Organisation,
    *,
    with_lines: bool,
    unit_decimals: int = 2,
    detail: bool = True,
) -> dict:
    """A credit note as Xero sends it (its GET CreditNotes and GET CreditNotes/{id} examples):
    `detail` nests the full contact, a list page a contact reference; lines only when paged or by id."""
    contact = org.contacts[note.contact_id]
    payload = {"CreditNoteID": note.credit_note_id, "CreditNoteNumber": note.credit_note_number}
    payload["Payments"] = NO_LIST
    payload["ID"] = note.credit_note_id
    payload["CurrencyRate"] = 1.0
    payload["Type"] = note.type
    payload["Reference"] = note.reference
    payload["RemainingCredit"] = money(note.remaining_credit)
    payload["Allocations"] = [allocation_json(allocation, org) for allocation in note.allocations]
    payload["HasAttachments"] = False
    payload["HasErrors"] = False
    payload["Contact"] = contact_reference_json(contact, detail=detail)
    payload["DateString"] = iso_date(note.date)
    payload["Date"] = ms_date(note.date)
    if note.due_date:
        payload["DueDateString"] = iso_date(note.due_date)
        payload["DueDate"] = ms_date(note.due_date)
    payload["Status"] = note.status
    payload["LineAmountTypes"] = note.line_amount_types
    payload["LineItems"] = (
        [line_item_json(line, unit_decimals) for line in note.line_items] if with_lines else NO_LIST
    )
    payload["SubTotal"] = money(note.sub_total)
    payload["TotalTax"] = money(note.total_tax)
    payload["Total"] = money(note.total)
    payload["UpdatedDateUTC"] = ms_datetime(note.updated_at)
    payload["UpdatedDateUTCString"] = iso_datetime_utc(note.updated_at)
    payload["CurrencyCode"] = note.currency_code
    if note.fully_paid_on:
        payload["FullyPaidOnDate"] = ms_date(note.fully_paid_on)
    if note.status in APPROVED_STATUSES:
        payload["SentToContact"] = note.sent_to_contact
    _set(payload, "BrandingThemeID", note.branding_theme_id)
    return payload


def organisation_json(org: Organisation) -> dict:
    payload = {
        "OrganisationID": org.tenant_id,
        "APIKey": org.tenant_id.replace("-", "").upper()[:30],
        "Name": org.name,
        "LegalName": org.legal_name,
        "PaysTax": True,
        "Version": org.version,
        "OrganisationType": org.organisation_type,
        "BaseCurrency": org.base_currency,
        "CountryCode": org.country_code,
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
        "FinancialYearEndDay": org.financial_year_end_day,
        "FinancialYearEndMonth": org.financial_year_end_month,
        "SalesTaxBasis": org.sales_tax_basis,
        "SalesTaxPeriod": org.sales_tax_period,
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Inclusive",
        # "Shown if set" (the spec); /Date(ms+0000)/ as in Xero's example.
        **({"PeriodLockDate": ms_date(org.period_lock_date)} if org.period_lock_date else {}),
        **({"EndOfYearLockDate": ms_date(org.end_of_year_lock_date)} if org.end_of_year_lock_date else {}),
        "CreatedDateUTC": ms_timestamp(org.created_at),
        "OrganisationEntityType": org.organisation_type,
        "Timezone": org.timezone,
        "ShortCode": org.short_code,
        "Class": org.organisation_class,
        "Edition": org.edition,
        "LineOfBusiness": org.line_of_business,
        "Addresses": [{"AddressType": "STREET", **org.address}] if org.address else [],
        "Phones": [{"PhoneType": "OFFICE", "PhoneNumber": org.phone}] if org.phone else [],
        "ExternalLinks": [{"LinkType": "Website", "Url": org.website}] if org.website else [],
        "PaymentTerms": {
            "Bills": {"Day": org.bills_terms_days, "Type": org.bills_terms_type},
            "Sales": {"Day": org.sales_terms_days, "Type": org.sales_terms_type},
        },
    }
    _set(payload, "RegistrationNumber", org.registration_number)
    _set(payload, "TaxNumber", org.tax_number)
    return payload


def account_json(account: Account, org: Organisation) -> dict:
    payload = {
        "AccountID": account.account_id,
        "Code": account.code,
        "Name": account.name,
        "Status": "ACTIVE",
        "Type": account.type,
        "TaxType": account.tax_type,
        "Class": account.account_class,
        "EnablePaymentsToAccount": account.enable_payments,
        "ShowInExpenseClaims": account.account_class == "EXPENSE",
        "BankAccountType": "BANK" if account.type == "BANK" else "",
        "ReportingCode": account.account_class[:3],
        "HasAttachments": False,
        "UpdatedDateUTC": ms_datetime(org.created_at),
        "AddToWatchlist": False,
    }
    _set(payload, "Description", account.description)
    _set(payload, "SystemAccount", account.system_account)
    _set(payload, "BankAccountNumber", account.bank_account_number)
    if account.type == "BANK":
        payload["CurrencyCode"] = org.base_currency
    return payload


def tax_rate_json(rate: TaxRate) -> dict:
    return {
        "Name": rate.name,
        "TaxType": rate.tax_type,
        "ReportTaxType": rate.report_tax_type,
        "CanApplyToAssets": rate.can_apply_to_assets,
        "CanApplyToEquity": rate.can_apply_to_equity,
        "CanApplyToExpenses": rate.can_apply_to_expenses,
        "CanApplyToLiabilities": rate.can_apply_to_liabilities,
        "CanApplyToRevenue": rate.can_apply_to_revenue,
        "DisplayTaxRate": number(rate.rate),
        "EffectiveRate": number(rate.rate),
        "Status": "ACTIVE",
        "TaxComponents": [
            {"Name": "VAT", "Rate": number(rate.rate), "IsCompound": False, "IsNonRecoverable": False}
        ],
    }


def item_json(item: Item) -> dict:
    return {
        "ItemID": item.item_id,
        "Code": item.code,
        "Name": item.name,
        "Description": item.description,
        "UpdatedDateUTC": ms_datetime(item.updated_at),
        "PurchaseDetails": {},
        "SalesDetails": {
            "UnitPrice": money(item.unit_price),
            "AccountCode": item.account_code,
            "TaxType": item.tax_type,
        },
        "IsTrackedAsInventory": False,
        "IsSold": True,
        "IsPurchased": False,
    }
