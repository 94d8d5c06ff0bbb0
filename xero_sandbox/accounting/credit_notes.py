"""GET/PUT/POST /CreditNotes, GET/POST /CreditNotes/{CreditNoteID or CreditNoteNumber} and
PUT /CreditNotes/{CreditNoteID}/Allocations.

As the spec's `page` parameter says, a paged list carries each credit note's line items ("Up to 100
credit notes will be returned in a single API call with line items shown for each credit note");
an unpaged list leaves them out, as for invoices. By id always has them.
"""

import uuid

from ..books.credit_notes import credit_note_by_number, plan_allocation, plan_credit_note
from ..serializers import allocation_write_json, credit_note_json
from ..wire import envelope, json_response
from .gateway import Api, not_found, xero_api
from .invoices import READ, WRITE, unit_decimals
from .query import credit_note_fields, filtered, if_modified_since, paging
from .writes import write_batch


@xero_api(read=READ, write=WRITE)
def credit_notes(request, api: Api):
    if request.method == "GET":
        return _list(request, api)
    decimals = unit_decimals(request)
    return write_batch(
        request,
        api,
        collection="CreditNotes",
        planner=lambda element, batch: plan_credit_note(
            api.world,
            api.org,
            element,
            by_number=request.method == "POST",
            client_id=api.access.client_id,
            batch=batch,
            unit_decimals=decimals,
        ),
        serialize=lambda note: credit_note_json(note, api.org, with_lines=True, unit_decimals=decimals),
    )


@xero_api(read=READ, write=WRITE)
def credit_note(request, api: Api, identifier: str):
    found = find(api, identifier)
    if found is None:
        return not_found()
    decimals = unit_decimals(request)
    if request.method == "GET":
        payload = credit_note_json(found, api.org, with_lines=True, unit_decimals=decimals)
        return json_response(envelope("CreditNotes", [payload], provider=api.provider))
    return write_batch(
        request,
        api,
        collection="CreditNotes",
        planner=lambda element, batch: plan_credit_note(
            api.world,
            api.org,
            element,
            existing=found,
            client_id=api.access.client_id,
            batch=batch,
            unit_decimals=decimals,
        ),
        serialize=lambda note: credit_note_json(note, api.org, with_lines=True, unit_decimals=decimals),
        single=True,
    )


@xero_api(read=READ, write=WRITE)
def allocations(request, api: Api, identifier: str):
    found = find(api, identifier)
    if found is None:
        return not_found()
    return write_batch(
        request,
        api,
        collection="Allocations",
        planner=lambda element, batch: plan_allocation(api.world, api.org, found, element, batch=batch),
        serialize=lambda allocation: allocation_write_json(allocation, found, api.org),
    )


def find(api: Api, identifier: str):
    try:
        return api.org.credit_notes.get(str(uuid.UUID(identifier)))
    except ValueError:
        return credit_note_by_number(api.org, identifier)


def _list(request, api: Api):
    records = api.org.credit_notes.values()
    since = if_modified_since(request)
    if since is not None:
        records = [note for note in records if note.updated_at >= since]
    records = filtered(records, request, credit_note_fields(api.org), "CreditNote")
    pages = paging(request)
    page, pagination = pages.slice(records)
    decimals = unit_decimals(request)
    items = [
        credit_note_json(note, api.org, with_lines=pages.paged, unit_decimals=decimals, detail=False)
        for note in page
    ]
    return json_response(envelope("CreditNotes", items, pagination=pagination, provider=api.provider))
