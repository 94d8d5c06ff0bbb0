"""/xero-sandbox/…: the layout mirrors Xero's hosts, so the app only swaps base URLs.

    login/      login.xero.com       identity/connect/authorize (consent page)
    identity/   identity.xero.com    connect/token, connect/revocation, connect/userinfo,
                                     .well-known/openid-configuration[/jwks] (OIDC discovery)
    api/        api.xero.com         connections, api.xro/2.0/… (Accounting API)
    go/         go.xero.com          organisationlogin/default.aspx (deep links)
    reporting/  reporting.xero.com   {ShortCode}/v1/Run/{reportId}
    in/         in.xero.com          online invoices
    _control/   the sandbox's control API (not Xero)

Xero's API paths are case-insensitive (the SDK says /Connections, the docs /connections).
"""

from django.urls import path, re_path

from . import control, web
from .accounting import contacts, credit_notes, gateway, invoices, reports, settings
from .identity import connections, views


def ci(regex: str) -> str:
    """Case-insensitive without the (?i) flag, which would make Django's URL reversing fail."""
    out, i = [], 0
    while i < len(regex):
        if regex.startswith("(?P<", i):
            end = regex.index(">", i) + 1
        elif regex[i] == "\\":
            end = i + 2
        elif regex[i] == "[":
            end = regex.index("]", i) + 1
        else:
            char = regex[i]
            out.append(f"[{char.lower()}{char.upper()}]" if char.isalpha() else char)
            i += 1
            continue
        out.append(regex[i:end])
        i = end
    return "".join(out)


ACCOUNTING = ci(r"^api/api\.xro/2\.0/")


def accounting(route: str, view, name: str):
    return re_path(rf"{ACCOUNTING}{ci(route)}/?$", view, name=name)


app_name = "xero_sandbox"
urlpatterns = [
    path("", web.home, name="home"),
    path("clock", web.advance_clock, name="advance-clock"),
    path("connections/<str:connection_id>/disconnect", web.disconnect, name="disconnect"),
    path("orgs/<str:tenant_id>/", web.organisation, name="organisation"),
    path("orgs/<str:tenant_id>/act", web.act, name="act"),
    path("in/<str:invoice_id>", web.online_invoice, name="online-invoice"),
    # Xero's identity service
    re_path(ci(r"^login/identity/connect/authorize/?$"), views.authorize, name="authorize"),
    re_path(ci(r"^identity/connect/token/?$"), views.token, name="token"),
    re_path(ci(r"^identity/connect/revocation/?$"), views.revocation, name="revocation"),
    re_path(ci(r"^identity/connect/userinfo/?$"), views.userinfo, name="userinfo"),
    path(
        "identity/.well-known/openid-configuration", views.openid_configuration, name="openid-configuration"
    ),
    path("identity/.well-known/openid-configuration/jwks", views.jwks, name="jwks"),
    re_path(ci(r"^api/connections/?$"), connections.connections, name="connections"),
    re_path(ci(r"^api/connections/(?P<connection_id>[^/]+)/?$"), connections.connection, name="connection"),
    # Accounting API
    accounting("organisation", settings.organisation, "organisation-api"),
    accounting("accounts", settings.accounts, "accounts"),
    accounting(r"accounts/(?P<account_id>[^/]+)", settings.account, "account"),
    accounting("taxrates", settings.tax_rates, "tax-rates"),
    accounting(r"taxrates/(?P<tax_type>[^/]+)", settings.tax_rate, "tax-rate"),
    accounting("items", settings.items, "items"),
    accounting(r"items/(?P<identifier>[^/]+)", settings.item, "item"),
    accounting("contacts", contacts.contacts, "contacts"),
    accounting(r"contacts/(?P<identifier>[^/]+)", contacts.contact, "contact"),
    accounting("invoices", invoices.invoices, "invoices"),
    accounting(r"invoices/(?P<identifier>[^/]+)", invoices.invoice, "invoice"),
    accounting(
        r"invoices/(?P<identifier>[^/]+)/onlineinvoice", invoices.online_invoice, "online-invoice-api"
    ),
    accounting("creditnotes", credit_notes.credit_notes, "credit-notes"),
    accounting(r"creditnotes/(?P<identifier>[^/]+)", credit_notes.credit_note, "credit-note"),
    accounting(
        r"creditnotes/(?P<identifier>[^/]+)/allocations", credit_notes.allocations, "credit-note-allocations"
    ),
    accounting("reports/agedreceivablesbycontact", reports.aged_receivables_by_contact, "aged-receivables"),
    re_path(rf"{ACCOUNTING}.*$", gateway.unknown_resource),  # token first, then Xero's 404
    # Xero's web app
    re_path(ci(r"^go/organisationlogin/default\.aspx$"), web.organisation_login, name="organisation-login"),
    re_path(r"^reporting/(?P<short_code>[^/]+)/v1/Run/(?P<report_id>\d+)/?$", web.report, name="report"),
    # The control API
    path("_control/state", control.state),
    path("_control/reset", control.reset),
    path("_control/seed", control.seed),
    path("_control/clock", control.clock_view),
    path("_control/faults", control.faults_view),
    path("_control/calls", control.calls),
    path("_control/rate-limits", control.rate_limits),
    path("_control/connections/<str:connection_id>", control.connection),
    path("_control/apps", control.apps),
    path("_control/webhooks", control.webhook_config),
    path("_control/webhooks/send", control.webhook_send),
    path("_control/webhooks/flush", control.webhook_flush),
    path("_control/webhooks/deliveries", control.webhook_deliveries),
    path("_control/webhooks/retry", control.webhook_retry),
    path("_control/webhooks/intent-to-receive", control.webhook_intent_to_receive),
    path("_control/orgs/<str:tenant_id>/contacts", control.org_contacts),
    path("_control/orgs/<str:tenant_id>/contacts/<str:contact_id>", control.org_contact),
    path("_control/orgs/<str:tenant_id>/invoices", control.org_invoices),
    path("_control/orgs/<str:tenant_id>/invoices/<str:invoice_id>", control.org_invoice),
    path("_control/orgs/<str:tenant_id>/invoices/<str:invoice_id>/payments", control.org_invoice_payment),
]
