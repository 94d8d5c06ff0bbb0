"""The sandbox's responses validate against Xero's own OpenAPI specs (../shared/xero-openapi/).

Each exchange is presented to openapi-core as if it had gone to https://api.xero.com, the specs'
server. The specs are large: they are loaded once per session.
"""

import hashlib
import os
import re
import time
from pathlib import Path

import pytest
import requests
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

SHARED_SPEC_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "xero-openapi"
VENDORED_SPEC_DIR = Path(__file__).resolve().parent / "openapi"
SPEC_FILES = ("xero_accounting.yaml", "xero-identity.yaml", "xero-webhooks.yaml")
XERO_API = "https://api.xero.com"


def spec_dir() -> Path:
    """$XERO_OPENAPI_DIR, else the shared specs beside the repo, else the copy kept in the repo."""
    if os.environ.get("XERO_OPENAPI_DIR"):
        return Path(os.environ["XERO_OPENAPI_DIR"])
    return SHARED_SPEC_DIR if SHARED_SPEC_DIR.is_dir() else VENDORED_SPEC_DIR


def load_spec(name: str, **config) -> OpenAPI:
    path = spec_dir() / name
    if not path.exists():
        pytest.skip(
            f"Xero's OpenAPI spec {path} is not available (set XERO_OPENAPI_DIR or restore ../shared)"
        )
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    # The spec has non-strict defaults (e.g. default: 'false' on booleans), so skip validating the spec itself.
    return OpenAPI.from_dict(document, config=Config(spec_validator_cls=None, **config))


def xero_connection_datetime(value: str) -> bool:
    """Connection dates are ISO without a zone, 7 fractional digits: the spec's own example
    ("2019-12-07T18:46:19.5165400") and what Xero sends, though strict RFC 3339 wants a zone."""
    return bool(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}", value))


@pytest.fixture(scope="session")
def accounting_spec() -> OpenAPI:
    return load_spec("xero_accounting.yaml")


@pytest.fixture(scope="session")
def identity_spec() -> OpenAPI:
    return load_spec("xero-identity.yaml", extra_format_validators={"date-time": xero_connection_datetime})


class Exchange:
    def __init__(self, sandbox, token: str) -> None:
        self.sandbox, self.token = sandbox, token

    def call(self, method: str, resource: str, *, params=None, json=None, expected: int = 200):
        headers = {"Authorization": f"Bearer {self.token}", "xero-tenant-id": self.sandbox.demo_tenant_id}
        response = requests.request(
            method,
            f"{self.sandbox.accounting_url}/{resource}",
            params=params,
            json=json,
            headers=headers,
            timeout=30,
        )
        assert response.status_code == expected, response.text
        as_sent_to_xero = requests.Request(
            method, f"{XERO_API}/api.xro/2.0/{resource}", params=params, json=json, headers=headers
        )
        return RequestsOpenAPIRequest(as_sent_to_xero), RequestsOpenAPIResponse(response), response


@pytest.fixture
def exchange(xero_sandbox) -> Exchange:
    return Exchange(xero_sandbox, xero_sandbox.connect()["access_token"])


@pytest.fixture
def ids(exchange) -> dict:
    _, _, contacts = exchange.call("GET", "Contacts", params={"page": 1})
    _, _, invoices = exchange.call("GET", "Invoices", params={"page": 1, "Statuses": "AUTHORISED"})
    contact = contacts.json()["Contacts"][0]
    _, _, notes = exchange.call("GET", "CreditNotes", params={"page": 1, "where": 'Status=="PAID"'})
    return {
        "contact": contact["ContactID"],
        "invoice": invoices.json()["Invoices"][0]["InvoiceID"],
        "credit_note": notes.json()["CreditNotes"][0]["CreditNoteID"],
    }


READS = [
    ("Organisation", None),
    ("Accounts", None),
    ("Accounts", {"where": 'Type=="REVENUE"'}),
    ("TaxRates", None),
    ("Items", None),
    ("Contacts", None),
    ("Contacts", {"page": 1, "pageSize": 50}),
    ("Contacts", {"summaryOnly": "true", "includeArchived": "true"}),
    ("Contacts", {"searchTerm": "acme"}),
    ("Invoices", None),
    ("Invoices", {"page": 2, "order": "Date DESC"}),
    ("Invoices", {"summaryOnly": "True", "Statuses": "PAID,VOIDED"}),
    ("Invoices", {"where": 'Type=="ACCPAY"', "page": 1}),
    ("CreditNotes", None),
    ("CreditNotes", {"page": 1, "pageSize": 2, "order": "CreditNoteNumber ASC"}),
    ("CreditNotes", {"where": 'Status=="AUTHORISED"', "page": 1}),
]


@pytest.mark.parametrize("resource, params", READS)
def test_list_endpoints(accounting_spec, exchange, resource, params):
    request, response, _ = exchange.call("GET", resource, params=params)
    accounting_spec.validate_response(request, response)


def test_single_records_reports_and_online_invoices(accounting_spec, exchange, ids):
    for resource, params in [
        (f"Contacts/{ids['contact']}", None),
        (f"Invoices/{ids['invoice']}", None),
        (f"Invoices/{ids['invoice']}/OnlineInvoice", None),
        (f"CreditNotes/{ids['credit_note']}", None),
        ("Reports/AgedReceivablesByContact", {"contactId": ids["contact"]}),
    ]:
        request, response, _ = exchange.call("GET", resource, params=params)
        accounting_spec.validate_response(request, response)


def test_writes_and_their_validation_errors(accounting_spec, exchange, ids):
    contact = {
        "Contacts": [
            {"Name": "Spec Check Ltd", "EmailAddress": "spec@example.com", "CompanyNumber": "01234567"}
        ]
    }
    request, response, created = exchange.call("PUT", "Contacts", json=contact)
    accounting_spec.validate_response(request, response)
    contact_id = created.json()["Contacts"][0]["ContactID"]
    request, response, _ = exchange.call(
        "POST", f"Contacts/{contact_id}", json={"Contacts": [{"Name": "Spec Check Limited"}]}
    )
    accounting_spec.validate_response(request, response)
    request, response, _ = exchange.call(
        "PUT", "Contacts", json={"Contacts": [{"Name": "Spec Check Limited"}]}, expected=400
    )
    accounting_spec.validate_response(request, response)

    invoice = {
        "Invoices": [
            {
                "Type": "ACCREC",
                "Contact": {"ContactID": contact_id},
                # Today (UTC midnight): after the demo organisation's lock date, so it can be approved.
                "Date": f"/Date({int(time.time()) // 86400 * 86400 * 1000})/",
                "LineAmountTypes": "Exclusive",
                "LineItems": [
                    {"Description": "Fees", "Quantity": 1.0, "UnitAmount": 99.5, "AccountCode": "200"}
                ],
            }
        ]
    }
    request, response, created = exchange.call("PUT", "Invoices", json=invoice)
    accounting_spec.validate_response(request, response)
    invoice_id = created.json()["Invoices"][0]["InvoiceID"]
    request, response, _ = exchange.call(
        "POST", f"Invoices/{invoice_id}", json={"Invoices": [{"Status": "AUTHORISED"}]}
    )
    accounting_spec.validate_response(request, response)
    invoice["Invoices"][0]["InvoiceNumber"] = created.json()["Invoices"][0]["InvoiceNumber"]
    request, response, _ = exchange.call("PUT", "Invoices", json=invoice, expected=400)
    accounting_spec.validate_response(request, response)
    request, response, _ = exchange.call("PUT", "Invoices", json=invoice, params={"summarizeErrors": "false"})
    accounting_spec.validate_response(request, response)

    note = {**invoice["Invoices"][0], "Type": "ACCRECCREDIT", "Status": "AUTHORISED"}
    del note["InvoiceNumber"]
    request, response, created = exchange.call("PUT", "CreditNotes", json={"CreditNotes": [note]})
    accounting_spec.validate_response(request, response)
    note_id = created.json()["CreditNotes"][0]["CreditNoteID"]
    request, response, _ = exchange.call(
        "POST", f"CreditNotes/{note_id}", json={"CreditNotes": [{"Reference": "Spec"}]}
    )
    accounting_spec.validate_response(request, response)
    request, response, _ = exchange.call(
        "POST", "CreditNotes", json={"CreditNotes": [{"Type": "NOPE"}]}, expected=400
    )
    accounting_spec.validate_response(request, response)
    allocation = {
        "Allocations": [{"Invoice": {"InvoiceID": invoice_id}, "Amount": 10.0, "Date": note["Date"]}]
    }
    request, response, _ = exchange.call("PUT", f"CreditNotes/{note_id}/Allocations", json=allocation)
    accounting_spec.validate_response(request, response)
    allocation["Allocations"][0]["Amount"] = 10_000
    request, response, _ = exchange.call(
        "PUT", f"CreditNotes/{note_id}/Allocations", json=allocation, expected=400
    )
    accounting_spec.validate_response(request, response)
    request, response, _ = exchange.call("GET", f"Invoices/{invoice_id}")
    accounting_spec.validate_response(request, response)


def test_connections(identity_spec, xero_sandbox):
    token = xero_sandbox.connect(tenants=[xero_sandbox.demo_tenant_id, xero_sandbox.second_tenant_id])[
        "access_token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    response = requests.get(f"{xero_sandbox.api_base}/Connections", headers=headers, timeout=10)
    request = requests.Request("GET", f"{XERO_API}/Connections", headers=headers)
    identity_spec.validate_response(RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(response))
    connection_id = response.json()[0]["id"]
    response = requests.delete(
        f"{xero_sandbox.api_base}/connections/{connection_id}", headers=headers, timeout=10
    )
    request = requests.Request("DELETE", f"{XERO_API}/Connections/{connection_id}", headers=headers)
    identity_spec.validate_response(RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(response))


@pytest.mark.parametrize("name", SPEC_FILES)
def test_the_copy_in_the_repo_matches_the_shared_specs(name):
    shared = SHARED_SPEC_DIR / name
    if not shared.exists():
        pytest.skip(f"{shared} is absent: nothing to compare the repo's copy with")
    digest = [hashlib.sha256(path.read_bytes()).hexdigest() for path in (shared, VENDORED_SPEC_DIR / name)]
    assert digest[0] == digest[1], f"tests/xero_sandbox/openapi/{name} differs from ../shared: copy it again"
