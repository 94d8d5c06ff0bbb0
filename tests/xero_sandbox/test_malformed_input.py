"""No 500 anywhere in the sandbox on malformed input: web forms, deep links, the control API, the
identity endpoints and the Accounting API answer 4xx with a reason, and keep answering afterwards.

A table of known cases first (each got a 500, or broke every later call, before it was fixed),
then hypothesis posts arbitrary input to every sandbox view that reads any.
"""

import json
from urllib.parse import quote

import pytest
import requests
from django.conf import settings as django_settings
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xero_sandbox.faults import faults
from xero_sandbox.seeds import DEMO_TENANT_ID
from xero_sandbox.state import store

BASE = f"/{django_settings.XERO_SANDBOX_PREFIX}"
CONTROL = f"{BASE}/_control"


def fresh_world():
    with store.lock:
        world = store.reset(seed="demo")
        world.webhook.url = None  # no deliveries to whatever listens on SITE_URL
        return world


@pytest.fixture
def sandbox_state():
    fresh_world()
    yield
    fresh_world()


def demo_ids() -> dict:
    org = store.world.orgs[DEMO_TENANT_ID]
    return {
        "tenant": org.tenant_id,
        "short_code": org.short_code,
        "contact": next(iter(org.contacts)),
        "invoice": next(iter(org.invoices)),
        "contact_name": next(c.name for c in org.contacts.values() if c.status == "ACTIVE"),
    }


def still_answers(client) -> None:
    """What broke before (e.g. the clock overflowing) broke every later call, so look again."""
    assert client.get(f"{CONTROL}/state").status_code == 200
    assert client.get(f"{CONTROL}/clock").status_code == 200
    assert client.get(f"{BASE}/").status_code == 200
    assert client.get(f"{BASE}/orgs/{DEMO_TENANT_ID}/").status_code == 200
    api = client.get(f"{BASE}/api/connections", HTTP_AUTHORIZATION="Bearer not-a-token")
    if not any((fault["status"] or 0) >= 500 for fault in faults.list()):
        assert api.status_code < 500


def control(client, method: str, path: str, body=None, **extra):
    if method == "GET":
        return client.get(f"{CONTROL}/{path}", **extra)
    data = body if isinstance(body, str | bytes) else json.dumps(body if body is not None else {})
    return client.generic(method, f"{CONTROL}/{path}", data, content_type="application/json", **extra)


# --- known cases ------------------------------------------------------------------------------

CONTROL_CASES = [
    ("POST", "reset", "{", "JSON"),
    ("POST", "reset", "[1, 2]", "JSON object"),
    ("POST", "reset", b"\xff\xfe{}", "JSON"),
    ("POST", "reset", "[" * 100_000, "JSON"),
    ("POST", "reset", {"seed": {}}, "seed must be"),
    ("POST", "seed", {"kind": "scale", "contacts": 10**9}, "contacts must be"),
    ("POST", "seed", {"kind": "scale", "invoices": "many"}, "invoices must be"),
    ("POST", "seed", {"kind": ["demo"]}, "kind must be"),
    ("POST", "clock", {"minutes": "abc"}, "minutes must be a number"),
    ("POST", "faults", {"status": "abc"}, "status must be"),
    ("POST", "faults", {"status": 503, "path": "("}, "not a valid regular expression"),
    ("POST", "faults", {"delay": 10**6}, "delay must be"),
    ("POST", "faults", {"status": 429, "rate_limit_problem": "minute\r\nX-Evil: 1"}, "rate_limit_problem"),
    ("POST", "faults", {"status": 503, "count": "all"}, "count must be"),
    ("POST", "faults", {"status": 503, "body": "text"}, "body must be"),
    ("POST", "faults", {"colour": "red"}, "Unknown fault settings"),
    ("GET", "calls?since=abc", None, "invalid literal"),
    ("POST", "rate-limits", {"per_minute": "lots"}, "per_minute must be"),
    ("POST", "rate-limits", {"per_day": 1e400}, "per_day must be"),
    ("POST", "rate-limits", {"concurrent": -1}, "concurrent must be"),
    ("POST", "apps", {"redirect_uris": "http://127.0.0.1/callback"}, "redirect_uris must be"),
    ("POST", "apps", {"custom_connection_tenant_id": ["x"]}, "custom_connection_tenant_id"),
    ("POST", "apps", {"client_id": 5}, "client_id must be"),
    ("POST", "apps", {"allow_broad_scopes": "yes"}, "allow_broad_scopes must be"),
    ("POST", "webhooks", {"key": 5}, "key must be"),
    ("POST", "webhooks", {"enabled": "no"}, "enabled must be"),
    ("POST", "webhooks/send", {"events": "all"}, "events must be"),
    ("POST", "webhooks/send", {"events": [1]}, "events must be"),
    ("POST", "webhooks/send", {"tenant_id": DEMO_TENANT_ID, "category": "INVOICE"}, "resource_id"),
    ("POST", "webhooks/send", {"tenant_id": DEMO_TENANT_ID, "category": 7, "resource_id": "x"}, "category"),
    ("POST", "webhooks/flush", {"timeout": 10**9}, "timeout must be"),
    ("POST", "webhooks/intent-to-receive", {"key": ["k"]}, "key must be"),
    ("POST", "orgs/{tenant}/invoices/{invoice}/payments", {"amount": "abc"}, "not a valid number"),
    ("POST", "orgs/{tenant}/invoices/{invoice}/payments", {"amount": "1e999999"}, ""),
    ("POST", "orgs/{tenant}/invoices/{invoice}/payments", {"date": 20240101}, "date must be"),
    ("POST", "orgs/{tenant}/invoices/{invoice}/payments", {"date": "2024-13-45"}, "month"),
    ("POST", "orgs/{tenant}/invoices", {"Type": "ACCREC", "Contact": "Acme"}, ""),
]


@pytest.mark.parametrize(("method", "path", "body", "reason"), CONTROL_CASES)
def test_malformed_control_requests_get_400_with_a_reason(client, sandbox_state, method, path, body, reason):
    response = control(client, method, path.format(**demo_ids()), body)

    assert response.status_code == 400, response.content
    assert reason in response.json()["error"] and response.json()["error"]
    still_answers(client)


WEB_CASES = [
    ("post", "/clock", {"minutes": "abc"}, "Minutes must be a number"),
    ("post", "/clock", {"days": "inf"}, "Days must be a finite number"),
    ("post", "/clock", {"days": "nan"}, "Days must be a finite number"),
    ("post", "/clock", {"days": "1e400"}, "Days must be a finite number"),
    ("post", "/clock", {"days": "4000"}, "at most 3660 days"),
    ("post", "/clock", {"minutes": "-5"}, "only moves forward"),
    (
        "post",
        "/orgs/{tenant}/act",
        {"action": "raise_credit_note", "contact": "Nobody Ltd", "amount": "5"},
        "No active contact",
    ),
    (
        "post",
        "/orgs/{tenant}/act",
        {"action": "raise_credit_note", "contact": "{contact_name}", "amount": "abc"},
        "Amount must be an amount",
    ),
    (
        "post",
        "/orgs/{tenant}/act",
        {"action": "raise_credit_note", "contact": "{contact_name}", "amount": "-3"},
        "must be above zero",
    ),
    (
        "post",
        "/orgs/{tenant}/act",
        {"action": "raise_credit_note", "contact": "{contact_name}", "amount": "5", "date": "2024-02-30"},
        "Date must be a date",
    ),
    (
        "post",
        "/orgs/{tenant}/act",
        {"action": "allocate_credit_note", "credit_note": "CN-9999", "invoice": "INV-0001"},
        "There is no credit note",
    ),
    (
        "post",
        "/orgs/{tenant}/act",
        {"action": "allocate_credit_note", "credit_note": "CN-0003", "invoice": "NOPE-1"},
        "There is no invoice",
    ),
    ("post", "/orgs/{tenant}/act", {"action": "void_credit_note", "credit_note": ""}, "Choose a credit note"),
    (
        "get",
        "/go/organisationlogin/default.aspx",
        {"shortcode": "{short_code}", "redirecturl": "http://["},
        "not a valid URL",
    ),
]


@pytest.mark.parametrize(("method", "path", "data", "reason"), WEB_CASES)
def test_malformed_web_requests_get_400_with_a_reason(client, sandbox_state, method, path, data, reason):
    data = {name: value.format(**demo_ids()) for name, value in data.items()}

    response = getattr(client, method)(f"{BASE}{path.format(**demo_ids())}", data)

    assert response.status_code == 400
    assert reason in response.content.decode()
    still_answers(client)


@pytest.mark.parametrize("authorization", ["Basic \x80", "Basic é", "Basic !!!", "Basic /w=="])
def test_unreadable_basic_credentials_are_an_invalid_client(client, sandbox_state, authorization):
    response = client.post(
        f"{BASE}/identity/connect/token",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=authorization,
    )

    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client"}


def test_an_action_never_redirects_with_a_broken_location(client, sandbox_state):
    response = client.post(
        f"{BASE}/orgs/{DEMO_TENANT_ID}/act", {"action": "nothing", "next": f"{BASE}/\r\nSet-Cookie: x=1"}
    )

    assert response.status_code == 302
    assert "\n" not in response["Location"] and "Set-Cookie" not in response["Location"]


# --- anything at all --------------------------------------------------------------------------

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats()
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)
CONTROL_FIELDS = [
    # control API fields (fault delays and timeouts left out: valid ones would only make us wait)
    "seed", "kind", "seconds", "minutes", "hours", "days", "status", "count", "path", "method",
    "retry_after", "rate_limit_problem", "body", "after", "per_minute", "per_day", "app_per_minute",
    "concurrent", "reset_counters", "client_id", "client_secret", "name", "redirect_uris",
    "allow_broad_scopes", "custom_connection_tenant_id", "url", "key",
    "enabled", "events", "tenant_id", "category", "event_type", "resource_id", "amount", "date",
    "reference",
    # records edited "in Xero" (the same books as the Accounting API)
    "Name", "ContactStatus", "EmailAddress", "FirstName", "Type", "Contact", "ContactID", "Status",
    "LineItems", "Date", "DueDate", "Reference", "LineAmountTypes", "InvoiceNumber", "Description",
    "Quantity", "UnitAmount", "AccountCode", "TaxType", "CurrencyCode",
]  # fmt: skip
CONTROL_ENDPOINTS = [
    ("POST", "reset"),
    ("POST", "seed"),
    ("POST", "clock"),
    ("POST", "faults"),
    ("POST", "rate-limits"),
    ("POST", "apps"),
    ("POST", "webhooks"),
    ("POST", "webhooks/send"),
    ("POST", "webhooks/flush"),
    ("POST", "webhooks/intent-to-receive"),
    ("POST", "orgs/{tenant}/contacts"),
    ("POST", "orgs/{tenant}/contacts/{contact}"),
    ("POST", "orgs/{tenant}/invoices"),
    ("POST", "orgs/{tenant}/invoices/{invoice}"),
    ("POST", "orgs/{tenant}/invoices/{invoice}/payments"),
    ("DELETE", "connections/{text}"),
    ("GET", "calls?since={text}&area={text}"),
]
# Seeding at scale with valid sizes is slow by design, so scale sizes stay out of reach here.
SCALE_SIZES = {"contacts", "invoices"}


@FUZZ
@given(
    endpoint=st.sampled_from(CONTROL_ENDPOINTS),
    body=st.dictionaries(st.sampled_from(CONTROL_FIELDS) | st.text(max_size=8), json_values, max_size=5),
    text=st.text(max_size=20),
    raw=st.one_of(st.none(), st.binary(max_size=40), st.text(max_size=40)),
)
def test_the_control_api_never_answers_500(sandbox_state, endpoint, body, text, raw):
    fresh_world()
    client = Client()
    method, path = endpoint
    path = path.format(**demo_ids(), text=quote(text, safe=""))
    payload = body if raw is None else raw
    if path == "seed" and isinstance(payload, dict):
        payload = {key: value for key, value in payload.items() if key not in SCALE_SIZES}

    response = control(client, method, path, payload)

    assert response.status_code < 500, response.content
    if response.status_code >= 400 and response["Content-Type"] == "application/json":
        assert response.json()["error"]
    else:  # a path no control view matches (e.g. an empty connection id) is Django's own 404
        assert response.status_code < 400 or response.status_code == 404
    still_answers(client)


form_text = st.text(max_size=30) | st.sampled_from(
    ["", "1", "-1", "1e400", "nan", "inf", "2024-02-30", "abc"]
)


@FUZZ
@given(
    minutes=form_text,
    days=form_text,
    action=st.sampled_from(
        [
            "create_invoice",
            "pay",
            "void",
            "rename",
            "archive",
            "restore",
            "raise_credit_note",
            "allocate_credit_note",
            "void_credit_note",
            "other",
        ]
    ),
    form=st.dictionaries(
        st.sampled_from(
            [
                "contact",
                "description",
                "amount",
                "status",
                "reference",
                "date",
                "duedate",
                "account_code",
                "tax_type",
                "invoice_id",
                "contact_id",
                "name",
                "next",
                "credit_note",
                "credit_note_id",
                "invoice",
            ]
        ),  # fmt: skip
        form_text,
        max_size=6,
    ),
    query=st.dictionaries(
        st.sampled_from(["q", "status", "contacts_page", "invoices_page", "message", "error"]),
        form_text,
        max_size=4,
    ),
    redirecturl=form_text
    | st.builds(lambda tail: f"/AccountsReceivable/View.aspx?InvoiceID={tail}", form_text),
    text=st.text(min_size=1, max_size=20),
)
def test_the_sandbox_pages_never_answer_500(
    sandbox_state, minutes, days, action, form, query, redirecturl, text
):
    fresh_world()
    client = Client()
    ids = demo_ids()
    segment = quote(text, safe="")

    responses = [
        client.post(f"{BASE}/clock", {"minutes": minutes, "days": days}),
        client.post(f"{BASE}/orgs/{ids['tenant']}/act", {"action": action, **form}),
        client.post(f"{BASE}/orgs/{segment}/act", {"action": action, **form}),
        client.post(f"{BASE}/connections/{segment}/disconnect"),
        client.get(f"{BASE}/", query),
        client.get(f"{BASE}/orgs/{ids['tenant']}/", query),
        client.get(f"{BASE}/orgs/{segment}/", query),
        client.get(f"{BASE}/go/organisationlogin/default.aspx", {"shortcode": ids["short_code"], "redirecturl": redirecturl}),
        client.get(f"{BASE}/go/organisationlogin/default.aspx", {"shortcode": text, "redirecturl": redirecturl}),
        client.get(f"{BASE}/reporting/{ids['short_code']}/v1/Run/{abs(hash(text)) % 2000}"),
        client.get(f"{BASE}/reporting/{segment}/v1/Run/1001"),
        client.get(f"{BASE}/in/{segment}"),
    ]  # fmt: skip

    for response in responses:
        assert response.status_code < 500, response.content[:500]
    still_answers(client)


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(
            [
                "client_id",
                "redirect_uri",
                "response_type",
                "scope",
                "state",
                "code_challenge",
                "code_challenge_method",
                "nonce",
            ]
        ),  # fmt: skip
        form_text,
        max_size=8,
    ),
    form=st.dictionaries(
        st.sampled_from(
            [
                "grant_type",
                "code",
                "redirect_uri",
                "code_verifier",
                "refresh_token",
                "client_id",
                "client_secret",
                "token",
                "ticket",
                "action",
                "tenant",
            ]
        ),  # fmt: skip
        form_text,
        max_size=8,
    ),
    authorization=st.none() | form_text | st.builds(lambda text: f"Basic {text}", form_text),
)
def test_the_identity_endpoints_never_answer_500(sandbox_state, query, form, authorization):
    fresh_world()
    client = Client()
    query.setdefault("client_id", django_settings.XERO_CLIENT_ID)
    form.setdefault("client_id", django_settings.XERO_CLIENT_ID)
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}

    responses = [
        client.get(f"{BASE}/login/identity/connect/authorize", query),
        client.post(f"{BASE}/login/identity/connect/authorize", form),
        client.post(f"{BASE}/identity/connect/token", form, **headers),
        client.post(f"{BASE}/identity/connect/revocation", form, **headers),
        client.get(f"{BASE}/api/connections", **headers),
        client.delete(f"{BASE}/api/connections/{quote(form.get('token') or 'x', safe='')}", **headers),
    ]

    for response in responses:
        assert response.status_code < 500, response.content[:500]
    still_answers(client)


ACCOUNTING_PATHS = [
    "Organisation", "Accounts", "Accounts/{text}", "TaxRates", "TaxRates/{text}", "Items", "Items/{text}",
    "Contacts", "Contacts/{text}", "Invoices", "Invoices/{text}", "Invoices/{text}/OnlineInvoice",
    "Reports/AgedReceivablesByContact",
]  # fmt: skip
ACCOUNTING_QUERY = [
    "where", "order", "page", "pageSize", "IDs", "ContactIDs", "Statuses", "InvoiceNumbers", "searchTerm",
    "includeArchived", "summaryOnly", "unitdp", "contactId", "contactID", "date", "fromDate", "toDate",
]  # fmt: skip
ACCOUNTING_BODY = st.dictionaries(
    st.sampled_from(["Contacts", "Invoices", "Name", "Type", "Contact", "LineItems", "Status", "Date"]),
    json_values,
    max_size=3,
)


@pytest.fixture
def api_session(xero_sandbox):
    token = xero_sandbox.connect()
    session = requests.Session()
    session.headers.update(
        {"Authorization": f"Bearer {token['access_token']}", "xero-tenant-id": xero_sandbox.demo_tenant_id}
    )
    yield session
    session.close()


@FUZZ
@given(
    path=st.sampled_from(ACCOUNTING_PATHS),
    method=st.sampled_from(["GET", "PUT", "POST"]),
    text=st.text(min_size=1, max_size=20),
    query=st.dictionaries(st.sampled_from(ACCOUNTING_QUERY), form_text, max_size=4),
    body=st.one_of(st.none(), ACCOUNTING_BODY, st.binary(max_size=40)),
    headers=st.dictionaries(
        st.sampled_from(["If-Modified-Since", "Idempotency-Key"]), st.text(max_size=40), max_size=2
    ),
)
def test_the_accounting_api_never_answers_500(
    xero_sandbox, api_session, path, method, text, query, body, headers
):
    url = f"{xero_sandbox.accounting_url}/{path.format(text=quote(text, safe=''))}"
    data = body if isinstance(body, bytes) else (None if body is None else json.dumps(body).encode())
    # Header values must be Latin-1 on the wire; anything else would fail before it is sent.
    headers = {name: value for name, value in headers.items() if value.isprintable() and value.isascii()}

    response = api_session.request(method, url, params=query, data=data, headers=headers, timeout=30)

    # 501 is Xero's own answer for a PUT/POST it does not implement (e.g. POST Organisation).
    not_implemented = response.status_code == 501 and "ApiMethodNotImplementedException" in response.text
    assert response.status_code < 500 or not_implemented, response.text[:500]
