from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from clients.models import Client, Officer
from core.models import Practice

CLIENT_SORTS = {
    "name": "name",
    "-name": "-name",
    "kind": "kind",
    "-kind": "-kind",
    "created": "created_at",
    "-created": "-created_at",
    "company_number": "company_number",
    "-company_number": "-company_number",
}


XERO_LINK_FILTERS = {"linked": False, "unlinked": True}  # filter value → xero_link__isnull


def client_list(
    *, practice: Practice, query: str = "", kind: str = "", sort: str = "name", xero: str = ""
) -> QuerySet[Client]:
    """The practice's clients filtered by a search term (name, company number, email), kind and
    whether they are linked to Xero. Each row carries its Xero link (`xero_link`, joined here: the
    link lives in integrations, which adds it as a reverse one-to-one), so the list's Xero icon
    costs no query per row."""
    qs = Client.objects.filter(practice=practice).select_related("xero_link")
    if xero in XERO_LINK_FILTERS:
        qs = qs.filter(xero_link__isnull=XERO_LINK_FILTERS[xero])
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(name__icontains=query)
            | Q(company_number__icontains=query.replace(" ", ""))
            | Q(email__icontains=query)
        )
    if kind in Client.Kind.values:
        qs = qs.filter(kind=kind)
    order = CLIENT_SORTS.get(sort, "name")
    return qs.order_by(order, "pk")


def client_get(*, practice: Practice, pk: int) -> Client:
    return get_object_or_404(Client, practice=practice, pk=pk)


def client_officers(*, client: Client) -> QuerySet[Officer]:
    """People attached to a company, or the companies a person is attached to."""
    if client.is_company:
        return client.officers.select_related("person").order_by("person__name", "role")
    return client.appointments.select_related("company").order_by("company__name", "role")


def individuals_for_choice(*, practice: Practice) -> QuerySet[Client]:
    return Client.objects.filter(practice=practice, kind=Client.Kind.INDIVIDUAL).order_by("name")


def client_companies(*, person: Client) -> list[Client]:
    """The companies a person is an officer of (each once, by name)."""
    return list(
        Client.objects.filter(practice=person.practice_id, officers__person=person)
        .distinct()
        .order_by("name")
    )
