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
