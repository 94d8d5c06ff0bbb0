"""Link with Xero: the dialog on a client company's page (match, create new, unlink).

Each step is a page that works without JavaScript and, for htmx, the `xero-dialog` partial that
replaces the dialog in place. Opening the dialog reads only the mirror (no Xero call); a search
asks Xero once; Save calls one service. Mounted under /clients/<pk>/xero/ (integrations.client_urls)
because the clients app may not import integrations (the layer rules).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods

from clients.models import Client
from clients.selectors import client_officers
from core.htmx import redirect_after_post, render_page_or_partial, wants_partial
from core.permissions import practice_required
from integrations import selectors, services
from integrations.xero.errors import XeroError

TEMPLATE = "integrations/xero_link.html"
CHOICES = ("match", "create", "unlink")
MIN_REMOTE_SEARCH = 2  # characters before Xero is asked


def _client(request, pk: int) -> Client:
    return get_object_or_404(Client, practice=request.practice, pk=pk)


def _context(request, client: Client, step: str, **extra) -> dict:
    panel = selectors.xero_client_panel(practice=request.practice, client=client)
    context = {
        "client": client,
        "panel": panel,
        "step": step,
        "as_dialog": wants_partial(request),
        "include_archived": request.GET.get("archived") == "1",
    }
    if not client.is_company:
        context["companies"] = [officer.company for officer in client_officers(client=client)]
    return context | extra


def _render(request, context: dict, partial: str = "xero-dialog"):
    return render_page_or_partial(request, TEMPLATE, partial, context)


def _can_link(context: dict) -> bool:
    return context["client"].is_company and context["panel"].connected


def _suggestions(request, context: dict) -> list:
    suggestions = selectors.xero_contact_suggestions(
        practice=request.practice,
        client=context["client"],
        limit=5,
        connection=context["panel"].connection,  # read once for the panel already
    )
    if not context["include_archived"]:
        suggestions = [s for s in suggestions if s.contact.status != "ARCHIVED"]
    return [s for s in suggestions if s.contact.status != "DELETED"]


def _create_context(request, client: Client) -> dict:
    pending = selectors.xero_contact_creation_pending(practice=request.practice, client=client)
    payload = pending.payload if pending else selectors.xero_new_contact_payload(client=client)
    same_name = (
        None if pending else selectors.xero_contact_same_name(practice=request.practice, name=client.name)
    )
    return {"preview": payload, "pending": pending, "same_name": same_name}


@practice_required
def xero_link_dialog(request, pk: int):
    """The three choices. Reads the mirror only: opening it never calls Xero."""
    client = _client(request, pk)
    choice = request.GET.get("choice", "match")
    context = _context(request, client, "choose")
    if choice not in CHOICES or (choice == "unlink" and context["panel"].link is None):
        choice = "match"
    context["choice"] = choice
    if _can_link(context):
        if choice == "match":
            context["suggestions"] = _suggestions(request, context)
        elif choice == "create":
            context |= _create_context(request, client)
    return _render(request, context)


@practice_required
def xero_link_search(request, pk: int):
    """Search the mirror as you type; Xero is asked once per query for contacts the mirror lacks."""
    client = _client(request, pk)
    # NUL can't be typed, and PostgreSQL refuses it in a query: drop it rather than answer 500.
    term = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    context = _context(request, client, "choose", choice="match", q=term)
    if not _can_link(context):
        return _render(request, context)
    if len(term) >= MIN_REMOTE_SEARCH:
        try:
            context["found_in_xero"] = services.xero_contacts_search_remote(
                practice=request.practice, term=term, include_archived=context["include_archived"]
            )
        except XeroError as exc:
            context["search_error"] = (
                f"{exc.message} These results are from Engager's copy of your Xero contacts."
            )
    context["results"] = selectors.xero_contacts_search(
        practice=request.practice, term=term, include_archived=context["include_archived"]
    )
    if wants_partial(request) and request.GET.get("target") == "results":
        return _render(request, context, "xero-search-results")
    context["suggestions"] = _suggestions(request, context)
    return _render(request, context)


@require_http_methods(["GET", "POST"])
@practice_required
def xero_link_confirm(request, pk: int):
    """Confirm the chosen contact (GET), then Save (POST) links it."""
    client = _client(request, pk)
    contact = selectors.xero_contact_choice(
        practice=request.practice, pk=request.POST.get("contact") or request.GET.get("contact")
    )
    context = _context(request, client, "confirm_match", contact=contact)
    if not _can_link(context):
        return _render(request, context)
    if contact is None:
        context |= {
            "step": "choose",
            "choice": "match",
            "error": "Choose a Xero contact to link, then Confirm.",
        }
        context["suggestions"] = _suggestions(request, context)
        return _render(request, context)
    if request.method == "POST":
        try:
            services.xero_contact_link(
                practice=request.practice, client=client, contact=contact, user=request.user
            )
        except services.LinkError as exc:
            context["error"] = exc.message
            context["contact"] = selectors.xero_contact_choice(practice=request.practice, pk=contact.pk)
            return _render(request, context)
        messages.success(request, f"{client.name} is now linked to {contact.name} in Xero.")
        return redirect_after_post(request, client)
    return _render(request, context)


@require_http_methods(["GET", "POST"])
@practice_required
def xero_link_create(request, pk: int):
    """Confirm what will be sent (GET), then Save (POST) creates the contact in Xero and links it."""
    client = _client(request, pk)
    context = _context(request, client, "confirm_create")
    if not _can_link(context):
        return _render(request, context)
    if request.method == "POST":
        try:
            services.xero_contact_create_for_client(
                practice=request.practice, client=client, user=request.user
            )
        except services.ContactCreateRefused as exc:
            context["xero_messages"] = exc.messages
        except services.ContactNameTaken as exc:
            context["error"] = exc.message
        except services.LinkError as exc:
            context["error"] = exc.message
        except XeroError as exc:
            context["error"] = (
                f"{exc.message} The contact was not created and nothing was linked. Save again to retry: "
                "Engager will not create it twice."
            )
        else:
            link = selectors.xero_client_link(practice=request.practice, client=client)
            messages.success(request, f"{link.contact.name} was created in Xero and linked to {client.name}.")
            return redirect_after_post(request, client)
    context |= _create_context(request, client)
    return _render(request, context)


@require_http_methods(["GET", "POST"])
@practice_required
def xero_link_unlink(request, pk: int):
    """Ask (GET), then remove our link only (POST). Nothing is changed or deleted in Xero."""
    client = _client(request, pk)
    context = _context(request, client, "unlink")
    if request.method == "POST":
        contact = services.xero_contact_unlink(practice=request.practice, client=client, user=request.user)
        if contact is not None:
            messages.success(
                request, f"{client.name} is no longer linked to {contact.name}. Nothing was changed in Xero."
            )
        return redirect_after_post(request, client)
    if context["panel"].link is None:
        context |= {"step": "choose", "choice": "match"}
    return _render(request, context)


def xero_client_context(request, client: Client) -> dict:
    """The client page's Xero part (registered in core.navigation.client_context_providers): read
    from the mirror only when a template uses it."""
    if getattr(request, "practice", None) is None:
        return {}
    return {
        "xero": SimpleLazyObject(
            lambda: selectors.xero_client_panel(practice=request.practice, client=client)
        )
    }
