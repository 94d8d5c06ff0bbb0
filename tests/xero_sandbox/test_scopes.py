"""Every scope Xero documents signs in, even for APIs the sandbox does not serve; an unknown one
gets Xero's error screen (developer.xero.com/documentation/guides/oauth2/scopes and
developer.xero.com/documentation/oauth2/troubleshooting)."""

import pytest
import requests

from xero_sandbox.scopes import KNOWN_SCOPES, describe

# The scope strings of Xero's own sample apps, as published.
XERO_PYTHON_OAUTH2_APP = (
    "offline_access openid profile email accounting.transactions accounting.transactions.read "
    "accounting.reports.read accounting.journals.read accounting.settings accounting.settings.read "
    "accounting.contacts accounting.contacts.read accounting.attachments accounting.attachments.read "
    "assets projects files payroll.employees payroll.payruns payroll.payslip payroll.timesheets "
    "payroll.settings"
)
XERO_NODE_OAUTH2_APP = (
    "offline_access openid profile email accounting.transactions accounting.budgets.read "
    "accounting.reports.read accounting.journals.read accounting.settings accounting.settings.read "
    "accounting.contacts accounting.contacts.read accounting.attachments accounting.attachments.read "
    "files files.read assets assets.read projects projects.read payroll.employees payroll.payruns "
    "payroll.payslip payroll.timesheets payroll.settings"
)
# Restricted (certified partners) and the other documented families.
RESTRICTED_AND_OTHERS = (
    "openid profile email offline_access paymentservices bankfeeds finance.accountingactivity.read "
    "finance.cashvalidation.read finance.statements.read finance.bankstatementsplus.read "
    "marketplace.billing app.connections einvoicing practicemanager.job practicemanager.client.read"
)
GRANULAR = (
    "openid profile email offline_access accounting.invoices accounting.invoices.read "
    "accounting.payments accounting.payments.read accounting.banktransactions "
    "accounting.banktransactions.read accounting.manualjournals accounting.manualjournals.read "
    "accounting.reports.aged.read accounting.reports.balancesheet.read accounting.reports.banksummary.read "
    "accounting.reports.budgetsummary.read accounting.reports.executivesummary.read "
    "accounting.reports.profitandloss.read accounting.reports.trialbalance.read "
    "accounting.reports.taxreports.read accounting.reports.tenninetynine.read payroll.payslip.read "
    "payroll.employees.read payroll.timesheets.read"
)

# Every scope on Xero's scopes page.
DOCUMENTED = {
    *["offline_access", "openid", "profile", "email"],
    *(
        f"accounting.{name}{suffix}"
        for name in [
            "transactions",
            "invoices",
            "payments",
            "banktransactions",
            "manualjournals",
            "settings",
            "contacts",
            "attachments",
        ]
        for suffix in ("", ".read")
    ),
    *(
        f"accounting.reports.{name}.read"
        for name in [
            "aged",
            "balancesheet",
            "banksummary",
            "budgetsummary",
            "executivesummary",
            "profitandloss",
        ]
        + ["trialbalance", "taxreports", "tenninetynine"]
    ),
    "accounting.reports.read",
    "accounting.journals.read",
    "accounting.budgets.read",
    *(
        f"payroll.{name}{suffix}"
        for name in ["employees", "payruns", "payslip", "timesheets", "settings"]
        for suffix in ("", ".read")
    ),
    *(f"{name}{suffix}" for name in ("files", "assets", "projects") for suffix in ("", ".read")),
    "paymentservices",
    "bankfeeds",
    *(
        f"finance.{name}.read"
        for name in ["accountingactivity", "cashvalidation", "statements", "bankstatementsplus"]
    ),
    *(
        f"practicemanager.{name}{suffix}"
        for name in ["job", "client", "staff", "time"]
        for suffix in ("", ".read")
    ),
    "einvoicing",
    "app.connections",
    "marketplace.billing",
}


def authorize(sandbox, scope: str, state: str = "s1") -> requests.Response:
    params = {
        "response_type": "code",
        "client_id": sandbox.client_id,
        "redirect_uri": sandbox.redirect_uri,
        "scope": scope,
        "state": state,
    }
    return requests.get(sandbox.authorize_url, params=params, allow_redirects=False, timeout=10)


def test_every_documented_scope_is_known():
    assert DOCUMENTED <= KNOWN_SCOPES, sorted(DOCUMENTED - KNOWN_SCOPES)


def test_the_consent_page_words_each_documented_scope_as_xero_does():
    assert describe(["payroll.payslip", "finance.statements.read"]) == [
        "View and manage your payslips",
        "View your financial statements",
    ]
    assert not [scope for scope in DOCUMENTED if describe([scope])[0].startswith("Use ")]


@pytest.mark.parametrize(
    "scope",
    [XERO_PYTHON_OAUTH2_APP, XERO_NODE_OAUTH2_APP, RESTRICTED_AND_OTHERS, GRANULAR],
    ids=["xero-python-oauth2-app", "xero-node-oauth2-app", "restricted-and-others", "granular"],
)
def test_xero_sample_code_scopes_sign_in(xero_sandbox, scope):
    token = xero_sandbox.connect(scopes=scope.split())
    assert token["scope"] == scope.split()
    assert xero_sandbox.connections(token["access_token"])[0]["tenantId"] == xero_sandbox.demo_tenant_id


@pytest.mark.parametrize(
    "scope",
    [
        "openid accounting.everything",
        "openid payroll.payslips",  # a near miss: Xero's scope is payroll.payslip
        "openid accounting.contacts.write",
        "",
    ],
)
def test_an_unknown_scope_gets_xeros_error_screen_not_a_redirect(xero_sandbox, scope):
    response = authorize(xero_sandbox, scope)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "Error: invalid_scope" in response.text and "Error code: 500" in response.text


def test_an_app_created_since_march_2026_still_signs_in_with_granular_and_other_scopes(xero_sandbox):
    xero_sandbox.register_app(client_id=xero_sandbox.client_id, allow_broad_scopes=False)
    for broad in ("accounting.transactions", "accounting.transactions.read", "accounting.reports.read"):
        assert "Error: invalid_scope" in authorize(xero_sandbox, f"openid {broad}").text
    token = xero_sandbox.connect(scopes=GRANULAR.split())
    assert token["access_token"]
    assert xero_sandbox.connect(scopes=["offline_access", "payroll.payslip", "files"])["access_token"]


def test_granted_scopes_are_enforced_on_the_api_as_before(xero_sandbox):
    payroll_only = xero_sandbox.connect(scopes=["offline_access", "payroll.payslip"])
    response = requests.get(
        f"{xero_sandbox.accounting_url}/Contacts",
        headers={
            "Authorization": f"Bearer {payroll_only['access_token']}",
            "Xero-Tenant-Id": xero_sandbox.demo_tenant_id,
        },
        timeout=10,
    )
    assert response.status_code in (401, 403)
    assert "insufficient_scope" in response.headers.get("WWW-Authenticate", "")


def test_non_tenanted_scopes_come_from_client_credentials(xero_sandbox):
    """App Store billing: any app's credentials, grant_type=client_credentials, scope=marketplace.billing."""
    response = requests.post(
        xero_sandbox.token_url,
        data={"grant_type": "client_credentials", "scope": "marketplace.billing"},
        auth=(xero_sandbox.client_id, xero_sandbox.client_secret),
        timeout=10,
    )
    assert response.status_code == 200
    token = response.json()
    assert token["scope"] == "marketplace.billing" and "refresh_token" not in token
    assert xero_sandbox.connections(token["access_token"]) == []
    refused = requests.post(
        xero_sandbox.token_url,
        data={"grant_type": "client_credentials", "scope": "accounting.contacts"},
        auth=(xero_sandbox.client_id, xero_sandbox.client_secret),
        timeout=10,
    )
    assert refused.json() == {"error": "unauthorized_client"}, "tenanted scopes need a custom connection"
