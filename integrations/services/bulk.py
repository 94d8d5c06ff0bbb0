"""Bulk review: link many clients to their suggested contacts, or create many contacts in Xero.

A bulk run is created (rows, and for creates the batches with their Idempotency-Keys) and committed
before Xero is asked anything; a Celery task then works through it, saving progress after every
row or batch so the page can poll it. Whatever happens the run ends Finished (with a result per
row) or Failed (with the reason); a failed create run can be tried again, and sends the same
batches with the same keys, so Xero never creates a contact twice.

Linking in bulk uses the mirror (no Xero call per row: the accountant has just reviewed the
suggestions, and Xero's limit is 60 calls a minute). Creating sends batches of up to 50 with
summarizeErrors=false, so one invalid contact fails its own row only.
"""

import functools
import logging
import uuid

from django.db import transaction
from django.utils import timezone

from clients.models import Client
from core.models import Practice
from integrations.models import XeroBulkRun, XeroConnection, XeroContact, XeroContactCreation
from integrations.selectors import xero_new_contact_payload
from integrations.services.activity import xero_activity_record
from integrations.services.health import with_xero
from integrations.services.links import LinkError, _new_contact, xero_contact_link
from integrations.services.sync import contacts_upsert
from integrations.xero.client import CONTACTS_BATCH_SIZE
from integrations.xero.errors import XeroError, XeroValidationError

logger = logging.getLogger(__name__)

QUEUE_DOWN = "The work could not be queued (the task queue is not answering). Nothing was sent to Xero."
UNEXPECTED = "Stopped because of an unexpected problem (the details are in Engager's log)."

# Row states
PENDING, LINKED, CREATED, FAILED, SKIPPED = "pending", "linked", "created", "failed", "skipped"


class BulkError(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _connection(practice: Practice) -> XeroConnection:
    connection = XeroConnection.objects.filter(practice=practice).first()
    if connection is None or not connection.is_active:
        raise BulkError("Xero is not connected. Connect it in Settings → Integrations first.")
    return connection


def _unlinked_companies(practice: Practice, ids) -> dict[int, Client]:
    clean = {int(i) for i in ids if str(i).isdigit()}
    return Client.objects.filter(
        practice=practice, kind=Client.Kind.COMPANY, xero_link__isnull=True, pk__in=clean
    ).in_bulk()


def _task():
    from integrations.tasks import xero_bulk  # the task calls back into this module

    return xero_bulk


def _enqueue(run_id: int) -> None:
    try:
        _task().delay(run_id)
    except Exception:  # the broker is down (or, eagerly, anything the task did not handle)
        logger.exception("Could not run or queue Xero bulk run %s", run_id)
        XeroBulkRun.objects.filter(pk=run_id, status__in=XeroBulkRun.ACTIVE).update(
            status=XeroBulkRun.Status.FAILED, finished_at=timezone.now(), message=QUEUE_DOWN
        )


def _start(run: XeroBulkRun) -> XeroBulkRun:
    transaction.on_commit(functools.partial(_enqueue, run.pk))
    return run


@transaction.atomic
def xero_bulk_link_start(*, practice: Practice, user, pairs: list[tuple[int, int]]) -> XeroBulkRun:
    """Link each (client id, contact id) pair; ids not the practice's unlinked companies or its
    current organisation's contacts are left out."""
    connection = _connection(practice)
    clients = _unlinked_companies(practice, [c for c, _ in pairs])
    contacts = XeroContact.objects.filter(
        practice=practice, tenant_id=connection.tenant_id, pk__in=[k for _, k in pairs if str(k).isdigit()]
    ).in_bulk()
    items, seen = [], set()
    for client_id, contact_id in pairs:
        client, contact = clients.get(int(client_id)), contacts.get(int(contact_id))
        if client is None or contact is None or client.pk in seen:
            continue
        seen.add(client.pk)
        items.append({"client_id": client.pk, "client_name": client.name, "contact_id": contact.pk,
                      "contact_name": contact.name, "status": PENDING, "message": ""})  # fmt: skip
    if not items:
        raise BulkError("Tick at least one client to link.")
    run = XeroBulkRun.objects.create(
        practice=practice, requested_by=_user(user), action=XeroBulkRun.Action.LINK,
        tenant_id=connection.tenant_id, items=items, total=len(items),
        message=f"Linking {len(items)} clients…",
    )  # fmt: skip
    return _start(run)


def _waiting_elsewhere(practice: Practice) -> set[int]:
    """Clients whose creation is still owed: a pending single create, or a pending batch of a
    bulk run that failed (retrying that run reuses its key; a new key could make a duplicate)."""
    waiting = set(
        XeroContactCreation.objects.filter(
            practice=practice, status=XeroContactCreation.Status.PENDING
        ).values_list("client_id", flat=True)
    )
    for run in XeroBulkRun.objects.filter(practice=practice, action=XeroBulkRun.Action.CREATE).exclude(
        status=XeroBulkRun.Status.SUCCEEDED
    ):
        for batch in run.batches:
            if batch.get("status") == PENDING:
                waiting.update(batch["client_ids"])
    return waiting


@transaction.atomic
def xero_bulk_create_start(*, practice: Practice, user, client_ids: list[int]) -> XeroBulkRun:
    """Create a Xero contact for each client (batches of up to 50) and link it."""
    connection = _connection(practice)
    clients = _unlinked_companies(practice, client_ids)
    if not clients:
        raise BulkError("Tick at least one client to create in Xero.")
    waiting = _waiting_elsewhere(practice)
    active_names = {
        name.casefold()
        for name in XeroContact.objects.filter(
            practice=practice, tenant_id=connection.tenant_id, status="ACTIVE"
        ).values_list("name", flat=True)
    }
    items, to_send = [], []
    for client in sorted(clients.values(), key=lambda c: (c.name, c.pk)):
        item = {"client_id": client.pk, "client_name": client.name, "contact_id": None,
                "contact_name": "", "status": PENDING, "message": ""}  # fmt: skip
        if client.pk in waiting:
            item.update(
                status=SKIPPED, message="A create in Xero for this client is still waiting: try that again."
            )
        elif " ".join(client.name.split()).casefold() in active_names:
            item.update(
                status=SKIPPED,
                message=f"Xero already has an active contact called “{client.name}”: link the client to it instead.",
            )
        else:
            item["payload"] = xero_new_contact_payload(client=client)
            to_send.append(client.pk)
        items.append(item)
    batches = [
        {"key": str(uuid.uuid4()), "client_ids": to_send[i : i + CONTACTS_BATCH_SIZE], "status": PENDING}
        for i in range(0, len(to_send), CONTACTS_BATCH_SIZE)
    ]
    skipped = sum(1 for item in items if item["status"] == SKIPPED)
    run = XeroBulkRun.objects.create(
        practice=practice, requested_by=_user(user), action=XeroBulkRun.Action.CREATE,
        tenant_id=connection.tenant_id, items=items, batches=batches, total=len(items), done=skipped,
        failed=skipped, message=f"Creating {len(to_send)} contacts in Xero…",
    )  # fmt: skip
    return _start(run)


@transaction.atomic
def xero_bulk_retry(*, run: XeroBulkRun) -> XeroBulkRun:
    """Carry on a failed run: the batches not yet done, with their stored keys."""
    if not run.can_retry:
        return run
    XeroBulkRun.objects.filter(pk=run.pk, status=XeroBulkRun.Status.FAILED).update(
        status=XeroBulkRun.Status.QUEUED, finished_at=None, message="Trying again…"
    )
    run.refresh_from_db()
    return _start(run)


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


# --- the work (called by the Celery task) --------------------------------------------------------


def _claim(run_id: int) -> XeroBulkRun | None:
    """Move a queued run to running; None if another delivery has it or it is finished."""
    claimed = XeroBulkRun.objects.filter(pk=run_id, status=XeroBulkRun.Status.QUEUED).update(
        status=XeroBulkRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    run = XeroBulkRun.objects.select_related("practice", "requested_by").get(pk=run_id)
    run.attempts += 1
    return run


def _save(run: XeroBulkRun) -> None:
    run.done = sum(1 for item in run.items if item["status"] != PENDING)
    run.succeeded = sum(1 for item in run.items if item["status"] in (LINKED, CREATED))
    run.failed = sum(1 for item in run.items if item["status"] in (FAILED, SKIPPED))
    run.save(
        update_fields=["items", "batches", "done", "succeeded", "failed", "attempts", "message", "updated_at"]
    )


def _finish(run: XeroBulkRun, *, status: str, message: str) -> None:
    run.status = status
    run.message = message[:500]
    run.finished_at = timezone.now()
    _save(run)
    XeroBulkRun.objects.filter(pk=run.pk).update(status=status, finished_at=run.finished_at)


def xero_bulk_fail(*, run_id: int, message: str) -> None:
    XeroBulkRun.objects.filter(pk=run_id).exclude(status__in=XeroBulkRun.FINISHED).update(
        status=XeroBulkRun.Status.FAILED, finished_at=timezone.now(), message=message[:500]
    )


def xero_bulk_process(*, run_id: int) -> XeroBulkRun | None:
    run = _claim(run_id)
    if run is None:
        return None
    if run.action == XeroBulkRun.Action.LINK:
        _process_links(run)
    else:
        _process_creates(run)
    return run


def _process_links(run: XeroBulkRun) -> None:
    practice, user = run.practice, run.requested_by
    clients = Client.objects.filter(practice=practice, pk__in=[i["client_id"] for i in run.items]).in_bulk()
    contacts = XeroContact.objects.filter(
        practice=practice, pk__in=[i["contact_id"] for i in run.items]
    ).in_bulk()
    for item in run.items:
        if item["status"] != PENDING:
            continue
        client, contact = clients.get(item["client_id"]), contacts.get(item["contact_id"])
        if client is None or contact is None:
            item.update(status=FAILED, message="The client or the contact no longer exists.")
        else:
            try:
                xero_contact_link(practice=practice, client=client, contact=contact, user=user, verify=False)
            except LinkError as exc:
                item.update(status=FAILED, message=exc.message)
            else:
                item.update(status=LINKED, message=f"Linked to {contact.name}")
        _save(run)
    _finish(run, status=XeroBulkRun.Status.SUCCEEDED, message=_summary(run, "linked"))


def _summary(run: XeroBulkRun, verb: str) -> str:
    good = sum(1 for item in run.items if item["status"] in (LINKED, CREATED))
    bad = sum(1 for item in run.items if item["status"] in (FAILED, SKIPPED))
    text = f"{good} of {len(run.items)} {verb}."
    return f"{text} {bad} need attention: see the result on each row." if bad else text


def _process_creates(run: XeroBulkRun) -> None:
    practice, user = run.practice, run.requested_by
    connection = XeroConnection.objects.filter(practice=practice).first()
    if connection is None or not connection.is_active or connection.tenant_id != run.tenant_id:
        _finish(run, status=XeroBulkRun.Status.FAILED,
                message="Xero is not connected to the same organisation, so nothing more was sent.")  # fmt: skip
        return
    items = {item["client_id"]: item for item in run.items}
    for batch in run.batches:
        if batch["status"] != PENDING:
            continue
        rows = [items[client_id] for client_id in batch["client_ids"]]
        new = [_new_contact(row["payload"]) for row in rows]  # the body stored before the first try
        try:
            results = with_xero(
                connection=connection,
                interactive=False,
                operation=lambda xero, new=new, key=batch["key"]: xero.contacts_create(
                    new, idempotency_key=key, summarize_errors=False
                ),
            )
        except XeroValidationError as exc:  # the whole batch refused: its key is spent
            for row in rows:
                row.update(status=FAILED, message=" ".join(exc.messages))
            batch["status"] = "done"
            _save(run)
            continue
        except XeroError as exc:  # down, slow, busy, auth: unknown outcome, the same key next time
            left = sum(len(b["client_ids"]) for b in run.batches if b["status"] == PENDING)
            xero_activity_record(
                practice=practice, user=user, action="contact_create", success=False,
                description=f"Bulk create in Xero stopped: {exc.message}",
                detail=f"{left} contacts not yet confirmed; trying again reuses the stored Idempotency-Keys.",
            )  # fmt: skip
            _finish(run, status=XeroBulkRun.Status.FAILED,
                    message=f"{exc.message} {left} contacts were not confirmed by Xero. "
                            "Try again: nothing will be created twice.")  # fmt: skip
            return
        for position, row in enumerate(rows):
            result = results[position] if position < len(results) else None
            if result is None or not result.ok:
                messages = list(result.messages) if result else ["Xero did not answer for this contact."]
                row.update(status=FAILED, message=" ".join(messages))
                xero_activity_record(
                    practice=practice, user=user, action="contact_create", success=False,
                    description=f"Xero refused to create {row['client_name']}: {' '.join(messages)}",
                )  # fmt: skip
                continue
            contacts_upsert(practice=practice, tenant_id=connection.tenant_id, contacts=[result.contact])
            contact = XeroContact.objects.get(
                practice=practice, tenant_id=connection.tenant_id, contact_id=result.contact.contact_id
            )
            xero_activity_record(
                practice=practice, user=user, action="contact_create", xero_id=contact.contact_id,
                description=f"Created Xero contact {contact.name} for {row['client_name']} (bulk)",
            )  # fmt: skip
            row.update(contact_id=contact.pk, contact_name=contact.name)
            client = Client.objects.filter(practice=practice, pk=row["client_id"]).first()
            try:
                if client is None:
                    raise LinkError("The client no longer exists.")
                xero_contact_link(
                    practice=practice, client=client, contact=contact, user=user, verify=False,
                    created_in_xero=True,
                )  # fmt: skip
            except LinkError as exc:
                row.update(status=FAILED, message=f"Created in Xero but not linked: {exc.message}")
            else:
                row.update(status=CREATED, message=f"Created in Xero and linked ({contact.name})")
        batch["status"] = "done"
        _save(run)
    _finish(run, status=XeroBulkRun.Status.SUCCEEDED, message=_summary(run, "created in Xero and linked"))
