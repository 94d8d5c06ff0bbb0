from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clients import selectors, services
from clients.forms import ClientFilterForm, OfficerForm, client_form_class
from clients.models import Client, Officer
from core.htmx import redirect_after_post, render_page_or_partial
from core.navigation import client_context_providers, client_menu
from core.permissions import practice_required

PAGE_SIZE = 50


def client_page_context(request, client: Client, active: str) -> dict:
    """What every page under a client needs: the client, its left-hand menu, and what other apps add."""
    context = {"client": client, "client_menu": client_menu.entries_for(client), "active_menu": active}
    for provider in client_context_providers:
        context |= provider(request, client)
    return context


@practice_required
def client_list(request):
    form = ClientFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sort = filters.get("sort") or "name"
    clients = selectors.client_list(
        practice=request.practice,
        query=filters.get("q", ""),
        kind=filters.get("kind", ""),
        sort=sort,
        xero=filters.get("xero", ""),
    )
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "sort": sort}
    return render_page_or_partial(request, "clients/client_list.html", "client-table", context)


@practice_required
def client_create(request):
    kind = request.GET.get("kind") or request.POST.get("kind") or Client.Kind.COMPANY
    if kind not in Client.Kind.values:
        kind = Client.Kind.COMPANY
    form_class = client_form_class(kind)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = services.client_create(practice=request.practice, kind=kind, **form.cleaned_data)
        messages.success(request, f"{client.name} was added.")
        return redirect_after_post(request, client)
    return render_page_or_partial(
        request, "clients/client_form.html", "client-form", {"form": form, "kind": kind, "client": None}
    )


@practice_required
def client_edit(request, pk: int):
    client = selectors.client_get(practice=request.practice, pk=pk)
    form = client_form_class(client.kind)(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        services.client_update(client=client, **form.cleaned_data)
        messages.success(request, "Changes saved.")
        return redirect_after_post(request, client)
    context = client_page_context(request, client, "overview") | {"form": form, "kind": client.kind}
    return render_page_or_partial(request, "clients/client_form.html", "client-form", context)


@practice_required
def client_detail(request, pk: int):
    client = selectors.client_get(practice=request.practice, pk=pk)
    context = client_page_context(request, client, "overview")
    if not client.is_company:  # Xero links are made on these companies
        context["person_companies"] = selectors.client_companies(person=client)
    return render(request, "clients/client_detail.html", context)


@practice_required
def client_people(request, pk: int):
    client = selectors.client_get(practice=request.practice, pk=pk)
    form = None
    if client.is_company:
        individuals = selectors.individuals_for_choice(practice=request.practice)
        form = OfficerForm(request.POST or None, individuals=individuals)
        if request.method == "POST" and form.is_valid():
            services.officer_add(
                company=client, person=form.cleaned_data["person"], role=form.cleaned_data["role"]
            )
            messages.success(request, f"{form.cleaned_data['person']} was added.")
            return redirect("clients:people", pk=client.pk)
    active = "people" if client.is_company else "companies"
    context = client_page_context(request, client, active) | {
        "officers": selectors.client_officers(client=client),
        "form": form,
    }
    return render_page_or_partial(request, "clients/client_people.html", "people", context)


@require_POST
@practice_required
def officer_remove(request, pk: int, officer_pk: int):
    client = selectors.client_get(practice=request.practice, pk=pk)
    officer = get_object_or_404(Officer, practice=request.practice, company=client, pk=officer_pk)
    services.officer_remove(officer=officer)
    messages.success(request, f"{officer.person} was removed.")
    return redirect("clients:people", pk=client.pk)
