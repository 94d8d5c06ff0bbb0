"""The sandbox's records: organisations and their books, registered apps, grants and tokens.

Field names are ours (snake_case); `wire.py` turns them into Xero's JSON. Money is Decimal.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

DERIVED = {"persist": False}


@dataclass
class LineItem:
    line_item_id: str
    description: str = ""
    quantity: Decimal = Decimal("1")
    unit_amount: Decimal = Decimal("0")
    item_code: str | None = None
    account_code: str | None = None
    tax_type: str | None = None
    tax_amount: Decimal = Decimal("0")
    line_amount: Decimal = Decimal("0")
    discount_rate: Decimal | None = None


@dataclass
class Payment:
    payment_id: str
    date: date
    amount: Decimal
    reference: str = ""
    updated_at: datetime | None = None


@dataclass
class Invoice:
    invoice_id: str
    type: str
    contact_id: str
    status: str
    date: date
    due_date: date | None
    line_amount_types: str
    currency_code: str
    updated_at: datetime
    invoice_number: str = ""
    reference: str = ""
    line_items: list[LineItem] = field(default_factory=list)
    sub_total: Decimal = Decimal("0")
    total_tax: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    amount_paid: Decimal = Decimal("0")
    amount_credited: Decimal = Decimal("0")
    payments: list[Payment] = field(default_factory=list)
    fully_paid_on: date | None = None
    sent_to_contact: bool = False
    url: str | None = None
    branding_theme_id: str | None = None
    expected_payment_date: date | None = None
    created_by_client_id: str | None = None
    # Credit notes allocated to this invoice, in allocation order (their CreditNoteIDs).
    credit_note_ids: list[str] = field(default_factory=list)

    @property
    def amount_due(self) -> Decimal:
        return self.total - self.amount_paid - self.amount_credited

    @property
    def is_sale(self) -> bool:
        return self.type == "ACCREC"


@dataclass
class Allocation:
    """Part of a credit note's credit applied to an invoice (PUT CreditNotes/{id}/Allocations)."""

    allocation_id: str
    invoice_id: str
    amount: Decimal
    date: date
    updated_at: datetime | None = None


@dataclass
class CreditNote:
    """A credit note (ACCRECCREDIT for customers, ACCPAYCREDIT from suppliers). RemainingCredit is
    its total less what has been allocated to invoices."""

    credit_note_id: str
    type: str
    contact_id: str
    status: str
    date: date
    line_amount_types: str
    currency_code: str
    updated_at: datetime
    credit_note_number: str = ""
    reference: str = ""
    due_date: date | None = None
    line_items: list[LineItem] = field(default_factory=list)
    sub_total: Decimal = Decimal("0")
    total_tax: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    allocations: list[Allocation] = field(default_factory=list)
    fully_paid_on: date | None = None
    sent_to_contact: bool = False
    branding_theme_id: str | None = None
    created_by_client_id: str | None = None

    @property
    def amount_allocated(self) -> Decimal:
        return sum((allocation.amount for allocation in self.allocations), Decimal("0"))

    @property
    def remaining_credit(self) -> Decimal:
        return self.total - self.amount_allocated

    @property
    def is_sale(self) -> bool:
        return self.type == "ACCRECCREDIT"


@dataclass
class Contact:
    contact_id: str
    name: str
    updated_at: datetime
    status: str = "ACTIVE"
    first_name: str = ""
    last_name: str = ""
    email_address: str = ""
    contact_number: str = ""
    account_number: str = ""
    company_number: str = ""
    tax_number: str = ""
    website: str = ""
    # Stored in Xero's own shape ({"AddressType": "STREET", "AddressLine1": ...}).
    addresses: list[dict] = field(default_factory=list)
    phones: list[dict] = field(default_factory=list)
    is_customer: bool = False
    is_supplier: bool = False
    default_currency: str | None = None
    created_by_client_id: str | None = None
    # The contact's settings, kept in Xero's own shapes where Xero nests them.
    bank_account_details: str = ""
    accounts_receivable_tax_type: str = ""
    accounts_payable_tax_type: str = ""
    sales_default_account_code: str = ""
    purchases_default_account_code: str = ""
    # INCLUSIVE / EXCLUSIVE / NONE, as Xero spells the contact's defaults.
    sales_default_line_amount_type: str = ""
    purchases_default_line_amount_type: str = ""
    discount: Decimal | None = None
    branding_theme: dict = field(default_factory=dict)  # {"BrandingThemeID", "Name"}
    # {"Bills": {"Day": 20, "Type": "OFFOLLOWINGMONTH"}, "Sales": {...}}: empty = the organisation's
    payment_terms: dict = field(default_factory=dict)
    contact_persons: list[dict] = field(default_factory=list)
    sales_tracking_categories: list[dict] = field(default_factory=list)
    purchases_tracking_categories: list[dict] = field(default_factory=list)
    batch_payments: dict = field(default_factory=dict)


@dataclass
class Account:
    account_id: str
    code: str
    name: str
    type: str
    account_class: str
    tax_type: str
    description: str = ""
    system_account: str = ""
    bank_account_number: str = ""
    enable_payments: bool = False


@dataclass
class TaxRate:
    name: str
    tax_type: str
    rate: Decimal
    report_tax_type: str
    can_apply_to_revenue: bool = True
    can_apply_to_expenses: bool = True
    can_apply_to_assets: bool = True
    can_apply_to_equity: bool = False
    can_apply_to_liabilities: bool = True


@dataclass
class Item:
    item_id: str
    code: str
    name: str
    description: str
    unit_price: Decimal
    account_code: str
    tax_type: str
    updated_at: datetime


@dataclass
class Organisation:
    tenant_id: str
    name: str
    legal_name: str
    short_code: str
    created_at: datetime
    country_code: str = "GB"
    version: str = "UK"
    base_currency: str = "GBP"
    timezone: str = "GMTSTANDARDTIME"
    registration_number: str = ""
    tax_number: str = ""
    financial_year_end_day: int = 31
    financial_year_end_month: int = 3
    # Lock dates (Financial settings in Xero): documents dated on or before them cannot be approved,
    # edited or voided (books/locks.py). None when not set.
    period_lock_date: date | None = None
    end_of_year_lock_date: date | None = None
    line_of_business: str = ""
    organisation_type: str = "COMPANY"
    address: dict = field(default_factory=dict)
    phone: str = ""
    sales_terms_days: int = 30
    bills_terms_days: int = 30
    sales_terms_type: str = "DAYSAFTERBILLDATE"
    bills_terms_type: str = "DAYSAFTERBILLDATE"
    website: str = ""
    organisation_class: str = "STANDARD"
    edition: str = "BUSINESS"
    sales_tax_basis: str = "ACCRUALS"
    sales_tax_period: str = "QUARTERLY1"
    invoice_prefix: str = "INV-"
    next_invoice_number: int = 1
    # Xero numbers sales credit notes from the invoice settings' own credit note prefix (CN-).
    credit_note_prefix: str = "CN-"
    next_credit_note_number: int = 1
    contacts: dict[str, Contact] = field(default_factory=dict)
    invoices: dict[str, Invoice] = field(default_factory=dict)
    credit_notes: dict[str, CreditNote] = field(default_factory=dict)
    accounts: list[Account] = field(default_factory=list)
    tax_rates: list[TaxRate] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    # Indexes, rebuilt from the records above (see Organisation.reindex).
    invoice_ids_by_contact: dict[str, list[str]] = field(default_factory=dict, metadata=DERIVED)
    credit_note_ids_by_contact: dict[str, list[str]] = field(default_factory=dict, metadata=DERIVED)

    def reindex(self) -> None:
        self.invoice_ids_by_contact = {}
        for invoice in self.invoices.values():
            self.invoice_ids_by_contact.setdefault(invoice.contact_id, []).append(invoice.invoice_id)
        self.credit_note_ids_by_contact = {}
        for note in self.credit_notes.values():
            self.credit_note_ids_by_contact.setdefault(note.contact_id, []).append(note.credit_note_id)

    def add_credit_note(self, note: CreditNote) -> None:
        self.credit_notes[note.credit_note_id] = note
        self.credit_note_ids_by_contact.setdefault(note.contact_id, []).append(note.credit_note_id)

    def credit_notes_of(self, contact_id: str) -> list[CreditNote]:
        return [self.credit_notes[note_id] for note_id in self.credit_note_ids_by_contact.get(contact_id, ())]

    def add_invoice(self, invoice: Invoice) -> None:
        self.invoices[invoice.invoice_id] = invoice
        self.invoice_ids_by_contact.setdefault(invoice.contact_id, []).append(invoice.invoice_id)

    def invoices_of(self, contact_id: str) -> list[Invoice]:
        return [self.invoices[invoice_id] for invoice_id in self.invoice_ids_by_contact.get(contact_id, ())]

    def tax_rate(self, tax_type: str) -> TaxRate | None:
        return next((rate for rate in self.tax_rates if rate.tax_type == tax_type), None)

    def account(self, code: str) -> Account | None:
        return next((account for account in self.accounts if account.code == code), None)

    def item(self, code: str) -> Item | None:
        return next((item for item in self.items if item.code.lower() == code.lower()), None)


@dataclass
class App:
    """An app registered in the sandbox's developer portal."""

    client_id: str
    client_secret: str
    name: str
    # Matched exactly, as at Xero: tests and the demo register the callbacks they use.
    redirect_uris: list[str] = field(default_factory=list)
    # Apps created since 2 March 2026 may only ask for granular scopes; False makes it one of those.
    allow_broad_scopes: bool = True
    # Custom connections (client_credentials grant) are bound to one organisation.
    custom_connection_tenant_id: str | None = None


@dataclass
class Connection:
    id: str
    tenant_id: str
    auth_event_id: str
    created_at: datetime
    updated_at: datetime


@dataclass
class Grant:
    """One consent (and every token refreshed from it): the scopes and the organisations chosen."""

    grant_id: str
    client_id: str
    scopes: list[str]
    created_at: datetime
    connections: list[Connection] = field(default_factory=list)
    revoked: bool = False


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    tenant_ids: list[str]
    issued_at: datetime
    code_challenge: str = ""
    nonce: str = ""
    state: str = ""  # for the id token's s_hash, as Xero's id tokens carry it
    used: bool = False


@dataclass
class RefreshToken:
    token: str
    grant_id: str
    issued_at: datetime
    rotated_at: datetime | None = None


@dataclass
class AccessToken:
    jti: str
    grant_id: str
    client_id: str
    scopes: list[str]
    issued_at: datetime
    expires_at: datetime
    # Custom-connection tokens carry their tenant directly instead of a grant's connections.
    tenant_ids: list[str] = field(default_factory=list)
