"""Linking a client company to its Xero contact: match, create in Xero, unlink.

Rules:
- Only companies are linked (Xero links are made on the company; people are its officers).
- A client has at most one contact and a contact at most one client (database constraints); a
  clash, e.g. two tabs linking the same contact to two clients, is a `LinkConflict` naming the
  client that has it.
- Creating a contact stores its Idempotency-Key (and what is sent) *before* Xero is first asked,
  and every retry sends the same body with the same key: however often the user clicks, and
  whatever happens to Xero's answer, Xero creates one contact.
- Xero is called outside any transaction; the local writes that follow are one short transaction.
- Every link, unlink and create is written to the Xero activity log.
"""

import logging
import uuid

from django.db import IntegrityError, transaction

from clients.models import Client
from core.models import Practice
from integrations.models import XeroConnection, XeroContact, XeroContactCreation, XeroContactLink
from integrations.selectors import xero_new_contact_payload
from integrations.services.activity import xero_activity_record
from integrations.services.health import with_xero
from integrations.services.sync import contacts_upsert
from integrations.xero.errors import XeroError, XeroNotFound, XeroValidationError
from integrations.xero.types import XeroAddressData, XeroContactData, XeroNewContact

logger = logging.getLogger(__name__)

DELETED = "DELETED"  # our mirror's mark for a contact Xero no longer has (Xero has no such status)


class LinkError(Exception):
    """A link that cannot be made; `message` is safe to show and says what to do."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class LinkConflict(LinkError):
    """The contact is already linked to another client (or the client to another contact)."""


class ContactNameTaken(LinkError):
    """An active Xero contact already has the client's name: Xero would refuse a second one."""

    def __init__(self, contact: XeroContact):
        self.contact = contact
        super().__init__(
            f"Xero already has an active contact called “{contact.name}” and contact names must be unique. "
            "Match the client to it instead."
        )


class ContactCreateRefused(LinkError):
    """Xero refused the new contact; `messages` are Xero's own words."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("Xero did not create the contact: " + " ".join(messages))


# --- helpers --------------------------------------------------------------------------------------


def _connection(practice: Practice) -> XeroConnection:
    connection = XeroConnection.objects.filter(practice=practice).first()
    if connection is None or connection.status == XeroConnection.Status.DISCONNECTED:
        raise LinkError("Xero is not connected. Connect it in Settings → Integrations first.")
    return connection


def _require_company(client: Client) -> None:
    if not client.is_company:
        raise LinkError(
            "Xero links are made on the company, not on a person. Link the companies this person is an "
            "officer of instead."
        )


def _conflict_message(*, practice: Practice, client: Client, contact: XeroContact) -> str:
    holder = (
        XeroContactLink.objects.filter(practice=practice, contact=contact)
        .exclude(client=client)
        .select_related("client")
        .first()
    )
    if holder is not None:
        return (
            f"“{contact.name}” is already linked to {holder.client.name}. Unlink it there first, or choose "
            "another contact."
        )
    return (
        f"{client.name} was linked to a Xero contact meanwhile (perhaps in another tab). Nothing was changed."
    )


def _new_contact(payload: dict) -> XeroNewContact:
    address = payload.get("address")
    return XeroNewContact(
        name=payload["name"],
        email=payload.get("email", ""),
        company_number=payload.get("company_number", ""),
        tax_number=payload.get("tax_number", ""),
        account_number=payload.get("account_number", ""),
        phone=payload.get("phone", ""),
        address=XeroAddressData(
            address_type="STREET",
            lines=tuple(address.get("lines", ())),
            city=address.get("city", ""),
            postal_code=address.get("postal_code", ""),
        )
        if address
        else None,
    )


def _mirror(connection: XeroConnection, contact: XeroContactData) -> XeroContact:
    contacts_upsert(practice=connection.practice, tenant_id=connection.tenant_id, contacts=[contact])
    return XeroContact.objects.get(
        practice=connection.practice, tenant_id=connection.tenant_id, contact_id=contact.contact_id
    )


def _write_link(
    *, practice: Practice, client: Client, contact: XeroContact, user, created_in_xero: bool = False
) -> XeroContactLink:
    """The link row itself; a clash with the constraints becomes a LinkConflict."""
    existing = XeroContactLink.objects.filter(practice=practice, client=client).first()
    if existing is not None and existing.contact_id == contact.pk:
        return existing  # already so (a double submit, or the other tab did the same)
    try:
        with transaction.atomic():
            if existing is not None:  # re-linking to another contact replaces our link only
                existing.delete()
            link = XeroContactLink.objects.create(
                practice=practice,
                client=client,
                contact=contact,
                linked_by=user if getattr(user, "is_authenticated", False) else None,
                created_in_xero=created_in_xero,
            )
    except IntegrityError:
        raise LinkConflict(_conflict_message(practice=practice, client=client, contact=contact)) from None
    xero_activity_record(
        practice=practice,
        user=user,
        action="contact_link",
        description=f"Linked {client.name} to Xero contact {contact.name}",
        xero_id=contact.contact_id,
    )
    return link


# --- services -------------------------------------------------------------------------------------


def xero_contact_link(
    *,
    practice: Practice,
    client: Client,
    contact: XeroContact,
    user,
    verify: bool = True,
    created_in_xero: bool = False,
) -> XeroContactLink:
    """Link the client to a mirrored contact.

    With `verify`, Xero is asked for the contact first (one call): a contact deleted in Xero since
    the mirror saw it is refused with a clear message, and the mirror gets its latest name and
    balances. If Xero cannot be asked (down, busy), the link is made from the mirror: it is ours.
    """
    _require_company(client)
    connection = _connection(practice)
    if client.practice_id != practice.pk or contact.practice_id != practice.pk:
        raise LinkError("That client or contact belongs to another practice.")
    if contact.tenant_id != connection.tenant_id:
        raise LinkError(
            "That contact belongs to a Xero organisation this practice is no longer connected to."
        )
    if contact.status == DELETED:
        raise LinkError(f"“{contact.name}” no longer exists in Xero. Choose another contact.")
    holder = XeroContactLink.objects.filter(practice=practice, contact=contact).exclude(client=client).first()
    if holder is not None:  # the constraint would refuse it too; this says who has it, without a write
        raise LinkConflict(_conflict_message(practice=practice, client=client, contact=contact))
    if verify and connection.is_active:
        try:
            fresh = with_xero(
                connection=connection, operation=lambda xero: xero.contact_get(contact.contact_id)
            )
        except XeroNotFound:
            XeroContact.objects.filter(pk=contact.pk).update(status=DELETED)
            xero_activity_record(
                practice=practice, user=user, action="contact_link", success=False, xero_id=contact.contact_id,
                description=f"Could not link {client.name}: Xero contact {contact.name} no longer exists",
            )  # fmt: skip
            raise LinkError(
                f"“{contact.name}” no longer exists in Xero (it may have been deleted or merged). "
                "Nothing was linked; choose another contact."
            ) from None
        except XeroError as exc:
            logger.info("Linking from the mirror: Xero could not be asked (%s)", type(exc).__name__)
        else:
            contact = _mirror(connection, fresh)
    return _write_link(
        practice=practice, client=client, contact=contact, user=user, created_in_xero=created_in_xero
    )


def xero_contact_unlink(*, practice: Practice, client: Client, user) -> XeroContact | None:
    """Remove our link only. Nothing changes in Xero; invoices already on jobs stay there."""
    link = XeroContactLink.objects.filter(practice=practice, client=client).select_related("contact").first()
    if link is None:
        return None
    contact = link.contact
    link.delete()
    xero_activity_record(
        practice=practice,
        user=user,
        action="contact_unlink",
        description=f"Unlinked {client.name} from Xero contact {contact.name}",
        xero_id=contact.contact_id,
    )
    return contact


def _pending_creation(*, practice: Practice, client: Client, tenant_id: str, user) -> XeroContactCreation:
    """The client's pending creation, or a new one committed (key and body) before Xero is asked."""
    for _attempt in range(2):
        pending = XeroContactCreation.objects.filter(
            practice=practice, client=client, status=XeroContactCreation.Status.PENDING
        ).first()
        if pending is not None:
            return pending
        payload = xero_new_contact_payload(client=client)
        same_name = (
            XeroContact.objects.filter(practice=practice, tenant_id=tenant_id, status="ACTIVE")
            .filter(name__iexact=payload["name"].strip())
            .first()
        )
        if same_name is not None:
            raise ContactNameTaken(same_name)
        try:
            with transaction.atomic():
                return XeroContactCreation.objects.create(
                    practice=practice,
                    client=client,
                    tenant_id=tenant_id,
                    idempotency_key=str(uuid.uuid4()),
                    payload=payload,
                    created_by=user if getattr(user, "is_authenticated", False) else None,
                )
        except IntegrityError:
            continue  # a double click created it a moment ago: use that one (same key)
    raise RuntimeError("Could not find or start the client's Xero contact creation")  # pragma: no cover


def xero_contact_create_for_client(*, practice: Practice, client: Client, user) -> XeroContactLink:
    """Create the client's contact in Xero and link it.

    Raises ContactNameTaken (offer a match instead), ContactCreateRefused (Xero's validation
    messages), LinkError/LinkConflict, or the XeroError that stopped Xero answering — then nothing
    is linked and the creation stays pending, so trying again sends the same Idempotency-Key.
    """
    _require_company(client)
    connection = _connection(practice)
    linked = (
        XeroContactLink.objects.filter(practice=practice, client=client).select_related("contact").first()
    )
    if linked is not None:
        return linked  # a second click after the first one finished: nothing more to do
    creation = _pending_creation(practice=practice, client=client, tenant_id=connection.tenant_id, user=user)
    XeroContactCreation.objects.filter(pk=creation.pk).update(attempts=creation.attempts + 1)
    new = _new_contact(creation.payload)
    try:
        results = with_xero(
            connection=connection,
            operation=lambda xero: xero.contacts_create([new], idempotency_key=creation.idempotency_key),
        )
    except XeroValidationError as exc:  # the whole request refused: this key is spent
        _creation_failed(creation, list(exc.messages), user=user, client=client)
        raise ContactCreateRefused(list(exc.messages)) from None
    except XeroError as exc:  # down, slow, busy, auth: unknown outcome, so the same key next time
        XeroContactCreation.objects.filter(pk=creation.pk).update(error=exc.message)
        xero_activity_record(
            practice=practice, user=user, action="contact_create", success=False,
            description=f"Creating {client.name} in Xero did not finish: {exc.message}",
            detail=f"Idempotency-Key {creation.idempotency_key}; the next try reuses it.",
        )  # fmt: skip
        raise
    result = results[0] if results else None
    if result is None or not result.ok:
        messages = list(result.messages) if result else ["Xero did not return the new contact."]
        _creation_failed(creation, messages, user=user, client=client)
        raise ContactCreateRefused(messages)
    with transaction.atomic():
        contact = _mirror(connection, result.contact)
        XeroContactCreation.objects.filter(pk=creation.pk).update(
            status=XeroContactCreation.Status.SUCCEEDED, contact_id=contact.contact_id, error=""
        )
    if not XeroContactLink.objects.filter(practice=practice, client=client, contact=contact).exists():
        xero_activity_record(
            practice=practice, user=user, action="contact_create", xero_id=contact.contact_id,
            description=f"Created Xero contact {contact.name} for {client.name}",
        )  # fmt: skip
    return _write_link(practice=practice, client=client, contact=contact, user=user, created_in_xero=True)


def _creation_failed(creation: XeroContactCreation, messages: list[str], *, user, client: Client) -> None:
    XeroContactCreation.objects.filter(pk=creation.pk, status=XeroContactCreation.Status.PENDING).update(
        status=XeroContactCreation.Status.FAILED, error="\n".join(messages)
    )
    xero_activity_record(
        practice=creation.practice, user=user, action="contact_create", success=False,
        description=f"Xero refused to create {client.name}: {' '.join(messages)}",
    )  # fmt: skip


def xero_contacts_search_remote(*, practice: Practice, term: str, include_archived: bool = False) -> int:
    """Ask Xero (one call) for contacts matching `term` and add them to the mirror.

    Returns how many contacts the mirror had not seen. Xero errors propagate (the caller shows the
    mirror's results and says Xero could not be asked)."""
    term = term.strip()
    connection = XeroConnection.objects.filter(practice=practice, status=XeroConnection.Status.ACTIVE).first()
    if connection is None or len(term) < 2:
        return 0
    found = with_xero(
        connection=connection,
        operation=lambda xero: xero.contacts_search(term, include_archived=include_archived),
    )
    if not found:
        return 0
    known = set(
        XeroContact.objects.filter(
            practice=practice, tenant_id=connection.tenant_id, contact_id__in=[c.contact_id for c in found]
        ).values_list("contact_id", flat=True)
    )
    new = [c for c in found if c.contact_id not in known]
    if new:
        contacts_upsert(practice=practice, tenant_id=connection.tenant_id, contacts=new)
    return len(new)
