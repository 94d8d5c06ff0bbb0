"""SDK model objects → our plain dataclasses. Nothing else looks inside SDK objects."""

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from integrations.xero.types import (
    XeroAccountData,
    XeroContactData,
    XeroItemData,
    XeroOrganisationData,
    XeroTaxRateData,
    XeroTenantConnection,
)

# Xero accepts text that PostgreSQL refuses: NUL characters, and lone surrogates (from JSON escapes
# such as "\ud800") that cannot be encoded as UTF-8. Both are dropped on the way in.
_REFUSED = re.compile("[\x00\ud800-\udfff]")


def text(value: Any) -> str:
    """A string from Xero, safe to store: None becomes "", refused characters are dropped."""
    if value is None:
        return ""
    return _REFUSED.sub("", str(value))


def enum_value(value: Any) -> str:
    """SDK enums and plain strings alike, as Xero spells them."""
    if value is None:
        return ""
    return text(getattr(value, "value", value))


def decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal("0")


def aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def connection(c: Any) -> XeroTenantConnection:
    return XeroTenantConnection(
        connection_id=text(c.id),
        tenant_id=text(c.tenant_id),
        tenant_name=text(c.tenant_name),
        tenant_type=enum_value(c.tenant_type),
        auth_event_id=text(c.auth_event_id),
    )


def organisation(o: Any) -> XeroOrganisationData:
    return XeroOrganisationData(
        organisation_id=text(o.organisation_id),
        name=text(o.name),
        short_code=text(o.short_code),
        country_code=enum_value(o.country_code),
        version=enum_value(o.version),
        base_currency=enum_value(o.base_currency),
        timezone=enum_value(o.timezone),
    )


def contact(c: Any) -> XeroContactData:
    receivable = getattr(getattr(c, "balances", None), "accounts_receivable", None)
    return XeroContactData(
        contact_id=text(c.contact_id),
        name=text(c.name),
        status=enum_value(c.contact_status) or "ACTIVE",
        first_name=text(c.first_name),
        last_name=text(c.last_name),
        email=text(c.email_address),
        company_number=text(c.company_number),
        tax_number=text(c.tax_number),
        account_number=text(c.account_number),
        is_customer=bool(c.is_customer),
        is_supplier=bool(c.is_supplier),
        ar_outstanding=decimal(getattr(receivable, "outstanding", None)),
        ar_overdue=decimal(getattr(receivable, "overdue", None)),
        updated_at=aware(c.updated_date_utc),
    )


def account(a: Any) -> XeroAccountData:
    return XeroAccountData(
        account_id=text(a.account_id),
        code=text(a.code),
        name=text(a.name),
        type=enum_value(a.type),
        status=enum_value(a.status),
        tax_type=text(a.tax_type),
    )


def tax_rate(t: Any) -> XeroTaxRateData:
    return XeroTaxRateData(
        tax_type=text(t.tax_type),
        name=text(t.name),
        rate=decimal(t.effective_rate if t.effective_rate is not None else t.display_tax_rate),
        status=enum_value(t.status),
        can_apply_to_revenue=bool(t.can_apply_to_revenue),
    )


def item(i: Any) -> XeroItemData:
    sales = getattr(i, "sales_details", None)
    return XeroItemData(
        item_id=text(i.item_id),
        code=text(i.code),
        name=text(i.name),
        description=text(i.description),
        unit_price=decimal(sales.unit_price) if sales and sales.unit_price is not None else None,
        account_code=text(sales.account_code) if sales else "",
        tax_type=text(sales.tax_type) if sales else "",
    )
