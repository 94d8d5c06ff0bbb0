"""GET/PUT/POST /Contacts and GET/POST /Contacts/{ContactID or ContactNumber}."""

import uuid

from ..books import plan_contact
from ..serializers import contact_json
from ..wire import envelope, json_response
from .gateway import Api, not_found, xero_api
from .query import CONTACT_FIELDS, csv_values, filtered, flag, if_modified_since, paging
from .writes import write_batch

READ = frozenset({"accounting.contacts.read"})
WRITE = frozenset({"accounting.contacts"})
SEARCHED = ("name", "first_name", "last_name", "contact_number", "email_address")


@xero_api(read=READ, write=WRITE)
def contacts(request, api: Api):
    if request.method == "GET":
        return _list(request, api)
    if request.method in ("PUT", "POST"):
        return write_batch(
            request,
            api,
            collection="Contacts",
            planner=lambda element, batch: plan_contact(
                api.world, api.org, element, client_id=api.access.client_id, batch=batch
            ),
            serialize=lambda contact: contact_json(contact, api.org),
        )
    return json_response({"Message": "The requested resource does not support this method"}, 405)


@xero_api(read=READ, write=WRITE)
def contact(request, api: Api, identifier: str):
    found = find(api, identifier)
    if found is None:
        return not_found()
    if request.method == "GET":
        return json_response(envelope("Contacts", [contact_json(found, api.org)], provider=api.provider))
    if request.method == "POST":
        return write_batch(
            request,
            api,
            collection="Contacts",
            planner=lambda element, batch: plan_contact(
                api.world, api.org, element, existing=found, client_id=api.access.client_id, batch=batch
            ),
            serialize=lambda updated: contact_json(updated, api.org),
            single=True,
        )
    return json_response({"Message": "The requested resource does not support this method"}, 405)


def find(api: Api, identifier: str):
    try:
        return api.org.contacts.get(str(uuid.UUID(identifier)))
    except ValueError:
        key = identifier.strip().casefold()
        return next(
            (c for c in api.org.contacts.values() if c.contact_number and c.contact_number.casefold() == key),
            None,
        )


def _list(request, api: Api):
    records = api.org.contacts.values()
    ids = {value.lower() for value in csv_values(request, "IDs")}
    if ids:
        records = [contact for contact in records if contact.contact_id in ids]
    elif not flag(request, "includeArchived"):
        records = [contact for contact in records if contact.status != "ARCHIVED"]
    since = if_modified_since(request)
    if since is not None:
        records = [contact for contact in records if contact.updated_at >= since]
    term = request.GET.get("searchTerm", "").strip().casefold()
    if term:
        records = [
            contact
            for contact in records
            if any(term in (getattr(contact, attribute) or "").casefold() for attribute in SEARCHED)
        ]
    records = filtered(records, request, CONTACT_FIELDS, "Contact", default_order="Name ASC")
    page, pagination = paging(request).slice(records)
    summary = flag(request, "summaryOnly")
    items = [contact_json(contact, api.org, summary=summary, detail=False) for contact in page]
    return json_response(envelope("Contacts", items, pagination=pagination, provider=api.provider))
