"""Drive the sandbox from Python over real HTTP: a threaded server and a client for its control API
and OAuth flow. Used by the test fixtures (tests/fixtures/xero_sandbox.py) and by `make bench`;
the app itself never imports this (it reaches the sandbox only as it would reach Xero).
"""

import re
import threading
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urljoin

import requests
from django.conf import settings as django_settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.core.wsgi import get_wsgi_application
from django.test.testcases import QuietWSGIRequestHandler

DEFAULT_SCOPES = (
    "openid",
    "profile",
    "email",
    "offline_access",
    "accounting.contacts",
    "accounting.invoices",
    "accounting.settings.read",
    "accounting.reports.aged.read",
)


class SandboxError(AssertionError):
    """A control-API call failed."""


@dataclass
class ConsentPage:
    action: str
    ticket: str
    tenants: list[tuple[str, str]]  # (tenant_id, organisation name) as offered by the picker
    html: str


def parse_consent_page(html: str, page_url: str) -> ConsentPage:
    """The consent page's form: where it posts, its ticket and the organisations offered."""
    action = re.search(r'<form method="post" action="([^"]+)"', html)
    ticket = re.search(r'name="ticket" value="([^"]+)"', html)
    if not action or not ticket:
        raise SandboxError(f"Not a consent page:\n{html[:500]}")
    tenants = re.findall(r'name="tenant" value="([^"]+)"[^>]*>\s*([^<]+)</label>', html)
    return ConsentPage(
        urljoin(page_url, unescape(action.group(1))),
        unescape(ticket.group(1)),
        [(tenant_id, unescape(name).strip()) for tenant_id, name in tenants],
        html,
    )


@dataclass
class XeroSandbox:
    server_url: str
    client_id: str
    client_secret: str
    # The demo app's registered callback; nothing serves it in these helpers, they read the Location.
    redirect_uri: str
    http: requests.Session = field(default_factory=requests.Session)

    # --- addresses (mirroring Xero's hosts) ---------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"{self.server_url}/{django_settings.XERO_SANDBOX_PREFIX}"

    @property
    def login_base(self) -> str:
        return f"{self.base_url}/login"

    @property
    def identity_base(self) -> str:
        return f"{self.base_url}/identity"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api"

    @property
    def accounting_url(self) -> str:
        return f"{self.api_base}/api.xro/2.0"

    @property
    def web_base(self) -> str:
        return f"{self.base_url}/go"

    @property
    def reporting_base(self) -> str:
        return f"{self.base_url}/reporting"

    @property
    def authorize_url(self) -> str:
        return f"{self.login_base}/identity/connect/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.identity_base}/connect/token"

    @property
    def revocation_url(self) -> str:
        return f"{self.identity_base}/connect/revocation"

    # --- the organisations seeded for the demo ------------------------------------------------
    @property
    def demo_tenant_id(self) -> str:
        from xero_sandbox.seeds import DEMO_TENANT_ID

        return DEMO_TENANT_ID

    @property
    def second_tenant_id(self) -> str:
        from xero_sandbox.seeds import BUREAU_TENANT_ID

        return BUREAU_TENANT_ID

    # --- control API --------------------------------------------------------------------------
    def control(self, method: str, path: str, payload: dict | None = None, **params):
        response = self.http.request(
            method,
            f"{self.base_url}/_control/{path.lstrip('/')}",
            json={} if payload is None and method != "GET" else payload,
            params=params or None,
            timeout=30,
        )
        if response.status_code >= 400:
            raise SandboxError(f"{method} _control/{path} -> {response.status_code}: {response.text}")
        return response.json()

    def reset(self, seed: str = "demo") -> dict:
        return self.control("POST", "reset", {"seed": seed})

    def state(self) -> dict:
        return self.control("GET", "state")

    def seed_scale(
        self, contacts: int = 10_000, invoices: int = 100_000, seed: int = 1, name: str = ""
    ) -> str:
        result = self.control(
            "POST",
            "seed",
            {"kind": "scale", "contacts": contacts, "invoices": invoices, "seed": seed, "name": name},
        )
        return result["organisations"][0]["tenant_id"]

    def advance_clock(
        self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> dict:
        return self.control(
            "POST", "clock", {"seconds": seconds, "minutes": minutes, "hours": hours, "days": days}
        )

    def inject_fault(
        self, *, status: int | None = None, count: int | None = 1, path: str = "", **options
    ) -> dict:
        """e.g. inject_fault(status=503, path="/Invoices"), inject_fault(delay=2, count=None)."""
        return self.control("POST", "faults", {"status": status, "count": count, "path": path, **options})

    def clear_faults(self) -> None:
        self.control("DELETE", "faults")

    def calls(self, area: str | None = None, since: int = 0) -> list[dict]:
        """Calls made to Xero's endpoints: area is "accounting", "identity" or "connections"."""
        params = {"since": since, **({"area": area} if area else {})}
        return self.control("GET", "calls", **params)["calls"]

    def clear_calls(self) -> None:
        self.control("DELETE", "calls")

    def set_rate_limits(self, **limits) -> dict:
        """per_minute, per_day, app_per_minute, concurrent; reset_counters=True zeroes the windows."""
        return self.control("POST", "rate-limits", limits)

    def delete_connection(self, connection_id: str) -> None:
        """Disconnect on Xero's side: the app's next call for that tenant gets 403."""
        self.control("DELETE", f"connections/{connection_id}")

    def register_app(self, **app) -> dict:
        return self.control("POST", "apps", app)

    def register_redirect_uri(self, uri: str, client_id: str | None = None) -> None:
        self.register_app(client_id=client_id or self.client_id, redirect_uris=[uri])

    def configure_webhooks(
        self, url: str | None = None, key: str | None = None, enabled: bool = True
    ) -> dict:
        payload = {"url": url, "enabled": enabled}
        if key is not None:
            payload["key"] = key
        return self.control("POST", "webhooks", payload)

    def send_webhook(
        self, tenant_id: str, category: str, resource_id: str, event_type: str = "UPDATE"
    ) -> None:
        self.control(
            "POST",
            "webhooks/send",
            {
                "tenant_id": tenant_id,
                "category": category,
                "resource_id": resource_id,
                "event_type": event_type,
            },
        )

    def flush_webhooks(self, timeout: float = 10) -> bool:
        return self.control("POST", "webhooks/flush", {"timeout": timeout})["flushed"]

    def webhook_deliveries(self) -> list[dict]:
        return self.control("GET", "webhooks/deliveries")["deliveries"]

    def intent_to_receive(self, url: str | None = None, key: str | None = None) -> dict:
        return self.control("POST", "webhooks/intent-to-receive", {"url": url, "key": key})

    # --- acting "in Xero" ---------------------------------------------------------------------
    def contacts(self, tenant_id: str | None = None) -> list[dict]:
        return self.control("GET", f"orgs/{tenant_id or self.demo_tenant_id}/contacts")["Contacts"]

    def invoices(self, tenant_id: str | None = None) -> list[dict]:
        return self.control("GET", f"orgs/{tenant_id or self.demo_tenant_id}/invoices")["Invoices"]

    def create_contact(self, element: dict, tenant_id: str | None = None) -> dict:
        return self.control("POST", f"orgs/{tenant_id or self.demo_tenant_id}/contacts", element)

    def update_contact(self, contact_id: str, element: dict, tenant_id: str | None = None) -> dict:
        return self.control("POST", f"orgs/{tenant_id or self.demo_tenant_id}/contacts/{contact_id}", element)

    def rename_contact(self, contact_id: str, name: str, tenant_id: str | None = None) -> dict:
        return self.update_contact(contact_id, {"Name": name}, tenant_id)

    def archive_contact(self, contact_id: str, tenant_id: str | None = None) -> dict:
        return self.update_contact(contact_id, {"ContactStatus": "ARCHIVED"}, tenant_id)

    def create_invoice(self, element: dict, tenant_id: str | None = None) -> dict:
        return self.control("POST", f"orgs/{tenant_id or self.demo_tenant_id}/invoices", element)

    def update_invoice(self, invoice_id: str, element: dict, tenant_id: str | None = None) -> dict:
        return self.control("POST", f"orgs/{tenant_id or self.demo_tenant_id}/invoices/{invoice_id}", element)

    def void_invoice(self, invoice_id: str, tenant_id: str | None = None) -> dict:
        return self.update_invoice(invoice_id, {"Status": "VOIDED"}, tenant_id)

    def pay_invoice(
        self, invoice_id: str, amount=None, *, date: str | None = None, tenant_id: str | None = None
    ) -> dict:
        """Record a payment in full (amount None) or in part."""
        payload = {"amount": None if amount is None else str(amount), "date": date}
        return self.control(
            "POST", f"orgs/{tenant_id or self.demo_tenant_id}/invoices/{invoice_id}/payments", payload
        )

    # --- OAuth --------------------------------------------------------------------------------
    def oauth_session(self, scopes=DEFAULT_SCOPES, redirect_uri: str | None = None, **kwargs):
        from requests_oauthlib import OAuth2Session

        return OAuth2Session(
            self.client_id,
            redirect_uri=redirect_uri or self.redirect_uri,
            scope=list(scopes),
            pkce="S256",
            **kwargs,
        )

    def consent_page(self, authorization_url: str) -> ConsentPage:
        response = self.http.get(authorization_url, timeout=30)
        if response.status_code != 200:
            raise SandboxError(f"Authorize page answered {response.status_code}: {response.text[:300]}")
        return parse_consent_page(response.text, response.url)

    def decide(self, page: ConsentPage, *, allow: bool = True, tenants: list[str] | None = None) -> str:
        """Press Allow access (with the chosen organisations) or Cancel; returns the redirect URL."""
        chosen = tenants if tenants is not None else [page.tenants[0][0]]
        form = {"ticket": page.ticket, "action": "allow" if allow else "cancel", "tenant": chosen}
        response = self.http.post(page.action, data=form, allow_redirects=False, timeout=30)
        if response.status_code != 302:
            raise SandboxError(f"Consent answered {response.status_code}: {response.text[:300]}")
        return response.headers["Location"]

    def connect(self, scopes=DEFAULT_SCOPES, tenants: list[str] | None = None) -> dict:
        """The whole OAuth flow (PKCE, consent, code exchange), as the app will do it; the token set."""
        session = self.oauth_session(scopes)
        authorization_url, _state = session.authorization_url(self.authorize_url)
        callback = self.decide(self.consent_page(authorization_url), tenants=tenants or [self.demo_tenant_id])
        return dict(
            session.fetch_token(
                self.token_url, authorization_response=callback, client_secret=self.client_secret
            )
        )

    def connections(self, access_token: str) -> list[dict]:
        response = self.http.get(
            f"{self.api_base}/connections", headers={"Authorization": f"Bearer {access_token}"}, timeout=30
        )
        response.raise_for_status()
        return response.json()


def without_session_cookie(app):
    """Browsers send cookies to every port of a host, so a browser test's app session would reach
    the sandbox too, and the app's middleware would look it up in the database from the server
    thread. The sandbox never uses sessions: drop the cookie before the project's WSGI app sees it."""

    def wsgi(environ, start_response):
        cookies = environ.get("HTTP_COOKIE", "")
        if cookies:
            name = f"{django_settings.SESSION_COOKIE_NAME}="
            kept = [part for part in cookies.split(";") if not part.strip().startswith(name)]
            environ["HTTP_COOKIE"] = ";".join(kept)
        return app(environ, start_response)

    return wsgi


class SandboxServer:
    def __init__(self) -> None:
        self.httpd = ThreadedWSGIServer(("127.0.0.1", 0), QuietWSGIRequestHandler, allow_reuse_address=False)
        self.httpd.set_app(without_session_cookie(get_wsgi_application()))
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, name="xero-sandbox-server", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "SandboxServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
