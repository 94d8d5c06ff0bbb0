"""Every GET-able page of the app, found by walking the URL resolver, so a new page is covered by
the page-sweeping tests (no Xero calls from page views, hostile names escaped) without anyone
remembering to add it.

A URL whose pattern takes arguments needs an entry in `url_kwargs`; a new one without an entry
fails the sweep with a message saying so, rather than being skipped.
"""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Never swept, each for a reason. Everything else the resolver knows is fetched.
EXCLUDED_NAMESPACES = {
    # The sandbox *is* Xero: its pages and APIs are what the call log records.
    "xero_sandbox": "the offline Xero itself",
    # Django's admin has its own URL scheme (app labels, object ids); it reads only the database.
    "admin": "Django's admin",
}
EXCLUDED_VIEWS = {
    # Calls Xero by design: with a code, the callback exchanges it at Xero's token endpoint.
    "integrations:xero_callback": "OAuth callback (token exchange)",
    # POST-only and calling Xero by design: the authorise redirect and Sync now.
    "integrations:xero_authorise": "starts OAuth (POST)",
    "integrations:xero_sync": "Sync now (POST)",
    # POST-only: a GET would only sign the test client out.
    "logout": "POST only",
}


@dataclass(frozen=True)
class Page:
    name: str  # "namespace:url_name"
    kwargs: tuple[str, ...]  # the pattern's arguments


def _walk(patterns, namespace: str | None = None, outer: tuple[str, ...] = ()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            if inner in EXCLUDED_NAMESPACES or (entry.app_name in EXCLUDED_NAMESPACES):
                continue
            # An include's own prefix may take arguments too (e.g. clients/<int:pk>/xero/).
            yield from _walk(
                entry.url_patterns, inner, outer + tuple(getattr(entry.pattern, "converters", {}) or ())
            )
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Page(name, outer + tuple(getattr(entry.pattern, "converters", {}) or ()))
        elif isinstance(entry, URLPattern):  # cannot be reversed: reported, never silently left out
            yield Page(f"<unnamed {namespace or ''}:{entry.pattern}>", ("?",))


def app_pages() -> list[Page]:
    pages = {page.name: page for page in _walk(get_resolver().url_patterns)}
    return [page for name, page in sorted(pages.items()) if name not in EXCLUDED_VIEWS]


def page_urls(url_kwargs: dict[str, dict]) -> list[str]:
    """The URL of every page; `url_kwargs` maps "namespace:name" to the kwargs of one real object."""
    urls, missing = [], []
    for page in app_pages():
        if page.kwargs and page.name not in url_kwargs:
            missing.append(f"{page.name} {page.kwargs}")
            continue
        urls.append(reverse(page.name, kwargs=url_kwargs.get(page.name) if page.kwargs else None))
    assert not missing, (
        "These views take URL arguments the page sweep does not know how to fill: add them to "
        f"url_kwargs (or, with a reason, to the exclusions in tests/integrations/pages.py): {missing}"
    )
    return urls


def practice_url_kwargs(*, client, job, officer, run) -> dict[str, dict]:
    """Arguments for the pages of one practice's objects: a company `client`, one of its officers,
    one of its jobs, a Xero sync run."""
    return {
        "clients:detail": {"pk": client.pk},
        "clients:edit": {"pk": client.pk},
        "clients:people": {"pk": client.pk},
        "clients:officer_remove": {"pk": client.pk, "officer_pk": officer.pk},
        # Link with Xero: every GET reads the mirror only (a search without a term asks Xero nothing).
        **{
            f"xero_links:{name}": {"pk": client.pk}
            for name in ("dialog", "search", "confirm", "create", "unlink")
        },
        "jobs:detail": {"pk": job.pk},
        "jobs:edit": {"pk": job.pk},
        "jobs:client_jobs": {"pk": client.pk},
        "jobs:client_create": {"pk": client.pk},
        "integrations:xero_sync_status": {"pk": run.pk},
        # Differences with Xero (reads the mirror) and the bulk review's run progress / retry.
        # Invoice History and Raise invoice: read the mirror only (totals and Sync now are POST-only).
        "invoicing:history": {"client_pk": client.pk},
        "invoicing:raise": {"client_pk": client.pk},
        "invoicing:raise_totals": {"client_pk": client.pk},
        "invoicing:sync": {"client_pk": client.pk},
        # A job's Invoice tab, Raise and Link existing read the mirror only; Unlink is POST-only.
        **{f"job_invoices:{name}": {"job_pk": job.pk} for name in ("tab", "raise", "link")},
        "job_invoices:unlink": {"job_pk": job.pk, "link_pk": 0},
        "job_invoices:billing_run": {"pk": _billing_run(client).pk},
        "job_invoices:billing_retry": {"pk": _billing_run(client).pk},
        "xero_differences:show": {"pk": client.pk},
        "xero_differences:resolve": {"pk": client.pk, "field": "name"},
        "xero_matching:run": {"run_pk": _bulk_run(client).pk},
        "xero_matching:retry": {"run_pk": _bulk_run(client).pk},
    }


def _billing_run(client):
    """A finished billing run of the client's practice, for its progress page."""
    from invoicing.models import BillingRun

    run, _ = BillingRun.objects.get_or_create(
        practice_id=client.practice_id, defaults={"status": BillingRun.Status.SUCCEEDED, "message": "Done."}
    )
    return run


def _bulk_run(client):
    """A finished bulk run of the client's practice, for the pages that show one."""
    from integrations.models import XeroBulkRun

    run, _ = XeroBulkRun.objects.get_or_create(
        practice_id=client.practice_id,
        action=XeroBulkRun.Action.LINK,
        defaults={"status": XeroBulkRun.Status.SUCCEEDED, "message": "Done."},
    )
    return run
