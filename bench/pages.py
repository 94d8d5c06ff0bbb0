"""Page timings: the Django test client in-process (no network, no web server: server time only),
≥ 30 requests per page after one warm-up request, SQL queries per request (CaptureQueriesContext),
and Xero calls made while serving them (the sandbox's call log)."""

import time

from django.db import connection
from django.db.models import Count
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bench.report import percentile
from clients.models import Client
from core.navigation import dashboard_widgets
from xero_sandbox.calllog import call_log

HTMX = {"HTTP_HX_REQUEST": "true"}


def page_urls(bench) -> list[tuple[str, str, dict]]:
    """(name, url, extra headers) for the pages the issue names, for one practice."""
    from integrations.models import XeroContactLink
    from invoicing.models import Invoice

    practice = bench.practice
    linked = (
        Invoice.objects.filter(practice=practice, client__isnull=False)
        .values("client_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "client_id")
        .first()
    )
    client_id = linked["client_id"]
    job_id = Client.objects.get(pk=client_id).jobs.order_by("pk").values_list("pk", flat=True).first()
    unlinked = (
        Client.objects.filter(practice=practice, kind=Client.Kind.COMPANY)
        .exclude(pk__in=XeroContactLink.objects.filter(practice=practice).values("client_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    urls = [
        ("client list, page 1", "/clients/", {}),
        ("client list, search", "/clients/?q=harbour", {}),
        ("client Invoice History", f"/clients/{client_id}/invoices/", {}),
        ("job Invoice tab", f"/jobs/{job_id}/invoice/", {}),
        ("job Invoice tab, Link existing", f"/jobs/{job_id}/invoice/link/", HTMX),
        ("Jobs → Xero, default", "/jobs/xero/", {}),
        ("Jobs → Xero, filtered", "/jobs/xero/?status=all&q=harbour&linked=no&sort=-date", {}),
        ("dashboard", "/", {}),
    ]
    for widget in dashboard_widgets.entries_for(practice):
        urls.append((f"dashboard widget: {widget['label']}", widget["url"], HTMX))
    urls.append(("Link with Xero dialog", f"/clients/{unlinked}/xero/", HTMX))
    return urls


def measure(benches: dict, *, runs: int) -> dict[str, dict[str, dict]]:
    """{label: {page: result}} for each practice in `benches` ({"1k": bench, "10k": bench}).

    The sizes take turns request by request (1k, 10k, 1k, 10k…) so that both see the same machine:
    measured one after the other, a burst of load from elsewhere lands on one size only and skews
    the 10k/1k ratio."""
    clients, urls = {}, {}
    for label, bench in benches.items():
        clients[label] = HttpClient()
        clients[label].force_login(bench.user)
        urls[label] = {name: (url, headers) for name, url, headers in page_urls(bench)}
    names = [name for name in urls[next(iter(benches))] if all(name in u for u in urls.values())]
    results: dict[str, dict[str, dict]] = {label: {} for label in benches}
    for name in names:
        for label in benches:  # warm-up: template loading, first-use caches
            url, headers = urls[label][name]
            clients[label].get(url, **headers)
        timings = {label: [] for label in benches}
        queries = {label: set() for label in benches}
        calls = {label: 0 for label in benches}
        for _ in range(runs):
            for label in benches:
                url, headers = urls[label][name]
                before = call_log.last_seq
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = clients[label].get(url, **headers)
                    timings[label].append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}")
                queries[label].add(len(captured))
                calls[label] += len([c for c in call_log.calls(since=before) if c["area"] != "control"])
        for label in benches:
            url, _headers = urls[label][name]
            results[label][name] = {
                "url": url,
                "requests": runs,
                "p50_ms": round(percentile(timings[label], 50), 2),
                "p95_ms": round(percentile(timings[label], 95), 2),
                "queries": max(queries[label]),
                "queries_varied": sorted(queries[label]) if len(queries[label]) > 1 else None,
                "xero_calls": calls[label],
            }
    return results
