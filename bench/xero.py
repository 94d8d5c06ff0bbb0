"""Xero part of the benchmark: connect the benchmark practice to a 10,000-contact sandbox
organisation, then time the full and the incremental contacts sync and count the Xero calls, and
check that pages make no Xero calls at all."""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client as HttpClient

from integrations.models import XeroConnection, XeroContact, XeroSyncRun
from xero_sandbox.state import store
from xero_sandbox.testing import SandboxServer, XeroSandbox


def _point_settings_at(sandbox: XeroSandbox) -> None:
    settings.XERO_LOGIN_BASE = sandbox.login_base
    settings.XERO_IDENTITY_BASE = sandbox.identity_base
    settings.XERO_API_BASE = sandbox.api_base
    settings.XERO_WEB_BASE = sandbox.web_base
    settings.XERO_REPORTING_BASE = sandbox.reporting_base
    settings.XERO_SANDBOX_PERSIST = False


def _sync(client: HttpClient) -> XeroSyncRun:
    client.post("/settings/integrations/xero/sync/")
    return XeroSyncRun.objects.order_by("-created_at").first()


def run(user, *, contacts: int, invoices: int) -> dict:
    if not settings.XERO_SANDBOX_ENABLED:
        return {"skipped": "XERO_MODE is not sandbox"}
    server = SandboxServer().start()
    sandbox = XeroSandbox(
        server_url=server.url,
        client_id=settings.XERO_CLIENT_ID,
        client_secret=settings.XERO_CLIENT_SECRET,
        redirect_uri=settings.XERO_REDIRECT_URI,
    )
    try:
        _point_settings_at(sandbox)
        with store.lock:
            store.reset(seed="demo")
            store.world.webhook.url = None
        started = time.perf_counter()
        tenant_id = sandbox.seed_scale(contacts=contacts, invoices=invoices, name="Benchmark Clients Ltd")
        seed_seconds = time.perf_counter() - started
        sandbox.set_rate_limits(per_minute=10_000, per_day=1_000_000, reset_counters=True)

        practice = user.membership.practice
        XeroConnection.objects.filter(practice=practice).delete()
        XeroContact.objects.filter(practice=practice).delete()
        client = HttpClient()
        client.force_login(user)
        start = client.post("/settings/integrations/xero/authorise/")
        callback = sandbox.decide(sandbox.consent_page(start["Location"]), tenants=[tenant_id])
        parts = urlsplit(callback)
        sandbox.clear_calls()
        started = time.perf_counter()
        client.get(f"{parts.path}?{parts.query}")  # connects, then the first (full) sync runs eagerly
        connect_seconds = time.perf_counter() - started
        full = XeroSyncRun.objects.filter(practice=practice).order_by("-created_at").first()
        full_calls = sandbox.calls(area="accounting")

        seq = full_calls[-1]["seq"] if full_calls else 0
        started = time.perf_counter()
        incremental = _sync(client)
        incremental_seconds = time.perf_counter() - started
        incremental_calls = sandbox.calls(area="accounting", since=seq)

        seq = sandbox.calls()[-1]["seq"]
        for url in [
            "/clients/",
            "/settings/integrations/xero/",
            "/settings/integrations/xero/activity/",
            "/",
        ]:
            client.get(url)
        page_calls = len(sandbox.calls(since=seq))
        return {
            "sandbox_scale_seed_seconds": round(seed_seconds, 2),
            "contacts_in_xero": contacts,
            "invoices_in_xero": invoices,
            "connect_and_full_sync_seconds": round(connect_seconds, 2),
            "full_sync_contacts_mirrored": XeroContact.objects.filter(
                practice=practice, tenant_id=tenant_id
            ).count(),
            "full_sync_status": full.status,
            "full_sync_accounting_calls": len(full_calls),
            "full_sync_contact_pages": sum(1 for c in full_calls if c["path"].lower().endswith("/contacts")),
            "incremental_sync_seconds": round(incremental_seconds, 2),
            "incremental_sync_status": incremental.status,
            "incremental_sync_contact_calls": sum(
                1 for c in incremental_calls if c["path"].lower().endswith("/contacts")
            ),
            "xero_calls_while_browsing_4_pages": page_calls,
        }
    finally:
        server.stop()
