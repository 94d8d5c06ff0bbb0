"""PUT/POST of a batch ({"Contacts": [...]} or {"Invoices": [...]}), with Xero's summarizeErrors.

summarizeErrors=true (the default): any invalid element fails the whole request with 400 and a
ValidationException listing the failed elements; nothing is written. false: HTTP 200, valid
elements are written, each element carries its own status and errors.
"""

from collections.abc import Callable

from ..books import Batch, Plan
from ..wire import envelope, json_response, messages, validation_exception
from .gateway import Api, invalid_json, read_json
from .query import flag

# Per collection: the flag Xero sets on a failed element, and the fields safe to echo back in a
# 200 response (the SDK must still be able to read it).
ERROR_FLAGS = {
    "Contacts": "HasValidationErrors",
    "Invoices": "HasErrors",
    "CreditNotes": "HasErrors",
    "Allocations": None,  # the Allocation schema has no error flag, only the status and errors
}
# What Xero puts on each record written successfully (PUT Invoices' example: StatusAttributeString
# "OK"); the Invoice schema also carries Warnings, the Contact schema does not.
SUCCESS_FIELDS = {
    "Contacts": ("ValidationErrors",),
    "Invoices": ("ValidationErrors", "Warnings"),
    "CreditNotes": ("ValidationErrors", "Warnings"),
    "Allocations": ("ValidationErrors",),
}
ECHO_FIELDS = {
    "Contacts": {"ContactID": None, "Name": None, "ContactNumber": None, "EmailAddress": None},
    "Invoices": {
        "InvoiceID": None,
        "InvoiceNumber": None,
        "Reference": None,
        "Type": {"ACCREC", "ACCPAY"},
        "Status": {"DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED"},
    },
    "CreditNotes": {
        "CreditNoteID": None,
        "CreditNoteNumber": None,
        "Reference": None,
        "Type": {"ACCRECCREDIT", "ACCPAYCREDIT"},
        "Status": {"DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED"},
    },
    "Allocations": {},
}


def elements_of(body, collection: str) -> list | None:
    if isinstance(body, dict) and isinstance(body.get(collection), list):
        return body[collection]
    if isinstance(body, dict) and collection not in body:
        return [body]  # Xero also takes a single object
    return None


def write_batch(
    request,
    api: Api,
    *,
    collection: str,
    planner: Callable[[dict, Batch], Plan],
    serialize: Callable[[object], dict],
    single: bool = False,
):
    try:
        body = read_json(request)
    except ValueError:
        return invalid_json()
    elements = elements_of(body, collection)
    if not elements:
        return json_response(
            validation_exception([{"ValidationErrors": messages([f"No {collection} were given."])}]), 400
        )
    if single:
        elements = elements[:1]
    batch = Batch()
    plans = [planner(element, batch) for element in elements]
    if flag(request, "summarizeErrors", default=True):
        failed = [
            _failed_element(element, plan, collection, echo_all=True)
            for element, plan in zip(elements, plans, strict=True)
            if not plan.ok
        ]
        if failed:
            return json_response(validation_exception(failed), 400)
        results = [_succeeded(serialize(plan.apply()), collection) for plan in plans]
        return json_response(envelope(collection, results, provider=api.provider))
    results = []
    for element, plan in zip(elements, plans, strict=True):
        if plan.ok:
            item = _succeeded(serialize(plan.apply()), collection)
        else:
            item = _failed_element(element, plan, collection, echo_all=False)
        results.append(item)
    return json_response(envelope(collection, results, provider=api.provider))


def _succeeded(item: dict, collection: str) -> dict:
    item["StatusAttributeString"] = "OK"
    for key in SUCCESS_FIELDS[collection]:
        item[key] = []
    return item


def _failed_element(element, plan: Plan, collection: str, *, echo_all: bool) -> dict:
    if echo_all and isinstance(element, dict):
        echoed = dict(element)
    else:
        echoed = {}
        for key, allowed in ECHO_FIELDS[collection].items():
            value = element.get(key) if isinstance(element, dict) else None
            if isinstance(value, str) and (allowed is None or value in allowed):
                echoed[key] = value
    if ERROR_FLAGS[collection]:
        echoed[ERROR_FLAGS[collection]] = True
    echoed["StatusAttributeString"] = "ERROR"
    echoed["ValidationErrors"] = messages(plan.errors)
    return echoed
