"""Plain data handed between the Xero layer and the rest of the app."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: dt.datetime  # aware, UTC
    scopes: tuple[str, ...]
    id_token: str = field(default="", repr=False)


@dataclass(frozen=True)
class XeroTenantConnection:
    connection_id: str
    tenant_id: str
    tenant_name: str
    tenant_type: str
    auth_event_id: str


@dataclass(frozen=True)
class XeroOrganisationData:
    organisation_id: str
    name: str
    short_code: str
    country_code: str
    version: str
    base_currency: str
    timezone: str


@dataclass(frozen=True)
class XeroContactData:
    contact_id: str
    name: str
    status: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    company_number: str = ""
    tax_number: str = ""
    account_number: str = ""
    is_customer: bool = False
    is_supplier: bool = False
    ar_outstanding: Decimal = Decimal("0")
    ar_overdue: Decimal = Decimal("0")
    updated_at: dt.datetime | None = None
    address: str = ""  # STREET (else POBOX) address, one part per line


@dataclass(frozen=True)
class XeroAccountData:
    account_id: str
    code: str
    name: str
    type: str
    status: str
    tax_type: str = ""


@dataclass(frozen=True)
class XeroTaxRateData:
    tax_type: str
    name: str
    rate: Decimal
    status: str
    can_apply_to_revenue: bool = False


@dataclass(frozen=True)
class XeroItemData:
    item_id: str
    code: str
    name: str
    description: str = ""
    unit_price: Decimal | None = None
    account_code: str = ""
    tax_type: str = ""


@dataclass(frozen=True)
class RateLimitState:
    minute_remaining: int | None = None
    day_remaining: int | None = None
    app_minute_remaining: int | None = None


@dataclass
class Page(Generic[T]):
    items: list[T] = field(default_factory=list)
    page: int = 1
    page_size: int = 0
    page_count: int | None = None

    @property
    def is_last(self) -> bool:
        if self.page_count is not None:
            return self.page >= self.page_count
        return len(self.items) < self.page_size


@dataclass(frozen=True)
class XeroAddressData:
    address_type: str = "STREET"  # STREET or POBOX
    lines: tuple[str, ...] = ()  # AddressLine1…4
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(frozen=True)
class XeroNewContact:
    """A contact to create (PUT /Contacts) or the fields to change (POST /Contacts/{id}).

    Empty strings are not sent, so an update changes only the fields given."""

    name: str = ""
    email: str = ""
    company_number: str = ""
    tax_number: str = ""
    account_number: str = ""
    phone: str = ""
    address: XeroAddressData | None = None


@dataclass(frozen=True)
class XeroContactWriteResult:
    """One row of a batch write: the contact Xero now holds, or Xero's own validation messages."""

    contact: XeroContactData | None
    messages: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.contact is not None and not self.messages


@dataclass(frozen=True)
class XeroNewInvoiceLine:
    description: str
    quantity: Decimal
    unit_amount: Decimal
    account_code: str = ""
    tax_type: str = ""
    item_code: str = ""


@dataclass(frozen=True)
class XeroNewInvoice:
    """A sales invoice to create (PUT /Invoices). A blank due date lets Xero apply payment terms."""

    contact_id: str
    lines: tuple[XeroNewInvoiceLine, ...]
    line_amount_types: str  # Exclusive | Inclusive | NoTax
    status: str  # DRAFT | AUTHORISED
    date: dt.date
    due_date: dt.date | None = None
    reference: str = ""
    currency_code: str = ""
    url: str = ""


@dataclass(frozen=True)
class XeroLineItemData:
    description: str = ""
    quantity: Decimal | None = None
    unit_amount: Decimal | None = None
    item_code: str = ""
    account_code: str = ""
    tax_type: str = ""
    line_amount: Decimal = Decimal("0")
    tax_amount: Decimal = Decimal("0")
    line_item_id: str = ""


@dataclass(frozen=True)
class XeroInvoiceData:
    """An invoice as Xero holds it (GET /Invoices page or by id, or a write's answer)."""

    invoice_id: str
    type: str
    status: str
    number: str = ""
    reference: str = ""
    contact_id: str = ""
    contact_name: str = ""
    date: dt.date | None = None
    due_date: dt.date | None = None
    currency_code: str = ""
    line_amount_types: str = ""
    sub_total: Decimal = Decimal("0")
    total_tax: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    amount_paid: Decimal = Decimal("0")
    amount_credited: Decimal = Decimal("0")
    amount_due: Decimal = Decimal("0")
    fully_paid_on: dt.date | None = None
    updated_at: dt.datetime | None = None
    url: str = ""
    lines: tuple[XeroLineItemData, ...] = ()
    has_lines: bool = True  # False when Xero left the line items out (an unpaged list)


@dataclass(frozen=True)
class XeroAllocationData:
    invoice_id: str
    amount: Decimal
    date: dt.date | None = None
    allocation_id: str = ""
    is_deleted: bool = False


@dataclass(frozen=True)
class XeroCreditNoteData:
    credit_note_id: str
    type: str
    status: str
    number: str = ""
    reference: str = ""
    contact_id: str = ""
    contact_name: str = ""
    date: dt.date | None = None
    due_date: dt.date | None = None
    currency_code: str = ""
    line_amount_types: str = ""
    sub_total: Decimal = Decimal("0")
    total_tax: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    remaining_credit: Decimal = Decimal("0")
    fully_paid_on: dt.date | None = None
    updated_at: dt.datetime | None = None
    lines: tuple[XeroLineItemData, ...] = ()
    allocations: tuple[XeroAllocationData, ...] = ()
    has_lines: bool = True
