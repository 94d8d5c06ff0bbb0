"""GET /Organisation, /Accounts, /TaxRates and /Items (the organisation's settings)."""

import uuid

from ..serializers import account_json, item_json, organisation_json, tax_rate_json
from ..wire import envelope, json_response
from .gateway import Api, not_found, xero_api
from .query import ACCOUNT_FIELDS, ITEM_FIELDS, TAX_RATE_FIELDS, filtered, if_modified_since

SETTINGS_READ = frozenset({"accounting.settings.read"})
ITEMS_READ = frozenset({"accounting.settings.read", "accounting.invoices.read"})


@xero_api(read=SETTINGS_READ)
def organisation(request, api: Api):
    return json_response(envelope("Organisations", [organisation_json(api.org)], provider=api.provider))


@xero_api(read=SETTINGS_READ)
def accounts(request, api: Api):
    records = api.org.accounts
    since = if_modified_since(request)
    if since is not None and api.org.created_at < since:
        records = []
    records = filtered(records, request, ACCOUNT_FIELDS, "Account")
    items = [account_json(account, api.org) for account in records]
    return json_response(envelope("Accounts", items, provider=api.provider))


@xero_api(read=SETTINGS_READ)
def account(request, api: Api, account_id: str):
    found = next((account for account in api.org.accounts if account.account_id == account_id.lower()), None)
    if found is None:
        return not_found()
    return json_response(envelope("Accounts", [account_json(found, api.org)], provider=api.provider))


@xero_api(read=SETTINGS_READ)
def tax_rates(request, api: Api):
    records = filtered(api.org.tax_rates, request, TAX_RATE_FIELDS, "TaxRate")
    wanted = request.GET.get("TaxType", "").strip().upper()
    if wanted:
        records = [rate for rate in records if rate.tax_type == wanted]
    return json_response(
        envelope("TaxRates", [tax_rate_json(rate) for rate in records], provider=api.provider)
    )


@xero_api(read=SETTINGS_READ)
def tax_rate(request, api: Api, tax_type: str):
    found = api.org.tax_rate(tax_type.upper())
    if found is None:
        return not_found()
    return json_response(envelope("TaxRates", [tax_rate_json(found)], provider=api.provider))


@xero_api(read=ITEMS_READ)
def items(request, api: Api):
    records = api.org.items
    since = if_modified_since(request)
    if since is not None:
        records = [item for item in records if item.updated_at >= since]
    records = filtered(records, request, ITEM_FIELDS, "Item")
    return json_response(envelope("Items", [item_json(item) for item in records], provider=api.provider))


@xero_api(read=ITEMS_READ)
def item(request, api: Api, identifier: str):
    try:
        wanted = str(uuid.UUID(identifier))
        found = next((item for item in api.org.items if item.item_id == wanted), None)
    except ValueError:
        found = api.org.item(identifier)
    if found is None:
        return not_found()
    return json_response(envelope("Items", [item_json(found)], provider=api.provider))
