"""The Xero half of the benchmark, against the offline sandbox served over real HTTP in a thread.

The sandbox runs in this process, so its own work would count as ours: every request it serves is
timed (a WSGI wrapper round the sandbox server), and that time is subtracted from ingest and
billing figures.
"""

import threading
import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client as HttpClient

from xero_sandbox.calllog import call_log
from xero_sandbox.state import store
from xero_sandbox.testing import SandboxServer, XeroSandbox

SANDBOX_PREFIX = f"/{settings.XERO_SANDBOX_PREFIX}/"


class SandboxClock:
    """(start, end) of every Xero request the sandbox served (control calls excluded)."""

    def __init__(self) -> None:
        self.spans: list[tuple[float, float, str]] = []
        self._lock = threading.Lock()

    def wrap(self, app):
        def timed(environ, start_response):
            path = environ.get("PATH_INFO", "")
            if not path.startswith(SANDBOX_PREFIX) or "/control/" in path:
                return app(environ, start_response)
            start = time.perf_counter()
            body = list(app(environ, start_response))  # Django's responses are complete here
            with self._lock:
                self.spans.append((start, time.perf_counter(), path))
            return body

        return timed

    def busy(self, since: float, until: float | None = None) -> float:
        until = until or time.perf_counter()
        with self._lock:
            return sum(end - start for start, end, _path in self.spans if start >= since and end <= until)

    def first(self, since: float, suffix: str) -> float | None:
        with self._lock:
            starts = [s for s, _e, p in self.spans if s >= since and p.rstrip("/").lower().endswith(suffix)]
        return min(starts) if starts else None


def _point_settings_at(sandbox: XeroSandbox) -> None:
    settings.XERO_LOGIN_BASE = sandbox.login_base
    settings.XERO_IDENTITY_BASE = sandbox.identity_base
    settings.XERO_API_BASE = sandbox.api_base
    settings.XERO_WEB_BASE = sandbox.web_base
    settings.XERO_REPORTING_BASE = sandbox.reporting_base
    settings.XERO_SANDBOX_PERSIST = False


class Sandbox:
    def __init__(self) -> None:
        self.server = SandboxServer()
        self.clock = SandboxClock()
        self.server.httpd.set_app(self.clock.wrap(self.server.httpd.get_app()))
        self.server.start()
        self.api = XeroSandbox(
            server_url=self.server.url,
            client_id=settings.XERO_CLIENT_ID,
            client_secret=settings.XERO_CLIENT_SECRET,
            redirect_uri=settings.XERO_REDIRECT_URI,
        )
        _point_settings_at(self.api)
        with store.lock:
            store.reset(seed="demo")
            store.world.webhook.url = None
        self.api.set_rate_limits(per_minute=100_000, per_day=10_000_000, reset_counters=True)

    def stop(self) -> None:
        self.server.stop()

    def seed(self, *, contacts: int, invoices: int, name: str, seed: int) -> tuple[str, float]:
        started = time.perf_counter()
        tenant = self.api.seed_scale(contacts=contacts, invoices=invoices, name=name, seed=seed)
        return tenant, time.perf_counter() - started

    def connect(self, bench, tenant_id: str) -> dict:
        """The real OAuth flow through the app; its callback runs the first, full sync (eager)."""
        client = HttpClient()
        client.force_login(bench.user)
        start = client.post("/settings/integrations/xero/authorise/")
        callback = self.api.decide(self.api.consent_page(start["Location"]), tenants=[tenant_id])
        parts = urlsplit(callback)
        seq = call_log.last_seq
        started = time.perf_counter()
        response = client.get(f"{parts.path}?{parts.query}")
        ended = time.perf_counter()
        if response.status_code != 302:
            raise RuntimeError(f"the OAuth callback answered {response.status_code}")
        return {"calls": call_log.calls(since=seq), "started": started, "ended": ended, "client": client}


def _is(call: dict, *names: str) -> bool:
    return any(call["path"].rstrip("/").lower().endswith("/" + n.lower()) for n in names)


def full_sync(sandbox: Sandbox, bench, tenant_id: str) -> dict:
    from integrations.models import XeroSyncRun
    from invoicing.models import CreditNote, Invoice

    done = sandbox.connect(bench, tenant_id)
    calls = done["calls"]
    invoice_calls = [c for c in calls if _is(c, "Invoices", "CreditNotes")]
    # The invoice part of the sync: from its first page request to the end of the run (credit notes
    # and the finishing steps included), less the sandbox's time serving requests in that window.
    first = sandbox.clock.first(done["started"], "/invoices") or done["started"]
    window = done["ended"] - first
    sandbox_time = sandbox.clock.busy(first, done["ended"])
    invoices = Invoice.objects.filter(practice=bench.practice, tenant_id=tenant_id).count()
    credit_notes = CreditNote.objects.filter(practice=bench.practice, tenant_id=tenant_id).count()
    run = XeroSyncRun.objects.filter(practice=bench.practice).order_by("-created_at").first()
    app_time = max(window - sandbox_time, 1e-9)
    return {
        "status": run.status if run else None,
        "message": run.message if run else "",
        "invoices_mirrored": invoices,
        "credit_notes_mirrored": credit_notes,
        "calls_total": len(calls),
        "calls_by_path": _by_path(calls),
        "invoice_calls": len(invoice_calls),
        "connect_and_sync_seconds": round(done["ended"] - done["started"], 2),
        "invoice_window_seconds": round(window, 2),
        "sandbox_seconds_in_window": round(sandbox_time, 2),
        "app_seconds_in_window": round(app_time, 2),
        "ingest_rate_per_s": round(invoices / app_time),
        "client": done["client"],
    }


def _by_path(calls: list[dict]) -> dict:
    counts: dict[str, int] = {}
    for c in calls:
        key = f"{c['method']} {c['path'].split('/api.xro/2.0')[-1]}"
        counts[key] = counts.get(key, 0) + 1
    return counts


def incremental_sync(client: HttpClient, bench, *, sync_now: bool) -> dict:
    """Nothing changed in Xero since the last sync: the 15-minute background sync (beat), or Sync now
    (which also refreshes accounts, tax rates and items)."""
    from integrations.models import XeroSyncRun
    from integrations.services.sync import xero_sync_request

    seq = call_log.last_seq
    started = time.perf_counter()
    if sync_now:
        client.post("/settings/integrations/xero/sync/")
    else:
        xero_sync_request(practice=bench.practice)  # what the beat task does for each practice
    seconds = time.perf_counter() - started
    run = XeroSyncRun.objects.filter(practice=bench.practice).order_by("-created_at").first()
    calls = call_log.calls(since=seq)
    return {
        "status": run.status,
        "calls": len(calls),
        "calls_by_path": _by_path(calls),
        "seconds": round(seconds, 2),
    }


def batch_billing(sandbox: Sandbox, bench, *, jobs: int) -> dict:
    from integrations.models import XeroContactLink
    from invoicing.models import BillingRun
    from invoicing.services.batch import billing_start
    from jobs.models import Job

    linked = XeroContactLink.objects.filter(practice=bench.practice).values("client_id")
    job_ids = list(
        Job.objects.filter(practice=bench.practice, client_id__in=linked, status=Job.Status.COMPLETED)
        .exclude(fee=None)
        .order_by("pk")
        .values_list("pk", flat=True)[:jobs]
    )
    seq = call_log.last_seq
    started = time.perf_counter()
    run = billing_start(
        practice=bench.practice,
        user=bench.user,
        job_ids=job_ids,
        grouping=BillingRun.Grouping.PER_CLIENT,
    )  # the run is queued on commit and, eagerly, processed before this returns
    ended = time.perf_counter()
    run.refresh_from_db()
    calls = call_log.calls(since=seq)
    sandbox_time = sandbox.clock.busy(started, ended)
    items = run.items or []
    return {
        "jobs": len(job_ids),
        "status": run.status,
        "message": run.message,
        "invoices_sent": sum(len(b["invoices"]) for b in run.batches or []),
        "items_by_status": {
            s: sum(1 for i in items if i["status"] == s) for s in {i["status"] for i in items}
        },
        "calls": len(calls),
        "calls_by_path": _by_path(calls),
        "seconds": round(ended - started, 2),
        "sandbox_seconds": round(sandbox_time, 2),
        "app_seconds": round(ended - started - sandbox_time, 2),
    }


def webhook_to_visible(sandbox: Sandbox, bench, tenant_id: str, *, timeout: float = 30) -> dict:
    """A real Celery worker (a thread, on a private queue on Redis), as tests/worker does."""
    from celery.contrib.testing.worker import start_worker

    from engager.celery import app as celery_app
    from invoicing.models import Invoice

    if not settings.REDIS_URL:
        return {"skipped": "REDIS_URL is not set: no Celery broker for a real worker"}
    invoice = (
        Invoice.objects.filter(practice=bench.practice, tenant_id=tenant_id, status="AUTHORISED")
        .order_by("pk")
        .first()
    )
    sandbox.api.configure_webhooks(
        url=f"{sandbox.server.url}/integrations/xero/webhooks/", key=settings.XERO_WEBHOOK_KEY
    )
    queue = f"engager-bench-{uuid.uuid4().hex[:12]}"
    overrides = {
        "task_always_eager": False,
        "broker_url": settings.REDIS_URL,
        "result_backend": settings.REDIS_URL,
        "task_default_queue": queue,
        "result_expires": 300,
        "worker_hijack_root_logger": False,
    }
    saved = {key: celery_app.conf[key] for key in overrides}
    celery_app.conf.update(overrides)
    _reset_celery(celery_app)
    try:
        with start_worker(celery_app, perform_ping_check=False, queues=[queue], shutdown_timeout=30):
            started = time.perf_counter()
            sandbox.api.pay_invoice(invoice.invoice_id, tenant_id=tenant_id)
            while time.perf_counter() - started < timeout:
                if Invoice.objects.filter(pk=invoice.pk, status="PAID").exists():
                    return {"invoice": invoice.number, "seconds": round(time.perf_counter() - started, 3)}
                time.sleep(0.02)
            return {"invoice": invoice.number, "seconds": None, "error": f"not visible after {timeout} s"}
    finally:
        celery_app.conf.update(saved)
        _reset_celery(celery_app)
        celery_app.amqp.queues._consume_from = None
        sandbox.api.configure_webhooks(url=None, enabled=False)


def _reset_celery(celery_app) -> None:
    celery_app._pool = None
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.backend = None
