"""What the sandbox does not serve is answered as Xero answers what it does not have: the bearer token
first (401), then 404 "The resource you're looking for cannot be found" (plain text), or 501
ApiMethodNotImplementedException for a PUT/POST that Xero itself does not implement on the resource;
never a misleading 401 insufficient_scope."""

import pytest
import requests
import yaml
from xero_python.accounting import Account, AccountType, Item, Items, TaxRate, TaxRates
from xero_python.exceptions import HTTPStatusException, NotFoundException

from xero_sandbox.accounting.gateway import EMULATED_METHODS, XERO_METHODS
from xero_sandbox.urls import urlpatterns

from .test_spec import spec_dir

NOT_FOUND = "The resource you're looking for cannot be found"
ACCOUNT_ID = "00000000-0000-0000-0000-000000000001"
# The spec's path for each URL name the gateway knows (urls.py).
SPEC_PATHS = {
    "organisation-api": "/Organisation",
    "accounts": "/Accounts",
    "account": "/Accounts/{AccountID}",
    "tax-rates": "/TaxRates",
    "tax-rate": "/TaxRates/{TaxType}",
    "items": "/Items",
    "item": "/Items/{ItemID}",
    "contacts": "/Contacts",
    "contact": "/Contacts/{ContactID}",
    "invoices": "/Invoices",
    "invoice": "/Invoices/{InvoiceID}",
    "online-invoice-api": "/Invoices/{InvoiceID}/OnlineInvoice",
    "credit-notes": "/CreditNotes",
    "credit-note": "/CreditNotes/{CreditNoteID}",
    "credit-note-allocations": "/CreditNotes/{CreditNoteID}/Allocations",
    "aged-receivables": "/Reports/AgedReceivablesByContact",
}


def call(sandbox, method: str, resource: str, token: str | None, **kwargs):
    headers = {"xero-tenant-id": sandbox.demo_tenant_id}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(
        method, f"{sandbox.accounting_url}/{resource}", headers=headers, timeout=10, **kwargs
    )


def assert_xero_not_found(response) -> None:
    assert response.status_code == 404, response.text
    assert response.text == NOT_FOUND
    assert "WWW-Authenticate" not in response.headers


@pytest.fixture
def token(xero_sandbox) -> str:
    return xero_sandbox.connect()["access_token"]


UNEMULATED_WRITES = [
    ("PUT", "Accounts", {"Accounts": [{"Code": "201", "Name": "Sales", "Type": "REVENUE"}]}),
    ("POST", f"Accounts/{ACCOUNT_ID}", {"Accounts": [{"Name": "Renamed"}]}),
    ("DELETE", f"Accounts/{ACCOUNT_ID}", None),
    ("PUT", "TaxRates", {"TaxRates": [{"Name": "Special", "TaxComponents": []}]}),
    ("POST", "TaxRates", {"TaxRates": [{"Name": "Special"}]}),
    ("PUT", "Items", {"Items": [{"Code": "NEW", "Name": "New"}]}),
    ("POST", "Items", {"Items": [{"Code": "NEW", "Name": "New"}]}),
    ("POST", "Items/CONS", {"Items": [{"Name": "Renamed"}]}),
    ("DELETE", "Items/CONS", None),
]


@pytest.mark.parametrize(("method", "resource", "body"), UNEMULATED_WRITES)
def test_writes_xero_has_but_the_sandbox_does_not_emulate_are_404_not_insufficient_scope(
    xero_sandbox, token, method, resource, body
):
    assert_xero_not_found(call(xero_sandbox, method, resource, token, json=body))


@pytest.mark.parametrize(("method", "resource", "body"), UNEMULATED_WRITES[:3])
def test_a_bad_or_missing_token_still_gets_401_first(xero_sandbox, method, resource, body):
    for token in (None, "not.a.token"):
        response = call(xero_sandbox, method, resource, token, json=body)
        assert response.status_code == 401
        assert response.json()["Detail"] == "AuthenticationUnsuccessful"


def test_unknown_paths_check_the_token_first_then_404(xero_sandbox, token):
    for resource in ("NoSuchThing", "Payments", "CreditNotes/abc", "Quotes"):
        assert call(xero_sandbox, "GET", resource, None).status_code == 401
        assert call(xero_sandbox, "GET", resource, "expired.or.bad").status_code == 401
        assert_xero_not_found(call(xero_sandbox, "GET", resource, token))


def test_even_a_read_only_token_gets_404_not_a_scope_error(xero_sandbox):
    token = xero_sandbox.connect(scopes=["accounting.settings.read"])["access_token"]
    assert_xero_not_found(call(xero_sandbox, "PUT", "Items", token, json={"Items": [{"Code": "X"}]}))
    assert_xero_not_found(call(xero_sandbox, "GET", "Payments", token))


def test_a_record_that_does_not_exist_is_the_same_plain_404(xero_sandbox, token):
    assert_xero_not_found(call(xero_sandbox, "GET", f"Contacts/{ACCOUNT_ID}", token))
    assert_xero_not_found(call(xero_sandbox, "GET", f"Accounts/{ACCOUNT_ID}", token))


def test_put_or_post_that_xero_does_not_implement_is_501(xero_sandbox, token):
    contact_id = call(xero_sandbox, "GET", "Contacts?page=1", token).json()["Contacts"][0]["ContactID"]
    for method, resource in (
        ("POST", "Organisation"),
        ("PUT", "Organisation"),
        ("PUT", f"Contacts/{contact_id}"),
    ):
        response = call(xero_sandbox, method, resource, token, json={})
        assert response.status_code == 501, (method, resource, response.text)
        assert response.json() == {
            "ErrorNumber": 20,
            "Type": "ApiMethodNotImplementedException",
            "Message": "The Api Method called is not implemented",
        }


def test_delete_that_xero_does_not_have_is_404(xero_sandbox, token):
    invoice_id = call(xero_sandbox, "GET", "Invoices?page=1", token).json()["Invoices"][0]["InvoiceID"]
    assert_xero_not_found(call(xero_sandbox, "DELETE", f"Invoices/{invoice_id}", token))
    assert_xero_not_found(call(xero_sandbox, "DELETE", "Contacts", token))


def test_unserved_calls_do_not_count_against_the_rate_limits(xero_sandbox, token):
    xero_sandbox.set_rate_limits(per_minute=1, reset_counters=True)
    for _ in range(3):
        assert_xero_not_found(call(xero_sandbox, "PUT", "Items", token, json={"Items": []}))
    assert call(xero_sandbox, "GET", "Organisation", token).status_code == 200


def test_the_official_sdk_sees_not_found(sdk, tenant):
    """The SDK raises NotFoundException, whose message is Xero's own sentence."""
    attempts = [
        lambda: sdk.accounting.create_account(
            tenant, Account(code="299", name="Other", type=AccountType.REVENUE)
        ),
        lambda: sdk.accounting.create_tax_rates(tenant, TaxRates(tax_rates=[TaxRate(name="Special")])),
        lambda: sdk.accounting.create_items(tenant, Items(items=[Item(code="NEW", name="New")])),
        lambda: sdk.accounting.update_or_create_items(tenant, Items(items=[Item(code="NEW", name="New")])),
        lambda: sdk.accounting.delete_item(tenant, ACCOUNT_ID),
        lambda: sdk.accounting.get_payments(tenant),
    ]
    for attempt in attempts:
        with pytest.raises(NotFoundException) as raised:
            attempt()
        assert raised.value.error_message == NOT_FOUND
    # and Accounts itself still works
    assert sdk.accounting.get_accounts(tenant).accounts


def test_sdk_gets_501_for_a_method_xero_does_not_implement(sdk, tenant):
    with pytest.raises(HTTPStatusException) as raised:
        sdk.api_client.call_api(
            f"{sdk.accounting.base_url}/Organisation",
            "POST",
            header_params={"xero-tenant-id": tenant, "Accept": "application/json"},
            body={},
            auth_settings=["OAuth2"],
            _return_http_data_only=True,
        )
    assert raised.value.status == 501


def test_method_tables_match_xeros_spec():
    path = spec_dir() / "xero_accounting.yaml"
    if not path.exists():
        pytest.skip(f"Xero's OpenAPI spec {path} is not available")
    spec = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    assert set(XERO_METHODS) == set(SPEC_PATHS)
    for name, spec_path in SPEC_PATHS.items():
        documented = {
            method.upper()
            for method in spec["paths"][spec_path]
            if method in ("get", "put", "post", "delete")
        }
        assert XERO_METHODS[name] == documented, name
        assert EMULATED_METHODS.get(name, {"GET"}) <= documented, name
    assert set(XERO_METHODS) <= {pattern.name for pattern in urlpatterns}, "every name is a route"
