"""Resolving a difference between a linked client and its Xero contact, one field at a time.

- **Update Xero** sends our value to Xero (POST Contacts/{id}) with an Idempotency-Key derived from
  the contact's version, the field and the value: a retry after a lost answer replays the first
  write, never a second one. Only once Xero has answered is the mirror row refreshed from Xero's
  answer; a failure leaves everything as it was and says why.
- **Update Engager** copies the mirror's value onto the client through `clients.services`.
- Every change, and every failed attempt, is written to the Xero activity log.
"""

import hashlib
import logging

from django.core.exceptions import ValidationError

from clients.models import Client
from clients.services import client_update
from core.models import Practice
from integrations import matching
from integrations.models import XeroConnection, XeroContact, XeroContactLink
from integrations.selectors import DIFFERENCE_FIELDS, _street_address, xero_contact_differences
from integrations.services.activity import xero_activity_record
from integrations.services.health import with_xero
from integrations.services.sync import contacts_upsert
from integrations.xero.errors import XeroError, XeroNotFound, XeroValidationError
from integrations.xero.types import XeroAddressData, XeroNewContact

logger = logging.getLogger(__name__)

LABELS = {key: label for key, label, *_ in DIFFERENCE_FIELDS}


class DifferenceError(Exception):
    """The change was not made; `message` is safe to show and says what to do."""

    def __init__(self, message: str, messages: list[str] | None = None):
        self.message = message
        self.messages = messages or []
        super().__init__(message)


def _link(*, practice: Practice, client: Client) -> XeroContactLink:
    link = (
        XeroContactLink.objects.filter(practice=practice, client=client, client__practice=practice)
        .select_related("contact")
        .first()
    )
    if link is None:
        raise DifferenceError("This client is not linked to a Xero contact.")
    return link


def _difference(*, client: Client, field: str):
    if field not in LABELS:
        raise DifferenceError("Choose one of the fields listed.")
    for difference in xero_contact_differences(client=client):
        if difference.field == field:
            return difference
    return None  # already the same (a second click, or someone else fixed it)


def _fields_for_xero(client: Client, field: str) -> XeroNewContact:
    if field == "name":
        return XeroNewContact(name=client.name)
    if field == "email":
        return XeroNewContact(email=client.email)
    if field == "company_number":
        return XeroNewContact(company_number=client.company_number)
    if field == "vat_number":
        return XeroNewContact(tax_number=client.vat_number)
    address = _street_address(client.registered_address)
    return XeroNewContact(
        address=XeroAddressData(
            address_type="STREET",
            lines=tuple(address.get("lines", ())),
            city=address.get("city", ""),
            postal_code=address.get("postal_code", ""),
        )
    )


def _idempotency_key(contact: XeroContact, field: str, value: str) -> str:
    """Same contact version, field and value → same key: a retry replays, a new change is new."""
    version = contact.updated_at_xero.isoformat() if contact.updated_at_xero else ""
    raw = "\x1f".join([contact.tenant_id, contact.contact_id, version, field, value])
    return "engager-update-" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def xero_contact_update_from_client(*, practice: Practice, client: Client, field: str, user) -> XeroContact:
    """Update Xero: send our value of `field` to the linked contact, then refresh the mirror."""
    link = _link(practice=practice, client=client)
    contact = link.contact
    difference = _difference(client=client, field=field)
    if difference is None:
        return contact
    if not difference.can_update_xero:
        raise DifferenceError(
            f"Engager has no {LABELS[field].lower()} to send. Use “Update Engager” instead."
        )
    connection = XeroConnection.objects.filter(practice=practice).first()
    if connection is None or not connection.is_active:
        raise DifferenceError("Xero is not connected. Reconnect it in Settings → Integrations.")
    if contact.tenant_id != connection.tenant_id:
        raise DifferenceError(
            "This contact is in a Xero organisation the practice is no longer connected to."
        )
    label = LABELS[field].lower()
    fields = _fields_for_xero(client, field)
    key = _idempotency_key(contact, field, difference.ours)
    try:
        fresh = with_xero(
            connection=connection,
            operation=lambda xero: xero.contact_update(contact.contact_id, fields, idempotency_key=key),
        )
    except XeroError as exc:
        if isinstance(exc, XeroValidationError):
            message = "Xero did not accept the change: " + " ".join(exc.messages)
            messages = list(exc.messages)
        elif isinstance(exc, XeroNotFound):
            message = f"Xero no longer has the contact “{contact.name}”. Nothing was changed."
            messages = []
        else:
            message = f"{exc.message} Nothing was changed in Xero or in Engager."
            messages = []
        xero_activity_record(
            practice=practice, user=user, action="contact_update", success=False, xero_id=contact.contact_id,
            description=f"Could not update the {label} of Xero contact {contact.name} from {client.name}",
            detail=f"{message}\nIdempotency-Key {key}",
        )  # fmt: skip
        raise DifferenceError(message, messages) from None
    contacts_upsert(practice=practice, tenant_id=connection.tenant_id, contacts=[fresh])
    contact = XeroContact.objects.get(pk=contact.pk)
    xero_activity_record(
        practice=practice, user=user, action="contact_update", xero_id=contact.contact_id,
        description=f"Updated the {label} of Xero contact {contact.name} from {client.name}",
        detail=f"{LABELS[field]}: {difference.theirs!r} → {difference.ours!r}",
    )  # fmt: skip
    return contact


def _value_for_engager(field: str, theirs: str) -> str:
    if field == "company_number":
        return matching.normalise_company_number(theirs)
    if field == "vat_number":
        digits = matching.normalise_tax_number(theirs)
        return f"GB{digits}" if digits.isdigit() else theirs.strip()
    if field == "email":
        return theirs.strip()
    if field == "address":
        return "\n".join(matching.address_lines(theirs))
    return " ".join(theirs.split())


def client_update_from_xero_contact(*, practice: Practice, client: Client, field: str, user) -> Client:
    """Update Engager: copy the linked contact's value of `field` onto the client."""
    link = _link(practice=practice, client=client)
    difference = _difference(client=client, field=field)
    if difference is None:
        return client
    if not difference.can_update_engager:
        raise DifferenceError("Xero has no name for this contact; a company needs one.")
    attribute = next(ours for key, _, ours, *_ in DIFFERENCE_FIELDS if key == field)
    value = _value_for_engager(field, difference.theirs)
    label = LABELS[field].lower()
    try:
        client_update(client=client, **{attribute: value})
    except ValidationError as exc:
        client.refresh_from_db()
        messages = [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "message_dict") else []
        message = f"Xero's {label} does not fit Engager's record: " + (" ".join(messages) or str(exc))
        raise DifferenceError(message, messages) from None
    xero_activity_record(
        practice=practice, user=user, action="client_update", xero_id=link.contact.contact_id,
        description=f"Updated the {label} of {client.name} from Xero contact {link.contact.name}",
        detail=f"{LABELS[field]}: {difference.ours!r} → {value!r}",
    )  # fmt: skip
    return client
