"""Xero pages about clients: the differences on a linked client's page, and the bulk review
(Clients → Match clients to Xero).

They belong to integrations (the clients app may not import it), so they are mounted next to the
clients URLs in engager/urls.py (integrations.matching_urls). Thin: practice-scoped lookups, then
integrations selectors and services.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HTMX_STOP_POLLING

from clients import selectors
from clients.models import Client
from core.htmx import render_page_or_partial
from core.permissions import practice_required
from integrations import selectors as xero_selectors
from integrations import services as xero_services

DIRECTIONS = ("xero", "engager")


# --- Differences -----------------------------------------------------------------------------------


def xero_differences_context(*, practice, client: Client) -> dict:
    """What templates/clients/_xero_differences.html needs (included on the client page)."""
    if practice is None or not client.is_company:
        return {"xero_differences_link": None, "xero_differences": []}
    link = xero_selectors.xero_client_link(practice=practice, client=client)
    return {
        "xero_differences_link": link,
        "xero_differences": xero_selectors.xero_contact_differences(client=client) if link else [],
    }


def xero_differences_client_context(request, client: Client) -> dict:
    """core.navigation client context provider: the differences, on the client's overview only."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name != "clients:detail":
        return {}
    return xero_differences_context(practice=getattr(request, "practice", None), client=client)


def _differences_response(request, client: Client, *, message: str = "", error: str = ""):
    context = {"client": client, "xero_message": message, "xero_error": error}
    context |= xero_differences_context(practice=request.practice, client=client)
    return render(request, "clients/_xero_differences.html", context)


@practice_required
def client_xero_differences(request, pk: int):
    client = selectors.client_get(practice=request.practice, pk=pk)
    if not request.htmx:
        return redirect(client)
    return _differences_response(request, client)


@require_POST
@practice_required
def client_xero_difference_resolve(request, pk: int, field: str):
    client = selectors.client_get(practice=request.practice, pk=pk)
    direction = request.POST.get("to", "")
    if direction not in DIRECTIONS:
        raise Http404
    message = error = ""
    try:
        if direction == "xero":
            xero_services.xero_contact_update_from_client(
                practice=request.practice, client=client, field=field, user=request.user
            )
            message = "Xero was updated."
        else:
            xero_services.client_update_from_xero_contact(
                practice=request.practice, client=client, field=field, user=request.user
            )
            message = "Engager was updated from Xero."
    except xero_services.DifferenceError as exc:
        error = exc.message
    if request.htmx:
        return _differences_response(request, client, message=message, error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    return redirect(client)


# --- Bulk review ------------------------------------------------------------------------------------


def _bulk_context(request, run=None) -> dict:
    return {
        "review": xero_selectors.xero_bulk_review(practice=request.practice),
        "run": run or xero_selectors.xero_latest_bulk_run(practice=request.practice),
    }


@practice_required
def xero_matching(request):
    return render_page_or_partial(
        request, "clients/xero_matching.html", "bulk-review", _bulk_context(request)
    )


def _pairs(values) -> list[tuple[int, int]]:
    pairs = []
    for value in values:
        client_id, _, contact_id = value.partition(":")
        if client_id.isdigit() and contact_id.isdigit():
            pairs.append((int(client_id), int(contact_id)))
    return pairs


@require_POST
@practice_required
def xero_matching_start(request):
    action = request.POST.get("action", "")
    try:
        if action == "link":
            run = xero_services.xero_bulk_link_start(
                practice=request.practice, user=request.user, pairs=_pairs(request.POST.getlist("link"))
            )
        elif action == "create":
            run = xero_services.xero_bulk_create_start(
                practice=request.practice, user=request.user, client_ids=request.POST.getlist("create")
            )
        else:
            raise xero_services.BulkError("Choose Link selected or Create in Xero.")
    except xero_services.BulkError as exc:
        if request.htmx:
            return render(request, "clients/xero_matching.html#bulk-review",
                          _bulk_context(request) | {"bulk_error": exc.message})  # fmt: skip
        messages.error(request, exc.message)
        return redirect("xero_matching:index")
    run.refresh_from_db()  # eager Celery (no worker) has already done it
    if request.htmx:
        return render(request, "clients/xero_matching.html#bulk-review", _bulk_context(request, run))
    return redirect("xero_matching:index")


@practice_required
def xero_matching_run(request, run_pk: int):
    run = xero_selectors.xero_bulk_run(practice=request.practice, pk=run_pk)
    if run is None:
        raise Http404
    if not request.htmx:
        return redirect("xero_matching:index")
    if run.is_finished:  # the rows have changed: show the whole review with the result
        response = render(request, "clients/xero_matching.html#bulk-review", _bulk_context(request, run))
        response.status_code = HTMX_STOP_POLLING
        response["HX-Retarget"] = "#bulk-review"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "clients/xero_matching.html#bulk-run", {"run": run})


@require_POST
@practice_required
def xero_matching_retry(request, run_pk: int):
    run = xero_selectors.xero_bulk_run(practice=request.practice, pk=run_pk)
    if run is None:
        raise Http404
    run = xero_services.xero_bulk_retry(run=run)
    run.refresh_from_db()
    if request.htmx:
        return render(request, "clients/xero_matching.html#bulk-review", _bulk_context(request, run))
    return redirect("xero_matching:index")
