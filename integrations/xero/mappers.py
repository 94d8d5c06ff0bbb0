"""SDK model objects → our plain dataclasses. Nothing else looks inside SDK objects."""

import datetime as dt
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


def enum_value(value: Any) -> str:
    """SDK enums and plain strings alike, as Xero spells them."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal("0")


def aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def connection(c: Any) -> XeroTenantConnection:
    return XeroTenantConnection(
        connection_id=str(c.id),
        tenant_id=str(c.tenant_id),
        tenant_name=c.tenant_name or "",
        tenant_type=enum_value(c.tenant_type),
        auth_event_id=str(c.auth_event_id or ""),
    )


def organisation(o: Any) -> XeroOrganisationData:
    return XeroOrganisationData(
        organisation_id=str(o.organisation_id),
        name=o.name or "",
        short_code=o.short_code or "",
        country_code=enum_value(o.country_code),
        version=enum_value(o.version),
        base_currency=enum_value(o.base_currency),
        timezone=enum_value(o.timezone),
    )


def contact(c: Any) -> XeroContactData:
    receivable = getattr(getattr(c, "balances", None), "accounts_receivable", None)
    return XeroContactData(
        contact_id=str(c.contact_id),
        name=c.name or "",
        status=enum_value(c.contact_status) or "ACTIVE",
        first_name=c.first_name or "",
        last_name=c.last_name or "",
        email=c.email_address or "",
        company_number=c.company_number or "",
        tax_number=c.tax_number or "",
        account_number=c.account_number or "",
        is_customer=bool(c.is_customer),
        is_supplier=bool(c.is_supplier),
        ar_outstanding=decimal(getattr(receivable, "outstanding", None)),
        ar_overdue=decimal(getattr(receivable, "overdue", None)),
        updated_at=aware(c.updated_date_utc),
    )


def account(a: Any) -> XeroAccountData:
    return XeroAccountData(
        account_id=str(a.account_id),
        code=a.code or "",
        name=a.name or "",
        type=enum_value(a.type),
        status=enum_value(a.status),
        tax_type=a.tax_type or "",
    )


def tax_rate(t: Any) -> XeroTaxRateData:
    return XeroTaxRateData(
        tax_type=t.tax_type or "",
        name=t.name or "",
        rate=decimal(t.effective_rate if t.effective_rate is not None else t.display_tax_rate),
        status=enum_value(t.status),
        can_apply_to_revenue=bool(t.can_apply_to_revenue),
    )


def item(i: Any) -> XeroItemData:
    sales = getattr(i, "sales_details", None)
    return XeroItemData(
        item_id=str(i.item_id),
        code=i.code or "",
        name=i.name or "",
        description=i.description or "",
        unit_price=decimal(sales.unit_price) if sales and sales.unit_price is not None else None,
        account_code=(sales.account_code or "") if sales else "",
        tax_type=(sales.tax_type or "") if sales else "",
    )
